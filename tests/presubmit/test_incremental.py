# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The findings cache changes no byte of the report: a warm run and a run after
an edit say exactly what a cold run says of the same tree, while the files
whose rows are kept are neither compiled nor checked."""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
from collections.abc import Callable
from collections.abc import Collection
from collections.abc import Iterator
from collections.abc import Mapping
from pathlib import Path

import pytest

from core import cached_compile
from presubmit import cli
from presubmit import findings_cache
from presubmit import runner
from presubmit.findings_cache import FindingsCache
from presubmit.options import LintOptions
from tests.conftest import REPO
from tests.presubmit.helpers import Outcome
from tests.presubmit.helpers import cold_lint
from tests.presubmit.helpers import lint
from tests.presubmit.helpers import write_tree

# A small tree shaped like googleapis: a hub most files import, packages of a
# few files each, service files holding messages, a package with two
# services, stale and suppressed Next ID comments, no presubmit.toml.
HUB = """\
syntax = "proto3";
package acme.api;
// Next ID: 3
message Resource {
  string type = 1;
  string pattern = 2;
}
"""


IGNORE = "// turboci:lint:ignore NEXT_ID\n"


def _leaf(package: str, name: str, next_id: int, extra: str = "") -> str:
    return f"""\
syntax = "proto3";
package {package};
import "acme/api/resource.proto";
// Next ID: {next_id}
message {name} {{
  acme.api.Resource resource = 1;
  string title = 2;
}}
{extra}"""


def _service(package: str, name: str, message: str) -> str:
    return f"""\
