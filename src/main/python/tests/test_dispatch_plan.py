"""The dispatcher's check of a sandbox's plan: what passes, what is refused, and why."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from floe_dispatch.plan import PlanRefused, SandboxPlan, parse, runnable
from floe_harness.distributed import StandIns, write_plan
from floe_harness.job import GrantedTable

FLOWERS = GrantedTable("default.flowers", 42, "/lake/default/flowers/metadata/v3.metadata.json")
OTHER = GrantedTable("default.other", 7, "/lake/default/other/metadata/v1.metadata.json")
SCHEMA = pl.Schema({"species": pl.String, "petal_length": pl.Float64, "n": pl.Int64})
TRUSTED = {"Scan": {"trusted": True}}


def _document(tmp_path: Path, build: Any, tables: list[GrantedTable] | None = None) -> str:
    stand_ins = StandIns()
    frames = [stand_ins.frame(t, SCHEMA) for t in (tables or [FLOWERS])]
    frame = build(*frames)
    path = tmp_path / "plan.json"
    write_plan(frame, frame.collect_schema(), stand_ins, path)
    return path.read_text(encoding="utf-8")


def _scans(plan: Any) -> list[Any]:
    found: list[Any] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "Scan" in node:
                found.append(node["Scan"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(plan)
    return found


LEGITIMATE = {
    "sql": lambda t: pl.SQLContext({"flowers": t}).execute(
        "SELECT species, avg(petal_length) AS p, count(*) AS c FROM flowers "
        "WHERE n > 1 GROUP BY species ORDER BY p DESC LIMIT 2",
        eager=False,
    ),
    "expressions": lambda t: t.with_columns(
        pl.when(pl.col("n") > 2).then(pl.lit("big")).otherwise(pl.lit("small")).alias("size"),
        pl.col("species").str.to_uppercase().str.slice(0, 3).alias("code"),
        pl.col("petal_length").rank().over("species").alias("rank"),
        pl.col("petal_length").rolling_mean(3).alias("rolling"),
    ).filter(pl.col("species").is_in(["setosa", "virginica"])),
    "join_and_union": lambda a, b: pl.concat(
        [a.join(b, on="species", how="left", suffix="_b").select(SCHEMA.names()), a]
    ).unique(),
    "group_by_dynamic_literal": lambda t: (
        t.group_by("species")
        .agg(pl.col("petal_length").quantile(0.9), pl.len())
        .join(pl.LazyFrame({"species": ["setosa"], "label": ["s"]}), on="species")
    ),
}


@pytest.mark.parametrize("name", sorted(LEGITIMATE))
def test_polars_own_steps_pass_and_every_stand_in_becomes_the_trusted_scan(
    tmp_path: Path, name: str
) -> None:
    build = LEGITIMATE[name]
    tables = [FLOWERS, OTHER] if build.__code__.co_argcount == 2 else [FLOWERS]
    sandbox = parse(_document(tmp_path, build, tables))
    asked: list[GrantedTable] = []

    def trusted_scan(granted: GrantedTable) -> Any:
        asked.append(granted)
        return TRUSTED

    plan = runnable(sandbox, [FLOWERS, OTHER], trusted_scan)

    assert {g.identifier for g in asked} == {t.identifier for t in tables}
    assert all(scan == TRUSTED["Scan"] for scan in _scans(plan))
    assert "/floe-distributed/" not in json.dumps(plan)


def test_a_stand_in_for_a_table_the_run_was_not_granted_is_refused(tmp_path: Path) -> None:
    sandbox = parse(_document(tmp_path, lambda a, b: a.join(b, on="species"), [FLOWERS, OTHER]))

    with pytest.raises(PlanRefused, match=r"reads table 'default\.other' at a snapshot this run"):
        runnable(sandbox, [FLOWERS], lambda g: TRUSTED)


def test_the_same_table_at_another_snapshot_is_not_granted_either(tmp_path: Path) -> None:
    sandbox = parse(_document(tmp_path, lambda t: t))
    other_snapshot = [GrantedTable(FLOWERS.identifier, 43, FLOWERS.metadata_location)]

    with pytest.raises(PlanRefused, match=r"reads table 'default\.flowers' at a snapshot"):
        runnable(sandbox, other_snapshot, lambda g: TRUSTED)


def test_a_direct_file_scan_is_refused(tmp_path: Path) -> None:
    sandbox = parse(
        _document(
            tmp_path,
            lambda t: pl.concat(
                [t, pl.scan_parquet("/etc/floe/secret.parquet", schema=SCHEMA, glob=False)]
            ),
        )
    )

    with pytest.raises(PlanRefused, match="reads files or data sources directly"):
        runnable(sandbox, [FLOWERS], lambda g: TRUSTED)


def test_sql_that_reads_files_itself_is_refused(tmp_path: Path) -> None:
    # The sandbox reads the file while planning (its own files); the cluster must not.
    elsewhere = tmp_path / "elsewhere.parquet"
    pl.DataFrame(schema=SCHEMA).write_parquet(elsewhere)
    sandbox = parse(
        _document(
            tmp_path,
            lambda t: pl.SQLContext({"flowers": t}).execute(
                f"SELECT * FROM flowers UNION ALL SELECT * FROM read_parquet('{elsewhere}')",
                eager=False,
            ),
        )
    )

    with pytest.raises(PlanRefused, match=r"The SQL reads files itself \(read_parquet\)"):
        runnable(sandbox, [FLOWERS], lambda g: TRUSTED)


@pytest.mark.parametrize(
    "sql",
    [
        {"query": "SELECT * FROM READ_PARQUET ('/x.parquet')", "relations": []},
        {"query": "SELECT * FROM \"read_csv\"('/x.csv')", "relations": []},
        {"query": "SELECT * FROM `scan_ipc`('/x.arrow')", "relations": []},
        # A comment before the parenthesis, a qualified name, the struct as a sequence.
        {"query": "SELECT * FROM read_parquet/**/('/x.parquet')", "relations": []},
        {"query": "SELECT * FROM read_parquet.x('/lake/*.parquet')", "relations": []},
        ["SELECT * FROM read_parquet('/x.parquet')", []],
    ],
)
def test_table_functions_are_found_however_they_are_written(sql: Any) -> None:
    with pytest.raises(PlanRefused, match="The SQL reads files itself"):
        runnable(SandboxPlan({"SQL": sql}, {}, []), [], lambda g: TRUSTED)


@pytest.mark.parametrize(
    ("sql", "said"),
    [
        ({"query": 'SELECT * FROM U&"\\0072ead_csv"(1)', "relations": []}, "Unicode-escaped"),
        (
            {"query": "SELECT * FROM t", "relations": [], "catalog_tables": [["t", "x"]]},
            "a catalog of its own",
        ),
    ],
)
def test_sql_that_could_name_other_data_is_refused(sql: Any, said: str) -> None:
    with pytest.raises(PlanRefused, match=said):
        runnable(SandboxPlan({"SQL": sql}, {}, []), [], lambda g: TRUSTED)


def test_column_names_that_look_like_code_are_only_names(tmp_path: Path) -> None:
    frame = pl.LazyFrame({"callback_url": ["x"], "is_anonymous": [True], "udf_id": [1]})
    plan = json.loads(
        frame.with_columns(pl.struct("callback_url", "udf_id").alias("plugin_info")).serialize(
            format="json"
        )
    )

    runnable(SandboxPlan(plan, {}, []), [], lambda g: TRUSTED)


@pytest.mark.parametrize(
    "payload",
    [
        [128, 5, 149, 1, 0],  # a bare pickle
        [1, 11, 7, 128, 4, 149, 1],  # Polars 2.x: cloudpickle flag, Python minor, micro, pickle
    ],
)
def test_pickled_bytes_are_refused_wherever_they_sit(payload: list[int]) -> None:
    plan = {"GroupBy": {"input": {"DataFrameScan": {}}, "apply": [payload, {"fields": {}}]}}

    with pytest.raises(PlanRefused, match="a pickled Python object"):
        runnable(SandboxPlan(plan, {}, []), [], lambda g: TRUSTED)


def test_many_stand_ins_for_one_table_cost_one_trusted_scan(tmp_path: Path) -> None:
    paths = {
        f"/floe-distributed/{i}/default.flowers@42.parquet": ("default.flowers", 42)
        for i in range(50)
    }
    plan = {"Union": {"inputs": [{"Scan": {"sources": {"Paths": [{"inner": p}]}}} for p in paths]}}
    built: list[GrantedTable] = []

    def trusted_scan(granted: GrantedTable) -> Any:
        built.append(granted)
        return TRUSTED

    runnable(SandboxPlan(plan, paths, []), [FLOWERS], trusted_scan)
    assert len(built) == 1


def _forged(tmp_path: Path, node: dict[str, Any]) -> SandboxPlan:
    """A sandbox that wrote its own plan: the stand-in wrapped in a hand-made node."""
    document = json.loads(_document(tmp_path, lambda t: t))
    scan = json.loads(document["plan"])
    document["plan"] = json.dumps({**node, "input": scan} if "input" not in node else node)
    return parse(json.dumps(document))


@pytest.mark.parametrize(
    ("node", "construct"),
    [
        ({"MapFunction": {"function": {"OpaquePython": [1, 2]}}}, "a OpaquePython step"),
        (
            {"Select": {"expr": [{"AnonymousFunction": {"input": []}}]}},
            "a AnonymousFunction step",
        ),
        (
            {"Union": {"inputs": [{"Scan": {"scan_type": {"PythonDataset": {}}}}]}},
            "directly",
        ),
        ({"Union": {"inputs": [{"Scan": {"sources": {"Buffer": [1]}}}]}}, "directly"),
        ({"Select": {"expr": [{"Literal": [80, 76, 80, 89, 70, 78, 128, 5]}]}}, "a pickled"),
        ({"Select": {"expr": [{"Function": {"PluginFunction": {"lib": "/x.so"}}}]}}, "Plugin"),
    ],
)
def test_python_and_native_code_in_a_forged_plan_is_refused(
    tmp_path: Path, node: dict[str, Any], construct: str
) -> None:
    sandbox = _forged(tmp_path, node)

    with pytest.raises(PlanRefused) as refused:
        runnable(sandbox, [FLOWERS], lambda g: TRUSTED)
    assert construct in str(refused.value)


def test_a_sink_in_the_plan_is_refused(tmp_path: Path) -> None:
    sandbox = _forged(tmp_path, {"Sink": {"payload": {"File": {"target": "/tmp/out"}}}})

    with pytest.raises(PlanRefused, match=r"writes its result somewhere itself"):
        runnable(sandbox, [FLOWERS], lambda g: TRUSTED)


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        json.dumps({"type": "result"}),
        json.dumps({"type": "distributed_plan", "version": 99}),
        json.dumps({"type": "distributed_plan", "version": 1, "plan": "{}", "tables": [{}]}),
        json.dumps(
            {
                "type": "distributed_plan",
                "version": 1,
                "plan": "{}",
                "tables": [{"path": "/p", "identifier": "a.b", "snapshot_id": "12; DROP"}],
                "column_types": [],
            }
        ),
    ],
)
def test_a_plan_document_that_is_not_one_is_refused(text: str) -> None:
    with pytest.raises(PlanRefused, match="The run's plan could not be read"):
        parse(text)


def test_the_walk_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("floe_dispatch.plan.MAX_DEPTH", 50)
    deep: Any = {"leaf": 1}
    for _ in range(100):
        deep = {"Wrap": deep}

    with pytest.raises(PlanRefused, match="nested more than 50 levels"):
        runnable(SandboxPlan(deep, {}, []), [], lambda g: TRUSTED)


def test_a_runnable_plan_reads_back_in_polars(tmp_path: Path) -> None:
    """With a real trusted scan (a literal frame here), the grafted plan deserializes and runs."""
    sandbox = parse(_document(tmp_path, lambda t: t.filter(pl.col("n") > 1).select("species")))
    literal = pl.LazyFrame(
        {"species": ["a", "b"], "petal_length": [1.0, 2.0], "n": [1, 2]}, schema=SCHEMA
    )
    with pytest.warns(UserWarning, match="deprecated"):
        trusted = json.loads(literal.serialize(format="json"))

    plan = runnable(sandbox, [FLOWERS], lambda g: trusted)

    frame = pl.LazyFrame.deserialize(io.StringIO(json.dumps(plan)), format="json")
    assert frame.collect().to_dict(as_series=False) == {"species": ["b"]}
