"""The result stream: oldest-compat Arrow types, Polars dtypes in metadata, bounded batches."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

from floe_run import Harness

TYPED_SCRIPT = """
import datetime as dt
from decimal import Decimal

result = pl.DataFrame(
    {
        "day": [dt.date(2024, 2, 29), None],
        "at": [dt.datetime(2024, 2, 29, 12, 30), None],
        "at_tz": pl.Series([dt.datetime(2024, 2, 29, 12, 30), None]).dt.replace_time_zone(
            "Europe/Amsterdam"
        ),
        "price": pl.Series([Decimal("12.34"), None], dtype=pl.Decimal(10, 2)),
        "tags": [[1, 2], None],
        "point": [{"x": 1.5, "label": "a"}, None],
        "ok": [True, None],
        "ratio": [float("nan"), None],
        "big": [2**62 + 1, None],
        "text": ["é", None],
        "kind": pl.Series(["a", "b"], dtype=pl.Categorical),
        "level": pl.Series(["lo", "hi"], dtype=pl.Enum(["lo", "hi"])),
        "kinds": pl.Series([["a"], ["b"]], dtype=pl.List(pl.Categorical)),
    }
)
"""


def test_types_survive_with_their_polars_dtypes(harness: Harness) -> None:
    run = harness.script(TYPED_SCRIPT)

    assert run.polars_dtypes == [
        "Date",
        "Datetime(time_unit='us', time_zone=None)",
        "Datetime(time_unit='us', time_zone='Europe/Amsterdam')",
        "Decimal(precision=10, scale=2)",
        "List(Int64)",
        "Struct({'x': Float64, 'label': String})",
        "Boolean",
        "Float64",
        "Int64",
        "String",
        "Categorical",
        "Enum(categories=['lo', 'hi'])",
        "List(Categorical)",
    ]
    assert [str(field.type) for field in run.schema] == [
        "date32[day]",
        "timestamp[us]",
        "timestamp[us, tz=Europe/Amsterdam]",
        "decimal128(10, 2)",
        "large_list<item: int64>",
        "struct<x: double, label: large_string>",
        "bool",
        "double",
        "int64",
        "large_string",
        "large_string",
        "large_string",
        "large_list<item: large_string>",
    ]
    first, second = run.rows
    assert first["day"] == dt.date(2024, 2, 29)
    assert first["at"] == dt.datetime(2024, 2, 29, 12, 30)
    assert first["at_tz"] == dt.datetime(2024, 2, 29, 11, 30, tzinfo=dt.UTC)
    assert first["price"] == Decimal("12.34")
    assert first["tags"] == [1, 2]
    assert first["point"] == {"x": 1.5, "label": "a"}
    assert first["ok"] is True
    assert math.isnan(first["ratio"])
    assert first["big"] == 2**62 + 1
    assert (first["text"], first["kind"], first["level"], first["kinds"]) == ("é", "a", "lo", ["a"])
    assert all(second[name] is None for name in second if name not in ("kind", "level", "kinds"))


def test_batches_hold_at_most_65536_rows(harness: Harness) -> None:
    run = harness.script("result = pl.DataFrame({'i': pl.arange(0, 150_000, eager=True)})")

    sizes = [batch.num_rows for batch in run.batches]
    assert sum(sizes) == 150_000
    assert max(sizes) <= 65_536


def test_empty_result_keeps_its_schema(harness: Harness) -> None:
    run = harness.query("SELECT species FROM flowers WHERE petal_length > 100")

    assert run.rows == []
    assert run.polars_dtypes == ["String"]


def test_python_objects_are_refused(harness: Harness) -> None:
    run = harness.script("result = pl.DataFrame({'o': [object()]}, schema={'o': pl.Object})")

    assert run.error_code == "RESULT_WRONG_TYPE"
    assert run.message.startswith("Column 'o' of `result` holds Python objects (Object)")
