"""The hosted service's published Python SDK (oleanderhq-sdk 0.8.0), unchanged, against Floe.

Everything here goes through `Oleander(api_key=..., base_url=FLOE_URL)`: the SDK builds the
requests and validates the answers with its own pydantic models, so these tests prove the wire
shapes users' existing code depends on. Nothing is worked around: where the SDK and Floe disagree,
the test fails.

Covered: `polars()` in query mode (all three table binding forms, both catalog names), script
mode (params arriving as Python values, the hosted docs' example script), saving (overwrite, then
append, then overwrite again), every core error class (the SDK must surface Floe's own one-sentence
message, and the right status); and every catalog method, including table sizes filtered by
partition and by an earlier snapshot.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from oleander_sdk import (
    Oleander,
    OleanderHttpError,
    PartitionFilter,
    PolarsOptions,
    PolarsResult,
    PolarsTable,
    QueryResultColumns,
)

from conftest import PartitionedTable, run

FLOWERS = "flowers=default.flowers"
FLOWER_COLUMNS = ["sepal_length", "sepal_width", "petal_length", "petal_width", "species"]
GROUPED = (
    "SELECT species, COUNT(*) AS n, AVG(petal_length) AS avg_petal_length "
    "FROM {t} GROUP BY species ORDER BY species"
)
# The hosted docs' example script, verbatim (as in the shared core checks).
DOCS_EXAMPLE_SCRIPT = (
    'table = params.get("table", "default.flowers")\nlimit = int(params.get("limit", 50))\n\n'
    'flowers = scan(table)\n\nresult = (\n    flowers.group_by("species")\n    .agg(\n'
    '        pl.len().alias("count"),\n'
    '        pl.col("sepal_length").mean().round(2).alias("avg_sepal_length"),\n'
    '        pl.col("petal_length").mean().round(2).alias("avg_petal_length"),\n    )\n'
    '    .sort("avg_sepal_length", descending=True)\n    .head(limit)\n)\n'
)
EXECUTION_TIME = re.compile(r"^\d+(\.\d+)?(ms|s)$")
DIGITS = re.compile(r"^\d+$")


def polars(client: Oleander, **options: Any) -> PolarsResult:
    return run(client.polars(PolarsOptions(**options)))


def assert_local_success(result: PolarsResult) -> QueryResultColumns:
    """The base envelope of a successful, local, unsaved-or-saved run, as the SDK parsed it; its
    results."""
    assert result.success is True
    assert result.error is None
    assert result.results is not None
    assert result.row_count == len(result.results.rows)
    assert result.execution_time is not None
    assert EXECUTION_TIME.match(result.execution_time), result.execution_time
    assert result.compute is not None
    assert result.compute.mode == "local"
    assert result.compute.distributed is False
    assert result.compute.instance_type is None
    assert result.compute.cluster_size is None
    return result.results


# ---------------------------------------------------------------------------------------------
# polars(): query mode
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("binding", "sql_name"),
    [
        pytest.param(FLOWERS, "flowers", id="alias=ns.table string"),
        pytest.param(PolarsTable(alias="f", table="default.flowers"), "f", id="PolarsTable"),
        # The SDK's docstring: a plain "ns.table" binding; the SQL name is the table part.
        pytest.param("default.flowers", "flowers", id="plain ns.table string"),
    ],
)
def test_query_with_each_binding_form(client: Oleander, binding: Any, sql_name: str) -> None:
    result = polars(client, query=GROUPED.format(t=sql_name), tables=[binding])
    results = assert_local_success(result)
    assert result.saved is None
    assert results.columns == ["species", "n", "avg_petal_length"]
    assert results.column_types == ["String", "Int64", "Float64"]
    rows = results.rows
    assert [r[:2] for r in rows] == [["setosa", 50], ["versicolor", 50], ["virginica", 50]]
    assert [r[2] for r in rows] == pytest.approx([1.462, 4.26, 5.552])
    assert result.row_count == 3


@pytest.mark.parametrize("catalog", ["oleander", "lake"])
def test_query_names_the_catalog_either_way(client: Oleander, catalog: str) -> None:
    """The SDK's default catalog name "oleander" and Floe's own "lake" reach the same lake."""
    result = polars(
        client,
        query="SELECT * FROM flowers WHERE species = 'virginica' ORDER BY sepal_length DESC",
        tables=[FLOWERS],
        catalog=catalog,
    )
    results = assert_local_success(result)
    assert results.columns == FLOWER_COLUMNS
    assert results.column_types == ["Float64"] * 4 + ["String"]
    assert result.row_count == 50
    assert results.rows[0][0] == 7.9
    assert {r[4] for r in results.rows} == {"virginica"}


# ---------------------------------------------------------------------------------------------
# polars(): script mode
# ---------------------------------------------------------------------------------------------

PARAMS_SCRIPT = """\
flowers = scan("default.flowers")
result = (
    flowers.filter(pl.col("species") == params["s"])
    .head(params["n"])
    .select(
        pl.col("species"),
        (pl.col("sepal_length") * params["x"]).alias("scaled"),
        pl.lit(params["n"] * 10).alias("n_times_10"),
        pl.lit(type(params["n"]).__name__).alias("n_type"),
        pl.lit(type(params["x"]).__name__).alias("x_type"),
        pl.lit(type(params["s"]).__name__).alias("s_type"),
        pl.lit(type(params["flag"]).__name__).alias("flag_type"),
        pl.lit(len(params["names"])).alias("names_len"),
    )
)
"""


def test_script_params_arrive_as_python_values(client: Oleander) -> None:
    result = polars(
        client,
        script=PARAMS_SCRIPT,
        params={"n": 2, "x": 1.5, "s": "setosa", "flag": True, "names": ["a", "b", "c"]},
    )
    results = assert_local_success(result)
    assert results.columns == [
        "species",
        "scaled",
        "n_times_10",
        "n_type",
        "x_type",
        "s_type",
        "flag_type",
        "names_len",
    ]
    rows = results.rows
    assert result.row_count == 2  # head(n): n is an int
    assert [r[0] for r in rows] == ["setosa", "setosa"]  # filter on s: s is the string
    assert [r[1] for r in rows] == pytest.approx([5.1 * 1.5, 4.9 * 1.5])  # x is the float
    assert [r[2:] for r in rows] == [[20, "int", "float", "str", "bool", 3]] * 2


def test_hosted_docs_example_script(client: Oleander) -> None:
    result = polars(client, script=DOCS_EXAMPLE_SCRIPT, params={"limit": 2})
    results = assert_local_success(result)
    assert results.columns == ["species", "count", "avg_sepal_length", "avg_petal_length"]
    assert results.rows == [["virginica", 50, 6.59, 5.55], ["versicolor", 50, 5.94, 4.26]]
    assert result.row_count == 2


# ---------------------------------------------------------------------------------------------
# polars(): saving
# ---------------------------------------------------------------------------------------------

SPECIES_SCRIPT = 'result = scan("default.flowers").filter(pl.col("species") == params["species"])\n'
COUNT_BY_SPECIES = "SELECT species, COUNT(*) AS n FROM t GROUP BY species ORDER BY species"


def test_save_overwrite_then_append_then_overwrite(client: Oleander, save_namespace: str) -> None:
    destination = f"{save_namespace}.t"

    def save(species: str, mode: str) -> PolarsResult:
        return polars(
            client,
            script=SPECIES_SCRIPT,
            params={"species": species},
            destination=destination,
            save_mode=mode,
        )

    def counts() -> list[list[Any]]:
        result = polars(client, query=COUNT_BY_SPECIES, tables=[f"t={destination}"])
        return assert_local_success(result).rows

    def saved_50(species: str, mode: str) -> PolarsResult:
        result = save(species, mode)
        assert_local_success(result)
        assert result.saved is not None
        assert result.saved.table == destination
        assert result.saved.rows_written == 50
        assert result.saved.mode == mode
        return result

    # overwrite into a table that does not exist yet creates it
    first = saved_50("setosa", "overwrite")
    assert first.row_count == 50

    saved_50("versicolor", "append")
    assert counts() == [["setosa", 50], ["versicolor", 50]]

    third = save("virginica", "overwrite")
    assert third.saved is not None
    assert (third.saved.mode, third.saved.rows_written) == ("overwrite", 50)
    assert counts() == [["virginica", 50]]

    size = run(client.get_catalog_table_size("t", catalog="lake", namespace=save_namespace))
    assert size.record_count == "50"


# ---------------------------------------------------------------------------------------------
# polars(): errors: OleanderHttpError carrying Floe's own sentence
# ---------------------------------------------------------------------------------------------

ERROR_CASES = [
    pytest.param(
        {"query": "SELEC species FROM flowers", "tables": [FLOWERS]},
        400,
        "SQL_SYNTAX",
        ["syntax error", "SELEC", "fix the query"],
        id="SQL_SYNTAX",
    ),
    pytest.param(
        {"query": "SELECT no_such_column FROM flowers", "tables": [FLOWERS]},
        422,
        "QUERY_ERROR",
        ["no_such_column", "petal_length"],
        id="unknown column QUERY_ERROR",
    ),
    pytest.param(
        {"script": "a = 1\nif a\n    result = 2\n"},
        400,
        "SCRIPT_SYNTAX",
        ["syntax error", "line 2", "fix line 2"],
        id="SCRIPT_SYNTAX",
    ),
    pytest.param(
        {"script": "a = 1\nb = 2\nraise ValueError('boom')\nresult = None\n"},
        422,
        "SCRIPT_ERROR",
        ["ValueError", "line 3", "boom"],
        id="SCRIPT_ERROR",
    ),
    pytest.param(
        {"script": "x = 1\n", "tables": [FLOWERS]},
        422,
        "RESULT_NOT_ASSIGNED",
        ["result", "assign", "LazyFrame"],
        id="RESULT_NOT_ASSIGNED",
    ),
    pytest.param(
        {"script": "result = 42\n"},
        422,
        "RESULT_WRONG_TYPE",
        ["int", "LazyFrame"],
        id="RESULT_WRONG_TYPE",
    ),
    pytest.param(
        {"query": "SELECT * FROM x", "tables": ["x=default.no_such_table"]},
        404,
        "TABLE_NOT_FOUND",
        ["default.no_such_table", "flowers"],
        id="TABLE_NOT_FOUND query",
    ),
    pytest.param(
        {"script": "result = scan('default.no_such_table')\n"},
        404,
        "TABLE_NOT_FOUND",
        ["default.no_such_table", "flowers"],
        id="TABLE_NOT_FOUND script",
    ),
    pytest.param(
        {"query": "SELECT * FROM x", "tables": ["x=no_such_ns.flowers"]},
        404,
        "NAMESPACE_NOT_FOUND",
        ["no_such_ns", "default"],
        id="NAMESPACE_NOT_FOUND",
    ),
    pytest.param(
        {"query": "SELECT 1 AS x FROM flowers", "tables": [FLOWERS], "catalog": "nope"},
        404,
        "CATALOG_NOT_FOUND",
        ["nope", "lake"],
        id="CATALOG_NOT_FOUND",
    ),
    pytest.param(
        {"query": "SELECT 1 AS x", "tables": ["=default.flowers"]},
        400,
        "INVALID_REQUEST",
        ["=default.flowers", "alias", "flowers=default.flowers"],
        id="bad alias",
    ),
]


def assert_floe_error(
    error: OleanderHttpError, status: int, code: str, fragments: list[str]
) -> None:
    """The SDK raised with Floe's own sentence as its message (not its "HTTP 4xx for POST ..."
    fallback), the right status, and Floe's envelope on `.body`."""
    body = error.body
    assert isinstance(body, dict), body
    assert error.status == status, body
    assert body.get("success") is False, body
    assert body.get("error_code") == code, body
    message = str(error)
    assert not message.startswith("HTTP "), message
    assert message == body["error"] == error.api_error
    # `details` is a string or null in the base contract; anything else the SDK would drop
    # (together with the message) while parsing.
    assert error.api_details == body.get("details")
    for fragment in fragments:
        assert fragment.lower() in message.lower(), (fragment, message)


