"""``--verify``: proving, before anything is written, that each codemod's change still works.

One module per kind of check (:mod:`.python_checks`, :mod:`.compose`, :mod:`.nginx`), the
scratch copy they run in (:mod:`.scratch`), the orchestrator (:mod:`.orchestrator`) and the
rendering (:mod:`.render`). The entry points are plain functions over picklable data.
"""

from redpanda_migrate.verify.model import Dropped, Verification
from redpanda_migrate.verify.orchestrator import VerifyOptions, plan_verified, verify_plan
from redpanda_migrate.verify.render import verification_json, verification_lines

__all__ = [
    "Dropped",
    "Verification",
    "VerifyOptions",
    "plan_verified",
    "verification_json",
    "verification_lines",
    "verify_plan",
]
