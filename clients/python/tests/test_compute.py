"""`floe polars` and `floe runs show` in process: where a run ran, as the summary line, the auto
note on stderr and the run's view print it (and a local run's output as it always was)."""

from __future__ import annotations

import email.message
import http.client
import io
import json
from typing import Any, cast

import pytest

from floe_cli import main as cli
from floe_cli.client import JSON, FloeClient
from floe_cli.output import Streams
from floe_cli.render import TIMES

SHAPE = f"t4g.medium {TIMES}2"
QUERY_ID = "1b4e28ba-2fa1-11d2-883f-0016d3cca427"
AUTO_REASON = (
    "auto: the bound tables hold 3.6 KiB, within the threshold of 1.0 GiB "
    "(floe.distributed.auto-threshold-bytes)"
)
LOCAL: dict[str, Any] = {
    "mode": "local",
    "distributed": False,
    "instanceType": None,
    "clusterSize": None,
    "target": None,
    "queryId": None,
    "reason": None,
}
DISTRIBUTED: dict[str, Any] = {
    "mode": "distributed",
    "distributed": True,
    "instanceType": "t4g.medium",
    "clusterSize": 2,
    "target": "cloud",
    "queryId": QUERY_ID,
    "reason": None,
}


class FakeResponse(io.BytesIO):
    """A JSON answer as the client's open() hands it over."""

    def __init__(self, answer: dict[str, Any]) -> None:
        super().__init__(json.dumps(answer).encode())
        self.status = 200
        self.headers = email.message.Message()
        self.headers["Content-Type"] = JSON


class FakeClient(FloeClient):
    """Answers every request with one JSON object; records the bodies sent."""

    def __init__(self, answer: dict[str, Any]) -> None:
        super().__init__("http://floe.test", None)
        self.answer = answer
        self.sent: list[tuple[str, str, dict[str, Any] | None]] = []

    def open(
        self,
        method: str,
        path: str,
        *,
        body: dict[str, Any] | None = None,
        accept: str = JSON,
        headers: dict[str, str] | None = None,
        timeout: float | None = None,
    ) -> http.client.HTTPResponse:
        self.sent.append((method, path, body))
        return cast(http.client.HTTPResponse, FakeResponse(self.answer))


