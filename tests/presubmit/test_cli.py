# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The command line: exit codes, formats, --rules, PATH; it only parses and prints."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from presubmit import cli
from presubmit import registry
from presubmit.options import LintOptions
from tests.presubmit.helpers import lint
from tests.presubmit.helpers import run_cli
from tests.presubmit.helpers import write_tree

REPO = Path(__file__).resolve().parents[2]
GOOD = (
    'syntax = "proto3";\n\npackage acme.a.v1;\n\n// Next ID: 2\nmessage A {\n  string a = 1;\n}\n'
)
STALE = GOOD.replace("Next ID: 2", "Next ID: 1")


def test_add_arguments_interface() -> None:
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    args = parser.parse_args(
        [
            "--root",
            "x",
            "--rules",
            "NEXT_ID,GO_PACKAGE",
            "--format",
            "sarif",
            "--fix",
            "--list-ignored",
            "a",
            "b",
        ]
    )
    assert (args.root, args.rules, args.format, args.fix, args.list_ignored, args.paths) == (
        Path("x"),
        "NEXT_ID,GO_PACKAGE",
        "sarif",
        True,
        True,
        ["a", "b"],
    )


# The command line's behaviour, shown on one rule named: no other rule's findings in the way.
ONE_RULE = ("--rules", "NEXT_ID")


def test_exit_codes_and_text(tree: Path) -> None:
    write_tree(tree, {"a/good.proto": GOOD})
    clean = lint(tree, *ONE_RULE)
    assert (clean.code, clean.out, clean.err) == (0, "", "")
    write_tree(tree, {"b/stale.proto": STALE.replace("acme.a", "acme.b")})
    dirty = lint(tree, *ONE_RULE)
    assert dirty.code == 1
    assert dirty.out.startswith("b/stale.proto:5:4: NEXT_ID message A says Next ID 1")


def test_every_format_runs(tree: Path) -> None:
    write_tree(tree, {"stale.proto": STALE})
    for fmt in ("text", "json", "github", "junit", "sarif"):
        result = lint(tree, "--format", fmt)
        assert result.code == 1 and result.out, fmt


def test_rules_selection(tree: Path) -> None:
    write_tree(tree, {"stale.proto": STALE})
    assert lint(tree, "--rules", "SERVICE_FILE_ALONE").code == 0
    assert lint(tree, "--rules", "NEXT_ID").code == 1
    bad = lint(tree, "--rules", "NO_SUCH_RULE")
    assert bad.code == 2
    assert bad.err.startswith("error: --rules: unknown rule NO_SUCH_RULE")


def test_an_explicit_rule_runs_even_when_the_config_has_it_off(tree: Path) -> None:
    write_tree(
        tree,
        {"stale.proto": STALE, "presubmit.toml": 'disable = ["NEXT_ID"]\n'},
    )
    assert "NEXT_ID" not in lint(tree).out  # off by config
    explicit = lint(tree, "--rules", "NEXT_ID")
    assert explicit.code == 1 and "NEXT_ID" in explicit.out


def test_an_explicit_rule_that_cannot_run_says_why(tree: Path) -> None:
    write_tree(tree, {"stale.proto": STALE})
    result = lint(tree, "--rules", "GO_PACKAGE")
    assert result.code == 2
    assert result.err == (
        "error: --rules GO_PACKAGE: cannot run without go_package.prefix; "
        "set it in a presubmit.toml at the root\n"
    )


def test_paths_limit_the_files(tree: Path) -> None:
    write_tree(tree, {"a/good.proto": GOOD, "b/stale.proto": STALE.replace("acme.a", "acme.b")})
    assert lint(tree, *ONE_RULE, tree / "a").code == 0
    assert lint(tree, *ONE_RULE, tree / "b").code == 1
    assert lint(tree, *ONE_RULE, "b/stale.proto").code == 1  # root-relative works too
    missing = lint(tree, "nope")
    assert (missing.code, missing.err) == (2, "error: nope: no such file or directory\n")


