"""Table rendering, value formatting, footers, schemas and error snippets."""

from __future__ import annotations

from typing import Any

import pytest

from floe_cli.render import (
    TIMES,
    compute_note,
    describe_compute,
    format_table,
    format_value,
    iceberg_type,
    result_footer,
    saved_line,
    source_snippet,
)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "null"),
        (True, "true"),
        (False, "false"),
        (3, "3"),
        (1.462, "1.462"),
        (5.5520000000000005, "5.552"),
        (0.30000000000000004, "0.3"),
        (1e-20, "1e-20"),
        (float("nan"), "NaN"),
        (float("inf"), "inf"),
        (float("-inf"), "-inf"),
        ("a\nb\tc", "a\\nb\\tc"),
        ([1, None, 3], "[1, null, 3]"),
        ({"x": 1, "y": "é"}, '{"x": 1, "y": "é"}'),
        ("12345678901234567890", "12345678901234567890"),
    ],
)
def test_format_value(value: Any, shown: str) -> None:
    assert format_value(value) == shown


def test_table_has_names_then_types_then_rows_with_numbers_right_aligned() -> None:
    text = format_table(
        ["species", "avg_petal_length"],
        [["setosa", 1.462], ["versicolor", 4.26], ["virginica", None]],
        ["String", "Float64"],
        unicode=False,
    )
    assert text.splitlines() == [
        "species    | avg_petal_length",
        "String     | Float64",
        "-----------+-----------------",
        "setosa     |            1.462",
        "versicolor |             4.26",
        "virginica  |             null",
    ]


def test_unicode_table_uses_box_characters() -> None:
    text = format_table(["n"], [[1]], ["Int64"], unicode=True)
    assert text.splitlines() == ["n", "Int64", "─────", "    1"]


def test_table_without_types_has_one_header_line() -> None:
    lines = format_table(["a", "b"], [["x", "y"]], unicode=False).splitlines()
    assert lines == ["a | b", "--+--", "x | y"]


def test_table_with_fewer_types_than_columns_keeps_every_cell() -> None:
    lines = format_table(["a", "b"], [[1, 2]], [], unicode=False).splitlines()
    assert lines[-1] == "1 | 2"


def test_long_cells_are_clipped_with_an_ellipsis() -> None:
    lines = format_table(["s"], [["x" * 100]], ["String"], unicode=True, max_cell=10).splitlines()
    assert lines[-1] == "x" * 9 + "…"
    ascii_lines = format_table(["s"], [["y" * 100]], None, unicode=False, max_cell=10).splitlines()
    assert ascii_lines[-1] == "y" * 7 + "..."


def test_empty_results() -> None:
    assert format_table([], []) == "(no columns)\n"
    lines = format_table(["a"], [], ["Int64"], unicode=False).splitlines()
    assert lines == ["a", "Int64", "-----"]


def test_footer_counts_time_and_run() -> None:
    response = {
        "results": {"rows": [[1], [2]]},
        "row_count": 2,
        "execution_time": "41ms",
        "run_id": "r-1",
        "truncated": False,
        "saved": None,
    }
    assert result_footer(response) == ["2 rows · 41ms · run r-1"]


SHAPE = f"t4g.medium {TIMES}2"
LOCAL = {
    "mode": "local",
    "distributed": False,
    "instanceType": None,
    "clusterSize": None,
    "target": None,
    "queryId": None,
    "reason": None,
}
DISTRIBUTED = {
    "mode": "distributed",
    "distributed": True,
    "instanceType": "t4g.medium",
    "clusterSize": 2,
    "target": "cloud",
    "queryId": "1b4e28ba-2fa1-11d2-883f-0016d3cca427",
    "reason": None,
}
AUTO_REASON = (
    "auto: the bound tables hold 3.6 KiB, within the threshold of 1.0 GiB "
    "(floe.distributed.auto-threshold-bytes)"
)


def _answer(compute: dict[str, Any] | None) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "results": {"rows": [[1], [2], [3]]},
        "row_count": 3,
        "execution_time": "412ms",
        "run_id": "r-1",
    }
    if compute is not None:
        answer["compute"] = compute
    return answer


def test_footer_of_a_local_run_is_unchanged() -> None:
    assert result_footer(_answer(LOCAL)) == ["3 rows · 412ms · run r-1"]
    assert result_footer(_answer(None)) == ["3 rows · 412ms · run r-1"]
    assert compute_note(_answer(LOCAL)) is None
    assert compute_note(_answer(None)) is None


def test_footer_of_a_distributed_run_says_where_it_ran() -> None:
    assert result_footer(_answer(DISTRIBUTED)) == [
        f"3 rows · 412ms · run r-1 · distributed on cloud ({SHAPE}), "
        "query 1b4e28ba-2fa1-11d2-883f-0016d3cca427"
    ]
    assert compute_note(_answer(DISTRIBUTED)) is None


