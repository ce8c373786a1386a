"""The harness's side of the runner protocol against the vectors the service's tests load too
(``src/test/resources/contract/runner/``): the jobs it accepts and refuses, the requests it sends
and the answers it reads are exactly those shapes."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from floe_harness.access import TrustedSide
from floe_harness.errors import TrustedRefusal
from floe_harness.job import GrantedTable, InvalidJob, parse_job, parse_snapshot_id

VECTORS = Path(__file__).resolve().parents[3] / "test" / "resources" / "contract" / "runner"


def vector(name: str) -> Any:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "name", ["job-query.json", "job-script-streamed.json", "job-distributed.json"]
)
def test_valid_jobs_parse_to_their_values(name: str) -> None:
    wire = vector(name)
    job = parse_job(wire)

    assert (job.run_id, job.mode, job.source, job.catalog) == (
        wire["run_id"],
        wire["mode"],
        wire["source"],
        wire["catalog"],
    )
    assert job.params == wire["params"]
    assert (str(job.result_path), str(job.error_path)) == (wire["result_path"], wire["error_path"])
    assert (job.dry_run, job.engine, job.distributed, job.max_threads) == (
        wire["dry_run"],
        wire["engine"],
        wire["distributed"],
        wire["max_threads"],
    )
    assert job.limits.__dict__ == wire["limits"]
    assert job.tables == {
        alias: GrantedTable(
            t["identifier"], parse_snapshot_id(t["snapshot_id"]), t["metadata_location"]
        )
        for alias, t in wire["tables"].items()
    }


@pytest.mark.parametrize("case", vector("jobs-invalid.json"), ids=lambda c: c["reason"])
def test_invalid_jobs_are_refused_saying_why(case: dict[str, Any]) -> None:
    wire = copy.deepcopy(vector("job-query.json"))
    wire.update(case["change"])

    with pytest.raises(InvalidJob, match=case["reason"].replace("(", r"\(")):
        parse_job(wire)


class _Recording:
    """A channel that records what is sent and answers from the vectors."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def request(self, message: dict[str, Any]) -> dict[str, Any]:
        self.sent.append(message)
        return {
            "ok": True,
            "table": {
                "identifier": "x.y",
                "snapshot_id": None,
                "metadata_location": "file:///m.json",
            },
            "namespaces": [],
            "tables": [],
        }


def test_requests_have_the_wire_shape() -> None:
    for case in vector("channel.json")["requests"]:
        channel = _Recording()
        trusted = TrustedSide(channel)  # type: ignore[arg-type]
        ((method, args),) = case["call"].items()
        getattr(trusted, method)(*args)
        assert channel.sent == [case["sent"]]


def test_answers_are_read_as_the_service_sends_them() -> None:
    answers = [case["answer"] for case in vector("channel.json")["answers"]]

    class Answering:
        def __init__(self, answer: dict[str, Any]) -> None:
            self.answer = answer

        def request(self, message: dict[str, Any]) -> dict[str, Any]:
            return self.answer

    granted = TrustedSide(Answering(answers[0])).table("default.flowers")  # type: ignore[arg-type]
    assert granted == GrantedTable("default.flowers", 7507442581080545442, "file:///lake/m.json")
    with pytest.raises(TrustedRefusal) as refused:
        TrustedSide(Answering(answers[1])).table("default.iris")  # type: ignore[arg-type]
    assert refused.value.error_code == "TABLE_NOT_FOUND"
    assert refused.value.message == answers[1]["message"]
    assert TrustedSide(Answering(answers[2])).namespaces() == [  # type: ignore[arg-type]
        ("default",),
        ("analytics",),
    ]
    assert TrustedSide(Answering(answers[3])).tables("default") == [  # type: ignore[arg-type]
        ("default", "flowers")
    ]
