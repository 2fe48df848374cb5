# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""A JSON list of {path, line, column, rule, message, element} (+ suppressed: true)."""

from __future__ import annotations

import json as _json
from collections.abc import Sequence
from typing import Any
from typing import TextIO

from presubmit.finding import Finding


def write(findings: Sequence[Finding], out: TextIO) -> None:
    items: list[dict[str, Any]] = []
    for f in findings:
        item = f.to_dict()
        if f.suppressed:
            item["suppressed"] = True
        items.append(item)
    # One write: json.dump writes each token on its own, which costs more
    # than building the text on a report of many findings.
    out.write(_json.dumps(items, indent=2) + "\n")
