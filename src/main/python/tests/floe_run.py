"""A test lake (a real PyIceberg SqlCatalog) and running the harness on it as a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
from pyiceberg.catalog.sql import SqlCatalog

LAUNCHER = Path(__file__).resolve().parents[1] / "floe_launch.py"

FIRST_ROWS = {
    "sepal_length": [5.1, 4.9, 7.0],
    "sepal_width": [3.5, 3.0, 3.2],
    "petal_length": [1.4, 1.3, 4.7],
    "petal_width": [0.2, 0.2, 1.4],
    "species": ["setosa", "setosa", "versicolor"],
}
LATER_ROWS = {
    "sepal_length": [6.3, 6.4],
    "sepal_width": [3.3, 3.2],
    "petal_length": [6.0, 4.5],
    "petal_width": [2.5, 1.5],
    "species": ["virginica", "versicolor"],
}


@dataclass(frozen=True)
class Lake:
    """Namespace ``default`` with table ``flowers``: 3 rows in its first snapshot, 5 now."""

    catalog_properties: dict[str, str]
    first_snapshot_id: int
    first_snapshot_ms: int


def create_lake(root: Path) -> Lake:
    warehouse = root / "warehouse"
    warehouse.mkdir()
    database = root / "catalog.db"
    catalog = SqlCatalog(
        "floe",
        uri=f"sqlite:///{database}",
        warehouse=warehouse.as_uri(),
        init_catalog_tables="true",
    )
    catalog.create_namespace("default")
    first = pa.table(FIRST_ROWS)
    table = catalog.create_table("default.flowers", schema=first.schema)
    table.append(first)
    snapshot = table.current_snapshot()
    assert snapshot is not None
    time.sleep(0.01)  # the later snapshot gets a later timestamp, for as_of
    table.append(pa.table(LATER_ROWS))
    catalog.close()
    return Lake(
        catalog_properties={
            "type": "sql",
            # The read-only form the trusted side hands to every run.
            "uri": f"sqlite:///file:{database}?mode=ro&uri=true",
            "warehouse": warehouse.as_uri(),
            "init_catalog_tables": "false",
        },
        first_snapshot_id=snapshot.snapshot_id,
        first_snapshot_ms=snapshot.timestamp_ms,
    )


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str
    schema: Any  # pa.Schema of the result stream
    batches: list[Any]  # its pa.RecordBatch list
    error: dict[str, Any] | None

    @property
    def rows(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = pa.Table.from_batches(self.batches, self.schema).to_pylist()
        return rows

    @property
    def polars_dtypes(self) -> list[str]:
        dtypes: list[str] = json.loads(self.schema.metadata[b"floe.polars_dtypes"])
        return dtypes

    @property
    def error_code(self) -> str | None:
        return None if self.error is None else str(self.error["error_code"])

    @property
    def message(self) -> str:
        assert self.error is not None, f"the run succeeded; stderr: {self.stderr}"
        return str(self.error["message"])

    @property
    def diagnostics(self) -> dict[str, Any]:
        assert self.error is not None, f"the run succeeded; stderr: {self.stderr}"
        diagnostics: dict[str, Any] = self.error["diagnostics"]
        return diagnostics


class Harness:
    """Writes job.json into a fresh run directory and runs the launcher as the Runner does."""

    def __init__(self, lake: Lake, run_dir: Path) -> None:
        self.lake = lake
        self.run_dir = run_dir
        (run_dir / "out").mkdir(parents=True)

    def job(
        self,
        mode: str,
        source: str,
        *,
        tables: dict[str, str] | None = None,
        snapshots: dict[str, int] | None = None,
        params: dict[str, Any] | None = None,
        max_threads: int = 2,
    ) -> dict[str, Any]:
        bindings = tables if tables is not None else {"flowers": "default.flowers"}
        return {
            "version": 1,
            "run_id": "r-test",
            "mode": mode,
            "source": source,
            "tables": {
                alias: {"identifier": identifier, "snapshot_id": (snapshots or {}).get(alias)}
                for alias, identifier in bindings.items()
            },
            "params": params or {},
            "catalog": {"name": "floe", "properties": self.lake.catalog_properties},
            "result_path": str(self.run_dir / "out" / "result.arrows"),
            "error_path": str(self.run_dir / "out" / "error.json"),
            "max_threads": max_threads,
            "script_filename": "script.py",
        }

    def query(self, sql: str, **job: Any) -> Run:
        return self.run(self.job("query", sql, **job))

    def script(self, source: str, **job: Any) -> Run:
        return self.run(self.job("script", source, **job))

    def launch(self, job: dict[str, Any]) -> subprocess.CompletedProcess[str]:
        """Runs the launcher on ``job`` as the Runner does, checking nothing."""
        job_path = self.run_dir / "job.json"
        job_path.write_text(json.dumps(job), encoding="utf-8")
        return subprocess.run(
            [sys.executable, "-I", "-B", str(LAUNCHER), str(job_path)],
            cwd=self.run_dir,
            env={},  # the Runner starts the harness with a cleared environment
            capture_output=True,
            text=True,
            timeout=120,
        )

    def run(self, job: dict[str, Any]) -> Run:
        process = self.launch(job)
        result_path = Path(job["result_path"])
        error_path = Path(job["error_path"])
        schema, batches = None, []
        if result_path.exists():
            with pa.ipc.open_stream(result_path) as reader:
                schema, batches = reader.schema, list(reader)
        error = json.loads(error_path.read_text(encoding="utf-8")) if error_path.exists() else None
        run = Run(process.returncode, process.stdout, process.stderr, schema, batches, error)
        # The protocol: exit 0 with a result file, or exit 3 with an error file and no result.
        expected = 0 if error is None else 3
        assert run.returncode == expected, f"exit {run.returncode}; stderr: {run.stderr}"
        assert (schema is None) == (error is not None), f"stderr: {run.stderr}"
        return run
