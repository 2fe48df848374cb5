# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Output formats. Each takes findings and a stream, and knows nothing of rules."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Sequence
from typing import TextIO

from presubmit.finding import Finding
from presubmit.reporters import github
from presubmit.reporters import json
from presubmit.reporters import junit
from presubmit.reporters import sarif
from presubmit.reporters import text

Reporter = Callable[[Sequence[Finding], TextIO], None]

FORMATS: dict[str, Reporter] = {
    "text": text.write,
    "json": json.write,
    "github": github.write,
    "junit": junit.write,
    "sarif": sarif.write,
}
