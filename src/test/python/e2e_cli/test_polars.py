"""`floe polars`: queries, every workload flag, scripts from a file and from stdin, errors shown on
the user's own line, and saves."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pyiceberg.catalog import Catalog

from conftest import FLOWERS, GROUPED, Floe

FOOTER = re.compile(r"^3 rows · \d+(\.\d+)?(ms|s) · run r-[0-9a-f-]+$")


def test_readme_example_prints_a_typed_table(floe: Floe) -> None:
    result = floe.ok("polars", GROUPED, "--table", FLOWERS)
    lines = result.out.splitlines()
    assert lines[:6] == [
        "species    │ avg_petal_length",
        "String     │ Float64",
        "───────────┼─────────────────",
        "setosa     │            1.462",
        "versicolor │             4.26",
        "virginica  │            5.552",
    ]
    assert FOOTER.match(lines[6]), lines[6]
    assert len(lines) == 7
    assert result.err == ""  # no spinner, no notes: stderr is not a terminal


def test_json_output_is_the_servers_answer(floe: Floe, grouped_json: dict[str, Any]) -> None:
    assert grouped_json["success"] is True
    assert grouped_json["results"]["columns"] == ["species", "avg_petal_length"]
    assert grouped_json["results"]["column_types"] == ["String", "Float64"]
    rows = grouped_json["results"]["rows"]
    assert [r[0] for r in rows] == ["setosa", "versicolor", "virginica"]
    assert abs(rows[0][1] - 1.462) < 1e-9
    assert grouped_json["row_count"] == 3
    assert grouped_json["truncated"] is False
    assert grouped_json["saved"] is None
    assert grouped_json["compute"]["mode"] == "local"
    assert grouped_json["run_id"].startswith("r-")


def test_table_flag_repeats(floe: Floe) -> None:
    answer = floe.json(
        "polars",
        "SELECT (SELECT COUNT(*) FROM f) + (SELECT COUNT(*) FROM g) AS n",
        "--table",
        "f=default.flowers",
        "--table",
        "g=default.flowers",
    )
    assert answer["results"]["rows"] == [[300]]


def test_plain_namespace_table_binding(floe: Floe) -> None:
    answer = floe.json("polars", "SELECT COUNT(*) AS n FROM flowers", "--table", "default.flowers")
    assert answer["results"]["rows"] == [[150]]


def test_catalog_flag_by_name_alias_and_unknown(floe: Floe) -> None:
    for name in ("lake", "oleander"):
        answer = floe.json(
            "polars", "SELECT COUNT(*) AS n FROM flowers", "--table", FLOWERS, "--catalog", name
        )
        assert answer["results"]["rows"] == [[150]], name
    unknown = floe("polars", "SELECT 1", "--table", FLOWERS, "--catalog", "nope")
    assert unknown.code == 1, str(unknown)
    assert "error[CATALOG_NOT_FOUND]" in unknown.err
    assert "lake" in unknown.err


def test_max_rows_truncates_and_says_so(floe: Floe) -> None:
    table = floe.ok("polars", "SELECT * FROM flowers", "--table", FLOWERS, "--max-rows", "5")
    lines = table.out.splitlines()
    assert len(lines) == 3 + 5 + 2, table.out  # header, types, rule, 5 rows, footer, note
    assert lines[-2].startswith("150 rows · ")
    assert "first 5 of 150 rows" in lines[-1] and "--max-rows" in lines[-1]
    answer = floe.json("polars", "SELECT * FROM flowers", "--table", FLOWERS, "--max-rows", "5")
    assert answer["truncated"] is True
    assert answer["row_count"] == 150
    assert len(answer["results"]["rows"]) == 5


def test_vcpus_reaches_the_run(floe: Floe) -> None:
    script = "result = pl.DataFrame({'threads': [pl.thread_pool_size()]})\n"
    answer = floe.json("polars", "--script", "-", "--vcpus", "1", stdin=script)
    assert answer["results"]["rows"] == [[1]]


def test_instance_type_and_cluster_size_need_distributed(floe: Floe) -> None:
    # They size the distributed engine's cluster: without --distributed(-auto) they are refused.
    local = floe("polars", "SELECT 1 AS x", "--instance-type", "t4g.medium", "--cluster-size", "2")
    assert local.code == 1, str(local)
    assert "error[INVALID_REQUEST]" in local.err
    assert "Cannot use instanceType without distributed" in local.err


def test_distributed_auto_runs_locally_on_a_server_without_an_engine_and_says_why(
    floe: Floe,
) -> None:
    answer = floe.json(
        "polars", "SELECT 1 AS x", "--distributed-auto", "--instance-type", "t4g.medium"
    )
    assert answer["compute"]["mode"] == "local"
    assert answer["compute"]["reason"].startswith(
        "auto: this server has no distributed engine configured"
    )


# --- scripts -------------------------------------------------------------------------------------

PARAM_TYPES = """\
rows = [(k, type(v).__name__, repr(v)) for k, v in sorted(params.items())]
result = pl.DataFrame(rows, schema=["key", "type", "value"], orient="row")
"""


def test_script_file_with_params_parsed_as_json_or_string(floe: Floe, tmp_path: Path) -> None:
    script = tmp_path / "job.py"
    script.write_text(PARAM_TYPES)
    answer = floe.json(
        "polars",
        "--script",
        str(script),
        "--param",
        "n=2",
        "--param",
        "ratio=0.5",
        "--param",
        "flag=true",
        "--param",
        "ids=[1,2]",
        "--param",
        'cfg={"a": 1}',
        "--param",
        'quoted="2"',
        "--param",
        "species=setosa",
        "--param",
        "nothing=null",
    )
    assert answer["results"]["rows"] == [
        ["cfg", "dict", "{'a': 1}"],
        ["flag", "bool", "True"],
        ["ids", "list", "[1, 2]"],
        ["n", "int", "2"],
        ["nothing", "NoneType", "None"],
        ["quoted", "str", "'2'"],
        ["ratio", "float", "0.5"],
        ["species", "str", "'setosa'"],
    ]


def test_script_from_stdin(floe: Floe) -> None:
    script = (
        "result = scan('default.flowers').filter(pl.col('petal_length') > params['min'])"
        ".select(pl.len().alias('n'))\n"
    )
    answer = floe.json("polars", "--script", "-", "--param", "min=6", stdin=script)
    assert answer["results"]["rows"] == [[9]]


def test_script_output_goes_to_stderr(floe: Floe) -> None:
    script = "print('hello from the script')\nresult = pl.DataFrame({'a': [1]})\n"
    result = floe.ok("polars", "--script", "-", stdin=script)
    assert "hello from the script" in result.err
    assert "hello" not in result.out


def test_script_error_shows_the_users_line(floe: Floe, tmp_path: Path) -> None:
    script = tmp_path / "job.py"
    script.write_text("x = 1\ndenominator = 0\ny = x / denominator\nresult = y\n")
    result = floe("polars", "--script", str(script), cwd=tmp_path)
    assert result.code == 1, str(result)
    err = result.err
    assert err.startswith("error[SCRIPT_ERROR]: The script raised ZeroDivisionError at line 3")
    assert f" --> {script}:3\n" in err
    assert "2 | denominator = 0\n" in err
    assert "3 | y = x / denominator\n" in err
    assert "  | ^^^^^^^^^^^^^^^^^^^\n" in err
    assert "details:" in err and "ZeroDivisionError: division by zero" in err
    assert result.out == ""


def test_script_syntax_error_points_at_the_column(floe: Floe) -> None:
    result = floe("polars", "--script", "-", stdin="x = 1\nresult = pl.DataFrame({'a': [1]}\n")
    assert result.code == 1, str(result)
    assert "error[SCRIPT_SYNTAX]" in result.err
    lines = result.err.splitlines()
    at = lines.index("2 | result = pl.DataFrame({'a': [1]}")
    assert lines[at - 3 : at] == [" --> <stdin>:2:22", "  |", "1 | x = 1"]
    assert lines[at + 1] == "  |                      ^"


def test_sql_syntax_error_points_into_the_query(floe: Floe) -> None:
    result = floe("polars", "SELEC 1")
    assert result.code == 1, str(result)
    assert "error[SQL_SYNTAX]" in result.err
    assert " --> <query>:1:1\n  |\n1 | SELEC 1\n  | ^\n" in result.err


def test_script_that_never_assigns_result(floe: Floe) -> None:
    result = floe("polars", "--script", "-", stdin="x = 1\n")
    assert result.code == 1, str(result)
    assert "error[RESULT_NOT_ASSIGNED]" in result.err
    assert "result" in result.err


def test_output_printed_before_a_failure_is_shown(floe: Floe) -> None:
    result = floe(
        "polars", "--script", "-", stdin="print('got this far')\nraise ValueError('no')\n"
    )
    assert result.code == 1, str(result)
    assert "output of the run:\ngot this far" in result.err
    assert "error[SCRIPT_ERROR]" in result.err
    assert "1 | print('got this far')\n2 | raise ValueError('no')" in result.err


# --- saves ---------------------------------------------------------------------------------------


def _count(floe: Floe, table: str) -> int:
    answer = floe.json("polars", "SELECT COUNT(*) AS n FROM t", "--table", f"t={table}")
    count: int = answer["results"]["rows"][0][0]
    return count


def test_save_overwrite_append_overwrite(floe: Floe, save_namespace: str) -> None:
    table = f"{save_namespace}.setosa"
    query = "SELECT * FROM flowers WHERE species = 'setosa'"
    first = floe.ok("polars", query, "--table", FLOWERS, "--save", table)
    assert re.search(rf"^saved 50 rows to {table} \(overwrite, snapshot \d+\)$", first.out, re.M)
    assert _count(floe, table) == 50
    appended = floe.json(
        "polars", query, "--table", FLOWERS, "--save", table, "--save-mode", "append"
    )
    assert appended["saved"]["mode"] == "append"
    assert appended["saved"]["rows_written"] == 50
    assert _count(floe, table) == 100
    floe.ok("polars", query, "--table", FLOWERS, "--save", table, "--save-mode", "overwrite")
    assert _count(floe, table) == 50


def test_schema_modes(floe: Floe, save_namespace: str, writer_catalog: Catalog) -> None:
    table = f"{save_namespace}.evolving"
    floe.ok("polars", "SELECT 1 AS a", "--save", table)
    wider = "SELECT 2 AS a, 'x' AS b"
    strict = floe(
        "polars", wider, "--save", table, "--save-mode", "append", "--schema-mode", "strict"
    )
    assert strict.code == 1, str(strict)
    assert "error[SCHEMA_MISMATCH]" in strict.err
    assert "b" in strict.err
    floe.ok("polars", wider, "--save", table, "--save-mode", "append", "--schema-mode", "merge")
    names = [f.name for f in writer_catalog.load_table(table).schema().fields]
    assert names == ["a", "b"]
    assert _count(floe, table) == 2


def test_profile_prints_each_plan_node_after_the_result_and_runs_show_it_later(
    floe: Floe,
) -> None:
    # csv is built from the Arrow stream: the profile comes from the run's record.
    result = floe.ok("polars", GROUPED, "--table", FLOWERS, "--profile", "--output", "csv")
    assert result.out.splitlines()[0] == "species,avg_petal_length"
    assert re.search(r"^profile \([0-9.]+ ms in the engine\):$", result.err, re.M), result.err
    assert re.search(r"^group-by\s+[│|]\s+[0-9.]+\s+[│|]\s+150\s+[│|]\s+3$", result.err, re.M), result.err
    run_id = floe.json("runs", "list", "--limit", "1")["runs"][0]["run_id"]
    shown = floe.ok("runs", "show", run_id, "--profile").out
    assert re.search(r"^trace:\s+[0-9a-f]{32}$", shown, re.M), shown
    assert re.search(r"^group-by\s+[│|]", shown, re.M), shown
