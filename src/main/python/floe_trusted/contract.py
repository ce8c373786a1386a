"""The typed messages between the service and the trusted writer (docs/trusted-writer.md).

The Java side has the same messages as records (``dev.floe.catalog.trusted``); the JSON test
vectors under ``src/test/resources/contract/trusted/`` are loaded by both sides' tests, so the two
cannot drift. Parsing is strict: an unknown or missing field, a value of the wrong JSON type or out
of range is a ``ContractError`` naming the field, never a default.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, NoReturn, TypeVar, cast

PROTOCOL_VERSION = 1

SaveMode = Literal["append", "overwrite"]
SchemaMode = Literal["strict", "merge", "overwrite"]
RefusalCode = Literal["SCHEMA_MISMATCH", "NAMESPACE_NOT_FOUND", "CONFLICT"]
Problem = Literal["missing", "extra", "type"]

SAVE_MODES: tuple[SaveMode, ...] = ("append", "overwrite")
SCHEMA_MODES: tuple[SchemaMode, ...] = ("strict", "merge", "overwrite")
REFUSAL_CODES: tuple[RefusalCode, ...] = ("SCHEMA_MISMATCH", "NAMESPACE_NOT_FOUND", "CONFLICT")
PROBLEMS: tuple[Problem, ...] = ("missing", "extra", "type")
MAX_ATTEMPTS_CAP = 100

# The same rules as the service's TableName and its commit tokens (UUIDs without dashes).
_PART = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_TOKEN = re.compile(r"[0-9a-f]{32}")
_DIGITS = re.compile(r"[0-9]{1,20}")


class ContractError(ValueError):
    """A message that does not follow the contract; the text names the field and the rule."""


# --- Requests (service → writer) ----------------------------------------------------------------


@dataclass(frozen=True)
class CatalogAccess:
    """Which catalog to write to: ``pyiceberg.catalog.load_catalog(name, **properties)``."""

    name: str
    properties: Mapping[str, str]

    def key(self) -> tuple[str, tuple[tuple[str, str], ...]]:
        """Hashable identity, for keeping one catalog object per distinct access."""
        return self.name, tuple(sorted(self.properties.items()))


@dataclass(frozen=True)
class _SaveTarget:
    """What a save names: the Arrow stream file at ``arrow_path``, into ``identifier``, how."""

    catalog: CatalogAccess
    identifier: str
    arrow_path: str
    mode: SaveMode
    schema_mode: SchemaMode
    create_namespaces: bool

    def __post_init__(self) -> None:
        if self.schema_mode == "overwrite" and self.mode != "overwrite":
            kind = _REQUEST_KINDS[type(self)]
            raise ContractError(f"{kind}: schema_mode 'overwrite' needs mode 'overwrite'")


@dataclass(frozen=True)
class CommitJob(_SaveTarget):
    """Save the Arrow stream file at ``arrow_path`` into ``identifier``, as one Iceberg commit."""

    # Chosen by the service and written into the snapshot's summary: a retried job finds it.
    commit_token: str
    max_attempts: int


@dataclass(frozen=True)
class SeedJob:
    """Create ``identifier`` from the CSV file at ``csv_path`` unless it exists."""

    catalog: CatalogAccess
    identifier: str
    csv_path: str


@dataclass(frozen=True)
class FindLanded:
    """Whether a commit with ``commit_token`` landed in ``identifier`` (after a writer was lost)."""

    catalog: CatalogAccess
    identifier: str
    commit_token: str


@dataclass(frozen=True)
class CheckSave(_SaveTarget):
    """Whether saving the Arrow stream at ``arrow_path`` (a dry run's result: its schema, no rows)
    into ``identifier`` would pass, and how; nothing is written (a dry run's save check)."""


Request = CommitJob | SeedJob | FindLanded | CheckSave


# --- Answers (writer → service) -----------------------------------------------------------------


@dataclass(frozen=True)
class Ready:
    """The writer's first frame: its imports are done and it waits for requests."""

    protocol: int
    pid: int


@dataclass(frozen=True)
class Saved:
    """A commit that landed (``attempts`` 0: found by ``find_landed``, not committed now)."""

    table: str
    rows_written: int
    mode: SaveMode
    snapshot_id: str
    created: bool
    attempts: int


@dataclass(frozen=True)
class Difference:
    """One column where the result and the table disagree."""

    column: str
    problem: Problem
    table_type: str | None
    result_type: str | None


@dataclass(frozen=True)
class Column:
    """A table column: its name and its Iceberg type."""

    name: str
    type: str


@dataclass(frozen=True)
class WouldSave:
    """check_save: the save would pass. ``columns`` is the table's schema after it (a new table's
    when ``creates_table``); ``differences``, how the result differs from the table's schema now."""

    table: str
    creates_table: bool
    columns: tuple[Column, ...]
    differences: tuple[Difference, ...]


@dataclass(frozen=True)
class Refused:
    """A save refused for a reason the caller can fix; nothing was committed."""

    error_code: RefusalCode
    message: str
    differences: tuple[Difference, ...]


@dataclass(frozen=True)
class Seeded:
    created: bool
    rows: int


@dataclass(frozen=True)
class NotLanded:
    """``find_landed``: no snapshot of the table carries the token."""


@dataclass(frozen=True)
class Failed:
    """The request failed inside the writer (a bug, or a file the service should not have sent);
    nothing was committed. ``error`` is for the service's log, not for users."""

    error: str


Answer = Ready | Saved | Refused | Seeded | NotLanded | Failed | WouldSave

_REQUEST_KINDS: dict[type[Any], str] = {
    CommitJob: "commit",
    SeedJob: "seed",
    FindLanded: "find_landed",
    CheckSave: "check_save",
}
_ANSWER_KINDS: dict[type[Any], str] = {
    Ready: "ready",
    Saved: "saved",
    Refused: "refused",
    Seeded: "seeded",
    NotLanded: "not_landed",
    Failed: "failed",
    WouldSave: "would_save",
}


# --- Parsing ------------------------------------------------------------------------------------


T = TypeVar("T")


class _Fields:
    """Reads one JSON object field by field; ``done()`` refuses fields nobody read."""

    def __init__(self, raw: object, where: str) -> None:
        if not isinstance(raw, dict):
            _fail(f"{where} must be a JSON object, not {_json_type(raw)}")
        self._raw: dict[str, object] = raw
        self._where = where
        self._read: set[str] = set()

    def _get(self, name: str) -> object:
        if name not in self._raw:
            _fail(f"{self._where}.{name} is missing")
        self._read.add(name)
        return self._raw[name]

    def string(self, name: str, *, pattern: re.Pattern[str] | None = None, rule: str = "") -> str:
        value = self._get(name)
        if not isinstance(value, str) or not value:
            _fail(f"{self._where}.{name} must be a non-empty string, not {_json_type(value)}")
        if pattern is not None and not pattern.fullmatch(value):
            _fail(f"{self._where}.{name} {value!r} is not {rule}")
        return value

    def text(self, name: str) -> str:
        """A string that may be empty."""
        value = self._get(name)
        if not isinstance(value, str):
            _fail(f"{self._where}.{name} must be a string, not {_json_type(value)}")
        return value

    def optional_str(self, name: str) -> str | None:
        value = self._get(name)
        if value is not None and not isinstance(value, str):
            _fail(f"{self._where}.{name} must be a string or null, not {_json_type(value)}")
        return value

    def boolean(self, name: str) -> bool:
        value = self._get(name)
        if type(value) is not bool:
            _fail(f"{self._where}.{name} must be true or false, not {_json_type(value)}")
        return value

    def integer(self, name: str, minimum: int, maximum: int = 2**63 - 1) -> int:
        value = self._get(name)
        if type(value) is not int:
            _fail(f"{self._where}.{name} must be an integer, not {_json_type(value)}")
        if not minimum <= value <= maximum:
            _fail(f"{self._where}.{name} is {value}; it must be in [{minimum}, {maximum}]")
        return value

    def choice(self, name: str, allowed: tuple[T, ...]) -> T:
        value = self._get(name)
        for choice in allowed:
            if value == choice and type(value) is type(choice):
                return choice
        _fail(f"{self._where}.{name} is {value!r}; it must be one of {list(allowed)}")

    def identifier(self, name: str) -> str:
        value = self.string(name)
        parts = value.split(".")
        if len(parts) != 2 or not all(_PART.fullmatch(p) for p in parts):
            _fail(f"{self._where}.{name} {value!r} is not 'namespace.table' (letters, digits, _)")
        return value

    def path(self, name: str) -> str:
        value = self.string(name)
        if not value.startswith("/") or "\x00" in value:
            _fail(f"{self._where}.{name} {value!r} is not an absolute path")
        return value

    def token(self, name: str) -> str:
        return self.string(name, pattern=_TOKEN, rule="32 lowercase hex digits")

    def catalog(self, name: str) -> CatalogAccess:
        fields = _Fields(self._get(name), f"{self._where}.{name}")
        catalog_name = fields.string("name")
        raw = fields._get("properties")
        if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
            _fail(f"{self._where}.{name}.properties must be an object of strings")
        fields.done()
        return CatalogAccess(catalog_name, dict(cast(dict[str, str], raw)))

    def items(self, name: str) -> list[object]:
        value = self._get(name)
        if not isinstance(value, list):
            _fail(f"{self._where}.{name} must be a list, not {_json_type(value)}")
        return value

    def done(self) -> None:
        unknown = sorted(set(self._raw) - self._read)
        if unknown:
            _fail(f"{self._where} has unknown field(s) {', '.join(unknown)}")


def _fail(reason: str) -> NoReturn:
    raise ContractError(reason)


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _kind(raw: object, where: str, kinds: tuple[str, ...]) -> str:
    if not isinstance(raw, dict):
        _fail(f"{where} must be a JSON object, not {_json_type(raw)}")
    kind = raw.get("kind")
    if kind not in kinds:
        _fail(f"{where}.kind is {kind!r}; it must be one of {list(kinds)}")
    return cast(str, kind)


def _save_target(f: _Fields) -> dict[str, Any]:
    """The fields every save request has, in order."""
    return {
        "catalog": f.catalog("catalog"),
        "identifier": f.identifier("identifier"),
        "arrow_path": f.path("arrow_path"),
        "mode": f.choice("mode", SAVE_MODES),
        "schema_mode": f.choice("schema_mode", SCHEMA_MODES),
        "create_namespaces": f.boolean("create_namespaces"),
    }


def parse_request(raw: object) -> Request:
    """A request from its JSON value; ``ContractError`` when it breaks the contract."""
    kind = _kind(raw, "request", tuple(_REQUEST_KINDS.values()))
    f = _Fields(raw, kind)
    f.string("kind")
    request: Request
    if kind == "commit":
        request = CommitJob(
            **_save_target(f),
            commit_token=f.token("commit_token"),
            max_attempts=f.integer("max_attempts", 1, MAX_ATTEMPTS_CAP),
        )
    elif kind == "seed":
        request = SeedJob(f.catalog("catalog"), f.identifier("identifier"), f.path("csv_path"))
    elif kind == "check_save":
        request = CheckSave(**_save_target(f))
    else:
        request = FindLanded(
            f.catalog("catalog"), f.identifier("identifier"), f.token("commit_token")
        )
    f.done()
    return request


def parse_answer(raw: object) -> Answer:
    """An answer from its JSON value; ``ContractError`` when it breaks the contract."""
    kind = _kind(raw, "answer", tuple(_ANSWER_KINDS.values()))
    f = _Fields(raw, kind)
    f.string("kind")
    answer: Answer
    if kind == "ready":
        answer = Ready(f.integer("protocol", 1), f.integer("pid", 1))
    elif kind == "saved":
        answer = Saved(
            table=f.identifier("table"),
            rows_written=f.integer("rows_written", 0),
            mode=f.choice("mode", SAVE_MODES),
            snapshot_id=f.string("snapshot_id", pattern=_DIGITS, rule="a snapshot id (digits)"),
            created=f.boolean("created"),
            attempts=f.integer("attempts", 0, MAX_ATTEMPTS_CAP),
        )
    elif kind == "refused":
        answer = Refused(
            error_code=f.choice("error_code", REFUSAL_CODES),
            message=f.string("message"),
            differences=tuple(
                _difference(d, f"refused.differences[{i}]")
                for i, d in enumerate(f.items("differences"))
            ),
        )
    elif kind == "seeded":
        answer = Seeded(f.boolean("created"), f.integer("rows", 0))
    elif kind == "not_landed":
        answer = NotLanded()
    elif kind == "would_save":
        answer = WouldSave(
            table=f.identifier("table"),
            creates_table=f.boolean("creates_table"),
            columns=tuple(
                _column(c, f"would_save.columns[{i}]") for i, c in enumerate(f.items("columns"))
            ),
            differences=tuple(
                _difference(d, f"would_save.differences[{i}]")
                for i, d in enumerate(f.items("differences"))
            ),
        )
    else:
        answer = Failed(f.string("error"))
    f.done()
    return answer


def _column(raw: object, where: str) -> Column:
    f = _Fields(raw, where)
    column = Column(name=f.text("name"), type=f.string("type"))
    f.done()
    return column


def _difference(raw: object, where: str) -> Difference:
    f = _Fields(raw, where)
    difference = Difference(
        column=f.text("column"),
        problem=f.choice("problem", PROBLEMS),
        table_type=f.optional_str("table_type"),
        result_type=f.optional_str("result_type"),
    )
    f.done()
    return difference


# --- Writing ------------------------------------------------------------------------------------


def to_wire(message: Request | Answer) -> dict[str, Any]:
    """The JSON value of a message: ``kind`` first, then its fields in declaration order."""
    kinds = _REQUEST_KINDS | _ANSWER_KINDS
    wire: dict[str, Any] = {"kind": kinds[type(message)]}
    for name, value in vars(message).items():
        wire[name] = _wire_value(value)
    return wire


def _wire_value(value: object) -> object:
    if isinstance(value, CatalogAccess):
        return {"name": value.name, "properties": dict(value.properties)}
    if isinstance(value, Difference | Column):
        return dict(vars(value))
    if isinstance(value, tuple):
        return [_wire_value(v) for v in value]
    return value