syntax = "proto3";
package {package};
import "acme/api/resource.proto";
// Next ID: 2
message {message}Request {{
  acme.api.Resource resource = 1;
}}
service {name} {{
  rpc Get({message}Request) returns ({message}Request);
}}
"""


def googleapis_like() -> dict[str, str]:
    files = {"acme/api/resource.proto": HUB}
    for n in range(6):
        package = f"acme.cloud.p{n}.v1"
        folder = f"acme/cloud/p{n}/v1"
        files[f"{folder}/thing.proto"] = _leaf(package, "Thing", 3 if n % 2 else 7)
        files[f"{folder}/other.proto"] = _leaf(
            package,
            "Other",
            9,
            "// turboci:lint:ignore NEXT_ID\n// Next ID: 9\nmessage Quiet { string a = 1; }\n",
        )
        files[f"{folder}/service.proto"] = _service(package, f"P{n}Service", "Get")
    # A second service in one package: ONE_SERVICE_PER_PACKAGE.
    files["acme/cloud/p0/v1/second.proto"] = _service("acme.cloud.p0.v1", "Second", "Again")
    return files


@pytest.fixture
def compiled_names(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The names each compile of a lint run was asked for, in order."""
    calls: list[list[str]] = []
    real = cached_compile.compile_stream

    def spy(root: Path, files: list[str], **kwargs: object) -> Iterator[object]:
        calls.append(sorted(files))
        return real(root, files, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(cached_compile, "compile_stream", spy)
    return calls


def _same(a: Outcome, b: Outcome) -> None:
    assert (a.code, a.out, a.err) == (b.code, b.out, b.err)


ARGS = ("--format", "json", "--list-ignored")


@pytest.mark.slow  # seven lint runs of a googleapis-like tree
def test_a_warm_run_and_a_run_after_edits_say_what_a_cold_run_says(
    tree: Path, compiled_names: list[list[str]]
) -> None:
    write_tree(tree, googleapis_like())
    cold = cold_lint(tree, *ARGS)
    assert cold.code == 1
    assert {"NEXT_ID", "SERVICE_FILE_ALONE", "ONE_SERVICE_PER_PACKAGE"} <= set(cold.rules())
    assert any(item.get("suppressed") for item in cold.json())

    compiled_names.clear()
    _same(lint(tree, *ARGS), cold)
    assert compiled_names == []  # nothing parsed, nothing checked

    edits: list[tuple[str, Callable[[str], str]]] = [
        # A leaf: only it is compiled again.
        ("acme/cloud/p1/v1/thing.proto", lambda t: t.replace("Next ID: 3", "Next ID: 4")),
        # The hub: everything that imports it.
        ("acme/api/resource.proto", lambda t: t + "// a comment\n"),
        # A service moves into a package that had one: both packages' findings change.
        ("acme/cloud/p0/v1/second.proto", lambda t: t.replace("p0.v1", "p2.v1")),
        # A suppression goes away.
        ("acme/cloud/p3/v1/other.proto", lambda t: t.replace(IGNORE, "")),
    ]
    for rel, edit in edits:
        path = tree / rel
        path.write_text(edit(path.read_text()))
        compiled_names.clear()
        after = lint(tree, *ARGS)
        first = compiled_names[0] if compiled_names else []
        assert rel in first, (rel, compiled_names)
        if rel != "acme/api/resource.proto":
            assert len(first) == 1, first  # the file the edit touched, alone
        _same(after, cold_lint(tree, *ARGS))
        assert after.out != cold.out

    # A file removed: its findings go, the package's are recomputed.
    (tree / "acme/cloud/p0/v1/second.proto").unlink()
    _same(lint(tree, *ARGS), cold_lint(tree, *ARGS))


def test_a_package_whose_files_kept_their_keys_keeps_its_row(
    tree: Path, compiled_names: list[list[str]]
) -> None:
    write_tree(tree, googleapis_like())
    cold = cold_lint(tree, "--format", "json")
    (tree / "acme/cloud/p4/v1/thing.proto").write_text(_leaf("acme.cloud.p4.v1", "Thing", 3))
    compiled_names.clear()
    after = lint(tree, "--format", "json")
    # The edited file, then the rest of its package for ONE_SERVICE_PER_PACKAGE;
    # package p0 (whose row holds that rule's finding) is not loaded at all.
    assert compiled_names == [
        ["acme/cloud/p4/v1/thing.proto"],
        ["acme/cloud/p4/v1/other.proto", "acme/cloud/p4/v1/service.proto"],
    ]
    assert "ONE_SERVICE_PER_PACKAGE" in after.rules()
    assert after.out != cold.out
    _same(after, cold_lint(tree, "--format", "json"))


def _this_repo(into: Path) -> Path:
    """This repo's API, config and go.mod, as a tree of its own (google/api/
    comes from the pinned package, as for a checkout without the copies)."""
    shutil.copytree(REPO / "turboci", into / "turboci")
    for rel in ("presubmit.toml", "buf.yaml", "go/go.mod"):
        (into / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / rel, into / rel)
    return into


@pytest.mark.slow  # lint runs of this repo's whole API
def test_on_this_repo_cold_warm_and_edited_runs_agree(tree: Path) -> None:
    _this_repo(tree)
    cold = cold_lint(tree, *ARGS)
    _same(lint(tree, *ARGS), cold)
    leaf = tree / "turboci/graph/ids/v1/check_id.proto"
    text = leaf.read_text()
    assert "Next ID: " in text
    leaf.write_text(text.replace("Next ID: ", "Next ID: 9", 1))
    after = lint(tree, *ARGS)
    assert "NEXT_ID" in after.rules()
    _same(after, cold_lint(tree, *ARGS))


def test_a_changed_setting_changes_the_findings(tree: Path) -> None:
    files = {
        "presubmit.toml": '[go_package]\nprefix = "example.com/one"\nenable = ["GO_PACKAGE"]\n',
        "acme/a/v1/a.proto": 'syntax = "proto3";\npackage acme.a.v1;\n'
        'option go_package = "example.com/one/acme/a/v1;apb";\nmessage A {}\n',
    }
    write_tree(tree, files)
    config = tree / "presubmit.toml"
    config.write_text('enable = ["GO_PACKAGE"]\n[go_package]\nprefix = "example.com/one"\n')
    one = cold_lint(tree, "--rules", "GO_PACKAGE", "--format", "json")
    assert one.code == 0, one.out + one.err
    _same(lint(tree, "--rules", "GO_PACKAGE", "--format", "json"), one)
    config.write_text('enable = ["GO_PACKAGE"]\n[go_package]\nprefix = "example.com/two"\n')
    two = lint(tree, "--rules", "GO_PACKAGE", "--format", "json")
    assert two.rules() == ["GO_PACKAGE"]
    assert "example.com/two/acme/a/v1;apb" in two.out
    _same(two, cold_lint(tree, "--rules", "GO_PACKAGE", "--format", "json"))
    # And back: the first setting's findings again, not the second's.
    config.write_text('enable = ["GO_PACKAGE"]\n[go_package]\nprefix = "example.com/one"\n')
    _same(lint(tree, "--rules", "GO_PACKAGE", "--format", "json"), one)


def test_other_rules_selected_are_other_rows(tree: Path) -> None:
    write_tree(tree, googleapis_like())
    everything = cold_lint(tree, "--format", "json")
    only = lint(tree, "--rules", "NEXT_ID", "--format", "json")
    assert set(only.rules()) == {"NEXT_ID"}
    _same(lint(tree, "--format", "json"), everything)


def test_the_caches_are_written_after_the_report(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(tree, googleapis_like())
    cache = runner.cache_for(tree.resolve())
    assert cache is not None
    shutil.rmtree(cache, ignore_errors=True)
    out, err = io.StringIO(), io.StringIO()
    seen_when_writing: list[str] = []
    real = FindingsCache.write

    def write(self: FindingsCache, rows: Mapping[str, bytes], live: Collection[str] | None) -> None:
        seen_when_writing.append(out.getvalue())
        real(self, rows, live)

    monkeypatch.setattr(FindingsCache, "write", write)
    assert cli.main(["--root", str(tree), "--format", "json"], out=out, err=err) == 1
    assert seen_when_writing == [out.getvalue()]  # the whole report, before the write
    assert json.loads(out.getvalue())
    assert (cache / "descriptors.sqlite").is_file()
    # The function API writes before it returns, unless asked not to.
    shutil.rmtree(cache)
    result = runner.lint(LintOptions(root=tree), defer_writes=True)
    assert result.pending and _rows(cache) == 0
    result.store()
    assert _rows(cache) > 0 and not result.pending


def _rows(cache: Path) -> int:
    db = sqlite3.connect(cache / findings_cache.FILENAME)
    try:
        return int(db.execute("SELECT count(*) FROM findings").fetchone()[0])
    finally:
        db.close()
