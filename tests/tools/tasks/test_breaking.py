# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

import pytest

from core.layout import Layout
from tests.conftest import git
from tests.conftest import task_context
from tools.errors import BuildError
from tools.tasks import breaking

PROTO = "turboci/graph/ids/v1/work_plan_id.proto"


def run(root: Path, against: str | None = None) -> str:
    out = io.StringIO()
    breaking.breaking(task_context(root, out), against=against)
    return out.getvalue()


def drop_realm(root: Path, message: str) -> None:
    path = root / PROTO
    text = path.read_text()
    text = text.replace(
        "\n  // The realm that owns the workplan.\n  optional string realm = 2;\n", ""
    )
    path.write_text(text.replace("Next ID: 3", "Next ID: 2"))
    git(root, "commit", "-qam", message)


def test_single_commit_is_skipped_with_a_reason(api_tree: Path) -> None:
    out = run(api_tree)
    assert out.strip() == (
        "breaking: skipped: no upstream branch and HEAD has no parent commit to compare with"
    )


def test_removed_field_fails_against_the_parent(api_tree: Path) -> None:
    drop_realm(api_tree, "Drop realm")
    with pytest.raises(BuildError) as info:
        run(api_tree)
    assert "1 breaking change(s) against HEAD~1" in info.value.message
    assert "Breaking-Proto-Change-Ok: <reason>" in info.value.message


def test_a_python_without_the_tar_filter_still_compares(
    api_tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As on Python 3.11.0-3.11.3 (Debian 12's 3.11.2): no filter= in extractall().
    monkeypatch.delattr(tarfile, "data_filter", raising=False)

    def old_extractall(*args: object, **kwargs: object) -> None:
        raise TypeError("TarFile.extractall() got an unexpected keyword argument 'filter'")

    monkeypatch.setattr(tarfile.TarFile, "extractall", old_extractall)
    drop_realm(api_tree, "Drop realm")
    with pytest.raises(BuildError) as info:
        run(api_tree)
    assert "1 breaking change(s) against HEAD~1" in info.value.message


def test_footer_turns_failure_into_a_warning_with_the_reason(api_tree: Path) -> None:
    drop_realm(api_tree, "Drop realm\n\nNobody reads it.\n\nBreaking-Proto-Change-Ok: unused field")
    out = run(api_tree)
    assert "deleted field" in out.lower() or "realm" in out
    assert out.strip().endswith("allowed by Breaking-Proto-Change-Ok: unused field")


def test_footer_outside_the_last_paragraph_does_not_count(api_tree: Path) -> None:
    drop_realm(api_tree, "Drop realm\n\nBreaking-Proto-Change-Ok: quoted\n\nMore text.")
    with pytest.raises(BuildError):
        run(api_tree)


@pytest.mark.parametrize(
    "message",
    [
        "Breaking-Proto-Change-Ok: a subject is not a footer",
        "Drop realm\nBreaking-Proto-Change-Ok: still the subject's paragraph",
    ],
)
def test_footer_in_the_subject_does_not_count(api_tree: Path, message: str) -> None:
    drop_realm(api_tree, message)
    with pytest.raises(BuildError, match="breaking change"):
        run(api_tree)


def test_footer_of_reads_only_the_last_paragraph() -> None:
    footer = "Breaking-Proto-Change-Ok: the reason"
    assert breaking.footer_of(footer) is None
    assert breaking.footer_of(f"Subject\n\n{footer}\n\nMore text.") is None
    assert breaking.footer_of(f"Subject\n\nBody.\n\n{footer}\nBug: 1\n") == "the reason"


def test_merge_base_with_upstream_is_the_basis(api_tree: Path, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(api_tree), str(clone))
    # A compatible change on the branch: adding a field is fine.
    path = clone / PROTO
    path.write_text(
        path.read_text()
        .replace(
            "optional string realm = 2;",
            "optional string realm = 2;\n\n  // Who asked.\n  optional string owner = 3;",
        )
        .replace("Next ID: 3", "Next ID: 4")
    )
    git(clone, "commit", "-qam", "Add owner")
    assert run(clone) == ""
    drop_realm(clone, "Drop realm")
    with pytest.raises(BuildError, match="against merge base with origin/main"):
        run(clone)


def test_explicit_ref_and_a_bad_ref(api_tree: Path) -> None:
    base = git(api_tree, "rev-parse", "HEAD").strip()
    drop_realm(api_tree, "Drop realm")
    git(api_tree, "commit", "-q", "--allow-empty", "-m", "Unrelated")
    with pytest.raises(BuildError):
        run(api_tree, against=base)
    assert run(api_tree, against="HEAD~1") == ""
    with pytest.raises(BuildError, match="--against nope: no such commit"):
        run(api_tree, against="nope")


def test_shallow_clone_is_skipped(api_tree: Path, tmp_path: Path) -> None:
    drop_realm(api_tree, "Drop realm")
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth=1", f"file://{api_tree}", str(clone))
    out = run(clone)
    assert "this is a shallow clone: fetch the history (`fetch-depth: 0` in actions/checkout" in out
    assert out.strip().endswith("or pass --against REF")


def test_basis_without_protos_is_skipped(tmp_path: Path, api_tree: Path) -> None:
    git(api_tree, "rm", "-rq", "turboci")
    git(api_tree, "commit", "-qm", "Empty")
    git(api_tree, "revert", "--no-edit", "HEAD")
    assert "has no protos yet" in run(api_tree)


def test_unchanged_api_is_not_compared(api_tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    git(api_tree, "commit", "-q", "--allow-empty", "-m", "No API change")

    def fail(*_: object, **__: object) -> None:
        raise AssertionError("the basis was built although the API did not change")

    monkeypatch.setattr(breaking, "basis_image", fail)
    assert run(api_tree) == ""


def test_uncommitted_edits_are_compared(api_tree: Path) -> None:
    git(api_tree, "commit", "-q", "--allow-empty", "-m", "No API change")
    path = api_tree / PROTO
    path.write_text(path.read_text().replace("optional string realm = 2;", "reserved 2;"))
    with pytest.raises(BuildError, match="breaking change"):
        run(api_tree)


def test_a_basis_holding_a_link_out_is_refused_and_nothing_is_written_through_it(
    api_tree: Path, tmp_path: Path
) -> None:
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "keep.proto").write_text("mine")
    link = api_tree / "turboci" / "graph" / "evil"
    link.symlink_to(victim)
    git(api_tree, "add", "-A")
    git(api_tree, "commit", "-qm", "A link out")
    link.unlink()
    git(api_tree, "commit", "-qam", "No link")
    with pytest.raises(BuildError) as info:
        run(api_tree)
    message = info.value.message
    assert message.startswith("the basis "), message
    assert "cannot be compared: basis.tar: 'turboci/graph/evil': a link" in message
    assert "\n" not in message
    assert [p.name for p in victim.iterdir()] == ["keep.proto"]


def test_a_cached_basis_that_is_not_a_regular_file_is_rebuilt(api_tree: Path) -> None:
    layout = Layout(api_tree)
    head = git(api_tree, "rev-parse", "HEAD").strip()
    image = breaking.basis_image(layout, head)
    assert image is not None
    good = image.read_bytes()
    image.unlink()
    os.mkfifo(image)  # handed to buf, it would wait forever for a writer
    assert breaking.basis_image(layout, head) == image
    assert image.is_file() and image.read_bytes() == good