def test_list_rules() -> None:
    result = run_cli("--list-rules")
    assert result.code == 0
    rules = [ln for ln in result.out.splitlines() if not ln.startswith(" ")]
    listed = [line.split(":")[0] for line in rules]
    assert listed == [r.id for r in registry.all_rules()]
    portable = [r.id for r in registry.all_rules() if r.spec.portable]
    assert [ln.split(":")[0] for ln in rules if "portable" in ln] == portable
    # Each rule's settings follow it, as presubmit.toml spells them.
    assert '    required; [go_package] prefix (string, default ""): ' in result.out
    assert '    [license] include (list of strings, default ["**/*.proto", ' in result.out


def test_config_errors_exit_2(tree: Path) -> None:
    write_tree(tree, {"a.proto": GOOD, "presubmit.toml": 'enable = ["NOPE"]\n'})
    result = lint(tree)
    assert result.code == 2 and "unknown rule NOPE" in result.err
    write_tree(tree, {"presubmit.toml": 'enable = ["GO_PACKAGE"]\n'})
    result = lint(tree)
    assert result.code == 2 and "go_package.prefix is not set" in result.err
    write_tree(tree, {"presubmit.toml": "rules = [\n"})
    assert lint(tree).code == 2


def test_options_from_arguments(tree: Path) -> None:
    write_tree(tree, {"a/good.proto": GOOD})
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    args = parser.parse_args(["--root", str(tree), "--rules", "NEXT_ID, GO_PACKAGE", "a"])
    assert cli.options_from(args) == LintOptions(
        root=tree, rules=("NEXT_ID", "GO_PACKAGE"), paths=("a",)
    )


@pytest.mark.slow  # `python -m presubmit` in a process of its own
def test_module_entry_point_on_this_repo() -> None:
    # The repo's own protos are being written alongside; whatever they hold,
    # the run ends in a verdict (0 or 1), never a crash.
    proc = subprocess.run(
        [sys.executable, "-m", "presubmit", "--format", "json"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr


NO_SYNTAX = "package acme.b.v1;\n\n// Next ID: 1\nmessage B {}\n"


def _bad_name(tree: Path) -> None:
    with open(os.fsencode(tree) + b"/bad\xffname.proto", "wb") as fh:
        fh.write(GOOD.encode())


def test_a_name_that_is_not_utf8_fails_the_run_and_the_rest_is_still_linted(tree: Path) -> None:
    write_tree(tree, {"b.proto": NO_SYNTAX})
    _bad_name(tree)
    result = lint(tree)
    assert result.code == 2, result.err
    assert result.out.startswith("b.proto:1:1: SYNTAX_DECLARED ")
    assert result.err == "error: bad\\xffname.proto: the file name is not valid UTF-8; rename it\n"


def test_fix_rewrites_nothing_while_an_input_cannot_be_read(tree: Path) -> None:
    write_tree(tree, {"b.proto": STALE})
    _bad_name(tree)
    result = lint(tree, "--fix")
    assert result.code == 2
    assert "bad\\xffname.proto: the file name is not valid UTF-8" in result.err
    assert (tree / "b.proto").read_text() == STALE


@pytest.mark.slow  # `python -m presubmit` in a process of its own
def test_a_fifo_stops_the_run_before_protoc_could_wait_on_it(tree: Path) -> None:
    # b.proto imports the FIFO: protoc would open it and wait forever, so
    # only a name that is not UTF-8 lets the rest be linted.
    os.mkfifo(tree / "x.proto")
    write_tree(tree, {"b.proto": 'syntax = "proto3";\npackage acme.b.v1;\nimport "x.proto";\n'})
    proc = subprocess.run(
        [sys.executable, "-m", "presubmit", "--root", str(tree)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert (
        proc.stderr == "error: x.proto: a FIFO, not a regular file; only regular files are read\n"
    )
