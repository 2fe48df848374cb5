# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The TurboCI API: generated messages and gRPC stubs under turboci.data,
turboci.graph and turboci.stages; hand-written helpers in turboci.utils."""

from turboci._version import __version__

__all__ = ["__version__"]
