# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""--fix: rewrites only Next ID lines and import statements, idempotently, to a clean tree."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from google.protobuf import descriptor_pb2

from core import files
from presubmit import fix
from presubmit import runner
from presubmit.finding import Edit
from tests.presubmit.helpers import REPO_LIKE_CONFIG
from tests.presubmit.helpers import REPO_LIKE_NAMED
from tests.presubmit.helpers import lint
from tests.presubmit.helpers import write_tree

DEP = (
    'syntax = "proto3";\n\npackage acme.{0}.v1;\n\n'
    'option go_package = "example.com/acme/go/{0}/v1;{0}pb";\n\n'
    "// Next ID: 1\nmessage {1} {{}}\n"
)

BROKEN = """\
syntax = "proto3";

package acme.user.v1;

import "a.proto";   import "b.proto"; // both
\timport "c.proto";\timport "d.proto";

option go_package = "example.com/acme/go/user/v1;userpb";

// A user.
//
// NEXT_ID = 2;
message User {
  optional acme.a.v1.A a = 1;
  optional acme.b.v1.B b = 2;
  optional acme.c.v1.C c = 3;
  optional acme.d.v1.D d = 4;

  /* Parts.
   * next-id: 9 */
  message Part {
    optional string x = 1;
  }

  \t// Next ID: 7
  enum Kind {
    KIND_UNSPECIFIED = 0;
    KIND_ONE = 1;
  }
}

// Café, crème brûlée.
// Next ID — é: 5
message Cafe {
  optional string e = 1;
}
"""

EXPECTED = """\
syntax = "proto3";

package acme.user.v1;

import "a.proto";
import "b.proto"; // both
\timport "c.proto";
\timport "d.proto";

option go_package = "example.com/acme/go/user/v1;userpb";

// A user.
//
// Next ID: 5
message User {
  optional acme.a.v1.A a = 1;
  optional acme.b.v1.B b = 2;
  optional acme.c.v1.C c = 3;
  optional acme.d.v1.D d = 4;

  /* Parts.
   * Next ID: 2 */
  message Part {
    optional string x = 1;
  }

  \t// Next ID: 2
  enum Kind {
    KIND_UNSPECIFIED = 0;
    KIND_ONE = 1;
  }
}

// Café, crème brûlée.
// Next ID: 2
message Cafe {
  optional string e = 1;
}
"""

PY_BROKEN = (
    "import os, sys\r\n"
    "def f() -> None:\r\n"
    "    from pathlib import Path as P, PurePath\r\n"
    "    if P: import json, re\r\n"
    "from __future__ import annotations, division\r\n"
)
PY_EXPECTED = (
    "import os\r\nimport sys\r\n"
    "def f() -> None:\r\n"
    "    from pathlib import Path as P\r\n    from pathlib import PurePath\r\n"
    "    if P: import json; import re\r\n"
    "from __future__ import annotations, division\r\n"
)


def _tree(tree: Path) -> None:
    config = 'protos = ["."]\n' + REPO_LIKE_CONFIG.split("\n", 1)[1] + "[python]\nenabled = true\n"
    write_tree(
        tree,
        {
            "presubmit.toml": config,
            **{f"{n}.proto": DEP.format(n, n.upper()) for n in "abcd"},
            "user.proto": BROKEN,
            "tool.py": PY_BROKEN.encode(),
        },
    )


def test_fix_rewrites_only_what_it_should(tree: Path) -> None:
    _tree(tree)
    before = lint(tree, "--format", "json", *REPO_LIKE_NAMED)
    assert before.code == 1
    assert {f["rule"] for f in before.json()} == {"NEXT_ID", "IMPORT_ONE_PER_LINE"}
    fixed = lint(tree, "--fix", *REPO_LIKE_NAMED)
    assert fixed.code == 0, fixed.out + fixed.err
    assert fixed.out == ""
    assert (tree / "user.proto").read_text(encoding="utf-8") == EXPECTED
    assert (tree / "tool.py").read_bytes() == PY_EXPECTED.encode()
    assert (tree / "a.proto").read_text(encoding="utf-8") == DEP.format("a", "A")


