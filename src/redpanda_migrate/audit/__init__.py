"""``redpanda-migrate audit``: a scorecard of how far a project is from the standard.

Every codemod is one rule (``fail`` while it would still change something, ``needs-review``
where it refused), and every module of :mod:`redpanda_migrate.audit.checks` adds rules that can
be checked but not fixed mechanically. Static like a ``--dry-run``: nothing is written or run.
"""

from __future__ import annotations

from redpanda_migrate.audit.model import Place, RuleResult, Scorecard
from redpanda_migrate.audit.scorecard import audit_project

__all__ = ["Place", "RuleResult", "Scorecard", "audit_project"]
