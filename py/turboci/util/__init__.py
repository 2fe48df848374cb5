# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Deprecated: the helpers of 0.1.0 under their old names; use turboci.utils.

0.2.0 moved them without an alias. These modules keep the old imports
working, with a DeprecationWarning, until 0.4.0 (see CHANGELOG.md).
"""