def test_fix_is_idempotent(tree: Path) -> None:
    _tree(tree)
    lint(tree, "--fix", *REPO_LIKE_NAMED)
    once = {p: p.read_bytes() for p in tree.rglob("*") if p.is_file()}
    again = lint(tree, "--fix", *REPO_LIKE_NAMED)
    assert again.code == 0
    assert "fixed" not in again.err
    assert {p: p.read_bytes() for p in tree.rglob("*") if p.is_file()} == once


def test_clean_tree_is_untouched(tree: Path) -> None:
    write_tree(tree, {"a.proto": DEP.format("a", "A")})
    before = (tree / "a.proto").stat().st_mtime_ns
    assert lint(tree, "--fix", "--rules", "NEXT_ID").code == 0
    assert (tree / "a.proto").stat().st_mtime_ns == before


STALE = (
    'syntax = "proto3";\n\npackage acme.a.v1;\n\n// Next ID: 1\nmessage A {\n  string a = 1;\n}\n'
)


def test_a_file_changed_since_it_was_read_is_not_rewritten(tree: Path) -> None:
    (tree / "a.proto").write_bytes(STALE.encode())
    edit = Edit(path="a.proto", start=0, end=6, text=b"SYNTAX")
    newer = STALE.replace("string a", "string b").encode()
    (tree / "a.proto").write_bytes(newer)
    with pytest.raises(fix.FixError, match=r"a\.proto: changed while it was being linted"):
        fix.apply(tree, [edit], {"a.proto": STALE.encode()})
    assert (tree / "a.proto").read_bytes() == newer


def test_fix_never_writes_through_a_symlink_out_of_the_root(tree: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.proto"
    outside.write_text(STALE, encoding="utf-8")
    (tree / "a.proto").symlink_to(outside)
    result = lint(tree, "--fix", "--rules", "NEXT_ID")
    assert result.code == 2
    assert result.err.startswith(f"error: {tree / 'a.proto'}: a symlink to {outside}")
    assert len(result.err.splitlines()) == 1
    assert outside.read_text(encoding="utf-8") == STALE


def test_a_file_that_cannot_be_written_is_one_clear_line(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As root, permission bits do not stop a write; the refusal is simulated.
    (tree / "a.proto").write_text(STALE, encoding="utf-8")

    def refuse(*_: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(files, "write_atomic", refuse)
    result = lint(tree, "--fix", "--rules", "NEXT_ID")
    assert result.code == 2
    assert result.err == "error: a.proto: cannot write the fix: Permission denied\n"
    assert (tree / "a.proto").read_text(encoding="utf-8") == STALE


def test_overlapping_edits_and_edits_past_the_end_are_dropped(tree: Path) -> None:
    (tree / "a.txt").write_bytes(b"0123456789")
    edits = [
        Edit(path="a.txt", start=6, end=8, text=b"X"),  # overlaps Y, taken first (back to front)
        Edit(path="a.txt", start=7, end=9, text=b"Y"),
        Edit(path="a.txt", start=2, end=6, text=b"Z"),  # ends where X would begin: no overlap
        Edit(path="a.txt", start=10, end=11, text=b"W"),  # past the end
        Edit(path="a.txt", start=10, end=10, text=b"!"),  # an insertion at the end
    ]
    assert fix.apply(tree, edits) == ["a.txt"]
    assert (tree / "a.txt").read_bytes() == b"01Z6Y9!"


def test_fix_writes_what_protoc_says_not_what_a_cache_row_says(tree: Path) -> None:
    write_tree(tree, {"a.proto": DEP.format("a", "A").replace("{}", "{\n  string x = 1;\n}")})
    lint(tree, "--rules", "NEXT_ID")  # fills the cache
    cache = runner.cache_for(tree.resolve())
    assert cache is not None
    db = sqlite3.connect(cache / "descriptors.sqlite")
    with db:
        for key, payload in db.execute("SELECT key, payload FROM entries").fetchall():
            proto = descriptor_pb2.FileDescriptorProto.FromString(payload)
            proto.message_type[0].field.add(name="poison", number=41, type=9)
            data = proto.SerializeToString(deterministic=True)
            db.execute(
                "UPDATE entries SET digest = ?, payload = ? WHERE key = ?",
                (hashlib.sha256(data).digest(), data, key),
            )
    db.close()
    fixed = lint(tree, "--fix", "--rules", "NEXT_ID")
    assert fixed.code == 0, fixed.out + fixed.err
    assert "// Next ID: 2\n" in (tree / "a.proto").read_text()  # not 42
