"""The trusted dispatcher as the service starts it: its own environment (polars-cloud's, Polars
2.0.0), the job on stdin, the stand-in client first on its path, a real Iceberg table."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import textwrap
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
from floe_run import Lake
from test_polars_cloud_standin import STANDINS, distributed_python

from floe_harness.distributed import StandIns, write_plan
from floe_harness.job import GrantedTable

PYTHON_DIR = Path(__file__).resolve().parents[1]
LAUNCHER = PYTHON_DIR / "floe_dispatch_launch.py"


def _client(tmp_path: Path) -> Path:
    client = tmp_path / "client"
    shutil.copytree(STANDINS / "polars_cloud", client / "polars_cloud")
    return client


def _plan(lake: Lake, tmp_path: Path, build: Any) -> tuple[str, GrantedTable]:
    from pyiceberg.table import StaticTable

    table = StaticTable.from_metadata(lake.metadata_location)
    snapshot = table.current_snapshot()
    assert snapshot is not None
    granted = GrantedTable("default.flowers", snapshot.snapshot_id, lake.metadata_location)
    stand_ins = StandIns()
    frame = build(stand_ins.frame(granted, pl.scan_iceberg(table).collect_schema()))
    path = tmp_path / "plan.json"
    write_plan(frame, frame.collect_schema(), stand_ins, path)
    return path.read_text(encoding="utf-8"), granted


def _job(tmp_path: Path, plan: str, granted: GrantedTable) -> dict[str, Any]:
    return {
        "type": "dispatch",
        "version": 1,
        "run_id": "r-dispatch-test",
        "mode": "query",
        "target": {"kind": "on-prem", "address": "https://scheduler.test:5051"},
        "compute": {"cluster_size": 2},
        "labels": ["floe"],
        "plan": plan,
        "tables": [
            {
                "identifier": granted.identifier,
                "snapshot_id": str(granted.snapshot_id),
                "metadata_location": granted.metadata_location,
            }
        ],
        "result_path": str(tmp_path / "result.arrows"),
        "error_path": str(tmp_path / "error.json"),
        "max_result_bytes": 64 << 20,
    }


def _start(job: dict[str, Any], client: Path) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [str(distributed_python()), "-I", "-B", str(LAUNCHER)],
        env={"PATH": "/usr/bin:/bin", "FLOE_DISPATCH_CLIENT_PATH": str(client)},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdin is not None
    process.stdin.write(json.dumps(job))
    process.stdin.close()
    process.stdin = None  # given: communicate() has nothing more to send
    return process


def test_a_plan_runs_and_its_result_and_events_come_back(lake: Lake, tmp_path: Path) -> None:
    plan, granted = _plan(
        lake, tmp_path, lambda t: t.group_by("species").agg(pl.len().alias("n")).sort("species")
    )
    process = _start(_job(tmp_path, plan, granted), _client(tmp_path))
    out, err = process.communicate(timeout=120)

    assert process.returncode == 0, err
    events = [json.loads(line) for line in out.splitlines()]
    assert [e["event"] for e in events] == ["submitted", "finished"]
    assert events[1]["rows"] == 3
    with pa.ipc.open_stream(tmp_path / "result.arrows") as reader:
        rows = reader.read_all().to_pylist()
    assert rows == [
        {"species": "setosa", "n": 2},
        {"species": "versicolor", "n": 2},
        {"species": "virginica", "n": 1},
    ]
    assert not (tmp_path / "error.json").exists()


def test_sigterm_cancels_the_remote_query_and_exits_cancelled(lake: Lake, tmp_path: Path) -> None:
    client = _client(tmp_path)
    (client / "behaviour.json").write_text(json.dumps({"delay_seconds": 60}))
    plan, granted = _plan(lake, tmp_path, lambda t: t)
    process = _start(_job(tmp_path, plan, granted), client)
    assert process.stdout is not None
    submitted = json.loads(process.stdout.readline())
    assert submitted["event"] == "submitted"

    os.kill(process.pid, signal.SIGTERM)
    process.wait(timeout=30)

    assert process.returncode == 5
    calls = [json.loads(line) for line in (client / "calls.jsonl").read_text().splitlines()]
    cancels = [c for c in calls if c.get("call", "").endswith("Query.cancel")]
    assert [c["query_id"] for c in cancels] == [submitted["query_id"]]
    assert not (tmp_path / "result.arrows").exists()


def test_an_unusable_job_is_refused_without_touching_the_engine(tmp_path: Path) -> None:
    client = _client(tmp_path)
    process = _start({"type": "dispatch", "version": 99}, client)
    _, err = process.communicate(timeout=60)

    assert process.returncode == 2
    assert "invalid dispatch job" in err
    assert not (client / "calls.jsonl").exists()


GUARD_CHECK = textwrap.dedent(
    """
    import io, json, sys
    sys.path.insert(0, sys.argv[1])
    from floe_dispatch import guard
    guard.install()
    import polars as pl

    # A UDF, pickled as a sandbox (or an attacker) would: its bytes are not the dispatcher's own.
    udf = pl.LazyFrame({"a": [1, 2]}).with_columns(
        pl.col("a").map_batches(lambda s: s + 1, return_dtype=pl.Int64))
    plan = udf.serialize(format="json")
    frame = pl.LazyFrame.deserialize(io.StringIO(plan), format="json")
    try:
        frame.collect()
        print("UNPICKLED")
    except Exception as exc:
        print("REFUSED" if "refuses to unpickle" in str(exc) else f"OTHER {exc!r}")

    # What the dispatcher pickles itself, inside guard.trusted(), reads back.
    with guard.trusted():
        own = udf.serialize(format="json")
    print(pl.LazyFrame.deserialize(io.StringIO(own), format="json").collect()["a"].to_list())
    """
)


def test_the_dispatcher_unpickles_nothing_it_did_not_pickle_itself(tmp_path: Path) -> None:
    script = tmp_path / "guard_check.py"
    script.write_text(GUARD_CHECK)
    done = subprocess.run(
        [str(distributed_python()), "-I", "-B", str(script), str(PYTHON_DIR)],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin"},
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["REFUSED", "[2, 3]"], done.stderr


def test_a_result_file_stops_at_the_servers_limit(lake: Lake, tmp_path: Path) -> None:
    plan, granted = _plan(lake, tmp_path, lambda t: t)
    job = _job(tmp_path, plan, granted)
    job["max_result_bytes"] = 512
    process = _start(job, _client(tmp_path))
    _, err = process.communicate(timeout=120)

    assert process.returncode == 3, err
    error = json.loads((tmp_path / "error.json").read_text())
    assert error["error_code"] == "LIMIT_EXCEEDED"
    assert "floe.sandbox.max-result-file-mb" in error["message"]
