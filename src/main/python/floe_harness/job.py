"""The job a runner receives from the trusted side at hand-over: typed, validated on arrival.

The Java side is ``dev.floe.workload.RunJob``; both sides' tests load the same vectors
(``src/test/resources/contract/runner/``) so the two cannot drift.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, NoReturn, cast

VERSION = 2
Mode = Literal["query", "script"]
Engine = Literal["in-memory", "streaming"]


class InvalidJob(Exception):
    """The job is unusable; ``error_path`` is set when it could still be read from it."""

    def __init__(self, reason: str, error_path: Path | None) -> None:
        super().__init__(reason)
        self.error_path = error_path


@dataclass(frozen=True)
class GrantedTable:
    """A table the trusted side gave this run read access to, at one snapshot."""

    identifier: str
    # None: the table has no snapshot yet (it is empty).
    snapshot_id: int | None
    metadata_location: str


@dataclass(frozen=True)
class Limits:
    """The run's budget, applied by the runner to itself before user code runs."""

    timeout_seconds: int
    memory_bytes: int
    max_file_bytes: int
    open_files: int
    # A backstop only: the memory cgroup is the limit; 0 means none.
    address_space_bytes: int


@dataclass(frozen=True)
class Job:
    run_id: str
    mode: Mode
    source: str
    tables: Mapping[str, GrantedTable]
    params: dict[str, Any]
    catalog: str
    result_path: Path
    error_path: Path
    max_threads: int
    script_filename: str
    limits: Limits
    # Plan only: write the output schema and plan to result_path as JSON, collect nothing.
    dry_run: bool = False
    # How the result is computed: streaming for results streamed to the client as they come.
    engine: Engine = "in-memory"
    # Distributed: build the plan over stand-ins for the tables and write it (not a result) to
    # result_path; the trusted dispatcher checks it and sends it to the distributed engine.
    distributed: bool = False
    # Profile: compute with the streaming engine tracking each plan node's time and rows, and send
    # them to the trusted side with the result.
    profile: bool = False


def parse_job(raw: object) -> Job:
    if not isinstance(raw, dict):
        raise InvalidJob("the job is not a JSON object", None)
    error_path = raw.get("error_path")
    return _Reader(
        raw, Path(error_path) if isinstance(error_path, str) and error_path else None
    ).job()


def parse_snapshot_id(value: object) -> int | None:
    """Snapshot ids pass 2^53: the trusted side sends them as strings of digits."""
    if value is None:
        return None
    if isinstance(value, str) and value.isdigit():
        return int(value)
    if type(value) is int and value >= 0:
        return value
    raise ValueError(f"{value!r} is not a snapshot id")


class _Reader:
    def __init__(self, raw: dict[str, Any], error_path: Path | None) -> None:
        self._raw = raw
        self._error_path = error_path

    def job(self) -> Job:
        if self._raw.get("type") != "job":
            self._fail(f"expected a message of type job, got {self._raw.get('type')!r}")
        if self._raw.get("version") != VERSION:
            self._fail(f"unsupported version {self._raw.get('version')!r}")
        mode = self._str("mode")
        if mode not in ("query", "script"):
            self._fail(f"unknown mode {mode!r}")
        if self._error_path is None:
            self._fail("error_path must be a non-empty string")
        engine = self._raw.get("engine", "in-memory")
        if engine not in ("in-memory", "streaming"):
            self._fail(f"unknown engine {engine!r}")
        dry_run = self._raw.get("dry_run", False)
        if type(dry_run) is not bool:
            self._fail("dry_run must be a boolean")
        distributed = self._raw.get("distributed", False)
        if type(distributed) is not bool:
            self._fail("distributed must be a boolean")
        profile = self._raw.get("profile", False)
        if type(profile) is not bool:
            self._fail("profile must be a boolean")
        return Job(
            run_id=self._str("run_id"),
            mode=cast(Mode, mode),
            source=self._source(),
            tables=self._tables(),
            params=self._object(self._raw, "params"),
            catalog=self._str("catalog"),
            result_path=Path(self._str("result_path")),
            error_path=self._error_path,
            max_threads=self._int(self._raw, "max_threads", minimum=1),
            script_filename=self._str("script_filename"),
            limits=self._limits(),
            dry_run=dry_run,
            engine=cast(Engine, engine),
            distributed=distributed,
            profile=profile,
        )

    def _limits(self) -> Limits:
        raw = self._object(self._raw, "limits")
        return Limits(
            timeout_seconds=self._int(raw, "timeout_seconds", minimum=1),
            memory_bytes=self._int(raw, "memory_bytes", minimum=1),
            max_file_bytes=self._int(raw, "max_file_bytes", minimum=1),
            open_files=self._int(raw, "open_files", minimum=16),
            address_space_bytes=self._int(raw, "address_space_bytes", minimum=0),
        )

    def _tables(self) -> dict[str, GrantedTable]:
        tables: dict[str, GrantedTable] = {}
        for alias, binding in self._object(self._raw, "tables").items():
            if not isinstance(binding, dict):
                self._fail(f"tables.{alias} must be an object")
            tables[alias] = granted_table(binding, self._failing(f"tables.{alias}."))
        return tables

    def _failing(self, prefix: str) -> Callable[[str], NoReturn]:
        def fail(reason: str) -> NoReturn:
            self._fail(prefix + reason)

        return fail

    def _source(self) -> str:
        source = self._raw.get("source")
        if not isinstance(source, str):
            self._fail("source must be a string")
        return source

    def _str(self, key: str, obj: dict[str, Any] | None = None) -> str:
        value = (self._raw if obj is None else obj).get(key)
        if not isinstance(value, str) or not value:
            self._fail(f"{key} must be a non-empty string")
        return value

    def _int(self, obj: dict[str, Any], key: str, *, minimum: int) -> int:
        value = obj.get(key)
        if type(value) is not int or value < minimum:
            self._fail(f"{key} must be an integer of at least {minimum}")
        return value

    def _object(self, obj: dict[str, Any], key: str) -> dict[str, Any]:
        value = obj.get(key)
        if not isinstance(value, dict):
            self._fail(f"{key} must be an object")
        return value

    def _fail(self, reason: str) -> NoReturn:
        raise InvalidJob(reason, self._error_path)


def granted_table(raw: dict[str, Any], fail: Callable[[str], NoReturn]) -> GrantedTable:
    """A table grant from the wire (the job's bindings and the answers to ``scan()``)."""
    identifier = raw.get("identifier")
    location = raw.get("metadata_location")
    if not isinstance(identifier, str) or not identifier:
        fail("identifier must be a non-empty string")
    if not isinstance(location, str) or not location:
        fail("metadata_location must be a non-empty string")
    try:
        snapshot_id = parse_snapshot_id(raw.get("snapshot_id"))
    except ValueError:
        fail("snapshot_id must be a string of digits or null")
    return GrantedTable(identifier, snapshot_id, location)
