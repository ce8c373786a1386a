"""Fixtures for the hosted-SDK compatibility suite.

The published Python SDK (PyPI `oleanderhq-sdk` 0.8.0), UNCHANGED, pointed at a running Floe with
`base_url`: every call the suite makes goes through the SDK's own request building and its own
pydantic models, so a field name, type or status Floe gets wrong fails here the way it would fail
for a user. The SDK is async; the tests drive it with `asyncio.run` (no pytest-asyncio).

Environment: as floe_e2e.py lists it. The catalog's variables give fixtures WRITE access to the
lake (to create a partitioned table and to drop what the suite saved); the SDK itself only ever
talks HTTP to Floe.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pyarrow as pa
import pytest
from oleander_sdk import Oleander
from pyiceberg.catalog import Catalog
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.transforms import IdentityTransform
from pyiceberg.types import LongType, NestedField, StringType

# floe_e2e (the folder above) holds env, the floe_url and writer_catalog fixtures, drop_namespace
# and fresh_namespace.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
pytest.register_assert_rewrite("floe_e2e")
from floe_e2e import env, fresh_namespace

pytest_plugins = ("floe_e2e",)

T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Runs one SDK coroutine to completion (each test call gets its own event loop)."""
    return asyncio.run(coro)


@pytest.fixture(scope="session")
def client(floe_url: str) -> Oleander:
    """The hosted SDK's client, exactly as a user would construct it for another host."""
    return Oleander(api_key=env("FLOE_API_KEY"), base_url=floe_url)


@pytest.fixture
def save_namespace(writer_catalog: Catalog) -> Iterator[str]:
    """A fresh namespace name (not created) for a test's saves; whatever landed there is dropped."""
    with fresh_namespace(writer_catalog, "sdk") as namespace:
        yield namespace


@dataclass(frozen=True)
class PartitionedTable:
    namespace: str
    table: str
    #: rows per `region` partition value, in the order they were appended
    rows_by_region: dict[str, int]
    #: snapshot id (decimal string) after each append, same order
    snapshot_ids: list[str]


@pytest.fixture(scope="session")
def partitioned_table(writer_catalog: Catalog) -> Iterator[PartitionedTable]:
    """`<ns>.events`, identity-partitioned on string column `region`; three appends, one per
    region (eu: 3 rows, us: 5, ap: 7), so each snapshot adds one data file in one partition."""
    with fresh_namespace(writer_catalog, "sdkpart") as namespace:
        writer_catalog.create_namespace(namespace)
        schema = Schema(
            NestedField(1, "region", StringType(), required=False),
            NestedField(2, "v", LongType(), required=False),
        )
        spec = PartitionSpec(
            PartitionField(source_id=1, field_id=1000, transform=IdentityTransform(), name="region")
        )
        table = writer_catalog.create_table(
            f"{namespace}.events", schema=schema, partition_spec=spec
        )
        rows_by_region = {"eu": 3, "us": 5, "ap": 7}
        snapshot_ids = []
        for region, n in rows_by_region.items():
            table.append(
                pa.table(
                    {
                        "region": pa.array([region] * n, pa.string()),
                        "v": pa.array(range(n), pa.int64()),
                    }
                )
            )
            snapshot = table.current_snapshot()
            assert snapshot is not None
            snapshot_ids.append(str(snapshot.snapshot_id))
        yield PartitionedTable(namespace, "events", rows_by_region, snapshot_ids)
