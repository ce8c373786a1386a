"""A distributed run's sandbox half: it writes a plan over stand-ins, never a result."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from floe_run import Harness

from floe_dispatch.plan import PlanRefused, parse, runnable
from floe_harness.distributed import STAND_IN_ROOT


def _plan(harness: Harness, mode: str, source: str, **job: Any) -> tuple[int, dict[str, Any]]:
    spec = harness.job(mode, source, **job)
    spec["distributed"] = True
    process = harness.launch(spec)
    error = Path(spec["error_path"])
    if error.exists():
        return process.returncode, json.loads(error.read_text(encoding="utf-8"))
    assert process.returncode == 0, process.stderr
    document: dict[str, Any] = json.loads(Path(spec["result_path"]).read_text(encoding="utf-8"))
    return process.returncode, document


def test_a_query_becomes_a_plan_over_stand_ins_with_the_tables_schema(harness: Harness) -> None:
    _, document = _plan(
        harness,
        "query",
        "SELECT species, avg(petal_length) AS petal FROM flowers GROUP BY species",
    )

    assert document["type"] == "distributed_plan"
    assert document["polars"] == pl.__version__
    snapshot = harness.stand_in.grant("default.flowers")["snapshot_id"]
    [table] = document["tables"]
    assert table["identifier"] == "default.flowers"
    assert table["snapshot_id"] == snapshot
    assert table["path"].startswith(STAND_IN_ROOT + "/")
    assert table["path"] in document["plan"]
    assert document["column_types"] == ["String", "Float64"]
    # The plan is Polars' own JSON: it reads back, and it reads nothing but the stand-in.
    frame = pl.LazyFrame.deserialize(io.StringIO(document["plan"]), format="json")
    assert frame.collect_schema().names() == ["species", "petal"]


def test_a_python_function_in_the_plan_is_refused_naming_it_and_its_line(
    harness: Harness,
) -> None:
    code, error = _plan(
        harness,
        "script",
        "def double(v):\n"
        "    return v * 2\n"
        "result = scan('flowers').with_columns(\n"
        "    pl.col('petal_length').map_elements(double, return_dtype=pl.Float64))\n",
    )

    assert code == 3
    assert error["error_code"] == "PLAN_NOT_DISTRIBUTABLE"
    assert error["message"].startswith(
        "A distributed run cannot send Python code to the cluster, and the plan calls double() "
        "defined at line 1 (map_elements"
    )
    assert error["diagnostics"]["line"] == 1


def test_a_lambda_in_map_batches_is_refused_too(harness: Harness) -> None:
    _, error = _plan(
        harness,
        "script",
        "frame = scan('flowers')\nresult = frame.map_batches(lambda df: df)\n",
    )

    assert error["error_code"] == "PLAN_NOT_DISTRIBUTABLE"
    assert "calls a lambda defined at line 2" in error["message"]


def test_collecting_a_table_inside_the_script_says_tables_are_read_on_the_cluster(
    harness: Harness,
) -> None:
    _, error = _plan(
        harness,
        "script",
        "n = scan('flowers').select(pl.len()).collect().item()\nresult = scan('flowers').head(n)\n",
    )

    assert error["error_code"] == "PLAN_NOT_DISTRIBUTABLE"
    assert error["message"].startswith(
        "Line 1 reads a table's rows inside the script (collect() or similar), but a distributed"
    )
    assert error["diagnostics"]["line"] == 1


def test_literal_frames_and_lazy_steps_plan_without_tables(harness: Harness) -> None:
    _, document = _plan(
        harness,
        "script",
        "result = pl.LazyFrame({'x': [1, 2, 3]}).filter(pl.col('x') > params['min'])\n",
        params={"min": 1},
        tables={},
    )

    assert document["tables"] == []
    frame = pl.LazyFrame.deserialize(io.StringIO(document["plan"]), format="json")
    assert frame.collect().to_dict(as_series=False) == {"x": [2, 3]}


def test_a_table_scanned_past_scan_leaves_the_sandbox_but_not_the_dispatcher(
    harness: Harness,
) -> None:
    """pl.scan_iceberg of a table the script loaded itself pickles with the standard library, so
    the sandbox writes the plan; the dispatcher refuses it (it reads a data source directly)."""
    _, document = _plan(
        harness,
        "script",
        "table = catalog.load_table('default.flowers')\nresult = pl.scan_iceberg(table)\n",
    )

    with pytest.raises(PlanRefused, match="reads files or data sources directly"):
        runnable(parse(json.dumps(document)), [], lambda g: {})