def test_footer_of_an_auto_run_says_what_floe_chose() -> None:
    went_local = {**LOCAL, "reason": AUTO_REASON}
    assert result_footer(_answer(went_local)) == ["3 rows · 412ms · run r-1 · local"]
    assert compute_note(_answer(went_local)) == f"note: {AUTO_REASON}"
    went_distributed = {**DISTRIBUTED, "reason": "auto: the bound tables hold 2.0 GiB, above"}
    assert result_footer(_answer(went_distributed))[0].endswith(
        f" · run r-1 · distributed on cloud ({SHAPE}), query 1b4e28ba-2fa1-11d2-883f-0016d3cca427"
    )
    assert compute_note(_answer(went_distributed)) == (
        "note: auto: the bound tables hold 2.0 GiB, above"
    )


@pytest.mark.parametrize(
    ("compute", "described"),
    [
        (LOCAL, "local"),
        ({**DISTRIBUTED, "target": "on-prem"}, f"distributed on-prem ({SHAPE}), query "),
        ({**DISTRIBUTED, "instanceType": None}, f"distributed on cloud ({TIMES}2), query "),
        ({**DISTRIBUTED, "clusterSize": None}, "distributed on cloud (t4g.medium), query "),
        (
            {**DISTRIBUTED, "target": None, "instanceType": None, "clusterSize": None},
            "distributed, query ",
        ),
        ({**DISTRIBUTED, "queryId": None}, f"distributed on cloud ({SHAPE})"),
    ],
)
def test_describe_compute(compute: dict[str, Any], described: str) -> None:
    text = describe_compute(compute)
    if described.endswith("query "):
        assert text == described + str(DISTRIBUTED["queryId"])
    else:
        assert text == described


def test_footer_notes_truncation_with_the_full_count() -> None:
    response = {"results": {"rows": [[1], [2]]}, "row_count": 150, "truncated": True}
    footer = result_footer(response)
    assert footer[0] == "150 rows"
    assert "first 2 of 150 rows" in footer[1]
    assert "--max-rows" in footer[1] and "--output parquet" in footer[1]


def test_saved_line() -> None:
    saved = {"table": "a.b", "rows_written": 1, "mode": "append", "snapshot_id": "123"}
    assert saved_line(saved) == "saved 1 row to a.b (append, snapshot 123)"
    assert saved_line(None) is None


def test_iceberg_types_are_compact() -> None:
    assert iceberg_type("long") == "long"
    assert iceberg_type({"type": "list", "element-id": 3, "element": "string"}) == "list<string>"
    assert iceberg_type({"type": "map", "key": "string", "value": "int"}) == "map<string, int>"
    nested = {
        "type": "struct",
        "fields": [
            {"name": "a", "type": "int"},
            {"name": "b", "type": {"type": "list", "element": "double"}},
        ],
    }
    assert iceberg_type(nested) == "struct<a: int, b: list<double>>"


SCRIPT = "x = 1\n\ny = scan('t')\n    result = y / 0\n"


def test_snippet_marks_the_whole_statement_without_a_column() -> None:
    assert source_snippet(SCRIPT, "job.py", 4, None) == [
        " --> job.py:4",
        "  |",
        "3 | y = scan('t')",
        "4 |     result = y / 0",
        "  |     ^^^^^^^^^^^^^^",
    ]


def test_snippet_puts_a_caret_under_the_column() -> None:
    assert source_snippet("SELEC 1", "<query>", 1, 1) == [
        " --> <query>:1:1",
        "  |",
        "1 | SELEC 1",
        "  | ^",
    ]


def test_snippet_skips_a_blank_line_before() -> None:
    lines = source_snippet(SCRIPT, "job.py", 3, 5)
    assert lines[2:] == ["3 | y = scan('t')", "  |     ^"]


def test_snippet_gutter_widens_for_two_digit_lines() -> None:
    source = "\n".join(f"v{i} = {i}" for i in range(1, 13))
    lines = source_snippet(source, "s.py", 12, None)
    assert lines[0] == "  --> s.py:12"
    assert lines[2] == "11 | v11 = 11"
    assert lines[3] == "12 | v12 = 12"


def test_snippet_out_of_range_is_empty() -> None:
    assert source_snippet("x = 1", "s.py", 7, None) == []
    assert source_snippet("x = 1", "s.py", 0, None) == []


def test_colored_snippet_bolds_the_line() -> None:
    lines = source_snippet("y = 1/0", "s.py", 1, None, color=True)
    assert "\033[1my = 1/0\033[0m" in lines[2]
    assert "\033[31m" in lines[3]


def test_empty_last_cells_leave_no_dangling_separator() -> None:
    text = format_table(["a", "b", "c"], [["x", "", ""], ["y", "z", ""]], unicode=False)
    assert text.splitlines() == ["a | b | c", "--+---+--", "x", "y | z"]


def test_a_profile_is_a_table_of_nodes_with_numbers_right_aligned() -> None:
    from floe_cli.commands import profile_table

    text = profile_table(
        {
            "total_ms": 9.6,
            "nodes": [
                {"node": "group-by", "time_ms": 1.57, "rows_in": 150, "rows_out": 3},
                {"node": "multi-scan[parquet]", "time_ms": 12.5, "rows_in": 0, "rows_out": 150},
            ],
        },
        unicode=False,
    )
    assert text.splitlines()[0] == "profile (9.6 ms in the engine):"
    assert "group-by            |    1.57 |     150 |        3" in text.splitlines()
    assert profile_table(None, unicode=False).startswith("profile: none")
