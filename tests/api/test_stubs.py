"""The API tests need the generated Python stubs; say so when they are absent."""

from __future__ import annotations

from tests.api.support import MARKER


def test_python_stubs_are_generated() -> None:
    assert MARKER.exists(), f"{MARKER} is missing: run ./build.py gen to generate the Python stubs"
