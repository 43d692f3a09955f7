"""The audit's static checks: each module defines ``CHECKS``, a tuple of :class:`Check` objects.

Modules are discovered, never listed by hand; a check whose id is also a codemod's id is
reported as one rule with the codemod (the worse status of the two wins).
"""
