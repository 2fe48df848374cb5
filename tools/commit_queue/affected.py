# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Which tests a change can affect: the gate's pytest runs those, not the whole suite.

Each changed file is matched against AREAS in order; the first match names
the tests it can affect. A file no area names, and anything the tests
themselves stand on (tests/, DEPS, CI, the core, the engine, the gate),
means every test. `./build.py test` and CI always run everything.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tools.commit_queue.checks import match

# Tests of the tooling, by what they test; every other folder of tests/
# (tests/api, tests/py, and any area added later) tests the API itself.
TOOLING_TESTS = (
    "tests/core",
    "tests/presubmit",
    "tests/hooks",
    "tests/tools",
    "tests/reliability",
    "tests/bench",
    "tests/test_recipes.py",
    # The suite's own harness: only a change to tests/ (which runs everything) affects it.
    "tests/test_conftest.py",
)
# Not tests: support files a test area reads.
_NOT_TESTS = ("tests/fixtures", "tests/vectors", "tests/conftest.py", "tests/__init__.py")
# A tooling test that reads the whole real API.
_READS_THE_API = ("tests/core/test_source.py",)

# A marker in AREAS: the API's tests (see api_tests()).
API = "<api>"
# A marker in AREAS: every test.
EVERYTHING = "<everything>"

AREAS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    # What every test stands on, and the gate that picks them: all of them.
    (
        (
            "tests/**",
            "DEPS",
            ".ci/**",
            "core/**",
            "tools/engine/**",
            "tools/commit_queue/**",
            "build.py",
            "pyproject.toml",
            ".gitignore",
        ),
        (EVERYTHING,),
    ),
    # The API and what is generated from it or checked against it.
    (
        ("turboci/**", "buf.yaml", "examples/**", "guides/**", "go/**", "py/**", "docs/**"),
        (API,),
    ),
    # Stub generation feeds the API's tests too.
    (("tools/stubs/**", "tools/tasks/gen.py"), (API, "tests/tools")),
    (("tools/docs/**",), ("tests/tools/docs", "tests/tools/tasks/test_docs.py")),
    # The typed consumer program the matrix and the consumer tests both check.
    (("tools/compat/typed_consumer.py",), ("tests/tools/compat", "tests/py/test_consumers.py")),
    # The lint suite and what runs it.
    (
        ("presubmit/**", "presubmit.toml"),
        (
            "tests/presubmit",
            "tests/hooks",
            "tests/reliability",
            "tests/tools/tasks/test_lint.py",
            "tests/tools/commit_queue",
            "tests/test_recipes.py",
        ),
    ),
    (("hooks/**", ".pre-commit-hooks.yaml"), ("tests/hooks", "tests/reliability")),
    (("tools/**",), ("tests/tools", "tests/reliability", "tests/test_recipes.py")),
    (
        ("README.md",),
        (
            "tests/py/test_readme.py",
            "tests/presubmit/test_docs.py",
            "tests/tools/engine/test_registry.py",
            "tests/test_recipes.py",
        ),
    ),
    # Prose and figures no test reads.
    (("**/*.md", "LICENSE"), ()),
    (
        ("bench/**",),
        ("tests/bench", "tests/presubmit/test_lint_corpus.py", "tests/tools/test_deps.py"),
    ),
)


def api_tests(root: Path) -> tuple[str, ...]:
    """The tests of the API: every test area that is not the tooling's."""
    if not (root / "tests").is_dir():
        return ()
    areas = sorted(
        f"tests/{p.name}"
        for p in (root / "tests").iterdir()
        if (p.is_dir() or (p.name.startswith("test_") and p.suffix == ".py"))
        and p.name != "__pycache__"
    )
    skip = (*TOOLING_TESTS, *_NOT_TESTS)
    return (*(a for a in areas if a not in skip), *_READS_THE_API)


def _area(path: str) -> tuple[str, ...]:
    for patterns, tests in AREAS:
        if any(match(path, p) for p in patterns):
            return tests
    return (EVERYTHING,)


def affected_tests(root: Path, changed: Sequence[str] | None) -> tuple[str, ...] | None:
    """The pytest targets (root-relative, existing) the change can affect;
    None for every test (the change is unknown, or reaches what all stand on)."""
    if changed is None:
        return None
    wanted: dict[str, None] = {}
    for path in changed:
        tests = _area(path)
        if EVERYTHING in tests:
            return None
        for t in tests:
            for target in api_tests(root) if t == API else (t,):
                wanted[target] = None
    return tuple(t for t in sorted(wanted) if (root / t).exists())
