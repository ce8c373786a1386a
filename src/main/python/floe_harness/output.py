"""The result as an Arrow IPC stream, in types every Arrow reader understands."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pyarrow as pa
from polars.datatypes import DataTypeClass

from floe_arrow import MAX_BATCH_ROWS, POLARS_DTYPES_KEY, to_arrow, write_stream
from floe_harness import distributed
from floe_harness.errors import HarnessError
from floe_harness.execute import Produced
from floe_harness.explain import PlannedScan, ScanRecorder
from floe_harness.job import Engine
from floe_harness.profile import Profile, profiled


def write_result(
    produced: Produced, path: Path, engine: Engine, profile: Profile | None = None
) -> None:
    """Compute the result and write it batch by batch.

    With the streaming engine each batch is written as soon as it exists (a streamed response
    starts before the last batch is computed); the in-memory engine computes the whole result
    first and gives the same numbers as a plain ``collect()``.
    """
    frame, schema = _exportable(produced)
    # Recorded before the export casts, so readers still learn that a column was Categorical.
    metadata = {POLARS_DTYPES_KEY: json.dumps([str(dtype) for dtype in schema.dtypes()]).encode()}
    batches = _batches(produced, frame, engine)
    empty = pl.DataFrame(schema=frame.collect_schema())
    if profile is None:
        write_stream(path, batches, empty, metadata)
        return
    # Profiled: the streaming engine's report of each node is kept while the result is computed.
    with profiled(profile):
        write_stream(path, batches, empty, metadata)


def _batches(produced: Produced, frame: pl.LazyFrame, engine: Engine) -> Iterator[pl.DataFrame]:
    """The result in batches; a failure computing them is the workload's, reported as such."""
    try:
        if engine == "streaming":
            computed: Iterator[pl.DataFrame] = iter(
                frame.collect_batches(chunk_size=MAX_BATCH_ROWS, engine="streaming")
            )
        else:
            computed = frame.collect().iter_slices(MAX_BATCH_ROWS)
        while True:
            batch = next(computed, None)
            if batch is None:
                return
            yield batch
    except Exception as exc:
        raise produced.failure(exc) from None


def write_plan(produced: Produced, path: Path, recorder: ScanRecorder) -> None:
    """A dry run: the output schema, the optimized plan, the snapshots read and each scan's
    estimate, and the result's Arrow schema (a save's check); nothing computed."""
    frame, schema = _exportable(produced)
    try:
        plan = produced.frame.explain()
    except Exception as exc:
        raise produced.failure(exc) from None
    locations = produced.scanner.locations
    plan_json = {
        "columns": list(schema.names()),
        "column_types": [str(dtype) for dtype in schema.dtypes()],
        "plan": plan,
        "scanned": [
            {"table": table, "snapshot_id": None if snap is None else str(snap)}
            for table, snap in produced.scanner.scanned.items()
        ],
        "reads": [
            _read(scan, locations.get(scan.location, scan.location)) for scan in recorder.scans
        ],
        # Typed as a real run's result would be (floe_arrow.write_stream), with no rows.
        "arrow_schema": base64.b64encode(
            _schema_stream(to_arrow(pl.DataFrame(schema=frame.collect_schema())).schema)
        ).decode("ascii"),
    }
    path.write_text(json.dumps(plan_json), encoding="utf-8")


def _read(scan: PlannedScan, table: str) -> dict[str, object]:
    whole = scan.snapshot
    return {
        "table": table,
        "snapshot_id": None if scan.snapshot_id is None else str(scan.snapshot_id),
        "columns": scan.columns,
        "filter": scan.filter,
        "data_files": scan.left.data_files,
        "bytes": str(scan.left.bytes),
        "records": str(scan.left.records),
        "snapshot_data_files": None if whole is None else whole.data_files,
        "snapshot_bytes": None if whole is None else str(whole.bytes),
        "snapshot_records": None if whole is None else str(whole.records),
    }


def _schema_stream(schema: pa.Schema) -> bytes:
    """An Arrow stream of no rows: the schema a save of the result would bring."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, schema):
        pass
    return bytes(sink.getvalue().to_pybytes())


def write_distributed_plan(produced: Produced, path: Path) -> None:
    """A distributed run: the plan over the tables' stand-ins, for the trusted dispatcher."""
    frame, schema = _exportable(produced)
    assert produced.scanner.stand_ins is not None
    distributed.write_plan(frame, schema, produced.scanner.stand_ins, path)


def _exportable(produced: Produced) -> tuple[pl.LazyFrame, pl.Schema]:
    """The frame with types every Arrow reader understands, and the schema users asked for."""
    try:
        schema = produced.frame.collect_schema()
    except Exception as exc:
        raise produced.failure(exc) from None
    for name, dtype in schema.items():
        if _holds_objects(dtype):
            raise HarnessError(
                "RESULT_WRONG_TYPE",
                f"Column '{name}' of `result` holds Python objects ({dtype}), which cannot be "
                "exported; convert it to a Polars type such as String or a Struct.",
            )
    casts = [
        pl.col(name).cast(plain)
        for name, dtype in schema.items()
        if (plain := _plain(dtype)) != dtype
    ]
    return (produced.frame.with_columns(casts) if casts else produced.frame), schema


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