@pytest.mark.parametrize(("options", "status", "code", "fragments"), ERROR_CASES)
def test_error_reaches_the_user_as_floes_message(
    client: Oleander, options: dict[str, Any], status: int, code: str, fragments: list[str]
) -> None:
    with pytest.raises(OleanderHttpError) as raised:
        polars(client, **options)
    assert_floe_error(raised.value, status, code, fragments)


# ---------------------------------------------------------------------------------------------
# Catalog methods
# ---------------------------------------------------------------------------------------------

CREDENTIAL_KEY = re.compile(r"secret|password|token|credential|access[-_.]?key", re.IGNORECASE)


def test_list_catalogs(client: Oleander) -> None:
    result = run(client.list_catalogs())
    assert result.ok is True
    assert result.catalogs == []  # only filled with include_tables
    by_name = {c.name: c for c in result.registered_catalogs}
    assert "lake" in by_name, result
    lake = by_name["lake"]
    assert lake.type
    assert lake.table_count is not None and lake.table_count >= 1
    assert not [k for k in (lake.properties or {}) if CREDENTIAL_KEY.search(k)], lake.properties


def test_list_catalogs_with_tables(client: Oleander, partitioned_table: PartitionedTable) -> None:
    result = run(client.list_catalogs(include_tables=True))
    assert result.ok is True
    triples = {(t.catalog, t.namespace, t.table) for t in result.catalogs}
    assert ("lake", "default", "flowers") in triples, triples
    assert ("lake", partitioned_table.namespace, "events") in triples, triples
    assert any(c.name == "lake" for c in result.registered_catalogs)


