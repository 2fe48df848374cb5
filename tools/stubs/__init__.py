# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""What `gen` writes besides protoc's stubs, from the same compile.

`machines` reads the lifecycles documented on the state enums (with the
docs' reader, so the helpers and docs/lifecycles.md cannot disagree);
`lifecycle_py` and `lifecycle_go` render them as the lifecycle helpers of
each language; `bundle` encodes the API as a gzipped FileDescriptorSet;
`outputs` writes all of it into gen's stage.
"""
