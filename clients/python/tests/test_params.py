"""Flag values: params, table bindings, numbers, and the request body built from them."""

from __future__ import annotations

import argparse
import io
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from floe_cli.client import FloeClient
from floe_cli.commands import Context, UsageError, workload_body
from floe_cli.main import build_parser
from floe_cli.output import Streams
from floe_cli.params import (
    BadArgument,
    check_scope,
    check_table_binding,
    duration_seconds,
    instant,
    parse_param,
    positive_int,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("limit=2", ("limit", 2)),
        ("ratio=0.5", ("ratio", 0.5)),
        ("flag=true", ("flag", True)),
        ("nothing=null", ("nothing", None)),
        ("ids=[1,2,3]", ("ids", [1, 2, 3])),
        ('obj={"a": 1}', ("obj", {"a": 1})),
        ('quoted="2"', ("quoted", "2")),
        ("species=setosa", ("species", "setosa")),
        ("expr=a=b", ("expr", "a=b")),
        ("empty=", ("empty", "")),
        (" key =1", ("key", 1)),
    ],
)
def test_param_value_is_json_when_it_parses_else_a_string(
    text: str, expected: tuple[str, Any]
) -> None:
    assert parse_param(text) == expected


@pytest.mark.parametrize("text", ["novalue", "=1", ""])
def test_param_without_key_is_refused(text: str) -> None:
    with pytest.raises(BadArgument, match="key=value"):
        parse_param(text)


def test_table_bindings() -> None:
    assert check_table_binding("f=default.flowers") == "f=default.flowers"
    assert check_table_binding("default.flowers") == "default.flowers"
    for bad in ("=default.flowers", "f=", " "):
        with pytest.raises(BadArgument, match=r"alias=namespace\.table"):
            check_table_binding(bad)


def test_positive_int() -> None:
    assert positive_int("3") == 3
    for bad in ("0", "-1", "x", "1.5"):
        with pytest.raises(BadArgument):
            positive_int(bad)


def _context() -> Context:
    return Context(FloeClient("http://localhost:1", None), Streams(io.StringIO(), io.StringIO()))


def _body(*argv: str) -> tuple[dict[str, Any], Context]:
    args = build_parser().parse_args(["polars", *argv])
    ctx = _context()
    return workload_body(args, ctx), ctx


def test_query_body_with_every_flag() -> None:
    body, ctx = _body(
        "SELECT * FROM f",
        "--table",
        "f=default.flowers",
        "--table",
        "g=default.other",
        "--param",
        "n=2",
        "--save",
        "a.b",
        "--save-mode",
        "append",
        "--schema-mode",
        "merge",
        "--catalog",
        "lake",
        "--job-name",
        "nightly",
        "--distributed",
        "--instance-type",
        "t4g.medium",
        "--cluster-size",
        "2",
        "--vcpus",
        "4",
        "--timeout",
        "30",
        "--max-rows",
        "5",
    )
    assert body == {
        "mode": "query",
        "query": "SELECT * FROM f",
        "tables": ["f=default.flowers", "g=default.other"],
        "params": {"n": 2},
        "destination": "a.b",
        "saveMode": "append",
        "schemaMode": "merge",
        "catalog": "lake",
        "jobName": "nightly",
        "distributed": True,
        "instanceType": "t4g.medium",
        "clusterSize": 2,
        "vcpus": 4,
        "limits": {"timeoutSeconds": 30, "maxRows": 5},
    }
    assert ctx.source is not None and ctx.source.name == "<query>"


def test_distributed_auto_sends_the_string_auto() -> None:
    body, _ = _body(
        "SELECT 1", "--distributed-auto", "--instance-type", "t4g.medium", "--cluster-size", "2"
    )
    assert body == {
        "mode": "query",
        "query": "SELECT 1",
        "distributed": "auto",
        "instanceType": "t4g.medium",
        "clusterSize": 2,
    }


def test_distributed_sends_true() -> None:
    body, _ = _body("SELECT 1", "--distributed")
    assert body == {"mode": "query", "query": "SELECT 1", "distributed": True}


def test_explain_takes_distributed_auto_too() -> None:
    args = build_parser().parse_args(["explain", "SELECT 1", "--distributed-auto"])
    assert workload_body(args, _context())["distributed"] == "auto"


