from __future__ import annotations

from pathlib import Path

import pytest
from floe_run import Harness, Lake, create_lake


@pytest.fixture(scope="session")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Lake:
    return create_lake(tmp_path_factory.mktemp("lake"))


@pytest.fixture
def harness(lake: Lake, tmp_path: Path) -> Harness:
    return Harness(lake, tmp_path / "run")
