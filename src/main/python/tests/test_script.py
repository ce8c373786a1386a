"""Script mode: the environment user code sees, and the `result` contract."""

from __future__ import annotations

import datetime as dt

from floe_run import Harness


def test_script_uses_scan_params_catalog_and_pl(harness: Harness) -> None:
    run = harness.script(
        "tables = catalog.list_tables('default')\n"
        "result = (\n"
        "    scan('f')\n"
        "    .filter(pl.col('petal_length') >= params['min'])\n"
        "    .select('species', pl.lit(len(tables)).alias('tables'), pl.lit(params['tag']))\n"
        "    .sort('species')\n"
        ")\n",
        tables={"f": "default.flowers"},
        params={"min": 4.6, "tag": "ok"},
    )

    assert run.rows == [
        {"species": "versicolor", "tables": 1, "literal": "ok"},
        {"species": "virginica", "tables": 1, "literal": "ok"},
    ]


def test_scan_by_identifier_and_snapshot(harness: Harness) -> None:
    run = harness.script(
        "now = scan('default.flowers').select(pl.len().alias('now'))\n"
        "then = scan('default.flowers', snapshot_id=params['snapshot'])\n"
        "then = then.select(pl.len().alias('then'))\n"
        "result = pl.concat([now, then], how='horizontal')\n",
        tables={},
        params={"snapshot": harness.lake.first_snapshot_id},
    )

    assert run.rows == [{"now": 5, "then": 3}]
    # Both scans asked the trusted side: the table is not bound, and one asks for another snapshot.
    assert [(r["type"], r["name"], r["snapshot_id"]) for r in run.requests] == [
        ("table", "default.flowers", None),
        ("table", "default.flowers", str(harness.lake.first_snapshot_id)),
    ]


def test_scan_as_of_a_time(harness: Harness) -> None:
    first = harness.lake.first_snapshot_ms
    iso = dt.datetime.fromtimestamp(first / 1000, dt.UTC).isoformat()
    run = harness.script(
        "import datetime\n"
        "times = (params['ms'], params['iso'], datetime.datetime.fromisoformat(params['iso']))\n"
        "counts = [scan('default.flowers', as_of=t).select(pl.len()).collect().item()\n"
        "          for t in times]\n"
        "result = pl.DataFrame({'then': counts, 'now': [scan('flowers').collect().height] * 3})\n",
        params={"ms": first, "iso": iso},
    )
    assert run.error is None, run.error
    assert run.rows == [{"then": 3, "now": 5}] * 3


def test_scan_takes_a_snapshot_id_or_a_time_not_both(harness: Harness) -> None:
    run = harness.script(
        "result = scan('flowers', snapshot_id=params['s'], as_of=0)\n",
        params={"s": harness.lake.first_snapshot_id},
    )

    assert run.error_code == "SCRIPT_ERROR"
    assert "snapshot_id or as_of, not both" in run.message
    assert run.diagnostics["line"] == 1


def test_a_dataframe_result_is_accepted(harness: Harness) -> None:
    run = harness.script("result = pl.DataFrame({'x': [1, 2]})")

    assert run.rows == [{"x": 1}, {"x": 2}]


def test_result_not_assigned(harness: Harness) -> None:
    run = harness.script("frame = scan('flowers')\n")

    assert run.error_code == "RESULT_NOT_ASSIGNED"
    assert run.message == (
        "The script finished without assigning `result`; assign a polars LazyFrame or DataFrame "
        "to `result`, e.g. result = scan('ns.table')."
    )


def test_result_of_the_wrong_type_names_it(harness: Harness) -> None:
    run = harness.script("result = 42\n")

    assert run.error_code == "RESULT_WRONG_TYPE"
    assert run.message == "`result` is an int; assign a polars LazyFrame or DataFrame."


def test_a_refusal_of_the_trusted_side_is_the_runs_error_at_the_users_line(
    harness: Harness,
) -> None:
    run = harness.script("x = 1\nresult = scan('default.iris')\n")

    assert run.error_code == "TABLE_NOT_FOUND"
    assert run.message == "Table 'default.iris' does not exist (stand-in)."
    assert run.diagnostics["line"] == 2


def test_unknown_alias_names_the_bound_ones(harness: Harness) -> None:
    run = harness.script("result = scan('iris')\n")

    assert run.error_code == "TABLE_NOT_FOUND"
    assert "No table is bound as 'iris' (bound aliases: flowers)" in run.message


def test_catalog_refuses_writes(harness: Harness) -> None:
    run = harness.script(
        "assert catalog.table_exists('default.flowers')\n"
        "try:\n"
        "    catalog.create_namespace('scratch')\n"
        "except PermissionError as e:\n"
        "    refused = str(e)\n"
        "try:\n"
        "    catalog.load_table('default.flowers').append(scan('flowers').collect().to_arrow())\n"
        "except PermissionError as e:\n"
        "    refused_too = str(e)\n"
        "result = pl.DataFrame({'refused': [refused, refused_too]})\n"
    )

    message = "the catalog is read-only inside a run; use destination to save a result"
    assert run.rows == [{"refused": message}, {"refused": message}]
