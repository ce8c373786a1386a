"""A test lake (a real PyIceberg SqlCatalog) and a runner on it as a real subprocess.

The test plays the trusted side: it hands the runner its job over the runner's channel and answers
its requests for tables from the lake, as the service does (``StandIn``)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.exceptions import NoSuchNamespaceError, NoSuchTableError

from floe_frames import read_frame, write_frame

LAUNCHER = Path(__file__).resolve().parents[1] / "floe_launch.py"


def runner_command() -> list[str]:
    """How a runner is started: this interpreter on the source tree's launcher, or what
    FLOE_TEST_RUNNER says (a JSON list: the sandbox image's, for ImagesIT)."""
    configured = os.environ.get("FLOE_TEST_RUNNER")
    if configured:
        command = json.loads(configured)
        assert isinstance(command, list) and all(isinstance(c, str) for c in command), command
        return command
    return [sys.executable, "-I", "-B", str(LAUNCHER)]


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
    # The table's current metadata file.
    metadata_location: str


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
    metadata_location = table.metadata_location
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
        metadata_location=metadata_location,
    )


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str
    schema: Any  # pa.Schema of the result stream
    batches: list[Any]  # its pa.RecordBatch list
    error: dict[str, Any] | None
    requests: list[dict[str, Any]] = field(default_factory=list)

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


class StandIn:
    """The trusted side's answers to a runner, from the test lake (the service's are Java's)."""

    def __init__(self, lake: Lake) -> None:
        self.catalog = SqlCatalog("floe", **lake.catalog_properties)

    def grant(
        self, identifier: str, snapshot_id: int | None = None, as_of_ms: int | None = None
    ) -> dict[str, Any]:
        table = self.catalog.load_table(identifier)
        if as_of_ms is not None:
            snapshot = table.snapshot_as_of_timestamp(as_of_ms)
            assert snapshot is not None, "the stand-in resolves only times after the first snapshot"
            snapshot_id = snapshot.snapshot_id
        if snapshot_id is None:
            current = table.current_snapshot()
            snapshot_id = None if current is None else current.snapshot_id
        return {
            "identifier": identifier,
            "snapshot_id": None if snapshot_id is None else str(snapshot_id),
            "metadata_location": table.metadata_location,
        }

    def answer(self, request: dict[str, Any]) -> dict[str, Any]:
        kind, reply = request.get("type"), {"type": request.get("type"), "id": request.get("id")}
        try:
            if kind == "table":
                snapshot = request.get("snapshot_id")
                table = self.grant(
                    request["name"],
                    None if snapshot is None else int(snapshot),
                    request["as_of_ms"],
                )
                return {**reply, "ok": True, "table": table}
            if kind == "namespaces":
                return {
                    **reply,
                    "ok": True,
                    "namespaces": [list(n) for n in self.catalog.list_namespaces()],
                }
            if kind == "tables":
                tables = self.catalog.list_tables(request["namespace"])
                return {**reply, "ok": True, "tables": [list(t) for t in tables]}
        except NoSuchTableError:
            return {
                **reply,
                "ok": False,
                "error_code": "TABLE_NOT_FOUND",
                "message": f"Table '{request.get('name')}' does not exist (stand-in).",
            }
        except NoSuchNamespaceError:
            return {
                **reply,
                "ok": False,
                "error_code": "NAMESPACE_NOT_FOUND",
                "message": "No such namespace (stand-in).",
            }
        return {**reply, "ok": False, "error_code": "INTERNAL", "message": f"unknown {kind}"}


class Harness:
    """Starts a runner in a fresh run directory and hands it one job, as the service does."""

    def __init__(self, lake: Lake, run_dir: Path) -> None:
        self.lake = lake
        self.run_dir = run_dir
        (run_dir / "out").mkdir(parents=True)
        self.stand_in = StandIn(lake)

    def job(
        self,
        mode: str,
        source: str,
        *,
        tables: dict[str, str] | None = None,
        snapshots: dict[str, int] | None = None,
        params: dict[str, Any] | None = None,
        max_threads: int = 2,
        engine: str | None = None,
    ) -> dict[str, Any]:
        bindings = tables if tables is not None else {"flowers": "default.flowers"}
        job: dict[str, Any] = {
            "type": "job",
            "version": 2,
            "run_id": "r-test",
            "mode": mode,
            "source": source,
            "tables": {
                alias: self.stand_in.grant(identifier, (snapshots or {}).get(alias))
                for alias, identifier in bindings.items()
            },
            "params": params or {},
            "catalog": "floe",
            "result_path": str(self.run_dir / "out" / "result.arrows"),
            "error_path": str(self.run_dir / "out" / "error.json"),
            "max_threads": max_threads,
            "script_filename": "script.py",
            "limits": {
                "timeout_seconds": 120,
                "memory_bytes": 4 << 30,
                "max_file_bytes": 8 << 30,
                "open_files": 1024,
                "address_space_bytes": 0,
            },
        }
        if engine is not None:
            job["engine"] = engine
        return job

    def query(self, sql: str, **job: Any) -> Run:
        return self.run(self.job("query", sql, **job))

    def script(self, source: str, **job: Any) -> Run:
        return self.run(self.job("script", source, **job))

    def launch(
        self, job: dict[str, Any] | None, requests: list[dict[str, Any]] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Starts a runner, hands it ``job`` (None: closes its channel instead), answers it."""
        path = self.run_dir / "ctl.sock"
        path.unlink(missing_ok=True)  # a second runner in the same directory
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
            server.bind(str(path))
            path.chmod(0o777)  # a runner of another uid (the sandbox image's) connects too
            server.listen(1)
            server.settimeout(60)
            process = subprocess.Popen(
                [*runner_command(), "runner", str(path)],
                cwd=self.run_dir,
                env={},  # the service starts runners with a cleared environment
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            out: dict[str, str] = {}
            readers = [
                threading.Thread(target=lambda n=n, s=s: out.update({n: s.read()}), daemon=True)
                for n, s in (("stdout", process.stdout), ("stderr", process.stderr))
            ]
            for reader in readers:
                reader.start()
            conn, _ = server.accept()
            with conn, conn.makefile("rb") as runner_in, conn.makefile("wb") as runner_out:
                hello = read_frame(runner_in)
                assert isinstance(hello, dict) and hello["type"] == "hello", hello
                if job is not None:
                    write_frame(runner_out, job)
                    while (request := read_frame(runner_in)) is not None:
                        assert isinstance(request, dict), request
                        if requests is not None:
                            requests.append(request)
                        write_frame(runner_out, self.stand_in.answer(request))
            process.wait(timeout=120)
            for reader in readers:
                reader.join()
        return subprocess.CompletedProcess(
            process.args, process.returncode, out.get("stdout", ""), out.get("stderr", "")
        )

    def run(self, job: dict[str, Any]) -> Run:
        requests: list[dict[str, Any]] = []
        process = self.launch(job, requests)
        result_path = Path(job["result_path"])
        error_path = Path(job["error_path"])
        schema, batches = None, []
        if result_path.exists():
            with pa.ipc.open_stream(result_path) as reader:
                schema, batches = reader.schema, list(reader)
        error = json.loads(error_path.read_text(encoding="utf-8")) if error_path.exists() else None
        run = Run(
            process.returncode, process.stdout, process.stderr, schema, batches, error, requests
        )
        # The protocol: exit 0 with a result file, or exit 3 with an error file and no result.
        expected = 0 if error is None else 3
        assert run.returncode == expected, f"exit {run.returncode}; stderr: {run.stderr}"
        assert (schema is None) == (error is not None), f"stderr: {run.stderr}"
        return run
