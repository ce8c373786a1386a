"""A dry run's scan estimates: what Polars pushes into each Iceberg scan, planned from manifests."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from isolated import run_isolated
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.expressions.parser import parse
from pyiceberg.table import Table

from floe_harness.explain import describe, plan


@pytest.fixture(scope="module")
def parted(tmp_path_factory: pytest.TempPathFactory) -> Table:
    """Three days, one data file each (identity partition on day)."""
    root = tmp_path_factory.mktemp("explain")
    catalog = SqlCatalog("t", uri=f"sqlite:///{root}/c.db", warehouse=f"file://{root}/wh")
    catalog.create_namespace("ns")
    data = pa.table(
        {
            "day": pa.array([1, 1, 2, 2, 3, 3], pa.int32()),
            "x": pa.array([1, 2, 3, 4, 5, 6], pa.int64()),
            "s": ["a", "b", "c", "d", "e", "f"],
        }
    )
    table = catalog.create_table("ns.t", schema=data.schema)
    with table.update_spec() as spec:
        spec.add_identity("day")
    for day in (1, 2, 3):
        table.append(data.filter(pc.equal(data["day"], day)))
    return catalog.load_table("ns.t")


def test_filters_read_as_sql() -> None:
    assert describe(parse("day = 2 AND x > 4")) == "(day = 2) AND (x > 4)"
    assert describe(parse("s IN ('b', 'a') OR x IS NULL")) == "(s IN ('a', 'b')) OR (x IS NULL)"
    assert describe(parse("NOT s = 'it''s'")) == "NOT (s = 'it''s')"


def test_a_partition_filter_prunes_files_from_the_manifests(parted: Table) -> None:
    files = list(parted.scan().plan_files())
    day2 = [f for f in files if f.file.partition[0] == 2]
    scan = plan(parted, None, ["s", "day"], parse("day = 2"))
    assert scan.columns == ["s", "day"]
    assert scan.filter == "day = 2"
    assert scan.left.data_files == 1
    assert scan.left.bytes == day2[0].file.file_size_in_bytes
    assert scan.left.records == 2
    assert scan.snapshot is not None
    assert scan.snapshot.data_files == 3
    assert scan.snapshot.records == 6
    assert scan.snapshot.bytes == sum(f.file.file_size_in_bytes for f in files)


def test_column_metrics_prune_too_and_no_filter_reads_everything(parted: Table) -> None:
    assert plan(parted, None, None, parse("x > 4")).left.data_files == 1  # only day 3
    whole = plan(parted, None, None, None)
    assert whole.filter is None
    assert whole.columns == ["day", "x", "s"]
    assert whole.left.data_files == 3


def test_polars_tells_each_scan_with_its_pushed_down_filter(parted: Table) -> None:
    # Through the Polars internals wrapped in floe_harness/polars_private.py: this fails loudly
    # on a Polars that resolves Iceberg scans another way.
    out = run_isolated(
        "import polars as pl\n"
        "from pyiceberg.table import StaticTable\n"
        "from floe_harness.explain import ScanRecorder\n"
        "recorder = ScanRecorder.install()\n"
        f"t = StaticTable.from_metadata({parted.metadata_location!r})\n"
        "lf = pl.scan_iceberg(t).filter((pl.col('day') == 2) & (pl.col('x') < 6)).select('s')\n"
        "lf.explain()\n"
        "(scan,) = recorder.scans\n"
        "print(scan.filter, sorted(scan.columns), scan.left.data_files, scan.left.records)\n"
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "(day = 2) AND (x < 6) ['day', 's', 'x'] 1 2"
