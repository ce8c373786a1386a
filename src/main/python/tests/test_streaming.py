"""Results computed batch by batch, streamed through a pipe, cut short on failure; dry runs."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pyarrow as pa
from floe_run import Harness

END_OF_STREAM = b"\xff\xff\xff\xff\x00\x00\x00\x00"

BIG = "result = pl.select(i=pl.int_range(0, 300_000)).lazy().with_columns(j=pl.col('i') * 2)\n"

FAILS_MIDWAY = """
def check(s):
    if (s == 250_000).any():
        raise ValueError('row 250000 is bad')
    return s

result = pl.select(i=pl.int_range(0, 300_000)).lazy().with_columns(
    j=pl.col('i').map_batches(check, return_dtype=pl.Int64, is_elementwise=True)
)
"""


def test_the_streaming_engine_gives_every_row_in_order_in_bounded_batches(
    harness: Harness,
) -> None:
    run = harness.script(BIG, engine="streaming")
    assert sum(batch.num_rows for batch in run.batches) == 300_000
    assert max(batch.num_rows for batch in run.batches) <= 65_536
    column = pa.Table.from_batches(run.batches, run.schema).column("j").to_pylist()
    assert column == [2 * i for i in range(300_000)]


def test_both_engines_answer_a_query_alike(harness: Harness) -> None:
    sql = "SELECT species, COUNT(*) AS n FROM flowers GROUP BY species ORDER BY species"
    in_memory = harness.query(sql).rows
    assert harness.query(sql, engine="streaming").rows == in_memory


def test_a_failure_after_the_first_batch_leaves_the_stream_without_its_end(
    harness: Harness,
) -> None:
    job = harness.job("script", FAILS_MIDWAY, engine="streaming")
    process = harness.launch(job)
    assert process.returncode == 3, process.stderr
    error = json.loads(Path(job["error_path"]).read_text(encoding="utf-8"))
    assert error["error_code"] == "SCRIPT_ERROR"
    assert "row 250000 is bad" in error["message"]
    written = Path(job["result_path"]).read_bytes()
    assert len(written) > 0, "the first batches were written before the failure"
    assert not written.endswith(END_OF_STREAM)


def test_the_result_can_be_a_pipe_read_while_it_is_written(harness: Harness) -> None:
    job = harness.job("script", BIG, engine="streaming")
    os.mkfifo(job["result_path"])
    received: list[pa.Table] = []

    def read() -> None:
        with open(job["result_path"], "rb") as pipe:
            received.append(pa.ipc.open_stream(pipe).read_all())

    reader = threading.Thread(target=read)
    reader.start()
    process = harness.launch(job)
    reader.join(timeout=60)
    assert process.returncode == 0, process.stderr
    assert received and received[0].num_rows == 300_000


def test_a_dry_run_plans_without_computing(harness: Harness) -> None:
    job = harness.job(
        "script",
        "result = scan('flowers').filter(pl.col('petal_length') > 4)"
        ".select('species', pl.col('petal_length')"
        ".map_batches(lambda s: 1 / 0, return_dtype=pl.Float64))\n",
    )
    job["dry_run"] = True
    job["result_path"] = str(harness.run_dir / "out" / "plan.json")
    process = harness.launch(job)
    assert process.returncode == 0, process.stderr
    plan = json.loads(Path(job["result_path"]).read_text(encoding="utf-8"))
    assert plan["columns"] == ["species", "petal_length"]
    assert plan["column_types"][0] == "String"
    assert "FILTER" in plan["plan"].upper() or "SELECTION" in plan["plan"].upper()
    [scanned] = plan["scanned"]
    assert scanned["table"] == "default.flowers"
    assert scanned["snapshot_id"].isdigit()
