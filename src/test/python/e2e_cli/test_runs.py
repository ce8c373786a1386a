"""Asynchronous runs and idempotency through the CLI: `polars --async`, `runs list|show|logs|cancel|
result`, `--idempotency-key` (wire shapes: docs/runs-api.md)."""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from conftest import FLOWERS, GROUPED, Floe

RUN_ID = re.compile(r"^r-[0-9A-Za-z-]+$")
SLOW = (
    "import time\nprint('started', flush=True)\ntime.sleep(60)\nresult = pl.DataFrame({'a': [1]})\n"
)


def _submit(floe: Floe, *args: str, stdin: str | None = None) -> str:
    result = floe.ok("polars", *args, "--async", stdin=stdin)
    run_id = result.out.strip()
    assert RUN_ID.match(run_id), str(result)
    assert f"floe runs result {run_id}" in result.err
    return run_id


def _wait_status(floe: Floe, run_id: str, wanted: set[str], seconds: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while True:
        view: dict[str, Any] = floe.json("runs", "show", run_id)
        if view["status"] in wanted or time.monotonic() > deadline:
            return view
        time.sleep(0.3)


def test_async_run_then_its_result(
    floe: Floe, grouped_json: dict[str, Any], tmp_path: Path
) -> None:
    run_id = _submit(floe, GROUPED, "--table", FLOWERS)
    answer = floe.json("runs", "result", run_id)
    assert answer["run_id"] == run_id
    assert answer["results"] == grouped_json["results"]
    table = floe.ok("runs", "result", run_id).out
    assert table.startswith("species    │ avg_petal_length\nString     │ Float64\n")
    path = tmp_path / "r.parquet"
    floe.ok("runs", "result", run_id, "--output", "parquet", "-o", str(path))
    assert pq.read_table(path).column("species").to_pylist() == [
        "setosa",
        "versicolor",
        "virginica",
    ]


def test_runs_show_and_list(floe: Floe) -> None:
    run_id = _submit(floe, "SELECT COUNT(*) AS n FROM flowers", "--table", FLOWERS)
    view = _wait_status(floe, run_id, {"succeeded", "failed"})
    assert view["status"] == "succeeded", view
    assert view["mode"] == "query"
    assert view["row_count"] == 1
    text = floe.ok("runs", "show", run_id).out
    assert re.search(rf"^run_id:\s+{run_id}$", text, re.M)
    assert re.search(r"^status:\s+succeeded$", text, re.M)
    listed = floe.json("runs", "list")
    assert run_id in [r["run_id"] for r in listed["runs"]]
    succeeded = floe.json("runs", "list", "--status", "succeeded")
    assert succeeded["runs"] and {r["status"] for r in succeeded["runs"]} == {"succeeded"}
    table = floe.ok("runs", "list").out
    assert table.splitlines()[0].split()[0] == "run_id"
    assert run_id in table


def test_runs_logs_and_follow(floe: Floe) -> None:
    script = (
        "import time\n"
        "for i in range(3):\n"
        "    print(f'step {i}', flush=True)\n"
        "    time.sleep(0.5)\n"
        "result = pl.DataFrame({'a': [1]})\n"
    )
    run_id = _submit(floe, "--script", "-", stdin=script)
    followed = floe.ok("runs", "logs", run_id, "--follow")
    assert followed.out.splitlines() == ["step 0", "step 1", "step 2"]
    again = floe.ok("runs", "logs", run_id)
    assert again.out.splitlines() == ["step 0", "step 1", "step 2"]


def test_cancel_a_running_run_then_cancel_again(floe: Floe) -> None:
    run_id = _submit(floe, "--script", "-", stdin=SLOW)
    _wait_status(floe, run_id, {"running"})
    cancelled = floe.ok("runs", "cancel", run_id)
    assert cancelled.out.strip() == f"{run_id} cancelled"
    again = floe("runs", "cancel", run_id)
    assert again.code == 1, str(again)
    assert "error[RUN_FINISHED]" in again.err and "cancelled" in again.err
    assert _wait_status(floe, run_id, {"cancelled"})["status"] == "cancelled"


def test_failed_async_run_result_shows_its_error(floe: Floe) -> None:
    run_id = _submit(floe, "--script", "-", stdin="x = 1\ny = x / 0\nresult = y\n")
    result = floe("runs", "result", run_id)
    assert result.code == 1, str(result)
    assert "error[SCRIPT_ERROR]" in result.err
    assert "ZeroDivisionError" in result.err


def test_unknown_run(floe: Floe) -> None:
    for argv in (["show"], ["logs"], ["cancel"], ["result"]):
        result = floe("runs", *argv, "r-does-not-exist")
        assert result.code == 1, (argv, str(result))
        assert "error[RUN_NOT_FOUND]" in result.err


def test_idempotency_key_returns_the_first_run_and_saves_once(
    floe: Floe, save_namespace: str
) -> None:
    key = f"cli-{uuid.uuid4()}"
    table = f"{save_namespace}.once"
    args = (
        "polars",
        "SELECT * FROM flowers",
        "--table",
        FLOWERS,
        "--save",
        table,
        "--save-mode",
        "append",
        "--idempotency-key",
        key,
    )
    first = floe.json(*args)
    second = floe.json(*args)
    assert second["run_id"] == first["run_id"]
    count = floe.json("polars", "SELECT COUNT(*) AS n FROM t", "--table", f"t={table}")
    assert count["results"]["rows"] == [[150]]
    other = floe("polars", "SELECT 1 AS x", "--idempotency-key", key)
    assert other.code == 1, str(other)
    assert "error[IDEMPOTENCY_KEY_REUSED]" in other.err


def test_idempotency_key_with_async(floe: Floe) -> None:
    key = f"cli-{uuid.uuid4()}"
    first = _submit(floe, "SELECT 1 AS x", "--idempotency-key", key)
    second = _submit(floe, "SELECT 1 AS x", "--idempotency-key", key)
    assert first == second
