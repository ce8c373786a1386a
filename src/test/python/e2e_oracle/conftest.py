"""Fixtures for the DuckDB oracle suite.

One deterministic data set (seeded RNG, no wall clock) is generated per session and written
twice: to Parquet files that DuckDB reads, and into fresh Iceberg tables of a new namespace in
the catalog the Floe under test serves. Every query then runs on both and the answers must agree.

Environment: as floe_e2e.py lists it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pyiceberg.catalog import Catalog

from oracle_lake import FloeClient, FloeResult, generate_dataset

# floe_e2e (the folder above) holds env, the floe_url and writer_catalog fixtures, drop_namespace
# and fresh_namespace.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
pytest.register_assert_rewrite("floe_e2e")
from floe_e2e import fresh_namespace

pytest_plugins = ("floe_e2e",)


@pytest.fixture(scope="session")
def floe(floe_url: str) -> FloeClient:
    return FloeClient(floe_url)


@pytest.fixture(scope="session")
def dataset() -> dict[str, pa.Table]:
    return generate_dataset()


@pytest.fixture(scope="session")
def parquet_dir(
    dataset: dict[str, pa.Table], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("oracle-parquet")
    paths = {}
    for name, table in dataset.items():
        path = root / f"{name}.parquet"
        pq.write_table(table, path)
        paths[name] = path
    return paths


@pytest.fixture(scope="session")
def lake_namespace(writer_catalog: Catalog, dataset: dict[str, pa.Table]) -> Iterator[str]:
    """A fresh namespace holding the data set as Iceberg tables; dropped at the end."""
    with fresh_namespace(writer_catalog, "oracle") as namespace:
        writer_catalog.create_namespace(namespace)
        for name, table in dataset.items():
            iceberg_table = writer_catalog.create_table(f"{namespace}.{name}", schema=table.schema)
            iceberg_table.append(table)
        yield namespace


@pytest.fixture(scope="session")
def duck(parquet_dir: dict[str, Path]) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(":memory:")
    con.execute("SET threads TO 2")
    # Aware timestamps come back in the session zone, and CAST(<timestamptz> AS DATE) depends
    # on it; Polars works in the column's zone (UTC).
    con.execute("SET TimeZone = 'UTC'")
    for name, path in parquet_dir.items():
        literal = str(path).replace("'", "''")
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{literal}')")
    yield con
    con.close()


@pytest.fixture(scope="session")
def run_floe(
    floe: FloeClient, lake_namespace: str, dataset: dict[str, pa.Table]
) -> Callable[[str], FloeResult]:
    """Runs a query through Floe with every data set table bound under its own name."""
    bindings = [f"{name}={lake_namespace}.{name}" for name in dataset]

    def run(sql: str) -> FloeResult:
        status, body = floe.post(
            {"mode": "query", "query": sql, "tables": bindings, "limits": {"maxRows": 100_000}}
        )
        assert status == 200 and body.get("success") is True, (
            f"Floe failed with HTTP {status}: {body.get('error_code')}: {body.get('error')}\n"
            f"details: {body.get('details')}\nquery: {sql}"
        )
        results = body["results"]
        assert body.get("truncated") is not True, "result was truncated; raise maxRows"
        assert body["row_count"] == len(results["rows"]), "row_count differs from rows sent"
        return FloeResult(results["columns"], results["column_types"], results["rows"], body)

    return run