@pytest.mark.parametrize("catalog", [None, "lake"], ids=["SDK default (oleander)", "lake"])
def test_list_catalog_namespaces(
    client: Oleander, partitioned_table: PartitionedTable, catalog: str | None
) -> None:
    call = (
        client.list_catalog_namespaces()
        if catalog is None
        else client.list_catalog_namespaces(catalog)
    )
    result = run(call)
    assert result.ok is True
    # Floe answers with the catalog's canonical name; the hosted service with the name asked.
    assert result.catalog in ("lake", "oleander")
    assert "default" in result.namespaces
    assert partitioned_table.namespace in result.namespaces


def test_list_catalog_tables_across_namespaces(
    client: Oleander, partitioned_table: PartitionedTable
) -> None:
    result = run(client.list_catalog_tables())
    assert result.ok is True
    pairs = {(t.namespace, t.table) for t in result.tables}
    assert ("default", "flowers") in pairs
    assert (partitioned_table.namespace, "events") in pairs


def test_list_catalog_tables_in_namespace(
    client: Oleander, partitioned_table: PartitionedTable
) -> None:
    result = run(client.list_catalog_tables("lake", partitioned_table.namespace))
    assert result.ok is True
    assert [(t.catalog, t.namespace, t.table) for t in result.tables] == [
        ("lake", partitioned_table.namespace, "events")
    ]
    default = run(client.list_catalog_tables(namespace="default"))
    assert {t.namespace for t in default.tables} == {"default"}
    assert "flowers" in {t.table for t in default.tables}


