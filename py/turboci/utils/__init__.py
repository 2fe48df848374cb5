# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Hand-written helpers for the TurboCI API stubs (not generated): `value` reads,
writes and digests values, `ids` formats and parses compact graph IDs."""
