"""The result as an Arrow IPC stream, in types every Arrow reader understands."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pyarrow as pa
from polars.datatypes import DataTypeClass

from floe_harness.errors import HarnessError

MAX_BATCH_ROWS = 65_536
POLARS_DTYPES_KEY = b"floe.polars_dtypes"


def write_result(df: pl.DataFrame, path: Path) -> None:
    # Recorded before the export casts, so readers still learn that a column was Categorical.
    polars_dtypes = json.dumps([str(dtype) for dtype in df.dtypes])
    for name, dtype in df.schema.items():
        if _holds_objects(dtype):
            raise HarnessError(
                "RESULT_WRONG_TYPE",
                f"Column '{name}' of `result` holds Python objects ({dtype}), which cannot be "
                "exported; convert it to a Polars type such as String or a Struct.",
            )
    exportable = df.with_columns(
        pl.col(name).cast(plain)
        for name, dtype in df.schema.items()
        if (plain := _plain(dtype)) != dtype
    )
    # The oldest compat level exports large_string/large_list and no view types.
    table = exportable.to_arrow(compat_level=pl.CompatLevel.oldest())
    metadata = {**(table.schema.metadata or {}), POLARS_DTYPES_KEY: polars_dtypes.encode()}
    table = table.replace_schema_metadata(metadata)
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_stream(sink, table.schema) as writer:
        for batch in table.to_batches(max_chunksize=MAX_BATCH_ROWS):
            writer.write_batch(batch)


def _plain(dtype: pl.DataType | DataTypeClass) -> pl.DataType | DataTypeClass:
    """``dtype`` with Categorical and Enum (at any depth) replaced by String."""
    if isinstance(dtype, pl.Categorical | pl.Enum):
        return pl.String()
    if isinstance(dtype, pl.List):
        return pl.List(_plain(dtype.inner))
    if isinstance(dtype, pl.Array):
        return pl.Array(_plain(dtype.inner), dtype.size)
    if isinstance(dtype, pl.Struct):
        return pl.Struct({field.name: _plain(field.dtype) for field in dtype.fields})
    return dtype


def _holds_objects(dtype: pl.DataType | DataTypeClass) -> bool:
    if isinstance(dtype, pl.Object):
        return True
    if isinstance(dtype, pl.List | pl.Array):
        return _holds_objects(dtype.inner)
    if isinstance(dtype, pl.Struct):
        return any(_holds_objects(field.dtype) for field in dtype.fields)
    return False
