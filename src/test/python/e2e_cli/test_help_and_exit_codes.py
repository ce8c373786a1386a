"""The help text, and every exit code from the real process: 0 success, 1 the workload failed,
2 usage, 3 unreachable, 4 server error."""

from __future__ import annotations

import os
import re

import pytest

from conftest import FLOWERS, Floe

POLARS_FLAGS = [
    "--table",
    "--script",
    "--param",
    "--save",
    "--save-mode",
    "--catalog",
    "--distributed",
    "--distributed-auto",
    "--instance-type",
    "--cluster-size",
    "--vcpus",
    "--schema-mode",
    "--timeout",
    "--max-rows",
    "--output",
    "-o",
    "--async",
    "--idempotency-key",
    "--url",
    "--api-key",
]


def _documents_exit_codes(text: str) -> None:
    assert "exit codes:" in text
    for code, words in [
        (0, "success"),
        (1, "the workload failed"),
        (2, "usage error"),
        (3, "cannot reach the server"),
        (4, "server error"),
    ]:
        assert re.search(rf"^\s+{code}\s+{words}", text, re.MULTILINE), (code, text)


def test_top_level_help_lists_commands_environment_and_exit_codes(floe: Floe) -> None:
    result = floe.ok("--help")
    for command in ("polars", "explain", "runs", "tables"):
        assert command in result.out
    assert "FLOE_URL" in result.out and "http://localhost:8080" in result.out
    assert "FLOE_API_KEY" in result.out and "Bearer" in result.out
    _documents_exit_codes(result.out)


def test_polars_help_lists_every_flag_and_the_exit_codes(floe: Floe) -> None:
    result = floe.ok("polars", "--help")
    for flag in POLARS_FLAGS:
        assert re.search(rf"(^|\s){re.escape(flag)}[\s,=]", result.out), flag
    for choice in ("table,json,csv,parquet,arrow", "overwrite,append", "strict,merge,overwrite"):
        assert choice in result.out
    _documents_exit_codes(result.out)


def test_each_subcommand_has_help(floe: Floe) -> None:
    for argv in (
        ["explain", "--help"],
        ["tables", "--help"],
        ["runs", "--help"],
        ["runs", "list", "--help"],
        ["runs", "show", "--help"],
        ["runs", "logs", "--help"],
        ["runs", "cancel", "--help"],
        ["runs", "result", "--help"],
    ):
        result = floe.ok(*argv)
        assert result.out.startswith("usage: floe"), argv


def test_version(floe: Floe) -> None:
    assert re.fullmatch(r"floe \d+\.\d+\.\d+\n", floe.ok("--version").out)


# --- 0 -----------------------------------------------------------------------------------------


def test_exit_0_on_success(floe: Floe) -> None:
    result = floe("polars", "SELECT COUNT(*) AS n FROM flowers", "--table", FLOWERS)
    assert result.code == 0, str(result)
    assert "150" in result.out


# --- 1 -----------------------------------------------------------------------------------------


def test_exit_1_when_the_table_does_not_exist(floe: Floe) -> None:
    result = floe("polars", "SELECT * FROM x", "--table", "x=default.nope")
    assert result.code == 1, str(result)
    assert "error[TABLE_NOT_FOUND]" in result.err
    assert "flowers" in result.err  # names what exists nearby
    assert re.search(r"^run: r-", result.err, re.MULTILINE)
    assert result.out == ""


def test_exit_1_when_the_query_fails(floe: Floe) -> None:
    result = floe("polars", "SELECT nope FROM flowers", "--table", FLOWERS)
    assert result.code == 1, str(result)
    assert "error[QUERY_ERROR]" in result.err or "error[SQL_SYNTAX]" in result.err


def test_exit_1_when_the_server_refuses_the_request(floe: Floe) -> None:
    # A save to a three-part name: refused by the server (400), not by the CLI.
    result = floe("polars", "SELECT 1 AS x", "--save", "a.b.c")
    assert result.code == 1, str(result)
    assert "error[INVALID_REQUEST]" in result.err


def test_exit_1_when_the_run_hits_its_time_limit(floe: Floe) -> None:
    script = "import time\ntime.sleep(30)\nresult = pl.DataFrame({'a': [1]})\n"
    result = floe("polars", "--script", "-", "--timeout", "1", stdin=script)
    assert result.code == 1, str(result)
    assert "error[TIMEOUT]" in result.err
    assert "1 s" in result.err  # the message names the limit the flag set
    assert "--timeout SECONDS" in result.err


