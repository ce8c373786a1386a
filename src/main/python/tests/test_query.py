"""Query mode: bound aliases in a Polars SQLContext, and SQL failures classified."""

from __future__ import annotations

from floe_run import Harness


def test_query_returns_rows_and_polars_dtypes(harness: Harness) -> None:
    run = harness.query(
        "SELECT species, COUNT(*) AS n, MAX(petal_length) AS longest "
        "FROM flowers GROUP BY species ORDER BY species"
    )

    assert run.rows == [
        {"species": "setosa", "n": 2, "longest": 1.4},
        {"species": "versicolor", "n": 2, "longest": 4.7},
        {"species": "virginica", "n": 1, "longest": 6.0},
    ]
    assert run.polars_dtypes == ["String", "Int64", "Float64"]
    assert [str(field.type) for field in run.schema] == ["large_string", "int64", "double"]
    # Not even Polars' warning about its optional Iceberg planner reaches the run's logs.
    assert (run.stdout, run.stderr) == ("", "")


def test_query_needs_no_table(harness: Harness) -> None:
    run = harness.query("SELECT 1 AS one", tables={})

    assert run.rows == [{"one": 1}]


def test_query_reads_the_bound_snapshot(harness: Harness) -> None:
    run = harness.query(
        "SELECT COUNT(*) AS n FROM flowers",
        snapshots={"flowers": harness.lake.first_snapshot_id},
    )

    assert run.rows == [{"n": 3}]


def test_sql_syntax_error_has_line_and_column(harness: Harness) -> None:
    run = harness.query("SELECT *\nFROM flowers\nWHERE species = = 'setosa'")

    assert run.error_code == "SQL_SYNTAX"
    assert run.message == (
        "The SQL query has a syntax error at line 3, column 17 "
        "(Expected: an expression, found: =); fix the query and run it again."
    )
    assert (run.diagnostics["line"], run.diagnostics["column"]) == (3, 17)


def test_unknown_column_names_it_and_the_valid_ones(harness: Harness) -> None:
    run = harness.query("SELECT petal_lenght FROM flowers")

    assert run.error_code == "QUERY_ERROR"
    assert run.message == (
        'Column "petal_lenght" does not exist (valid columns: sepal_length, sepal_width, '
        "petal_length, petal_width, species); fix the column name and run the query again."
    )


def test_unknown_relation_names_the_bound_aliases(harness: Harness) -> None:
    run = harness.query("SELECT * FROM iris", tables={"flowers": "default.flowers"})

    assert run.error_code == "QUERY_ERROR"
    assert "'iris', which is not bound (bound aliases: flowers)" in run.message
    assert 'tables: ["iris=namespace.table"]' in run.message


def test_other_polars_errors_keep_polars_first_line(harness: Harness) -> None:
    run = harness.query("SELECT SUM(species) AS s FROM flowers")

    assert run.error_code == "QUERY_ERROR"
    assert run.message == (
        "Polars rejected the query (`sum` operation not supported for dtype `str`); "
        "fix the query and run it again."
    )
