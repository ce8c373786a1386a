"""The trusted-writer contract against the shared vectors (src/test/resources/contract/trusted/),
which the Java side's TrustedContractTest loads too: the two sides cannot drift apart."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from floe_trusted.contract import (
    Answer,
    ContractError,
    Request,
    Saved,
    parse_answer,
    parse_request,
    to_wire,
)

VECTORS = Path(__file__).resolve().parents[3] / "test" / "resources" / "contract" / "trusted"


def vectors(kind: str) -> list[Path]:
    found = sorted((VECTORS / kind).glob("*.json"))
    assert found, f"no {kind} vectors under {VECTORS}"
    return found


def load(path: Path) -> tuple[str, Any]:
    vector = json.loads(path.read_text(encoding="utf-8"))
    return vector["direction"], vector["message"]


def parse(direction: str, message: Any) -> Request | Answer:
    return parse_request(message) if direction == "request" else parse_answer(message)


@pytest.mark.parametrize("path", vectors("valid"), ids=lambda p: p.stem)
def test_a_valid_message_round_trips_to_the_same_json_and_value(path: Path) -> None:
    direction, message = load(path)

    parsed = parse(direction, message)
    wire = to_wire(parsed)

    assert wire == message
    assert parse(direction, json.loads(json.dumps(wire))) == parsed


@pytest.mark.parametrize("path", vectors("invalid"), ids=lambda p: p.stem)
def test_an_invalid_message_is_refused(path: Path) -> None:
    direction, message = load(path)

    with pytest.raises(ContractError) as refused:
        parse(direction, message)

    assert str(refused.value)  # says which field and rule


def test_a_refusal_names_the_field_and_the_rule() -> None:
    _, message = load(VECTORS / "invalid" / "request-max-attempts-as-string.json")

    with pytest.raises(
        ContractError, match=r"commit\.max_attempts must be an integer, not a string"
    ):
        parse_request(message)


def test_both_directions_are_covered_by_the_vectors() -> None:
    kinds = {load(p)[1]["kind"] for p in vectors("valid")}

    assert kinds == set(json.loads((VECTORS / "kinds.json").read_text(encoding="utf-8")))
    saved = parse_answer(load(VECTORS / "valid" / "answer-saved.json")[1])
    assert isinstance(saved, Saved) and saved.snapshot_id == "9007199254740993123"
