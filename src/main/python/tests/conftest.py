from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from floe_run import Harness, Lake, create_lake
from trusted_writer import WriterProcess


@pytest.fixture(scope="session")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Lake:
    return create_lake(tmp_path_factory.mktemp("lake"))


@pytest.fixture
def harness(lake: Lake, tmp_path: Path) -> Harness:
    return Harness(lake, tmp_path / "run")


@pytest.fixture
def writer() -> Iterator[WriterProcess]:
    """A long-lived trusted writer, as the service runs it; it must exit cleanly."""
    process = WriterProcess()
    yield process
    assert process.close() == 0
