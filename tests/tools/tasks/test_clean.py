from __future__ import annotations

import io
from pathlib import Path

from tools.tasks.context import Context

from tests.conftest import snapshot
from tools.tasks import clean
from tools.tasks import gen


def test_clean_removes_caches_and_copies_but_no_tracked_file(api_tree: Path) -> None:
    gen.gen(Context(out=io.StringIO(), root=api_tree))
    assert (api_tree / ".cache").is_dir()
    assert (api_tree / "google/api/field_behavior.proto").exists()
    kept = {k: v for k, v in snapshot(api_tree).items() if not k.startswith("google/")}
    out = io.StringIO()
    clean.clean(Context(out=out, root=api_tree))
    assert not (api_tree / ".cache").exists()
    assert not (api_tree / "google/api/field_behavior.proto").exists()
    assert snapshot(api_tree) == kept
    assert "removed .cache/" in out.getvalue()
