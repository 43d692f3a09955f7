"""redpanda-migrate: upgrade Django projects to the Red Panda Approval standard.

The standard's version this release enforces is :data:`STANDARD_VERSION`.
"""

from importlib.metadata import PackageNotFoundError, version

STANDARD_VERSION = "V1-02"
# the branch ``batch`` creates in each repository
DEFAULT_BRANCH = f"redpanda-approval/{STANDARD_VERSION.lower()}"

try:
    __version__ = version("redpanda-migrate")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0+unknown"
