# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The one core that reads descriptors for everyone.

Layering, lowest first; a module imports only from layers below it:

- `core/`: where things live (layout), which files are inputs, the one
  protoc wrapper, the compile (batched, cached) and the descriptors it loads,
  walkers with source paths, and the comment grammar.
- `presubmit/`: the lint suite, on top of the core.
- `tools/`: the build (`build.py` tasks, the docs renderer), on top of both.
"""
