# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""API reference docs: compiled descriptors in, Markdown pages with Mermaid out.

`model` reads a descriptor set into plain dataclasses, `lifecycle` finds the
state machines documented on enums, and `render` turns both into pages.
"""