@pytest.mark.parametrize(
    "argv",
    [
        ["polars", "SELECT 1", "--distributed", "--distributed-auto"],
        ["polars", "SELECT 1", "--distributed-auto", "--distributed"],
        ["explain", "SELECT 1", "--distributed", "--distributed-auto"],
    ],
)
def test_distributed_and_distributed_auto_exclude_each_other(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "not allowed with argument" in err
    assert "--distributed-auto" in err and "--distributed" in err


def test_polars_help_describes_the_distributed_flags(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # no line wrapped at a hyphen (On-Prem)
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(["polars", "--help"])
    assert exit_info.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "[--distributed | --distributed-auto]" in text
    assert "run on the distributed engine (Polars Cloud or On-Prem)" in text
    assert text.count("needs --distributed or --distributed-auto") == 2


def test_minimal_body_sends_no_absent_fields() -> None:
    body, _ = _body("SELECT 1")
    assert body == {"mode": "query", "query": "SELECT 1"}


def test_script_body_reads_the_file(tmp_path: Path) -> None:
    script = tmp_path / "job.py"
    script.write_text("result = pl.DataFrame({'a': [1]})\n")
    body, ctx = _body("--script", str(script))
    assert body == {"mode": "script", "script": "result = pl.DataFrame({'a': [1]})\n"}
    assert ctx.source is not None and ctx.source.name == str(script)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ((), "give a SQL query"),
        (("SELECT 1", "--script", "x.py"), "not both"),
        (("SELECT 1", "--save-mode", "append"), "add --save"),
        (("SELECT 1", "--schema-mode", "merge"), "add --save"),
        (("SELECT 1", "--param", "novalue"), "key=value"),
        (("--script", "/nonexistent/job.py"), "cannot read --script"),
    ],
)
def test_usage_errors(argv: tuple[str, ...], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        _body(*argv)


def test_argparse_refuses_bad_choices_and_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    parser = build_parser()
    for argv in (
        ["polars", "SELECT 1", "--save-mode", "replace"],
        ["polars", "SELECT 1", "--vcpus", "0"],
        ["polars", "SELECT 1", "--output", "xlsx"],
        ["polars", "SELECT 1", "--table", "=x"],
    ):
        with pytest.raises(SystemExit) as exit_info:
            parser.parse_args(argv)
        assert exit_info.value.code == 2
    assert "alias=namespace.table" in capsys.readouterr().err


def test_url_flag_works_before_and_after_the_command() -> None:
    parser = build_parser()
    before = parser.parse_args(["--url", "http://a:1", "polars", "SELECT 1"])
    after = parser.parse_args(["polars", "SELECT 1", "--url", "http://b:2"])
    neither = parser.parse_args(["polars", "SELECT 1"])
    assert isinstance(before, argparse.Namespace)
    assert (before.url, after.url, neither.url) == ("http://a:1", "http://b:2", None)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30m", 1800), ("2h", 7200), ("30d", 2592000), ("1d", 86400), (" 7d ", 604800)],
)
def test_duration_in_seconds(text: str, seconds: int) -> None:
    assert duration_seconds(text) == seconds


@pytest.mark.parametrize("text", ["30", "d", "3w", "1.5h", "-1d", "2 h", "1D", "", "30s"])
def test_bad_durations_name_the_forms(text: str) -> None:
    with pytest.raises(BadArgument, match=r"<n>m, <n>h or <n>d"):
        duration_seconds(text)


def test_zero_duration_is_refused() -> None:
    with pytest.raises(BadArgument, match="at least 1d"):
        duration_seconds("0d")


NOW = datetime(2024, 5, 1, 12, 0, 0, 250000, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("text", "sent"),
    [
        ("30m", "2024-05-01T11:30:00Z"),
        ("2h", "2024-05-01T10:00:00Z"),
        ("7d", "2024-04-24T12:00:00Z"),
        ("2024-04-30T08:15:00Z", "2024-04-30T08:15:00Z"),
        ("2024-04-30T08:15:00z", "2024-04-30T08:15:00Z"),
        ("2024-04-30T10:15:00+02:00", "2024-04-30T08:15:00Z"),
        ("2024-04-30T08:15:00.125Z", "2024-04-30T08:15:00.125000Z"),
        ("2024-04-30T08:15:00", "2024-04-30T08:15:00Z"),  # no offset: UTC
        ("2024-04-30", "2024-04-30T00:00:00Z"),
    ],
)
def test_instant_is_iso_or_a_duration_ago_sent_as_utc(text: str, sent: str) -> None:
    assert instant(text, now=NOW) == sent


def test_instant_ago_defaults_to_now() -> None:
    sent = instant("2h")
    at = datetime.fromisoformat(sent.replace("Z", "+00:00"))
    ago = datetime.now(timezone.utc) - at
    assert sent.endswith("Z")
    assert timedelta(hours=2) <= ago < timedelta(hours=2, seconds=30)


@pytest.mark.parametrize("text", ["yesterday", "2024-13-01", "2h ago", "", "3w", "12:00"])
def test_bad_instants_name_both_forms(text: str) -> None:
    with pytest.raises(BadArgument, match=r"neither an ISO-8601 instant .* nor a duration ago"):
        instant(text, now=NOW)


@pytest.mark.parametrize("text", ["lake", "lake.default", "lake.default.flowers"])
def test_scopes(text: str) -> None:
    assert check_scope(text) == text


@pytest.mark.parametrize("text", ["", "lake.", ".default", "lake..t", "a.b.c.d", "lake. x"])
def test_bad_scopes_name_the_forms(text: str) -> None:
    with pytest.raises(BadArgument, match=r"CATALOG, CATALOG\.NAMESPACE or"):
        check_scope(text)
