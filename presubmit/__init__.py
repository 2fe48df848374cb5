# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""turboci-proto's own lint rules for its protos, go.mod and Python.

`python -m presubmit` (or `./build.py lint`) compiles the protos once with the
real protoc and runs every rule in `presubmit.registry` over the descriptors.
"""
