# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The commit-queue presubmit: every check of a change, in parallel, one summary.

`./build.py presubmit` and `python -m tools.commit_queue` run it. `change` finds
the change (commit range, description, changed files), `checks` says what
each check runs and which files can affect it, `worker` runs one check in
its own process, `runner` runs them all side by side, `report` prints the
summary and writes the JSON, JUnit and GitHub reports, `cli` ties them.
"""
