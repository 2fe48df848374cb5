# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Entry points of the pre-commit hooks (.pre-commit-hooks.yaml at the repo root).

Other repositories run turboci-proto's format check and lint suite on their
own protos through them; pre-commit installs the repository root as the
`turboci-proto-lint` distribution (pyproject.toml) to get them.
"""
