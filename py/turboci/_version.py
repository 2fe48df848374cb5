# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The version of turboci-proto: the one place it is written.

py/pyproject.toml reads it (a dynamic version) and CHANGELOG.md's newest
entry names it; the Go module is tagged go/v<version> from the same commit.
"""

__version__ = "0.3.0"
