# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""An in-memory reference orchestrator of the TurboCI API, for tests, demos
and local development; never for production. Needs the `grpc` extra.

    from turboci.testing import Reference, succeed
    with Reference() as ref:
        ref.add_executor(BuildStageArgs).script = [succeed(BuildCheckResult())]
        ref.stub.CreateWorkPlan(...)
        ref.run_until_idle()

Standalone: `python -m turboci.testing serve --port 0`.
"""

from __future__ import annotations

from turboci.testing._auth import ANONYMOUS
from turboci.testing._auth import AllowAll
from turboci.testing._auth import Authorizer
from turboci.testing._auth import Declared
from turboci.testing._auth import Grants
from turboci.testing._clock import Clock
from turboci.testing._clock import FakeClock
from turboci.testing._clock import SystemClock
from turboci.testing._errors import detail
from turboci.testing._errors import error_info
from turboci.testing._errors import status_of
from turboci.testing._harness import Reference
from turboci.testing._orchestrator import Orchestrator
from turboci.testing._scripted import HANG
from turboci.testing._scripted import REJECT
from turboci.testing._scripted import SILENT
from turboci.testing._scripted import STUCK
from turboci.testing._scripted import THROTTLE
from turboci.testing._scripted import UNAVAILABLE
from turboci.testing._scripted import ScriptedExecutor
from turboci.testing._scripted import Step
from turboci.testing._scripted import fail
from turboci.testing._scripted import succeed
from turboci.testing._service import OrchestratorServicer
from turboci.testing._service import serve

__all__ = [
    "ANONYMOUS",
    "HANG",
    "REJECT",
    "SILENT",
    "STUCK",
    "THROTTLE",
    "UNAVAILABLE",
    "AllowAll",
    "Authorizer",
    "Clock",
    "Declared",
    "FakeClock",
    "Grants",
    "Orchestrator",
    "OrchestratorServicer",
    "Reference",
    "ScriptedExecutor",
    "Step",
    "SystemClock",
    "detail",
    "error_info",
    "fail",
    "serve",
    "status_of",
    "succeed",
]