# --- 2 -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        ([], "required"),
        (["polars"], "give a SQL query"),
        (["polars", "SELECT 1", "--script", "x.py"], "not both"),
        (["polars", "SELECT 1", "--bogus"], "unrecognized arguments"),
        (["polars", "SELECT 1", "--save-mode", "replace"], "invalid choice"),
        (["polars", "SELECT 1", "--schema-mode", "loose"], "invalid choice"),
        (["polars", "SELECT 1", "--output", "xlsx"], "invalid choice"),
        (["polars", "SELECT 1", "--cluster-size", "0"], "at least 1"),
        (["polars", "SELECT 1", "--vcpus", "two"], "not a whole number"),
        (["polars", "SELECT 1", "--timeout", "-5"], "at least 1"),
        (["polars", "SELECT 1", "--max-rows", "0"], "at least 1"),
        (["polars", "SELECT 1", "--table", "=default.flowers"], "alias=namespace.table"),
        (["polars", "SELECT 1", "--param", "novalue"], "key=value"),
        (["polars", "SELECT 1", "--save-mode", "append"], "add --save"),
        (["polars", "SELECT 1", "--schema-mode", "merge"], "add --save"),
        (["polars", "--script", "/nonexistent/job.py"], "cannot read --script"),
        (["runs"], "required"),
        (["runs", "show"], "required"),
    ],
)
def test_exit_2_on_usage_errors(floe: Floe, argv: list[str], said: str) -> None:
    result = floe(*argv)
    assert result.code == 2, str(result)
    assert "usage: floe" in result.err
    assert said in result.err


# --- 3 -----------------------------------------------------------------------------------------


def test_exit_3_when_nothing_listens_at_floe_url(floe: Floe, closed_port: int) -> None:
    env = floe.env(FLOE_URL=f"http://127.0.0.1:{closed_port}")
    result = floe("polars", "SELECT 1", env=env)
    assert result.code == 3, str(result)
    assert f"cannot reach Floe at http://127.0.0.1:{closed_port}" in result.err
    assert "connection refused" in result.err


def test_exit_3_for_an_unknown_host(floe: Floe) -> None:
    result = floe("tables", "--url", "http://floe-does-not-exist.invalid:8080")
    assert result.code == 3, str(result)
    assert "cannot reach Floe" in result.err


def test_url_flag_overrides_floe_url_both_ways(floe: Floe, closed_port: int) -> None:
    dead = f"http://127.0.0.1:{closed_port}"
    env = floe.env(FLOE_URL=dead)
    good = floe("polars", "SELECT 1 AS x", "--url", floe.url, env=env)
    assert good.code == 0, str(good)
    bad = floe("polars", "SELECT 1 AS x", "--url", dead)
    assert bad.code == 3, str(bad)
    before_command = floe("--url", dead, "tables")
    assert before_command.code == 3, str(before_command)


def test_api_key_from_the_environment_and_the_flag_are_sent(floe: Floe) -> None:
    admin_key = os.environ["FLOE_API_KEY"]
    from_env = floe("polars", "SELECT 1 AS x", env=floe.env(FLOE_API_KEY=admin_key))
    assert from_env.code == 0, str(from_env)
    without = {k: v for k, v in floe.env().items() if k != "FLOE_API_KEY"}
    from_flag = floe("polars", "SELECT 1 AS x", "--api-key", admin_key, env=without)
    assert from_flag.code == 0, str(from_flag)
    # The flag wins over the environment: a wrong one is refused even with a good FLOE_API_KEY.
    wrong = floe("polars", "SELECT 1 AS x", "--api-key", "floe_not-a-key")
    assert wrong.code == 3, str(wrong)
    assert "error[UNAUTHENTICATED]" in wrong.err and "API key" in wrong.err
    none = floe("polars", "SELECT 1 AS x", env=without)
    assert none.code == 3, str(none)
    assert "FLOE_API_KEY" in none.err


# --- 4 -----------------------------------------------------------------------------------------


def test_exit_4_when_the_server_cannot_run_distributed(floe: Floe) -> None:
    result = floe(
        "polars",
        "SELECT 1 AS x",
        "--distributed",
        "--instance-type",
        "t4g.medium",
        "--cluster-size",
        "2",
    )
    assert result.code == 4, str(result)
    assert "error[DISTRIBUTED_UNAVAILABLE]" in result.err
    assert "floe.distributed.target" in result.err


def test_errors_are_plain_text_when_stderr_is_not_a_terminal(floe: Floe) -> None:
    result = floe("polars", "SELEC 1")
    assert result.code == 1
    assert "\033[" not in result.err
