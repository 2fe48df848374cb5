from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

from tools.tasks.context import Context

from tools.tasks import lint

PROTO = "turboci/graph/ids/v1/work_plan_id.proto"


def run_lint(root: Path, *argv: str) -> tuple[int, str]:
    parser = argparse.ArgumentParser()
    lint.add_arguments(parser)
    out = io.StringIO()
    status = lint.lint(Context(out=out, root=root), parser.parse_args(list(argv)))
    return status, out.getvalue()


def break_naming_and_next_id(root: Path) -> None:
    path = root / PROTO
    text = path.read_text().replace("realm = 2", "Realm = 2").replace("Next ID: 3", "Next ID: 7")
    path.write_text(text)


def test_clean_tree(api_tree: Path) -> None:
    assert run_lint(api_tree) == (0, "")


def test_buf_and_own_findings_share_one_text_report(api_tree: Path) -> None:
    break_naming_and_next_id(api_tree)
    status, out = run_lint(api_tree)
    assert status == 1
    lines = out.splitlines()
    assert any(ln.startswith(f"{PROTO}:") and " FIELD_LOWER_SNAKE_CASE " in ln for ln in lines), (
        lines
    )
    assert any(ln.startswith(f"{PROTO}:") and " NEXT_ID " in ln for ln in lines), lines
    assert lines == sorted(lines, key=lambda ln: (ln.split(":")[0], int(ln.split(":")[1])))


def test_buf_findings_are_in_every_format(api_tree: Path) -> None:
    break_naming_and_next_id(api_tree)
    status, out = run_lint(api_tree, "--format", "json")
    assert status == 1
    rules = {f["rule"] for f in json.loads(out)}
    assert {"FIELD_LOWER_SNAKE_CASE", "NEXT_ID"} <= rules
    _, sarif = run_lint(api_tree, "--format", "sarif")
    assert "FIELD_LOWER_SNAKE_CASE" in sarif


def test_plain_clean_run_is_cached_and_any_input_change_reruns(api_tree: Path) -> None:
    ctx = Context(out=io.StringIO(), root=api_tree)
    assert lint.lint_cached(ctx) == 0
    assert (api_tree / ".cache/stamps/lint").exists()
    break_naming_and_next_id(api_tree)
    assert lint.lint_cached(Context(out=io.StringIO(), root=api_tree)) == 1