def run(monkeypatch: pytest.MonkeyPatch, client: FakeClient, *argv: str) -> tuple[int, str, str]:
    """`floe ARGV` in process against `client`: the exit code, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(cli, "FloeClient", lambda url, key: client)
    monkeypatch.setattr(cli, "Streams", lambda o, e: Streams(out, err))
    code = cli.main(list(argv))
    return code, out.getvalue(), err.getvalue()


def answer(compute: dict[str, Any] | None) -> dict[str, Any]:
    value: dict[str, Any] = {
        "mode": "query",
        "results": {"columns": ["x"], "column_types": ["Int64"], "rows": [[1], [2], [3]]},
        "row_count": 3,
        "truncated": False,
        "execution_time": "412ms",
        "run_id": "r-1",
        "saved": None,
        "logs": "",
    }
    if compute is not None:
        value["compute"] = compute
    return value


TABLE = "x\nInt64\n-----\n    1\n    2\n    3\n"  # ASCII: a StringIO has no encoding


@pytest.mark.parametrize("compute", [LOCAL, None])
def test_a_local_run_prints_as_it_always_did(
    monkeypatch: pytest.MonkeyPatch, compute: dict[str, Any] | None
) -> None:
    client = FakeClient(answer(compute))
    code, out, err = run(monkeypatch, client, "polars", "SELECT x FROM t", "--table", "t=a.b")
    assert code == 0
    assert out == TABLE + "3 rows · 412ms · run r-1\n"
    assert err == ""
    assert client.sent[0][2] == {"mode": "query", "query": "SELECT x FROM t", "tables": ["t=a.b"]}


def test_a_distributed_run_names_its_engine_in_the_summary(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = FakeClient(answer(DISTRIBUTED))
    code, out, err = run(
        monkeypatch,
        client,
        "polars",
        "SELECT 1 AS x",
        "--distributed",
        "--instance-type",
        "t4g.medium",
        "--cluster-size",
        "2",
    )
    assert code == 0
    assert out == (
        f"{TABLE}3 rows · 412ms · run r-1 · distributed on cloud ({SHAPE}), query {QUERY_ID}\n"
    )
    assert err == ""
    assert client.sent[0][2] == {
        "mode": "query",
        "query": "SELECT 1 AS x",
        "distributed": True,
        "instanceType": "t4g.medium",
        "clusterSize": 2,
    }


def test_an_auto_run_says_what_floe_chose_and_why_on_stderr(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = FakeClient(answer({**LOCAL, "reason": AUTO_REASON}))
    code, out, err = run(monkeypatch, client, "polars", "SELECT 1 AS x", "--distributed-auto")
    assert code == 0
    assert out == TABLE + "3 rows · 412ms · run r-1 · local\n"
    assert err == f"note: {AUTO_REASON}\n"
    assert client.sent[0][2] == {"mode": "query", "query": "SELECT 1 AS x", "distributed": "auto"}


def test_the_auto_note_goes_to_stderr_when_the_result_is_a_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    target = tmp_path / "out.csv"
    client = FakeClient(answer({**DISTRIBUTED, "reason": "auto: above the threshold"}))
    code, out, err = run(
        monkeypatch, client, "polars", "SELECT 1 AS x", "--output", "csv", "-o", str(target)
    )
    assert code == 0
    assert out == ""
    assert target.read_text() == "x\n1\n2\n3\n"
    assert err == f"wrote 3 rows to {target}\nnote: auto: above the threshold\n"


def test_json_output_is_the_answer_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    data = answer({**LOCAL, "reason": AUTO_REASON})
    code, out, err = run(monkeypatch, FakeClient(data), "polars", "SELECT 1", "--output", "json")
    assert code == 0
    assert json.loads(out) == data
    assert err == ""


def test_mutually_exclusive_flags_are_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    client = FakeClient(answer(LOCAL))
    with pytest.raises(SystemExit) as exit_info:
        run(monkeypatch, client, "polars", "SELECT 1", "--distributed", "--distributed-auto")
    assert exit_info.value.code == 2
    assert "argument --distributed-auto: not allowed with argument --distributed" in (
        capsys.readouterr().err
    )
    assert client.sent == []


VIEW: dict[str, Any] = {
    "run_id": "r-1",
    "status": "succeeded",
    "mode": "query",
    "catalog": "lake",
    "destination": None,
    "created_at": "2024-05-01T12:00:00Z",
    "started_at": "2024-05-01T12:00:01Z",
    "finished_at": "2024-05-01T12:00:02Z",
    "elapsed_ms": 1200,
    "row_count": 3,
    "saved": None,
    "error": None,
    "result_available": True,
}

COMPUTE_LINE = f"compute:     distributed on cloud ({SHAPE}), query {QUERY_ID}"


def test_runs_show_prints_where_a_distributed_run_ran(monkeypatch: pytest.MonkeyPatch) -> None:
    view = {**VIEW, "compute": {**DISTRIBUTED, "reason": AUTO_REASON}}
    code, out, _ = run(monkeypatch, FakeClient(view), "runs", "show", "r-1")
    assert code == 0
    lines = out.splitlines()
    assert COMPUTE_LINE in lines, out
    assert f"reason:      {AUTO_REASON}" in lines
    assert lines.index("elapsed:     1.2s") + 1 == lines.index(COMPUTE_LINE)


def test_runs_show_prints_a_local_run_as_local(monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = run(monkeypatch, FakeClient({**VIEW, "compute": LOCAL}), "runs", "show", "r-1")
    assert code == 0
    assert "compute:     local" in out.splitlines()
    assert "reason:" not in out


def test_runs_show_without_compute_prints_no_compute_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, out, _ = run(monkeypatch, FakeClient({**VIEW, "compute": None}), "runs", "show", "r-1")
    assert code == 0
    assert "compute:" not in out
    assert out.splitlines() == [
        "run_id:      r-1",
        "status:      succeeded",
        "mode:        query",
        "catalog:     lake",
        "destination: -",
        "created_at:  2024-05-01T12:00:00Z",
        "started_at:  2024-05-01T12:00:01Z",
        "finished_at: 2024-05-01T12:00:02Z",
        "elapsed:     1.2s",
        "rows:        3",
        "result:      available",
    ]
