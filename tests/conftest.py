import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(autouse=True)
def private_cache_folder(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Give every test its own outcome cache, so no test sees another's entries (nor the user's).

    The folder is the platform's user cache folder, moved with ``XDG_CACHE_HOME`` for this
    process and every command it starts.
    """
    folder = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    return folder / "redpanda-migrate"