def test_get_catalog_table_metadata(client: Oleander) -> None:
    result = run(client.get_catalog_table_metadata("flowers"))
    assert result.ok is True
    meta = result.table
    assert meta["format-version"] in (1, 2, 3)
    assert isinstance(meta["location"], str) and meta["location"].endswith("flowers")
    assert isinstance(meta["schemas"], list) and meta["schemas"]
    assert isinstance(meta["partition-specs"], list)
    current = meta["current-snapshot-id"]
    snapshot = next(s for s in meta["snapshots"] if s["snapshot-id"] == current)
    assert snapshot["summary"]["total-records"] == "150"


def test_get_catalog_table_schema(client: Oleander) -> None:
    schema = run(client.get_catalog_table_schema("flowers"))
    assert (schema.namespace, schema.table) == ("default", "flowers")
    assert isinstance(schema.schema_id, int)
    assert [(f.id, f.name, f.type, f.required) for f in schema.fields] == [
        (1, "sepal_length", "double", False),
        (2, "sepal_width", "double", False),
        (3, "petal_length", "double", False),
        (4, "petal_width", "double", False),
        (5, "species", "string", False),
    ]


def test_get_catalog_table_size(client: Oleander) -> None:
    size = run(client.get_catalog_table_size("flowers"))
    assert size.ok is True
    assert (size.namespace, size.table) == ("default", "flowers")
    assert size.catalog in ("lake", "oleander")
    assert size.record_count == "150"
    assert size.data_file_count >= 1
    assert DIGITS.match(size.size_bytes) and int(size.size_bytes) > 0, size.size_bytes
    assert size.snapshot_id is not None and DIGITS.match(size.snapshot_id), size.snapshot_id
    assert size.partition_filters == []
    meta = run(client.get_catalog_table_metadata("flowers")).table
    assert size.snapshot_id == str(meta["current-snapshot-id"])


