# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""`./build.py presubmit` as the commit queue runs it, on a small repo with history."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest

from tests.conftest import build_env
from tests.conftest import git
from tests.conftest import link_tools
from tests.presubmit.reporters.schemas import JUNIT_SCHEMA
from tests.presubmit.reporters.schemas import SARIF_SUBSET_SCHEMA
from tests.presubmit.reporters.schemas import xml_to_dict
from tests.tools.commit_queue.conftest import PROTO
from tests.tools.commit_queue.conftest import PY_HEADER
from tests.tools.commit_queue.conftest import TEST_OK
from tests.tools.commit_queue.conftest import build
from tests.tools.commit_queue.conftest import commit
from tests.tools.commit_queue.conftest import drop_realm
from tests.tools.commit_queue.schemas import REPORT_SCHEMA

# Each builds a scratch checkout and runs the whole presubmit on it.
pytestmark = pytest.mark.slow

FOOTER_HINT = "add the footer 'Breaking-Proto-Change-Ok: <reason>'"


def statuses(report: dict[str, Any]) -> dict[str, str]:
    return {c["name"]: c["status"] for c in report["checks"]}


def presubmit(root: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    """Run the presubmit with a JSON report; return the process and the report (validated)."""
    report = root / ".cache" / "report.json"
    proc = build(root, "presubmit", "--json", str(report), *args)
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    doc = json.loads(report.read_text())
    jsonschema.Draft7Validator(REPORT_SCHEMA).validate(doc)
    return proc, doc


def test_a_readme_change_skips_what_it_cannot_affect(cq_repo: Path) -> None:
    commit(cq_repo, {"README.md": "# A small API\n\nNow with words.\n"}, "Say more")
    junit = cq_repo / ".cache" / "report.xml"
    proc, report = presubmit(cq_repo, "--junit", str(junit))
    assert proc.returncode == 0, proc.stdout
    got = statuses(report)
    # No test of this repo reads its README: not even pytest runs.
    assert set(got.values()) == {"skipped"}, got
    [go] = [c for c in report["checks"] if c["name"] == "go"]
    assert go["reason"].startswith("the change touches none of its inputs (go/**")
    [tests] = [c for c in report["checks"] if c["name"] == "pytest"]
    assert tests["reason"] == "the change touches no file a test reads"
    assert "merge base with main" in proc.stdout
    assert "\ngo        skipped " in proc.stdout
    root = ET.parse(junit).getroot()
    jsonschema.Draft7Validator(JUNIT_SCHEMA).validate(xml_to_dict(root))
    assert root.attrib["skipped"] == str(len(got))
    # Nothing of the run is left behind.
    assert list((cq_repo / ".cache" / "presubmit").iterdir()) == []


def test_an_api_change_runs_the_api_tests_and_not_the_toolings(cq_repo: Path) -> None:
    broken = PY_HEADER + "\ndef test_tooling() -> None:\n    assert False\n"
    commit(
        cq_repo,
        {
            "tests/api/__init__.py": PY_HEADER,
            "tests/api/test_api.py": TEST_OK,
            "tests/presubmit/__init__.py": PY_HEADER,
            "tests/presubmit/test_tooling.py": broken,
        },
        "Tests of the API and of the lint suite",
    )
    git(cq_repo, "branch", "-f", "main", "HEAD")  # upstream: only the next commit is the change
    text = (cq_repo / PROTO).read_text().replace("// ", "// Note: ", 1)
    commit(cq_repo, {PROTO: text}, "A comment")
    proc, report = presubmit(cq_repo)
    assert statuses(report)["pytest"] == "ok", proc.stdout
    [tests] = [c for c in report["checks"] if c["name"] == "pytest"]
    assert "what the change can affect: tests/api tests/test_ok.py" in tests["output"]
    assert "2 passed" in tests["output"]


def test_breaking_change_fails_without_the_footer_and_passes_with_it(cq_repo: Path) -> None:
    (cq_repo / PROTO).write_text(drop_realm(cq_repo))
    for task in ("gen", "docs"):
        assert build(cq_repo, task).returncode == 0
    commit(cq_repo, {}, "Drop the realm\n\nBreaking-Proto-Change-Ok: no client reads the realm yet")

    # A queue holding the description outside git: the file decides, not
    # HEAD (whose footer would allow the change), so this is the run without.
    # (HEAD's own message without a footer fails in the test below.)
    message = cq_repo / ".cache" / "description.txt"
    message.parent.mkdir(exist_ok=True)
    message.write_text("Drop the realm\n")
    proc, report = presubmit(cq_repo, "--message-file", str(message))
    assert proc.returncode == 1
    assert statuses(report)["breaking"] == "FAIL"
    assert [c["name"] for c in report["checks"] if c["status"] == "FAIL"] == ["breaking"]
    assert "== breaking (FAIL) ==" in proc.stdout
    assert 'field "2" with name "realm"' in proc.stdout
    assert FOOTER_HINT in proc.stdout

    # HEAD's message, with the footer.
    proc, report = presubmit(cq_repo)
    assert proc.returncode == 0, proc.stdout
    assert statuses(report)["breaking"] == "warning"
    assert report["footer"] == "no client reads the realm yet"
    assert "allowed by Breaking-Proto-Change-Ok: no client reads the realm yet" in proc.stdout
    assert "presubmit passed, warnings: breaking" in proc.stdout


def test_every_failing_check_is_reported_at_once(cq_repo: Path) -> None:
    text = drop_realm(cq_repo).replace("Next ID: 2", "Next ID: 7")
    text = text.replace("message WorkPlanId {", "message WorkPlanId   {")
    commit(
        cq_repo,
        {
            PROTO: text,  # misformatted, wrong Next ID, breaking; stubs and docs now stale
            "tests/test_bad.py": "import os\n\n\ndef test_bad() -> None:\n    x: int = 'a'\n"
            "    assert x == 1\n",  # no header, unused import (ruff), type error (mypy), fails
            "go/bad_test.go": "// Copyright 2026 The turboci-proto Authors. All rights reserved.\n"
            "// Use of this source code is governed by a BSD-style license that can be\n"
            '// found in the LICENSE file.\n\npackage bad\n\nimport "testing"\n\n'
            'func TestBad(t *testing.T) { t.Fatal("bad") }\n',
        },
        "Break everything",
    )
    sarif = cq_repo / ".cache" / "lint.sarif"
    proc, report = presubmit(cq_repo, "--format", "github", "--sarif", str(sarif))
    assert proc.returncode == 1
    failing = [c["name"] for c in report["checks"] if c["status"] == "FAIL"]
    assert failing == [
        "format",
        "lint",
        "breaking",
        "stubs",
        "docs",
        "license",
        "pytest",
        "go",
        "ruff",
        "mypy",
    ]
    for name in failing:
        assert f"== {name} (FAIL) ==" in proc.stdout
    assert "NEXT_ID" in proc.stdout and "tests/test_bad.py:1:1: LICENSE_HEADER" in proc.stdout
    assert "::error file=tests/test_bad.py,line=1,col=1,title=LICENSE_HEADER::" in proc.stdout
    assert "::error title=presubmit mypy::" in proc.stdout
    assert "(alone: ./build.py gen --check)" in proc.stdout
    doc = json.loads(sarif.read_text())
    jsonschema.Draft7Validator(SARIF_SUBSET_SCHEMA).validate(doc)
    rules = {r["ruleId"] for r in doc["runs"][0]["results"]}
    assert {"NEXT_ID", "LICENSE_HEADER"} <= rules
    lint = next(c for c in report["checks"] if c["name"] == "lint")
    assert {f["rule"] for f in lint["findings"]} >= {"NEXT_ID"}


def test_a_dirty_tree_is_refused_unless_included(cq_repo: Path) -> None:
    (cq_repo / "README.md").write_text("# Edited, not committed\n")
    proc = build(cq_repo, "presubmit")
    assert proc.returncode == 2
    assert proc.stderr == (
        "error: 1 uncommitted file(s) (e.g. README.md): commit or stash them, "
        "or pass --include-uncommitted to check the working tree as it is\n"
    )
    proc = build(cq_repo, "presubmit", "--include-uncommitted")
    assert proc.returncode == 0, proc.stdout
    assert "with 1 uncommitted file(s)" in proc.stdout


def test_unknown_upstream_and_no_checkout_cannot_run(cq_repo: Path) -> None:
    proc = build(cq_repo, "presubmit", "--upstream", "origin/nope")
    assert (proc.returncode, proc.stderr) == (
        2,
        "error: --upstream origin/nope: no such commit or ref in this checkout\n",
    )
    git(cq_repo, "checkout", "-q", "--orphan", "lonely")
    git(cq_repo, "commit", "-qm", "Unrelated history")
    proc = build(cq_repo, "presubmit", "--upstream", "main")
    assert (proc.returncode, proc.stderr) == (2, "error: HEAD has no merge base with main\n")
    shutil.rmtree(cq_repo / ".git")
    proc = subprocess.run(
        [sys.executable, "-m", "tools.commit_queue"],
        cwd=cq_repo,
        env=dict(os.environ, PYTHONPATH=str(cq_repo)),
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "is not a git checkout" in proc.stderr


def test_a_shallow_detached_clone_cannot_pass_a_breaking_change(
    cq_repo: Path, tmp_path: Path
) -> None:
    (cq_repo / PROTO).write_text(drop_realm(cq_repo))
    for task in ("gen", "docs"):
        assert build(cq_repo, task).returncode == 0
    commit(cq_repo, {}, "Drop the realm")
    # GitHub Actions' default checkout: one commit, detached.
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth=1", "--branch=change", f"file://{cq_repo}", str(clone))
    git(clone, "checkout", "-q", "--detach")
    link_tools(clone)
    shutil.copy(cq_repo / "tools" / "installed.json", clone / "tools" / "installed.json")

    proc = build(clone, "presubmit")
    assert (proc.returncode, proc.stdout) == (2, ""), proc.stdout + proc.stderr
    assert proc.stderr.startswith("error: this shallow clone lacks HEAD's parent, so the change ")
    assert "`fetch-depth: 0` in actions/checkout" in proc.stderr
    assert "--allow-no-basis" in proc.stderr
    assert proc.stderr.count("\n") == 1

    # Told to go on without it: every other check runs, breaking says why it did not.
    proc, report = presubmit(clone, "--allow-no-basis")
    assert proc.returncode == 0, proc.stdout
    [skipped] = [c for c in report["checks"] if c["status"] == "skipped"]
    assert skipped["name"] == "breaking"
    assert skipped["reason"] == (
        "no basis to compare with: this shallow clone lacks HEAD's parent; "
        "breaking skipped as --allow-no-basis asks"
    )
    assert "--allow-no-basis" in report["basis_why"]
    assert "\nbreaking  skipped " in proc.stdout

    # Fetched deeper, the basis is found and the breaking change fails.
    git(clone, "fetch", "-q", "--deepen=1")
    proc, report = presubmit(clone)
    assert proc.returncode == 1
    assert statuses(report)["breaking"] == "FAIL"


def _processes_under(root: Path) -> list[str]:
    """Command lines of live processes that mention `root` or run in it."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            raw = Path(f"/proc/{pid}/cmdline").read_bytes()
            cmdline = raw.replace(b"\0", b" ").decode(errors="replace")
            state = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0]
            cwd = os.readlink(f"/proc/{pid}/cwd")
        except OSError:
            continue
        # The checks' own tools (pytest, go, mypy) run in the checkout
        # without naming it.
        inside = cwd == str(root) or cwd.startswith(f"{root}/")
        if (str(root) in cmdline or inside) and state != "Z":
            found.append(f"{pid}: {cmdline}")
    return found


GO_SLOW_TEST = (
    "// Copyright 2026 The turboci-proto Authors. All rights reserved.\n"
    "// Use of this source code is governed by a BSD-style license that can be\n"
    "// found in the LICENSE file.\n\npackage slow\n\n"
    'import (\n\t"testing"\n\t"time"\n)\n\n'
    "func TestSlow(t *testing.T) { time.Sleep(120 * time.Second) }\n"
)


def _start_slow_presubmit(root: Path, tmp: Path) -> subprocess.Popen[str]:
    """A presubmit whose pytest and go checks each run a two-minute test, once
    both tests run; its TMPDIR is `tmp`."""
    commit(
        root,
        {
            "tests/test_slow.py": PY_HEADER + "import time\n\n\ndef test_slow() -> None:\n"
            "    time.sleep(120)\n",
            "go/slow_test.go": GO_SLOW_TEST,
        },
        "Slow tests",
    )
    tmp.mkdir()
    proc = subprocess.Popen(
        [sys.executable, str(root / "build.py"), "presubmit"],
        cwd=root,
        env=build_env(dict(os.environ, TMPDIR=str(tmp))),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 240
    # The checks' pytest and Go test binary themselves, not just their workers
    # (whose --root, a temporary folder, may well say "pytest").
    while not (
        any(" -m pytest " in p for p in _processes_under(root))
        and any("go-build" in p and ".test" in p for p in _processes_under(root))
    ):
        assert time.monotonic() < deadline, (
            f"the slow tests never started: {_processes_under(root)}"
        )
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.2)
    time.sleep(1.0)
    return proc


def _no_process_under(root: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while _processes_under(root):
        assert time.monotonic() < deadline, _processes_under(root)
        time.sleep(0.2)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_sigint_or_sigterm_stops_every_check_and_leaves_no_temp_files(
    cq_repo: Path, tmp_path: Path, signum: signal.Signals
) -> None:
    tmp = tmp_path / "tmpdir"
    proc = _start_slow_presubmit(cq_repo, tmp)
    runs = cq_repo / ".cache" / "presubmit"
    assert list(runs.iterdir()), "the run keeps its outputs under .cache/presubmit"
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, out + err
    assert f"interrupted ({signum.name})" in err
    assert _processes_under(cq_repo) == []
    assert list(runs.iterdir()) == []
    for scratch in ("staging", "tmp"):
        folder = cq_repo / ".cache" / scratch
        assert not folder.exists() or list(folder.iterdir()) == []
    # Go's build folders lived in the run's folder, not in TMPDIR.
    assert list(tmp.iterdir()) == []


def test_sigkill_leaves_no_check_running_and_the_next_run_removes_its_folder(
    cq_repo: Path, tmp_path: Path
) -> None:
    proc = _start_slow_presubmit(cq_repo, tmp_path / "tmpdir")
    runs = cq_repo / ".cache" / "presubmit"
    [left] = list(runs.iterdir())
    proc.kill()
    proc.communicate(timeout=30)
    # Every check learns its parent died and takes its process group down.
    _no_process_under(cq_repo, 10.0)
    assert list(runs.iterdir()) == [left]
    assert left.name.startswith(f"run-{proc.pid}-")

    # The next run removes the dead run's folder (and leaves its own nowhere).
    commit(cq_repo, {"tests/test_slow.py": None, "go/slow_test.go": None}, "Not so slow")
    proc2 = build(cq_repo, "presubmit")
    assert proc2.returncode == 0, proc2.stdout + proc2.stderr
    assert list(runs.iterdir()) == []
