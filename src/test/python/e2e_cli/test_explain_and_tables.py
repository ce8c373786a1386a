"""`floe explain` (dry runs, docs/runs-api.md) and `floe tables` (the catalog endpoints)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from floe_e2e import drop_namespace
from pyiceberg.catalog import Catalog
from pyiceberg.schema import Schema
from pyiceberg.types import (
    DoubleType,
    IntegerType,
    ListType,
    LongType,
    NestedField,
    StringType,
    StructType,
)

from conftest import Floe

GROUP_COUNT = "SELECT species, COUNT(*) AS n FROM f GROUP BY species"


def test_explain_shows_schema_tables_and_plan(floe: Floe) -> None:
    result = floe.ok("explain", GROUP_COUNT, "--table", "f=default.flowers")
    text = result.out
    assert text.startswith("Output:\n")
    assert re.search(r"^  species\s+String$", text, re.M)
    assert re.search(r"^  n\s+U?Int(32|64)$", text, re.M)
    assert re.search(r"^Reads:\n  default\.flowers @ snapshot \d+$", text, re.M)
    assert re.search(r"^  default\.flowers: .*species", text, re.M)
    assert re.search(r"^    1 of 1 data files, 150 of 150 records, \d+ of \d+ bytes$", text, re.M)
    assert re.search(r"^Estimate: 1 data files, 150 records, \d+ bytes$", text, re.M)
    assert "\nPlan:\n" in text


def test_explain_json_and_a_save_that_does_not_happen(
    floe: Floe, save_namespace: str, writer_catalog: Catalog
) -> None:
    table = f"{save_namespace}.never"
    answer: dict[str, Any] = floe.json(
        "explain", GROUP_COUNT, "--table", "f=default.flowers", "--save", table
    )
    plan = answer["dry_run"]
    assert plan["columns"] == ["species", "n"]
    assert plan["destination"] == table
    assert plan["tables"][0]["table"] == "default.flowers"
    assert answer["saved"] is None and answer["results"] is None
    assert not writer_catalog.table_exists(table)
    assert plan["save"]["would_save"] is True and plan["save"]["creates_table"] is True
    assert plan["reads"][0]["table"] == "default.flowers"
    text = floe.ok("explain", GROUP_COUNT, "--table", "f=default.flowers", "--save", table).out
    assert f"Would save to: {table}" in text
    created = r"^  would pass, creating the table: species string, n (int|long)$"
    assert re.search(created, text, re.M)


def test_explain_a_script(floe: Floe) -> None:
    script = (
        "result = scan('default.flowers').select(pl.col('species'), pl.col('petal_length') * 2)\n"
    )
    text = floe.ok("explain", "--script", "-", stdin=script).out
    assert re.search(r"^  species\s+String$", text, re.M)
    assert re.search(r"^  petal_length\s+Float64$", text, re.M)


def test_explain_reports_errors_like_polars(floe: Floe) -> None:
    result = floe("explain", "SELECT * FROM x", "--table", "x=default.nope")
    assert result.code == 1, str(result)
    assert "error[TABLE_NOT_FOUND]" in result.err


FLOWER_COLUMNS = [
    ("sepal_length", "double"),
    ("sepal_width", "double"),
    ("petal_length", "double"),
    ("petal_width", "double"),
    ("species", "string"),
]


@pytest.fixture
def nested_table(writer_catalog: Catalog) -> Iterator[str]:
    namespace = f"clitables_{uuid.uuid4().hex[:8]}"
    writer_catalog.create_namespace(namespace)
    writer_catalog.create_namespace(f"{namespace}_empty")
    writer_catalog.create_table(
        f"{namespace}.events",
        schema=Schema(
            NestedField(1, "id", LongType(), required=True),
            NestedField(
                2, "tags", ListType(3, StringType(), element_required=False), required=False
            ),
            NestedField(
                4,
                "point",
                StructType(
                    NestedField(5, "x", DoubleType(), required=False),
                    NestedField(6, "y", IntegerType(), required=False),
                ),
                required=False,
            ),
        ),
    )
    yield namespace
    drop_namespace(writer_catalog, namespace)
    drop_namespace(writer_catalog, f"{namespace}_empty")


def test_tables_lists_every_catalog_namespace_table_and_column(floe: Floe) -> None:
    text = floe.ok("tables").out
    lines = text.splitlines()
    at = lines.index("lake.default.flowers")
    shown = [tuple(line.split()) for line in lines[at + 1 : at + 6]]
    assert shown == FLOWER_COLUMNS


def test_tables_of_one_namespace_with_nested_types(floe: Floe, nested_table: str) -> None:
    text = floe.ok("tables", "lake", "--namespace", nested_table).out
    assert text.splitlines() == [
        f"lake.{nested_table}.events",
        "  id     long  not null",
        "  tags   list<string>",
        "  point  struct<x: double, y: int>",
    ]
    everything = floe.ok("tables", "lake").out
    assert f"lake.{nested_table}_empty (no tables)" in everything
    assert f"lake.{nested_table}.events" in everything
    assert "lake.default.flowers" in everything


def test_tables_json(floe: Floe) -> None:
    found = floe.json("tables", "lake", "--namespace", "default")
    [catalog] = found["catalogs"]
    assert catalog["catalog"] == "lake"
    [namespace] = catalog["namespaces"]
    flowers = next(t for t in namespace["tables"] if t["table"] == "flowers")
    assert [(c["name"], c["type"]) for c in flowers["columns"]] == FLOWER_COLUMNS
    assert all(c["required"] is False for c in flowers["columns"])


def test_tables_unknown_catalog_and_namespace(floe: Floe) -> None:
    catalog = floe("tables", "nope")
    assert catalog.code == 1, str(catalog)
    assert "error[CATALOG_NOT_FOUND]" in catalog.err
    namespace = floe("tables", "lake", "--namespace", "nope")
    assert namespace.code == 1, str(namespace)
    assert "error[NAMESPACE_NOT_FOUND]" in namespace.err