def test_get_catalog_table_size_by_partition(
    client: Oleander, partitioned_table: PartitionedTable
) -> None:
    ns = partitioned_table.namespace
    whole = run(client.get_catalog_table_size("events", namespace=ns))
    assert whole.record_count == str(sum(partitioned_table.rows_by_region.values()))
    assert whole.data_file_count == 3
    assert whole.snapshot_id == partitioned_table.snapshot_ids[-1]
    for region, rows in partitioned_table.rows_by_region.items():
        # both forms the SDK accepts for a filter
        for flt in (
            PartitionFilter(key="region", value=region),
            {"key": "region", "value": region},
        ):
            part = run(
                client.get_catalog_table_size("events", namespace=ns, partition_filters=[flt])
            )
            assert part.record_count == str(rows), (region, part)
            assert part.data_file_count == 1
            assert 0 < int(part.size_bytes) < int(whole.size_bytes)
            assert part.partition_filters == [PartitionFilter(key="region", value=region)]


def test_get_catalog_table_size_at_an_earlier_snapshot(
    client: Oleander, partitioned_table: PartitionedTable
) -> None:
    ns = partitioned_table.namespace
    first, second, _ = partitioned_table.snapshot_ids
    rows = partitioned_table.rows_by_region  # eu 3, us 5, ap 7, appended in that order
    at_first = run(client.get_catalog_table_size("events", namespace=ns, snapshot_id=first))
    assert (at_first.snapshot_id, at_first.record_count) == (first, str(rows["eu"]))
    assert at_first.data_file_count == 1
    at_second = run(client.get_catalog_table_size("events", namespace=ns, snapshot_id=second))
    assert (at_second.snapshot_id, at_second.record_count) == (second, str(rows["eu"] + rows["us"]))
    assert at_second.data_file_count == 2
    # a partition appended after that snapshot is empty there
    ap_then = run(
        client.get_catalog_table_size(
            "events",
            namespace=ns,
            snapshot_id=second,
            partition_filters=[PartitionFilter(key="region", value="ap")],
        )
    )
    assert (ap_then.record_count, ap_then.data_file_count, ap_then.size_bytes) == ("0", 0, "0")


@pytest.mark.parametrize(
    ("method", "kwargs", "fragments"),
    [
        ("get_catalog_table_size", {"table": "no_such_table"}, ["no_such_table", "flowers"]),
        ("get_catalog_table_metadata", {"table": "no_such_table"}, ["no_such_table", "flowers"]),
        ("get_catalog_table_schema", {"table": "no_such_table"}, ["no_such_table", "flowers"]),
    ],
)
def test_unknown_table_raises_with_floes_message(
    client: Oleander, method: str, kwargs: dict[str, Any], fragments: list[str]
) -> None:
    with pytest.raises(OleanderHttpError) as raised:
        run(getattr(client, method)(**kwargs))
    assert_floe_error(raised.value, 404, "TABLE_NOT_FOUND", fragments)


def test_unknown_catalog_and_namespace_raise_with_floes_message(client: Oleander) -> None:
    with pytest.raises(OleanderHttpError) as raised:
        run(client.list_catalog_namespaces("nope"))
    assert_floe_error(raised.value, 404, "CATALOG_NOT_FOUND", ["nope", "lake"])
    with pytest.raises(OleanderHttpError) as raised:
        run(client.list_catalog_tables("lake", "no_such_ns"))
    assert_floe_error(raised.value, 404, "NAMESPACE_NOT_FOUND", ["no_such_ns", "default"])
