"""A Python client generated from openapi/floe.yaml (openapi-generator `python`) against Floe:
a query, a script, a save, and errors deserialized into the typed ErrorResponse model."""

from __future__ import annotations

import re

import pytest
from floe_client import (
    ApiException,
    CatalogsApi,
    Compute,
    Diagnostics,
    ErrorCode,
    ErrorResponse,
    Limits,
    Mode,
    PolarsRequest,
    PolarsResponse,
    Results,
    Saved,
    SaveMode,
    SchemaMode,
    TableItem,
    TableObject,
    WorkloadsApi,
)
from floe_client.exceptions import NotFoundException, ServiceException, UnprocessableEntityException

GROUPED = (
    "SELECT species, AVG(petal_length) AS avg_petal_length FROM flowers "
    "GROUP BY species ORDER BY species"
)
DIGITS = re.compile(r"^\d+$")


def _error(e: ApiException) -> ErrorResponse:
    """The error envelope in the body of an error answer, as the generated model."""
    assert e.body, e
    error = ErrorResponse.from_json(e.body)
    assert error is not None
    assert error.success is False
    return error


def test_query_with_both_binding_forms(workloads: WorkloadsApi) -> None:
    r = workloads.run_polars(
        PolarsRequest(mode=Mode.QUERY, query=GROUPED, tables=[TableItem("flowers=default.flowers")])
    )
    assert isinstance(r, PolarsResponse)
    assert r.success is True
    assert isinstance(r.results, Results)
    assert r.results.columns == ["species", "avg_petal_length"]
    assert r.results.column_types == ["String", "Float64"]
    assert [row[0] for row in r.results.rows] == ["setosa", "versicolor", "virginica"]
    assert r.results.rows[0][1] == pytest.approx(1.462)
    assert r.row_count == 3
    assert r.truncated is False
    assert r.saved is None
    assert isinstance(r.compute, Compute)
    assert (r.compute.mode, r.compute.distributed) == ("local", False)
    assert r.run_id is not None and r.run_id.startswith("r-")
    assert re.match(r"^\d+(\.\d+)?(ms|s)$", r.execution_time)

    counted = workloads.run_polars(
        PolarsRequest(
            mode=Mode.QUERY,
            query="SELECT COUNT(*) AS n FROM f",
            tables=[TableItem(TableObject(alias="f", table="default.flowers"))],
        )
    )
    assert counted.results.rows == [[150]]


def test_limits_truncate_inline_rows(workloads: WorkloadsApi) -> None:
    r = workloads.run_polars(
        PolarsRequest(
            mode=Mode.QUERY,
            query="SELECT * FROM flowers",
            tables=[TableItem("flowers=default.flowers")],
            limits=Limits(max_rows=5),
        )
    )
    assert r.truncated is True
    assert r.row_count == 150
    assert len(r.results.rows) == 5


def test_script_with_params(workloads: WorkloadsApi) -> None:
    r = workloads.run_polars(
        PolarsRequest(
            mode=Mode.SCRIPT,
            script=(
                "print('from the script')\n"
                "result = scan('default.flowers')"
                ".filter(pl.col('petal_length') > params['min']).select(pl.len())\n"
            ),
            params={"min": 6.0},
        )
    )
    assert r.success is True
    assert r.results.columns == ["len"]
    assert r.results.rows == [[9]]
    assert r.logs is not None and "from the script" in r.logs


def test_save_overwrite_then_append(workloads: WorkloadsApi, save_namespace: str) -> None:
    destination = f"{save_namespace}.setosa"
    request = PolarsRequest(
        mode=Mode.QUERY,
        query="SELECT * FROM flowers WHERE species = 'setosa'",
        tables=[TableItem("flowers=default.flowers")],
        destination=destination,
        save_mode=SaveMode.OVERWRITE,
        schema_mode=SchemaMode.STRICT,
    )
    first = workloads.run_polars(request)
    assert isinstance(first.saved, Saved)
    assert first.saved.table == destination
    assert first.saved.rows_written == 50
    assert first.saved.mode == "overwrite"
    assert first.saved.snapshot_id is not None and DIGITS.match(first.saved.snapshot_id)

    request.save_mode = SaveMode.APPEND
    second = workloads.run_polars(request)
    assert second.saved is not None
    assert second.saved.mode == "append"
    assert second.saved.snapshot_id != first.saved.snapshot_id

    count = workloads.run_polars(
        PolarsRequest(
            mode=Mode.QUERY,
            query="SELECT COUNT(*) AS n FROM t",
            tables=[TableItem(f"t={destination}")],
        )
    )
    assert count.results.rows == [[100]]


def test_table_not_found_is_a_typed_error(workloads: WorkloadsApi) -> None:
    with pytest.raises(NotFoundException) as caught:
        workloads.run_polars(
            PolarsRequest(
                mode=Mode.QUERY, query="SELECT * FROM x", tables=[TableItem("x=default.nope")]
            )
        )
    assert caught.value.status == 404
    error = _error(caught.value)
    assert error.error_code == ErrorCode.TABLE_NOT_FOUND
    assert "flowers" in error.error  # names what exists nearby
    assert error.run_id is not None


def test_script_error_has_typed_diagnostics(workloads: WorkloadsApi) -> None:
    with pytest.raises(UnprocessableEntityException) as caught:
        workloads.run_polars(PolarsRequest(mode=Mode.SCRIPT, script="x = 1\ny = x / 0\n"))
    error = _error(caught.value)
    assert error.error_code == ErrorCode.SCRIPT_ERROR
    assert isinstance(error.diagnostics, Diagnostics)
    assert error.diagnostics.line == 2
    assert error.diagnostics.frames and error.diagnostics.frames[-1].line == 2
    assert error.details is not None and "ZeroDivisionError" in error.details


def test_distributed_unavailable_is_a_typed_server_error(workloads: WorkloadsApi) -> None:
    with pytest.raises(ServiceException) as caught:
        workloads.run_polars(PolarsRequest(mode=Mode.QUERY, query="SELECT 1", distributed=True))
    assert caught.value.status == 503
    assert _error(caught.value).error_code == ErrorCode.DISTRIBUTED_UNAVAILABLE


def test_catalog_endpoints(catalogs: CatalogsApi) -> None:
    listed = catalogs.list_catalogs()
    assert [c.name for c in listed.registered_catalogs] == ["lake"]
    assert "default" in catalogs.list_namespaces("lake").namespaces
    tables = catalogs.list_tables("lake", "default").tables
    assert any(t.table == "flowers" and t.namespace == "default" for t in tables)
    metadata = catalogs.get_table_metadata("lake", "default", "flowers").table
    assert metadata["format-version"] == 2
    size = catalogs.get_table_size("lake", "default", "flowers")
    assert size.record_count == "150"
    assert size.data_file_count >= 1
    assert size.snapshot_id is not None and DIGITS.match(size.snapshot_id)


def test_unknown_catalog_is_a_typed_error(catalogs: CatalogsApi) -> None:
    with pytest.raises(NotFoundException) as caught:
        catalogs.list_namespaces("nope")
    assert _error(caught.value).error_code == ErrorCode.CATALOG_NOT_FOUND
