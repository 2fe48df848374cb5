from __future__ import annotations

from pathlib import Path

from tools import stamps


def test_digest_follows_content_not_timestamps(tmp_path: Path) -> None:
    f = tmp_path / "a.proto"
    f.write_text("one")
    first = stamps.digest_files([f], tmp_path)
    f.write_text("one")  # new mtime, same content
    assert stamps.digest_files([f], tmp_path) == first
    f.write_text("two")
    assert stamps.digest_files([f], tmp_path) != first


def test_digest_covers_paths_and_missing_files(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_text("x")
    b.write_text("x")
    assert stamps.digest_files([a], tmp_path) != stamps.digest_files([b], tmp_path)
    assert stamps.digest_files([tmp_path / "gone"], tmp_path) != stamps.digest_files([], tmp_path)


def test_fresh_only_for_the_recorded_key(tmp_path: Path) -> None:
    assert not stamps.is_fresh("gen", "k1", tmp_path)
    stamps.record("gen", "k1", tmp_path)
    assert stamps.is_fresh("gen", "k1", tmp_path)
    assert not stamps.is_fresh("gen", "k2", tmp_path)
