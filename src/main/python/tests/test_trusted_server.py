"""The long-lived trusted writer process: ready frame, many requests, commits by others seen,
contract breaches answered (not fatal), demo seeding, a clean exit when stdin closes."""

from __future__ import annotations

import struct
import uuid
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest
from pyiceberg.catalog.sql import SqlCatalog
from trusted_writer import WriterProcess, sql_catalog_properties

from floe_frames import write_frame


@pytest.fixture
def catalog_access(tmp_path: Path) -> dict[str, Any]:
    return {"name": "lake", "properties": sql_catalog_properties(tmp_path)}


def commit_job(root: Path, catalog: dict[str, Any], values: list[int], mode: str) -> dict[str, Any]:
    path = root / f"{uuid.uuid4().hex}.arrows"
    data = pa.table({"v": pa.array(values, pa.int64())})
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_stream(sink, data.schema) as stream:
        stream.write_table(data)
    return {
        "kind": "commit",
        "catalog": catalog,
        "identifier": "ns.t",
        "arrow_path": str(path),
        "mode": mode,
        "schema_mode": "strict",
        "create_namespaces": True,
        "commit_token": uuid.uuid4().hex,
        "max_attempts": 3,
    }


def test_commits_made_by_others_between_requests_are_seen(
    writer: WriterProcess, catalog_access: dict[str, Any], tmp_path: Path
) -> None:
    first = writer.ask(commit_job(tmp_path, catalog_access, [1], "overwrite"))
    # Another process commits while the writer keeps its catalog object.
    other = SqlCatalog("lake", **catalog_access["properties"])
    other.load_table("ns.t").append(pa.table({"v": pa.array([2], pa.int64())}))

    second = writer.ask(commit_job(tmp_path, catalog_access, [3], "append"))

    assert first["kind"] == second["kind"] == "saved"
    assert second["attempts"] == 1  # loaded fresh: no lost race against a stale table
    table = other.load_table("ns.t")
    assert len(table.snapshots()) == 3
    assert sorted(r["v"] for r in table.scan().to_arrow().to_pylist()) == [1, 2, 3]


def test_a_request_that_breaks_the_contract_is_answered_and_the_writer_goes_on(
    writer: WriterProcess, catalog_access: dict[str, Any], tmp_path: Path
) -> None:
    bad = {**commit_job(tmp_path, catalog_access, [1], "append"), "max_attempts": "3"}

    answer = writer.ask(bad)

    assert answer["kind"] == "failed"
    assert "max_attempts must be an integer" in answer["error"]
    assert not (tmp_path / "warehouse" / "ns").exists()
    assert writer.ask(commit_job(tmp_path, catalog_access, [1], "append"))["kind"] == "saved"


def test_seeding_creates_the_table_once(
    writer: WriterProcess, catalog_access: dict[str, Any], tmp_path: Path
) -> None:
    csv = tmp_path / "iris.csv"
    pacsv.write_csv(pa.table({"species": ["setosa", "virginica"], "n": [1, 2]}), str(csv))
    seed = {"kind": "seed", "catalog": catalog_access, "identifier": "default.flowers"}

    first = writer.ask({**seed, "csv_path": str(csv)})
    second = writer.ask({**seed, "csv_path": str(csv)})

    assert first == {"kind": "seeded", "created": True, "rows": 2}
    assert second == {"kind": "seeded", "created": False, "rows": 0}


def test_a_broken_frame_ends_the_writer() -> None:
    writer = WriterProcess()
    stdin = writer.process.stdin
    assert stdin is not None
    stdin.write(struct.pack(">I", 1 << 30))  # longer than any frame may be
    stdin.flush()

    # The service sees the writer end and starts another for the next request.
    assert writer.process.wait(timeout=30) != 0
    stdin.close()


def test_frames_are_refused_past_their_size_limit(tmp_path: Path) -> None:
    with (tmp_path / "f").open("wb") as sink, pytest.raises(Exception, match="limit"):
        write_frame(sink, "x" * (16 << 20))
