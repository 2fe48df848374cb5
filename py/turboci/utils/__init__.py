# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Helpers for the TurboCI API stubs: `value` reads, writes and digests
values, `ids` formats and parses compact graph IDs, `descriptors` loads the
API's schema; `lifecycle` (written by ./build.py gen from the state enums'
comments) tells which state may follow which; `client` (with the `grpc`
extra) calls the orchestrator with retries, pages, transactions, waits and
value lookups; `executor` (with the `grpc` extra) is a base for stage
executors."""
