"""The job description written by the trusted side, parsed and validated."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, NoReturn, cast

Mode = Literal["query", "script"]
Engine = Literal["in-memory", "streaming"]


class InvalidJob(Exception):
    """job.json is unusable; ``error_path`` is set when it could still be read from the file."""

    def __init__(self, reason: str, error_path: Path | None) -> None:
        super().__init__(reason)
        self.error_path = error_path


@dataclass(frozen=True)
class TableBinding:
    identifier: str
    snapshot_id: int | None


@dataclass(frozen=True)
class Job:
    run_id: str
    mode: Mode
    source: str
    tables: Mapping[str, TableBinding]
    params: dict[str, Any]
    catalog_name: str
    catalog_properties: dict[str, str]
    result_path: Path
    error_path: Path
    max_threads: int
    script_filename: str
    # Plan only: write the output schema and plan to result_path as JSON, collect nothing.
    dry_run: bool = False
    # How the result is computed: streaming for results streamed to the client as they come.
    engine: Engine = "in-memory"


def load_job(path: Path) -> Job:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidJob(f"cannot read {path}: {exc}", None) from exc
    if not isinstance(raw, dict):
        raise InvalidJob("job.json is not a JSON object", None)
    error_path = raw.get("error_path")
    reader = _Reader(raw, Path(error_path) if isinstance(error_path, str) and error_path else None)
    return reader.job()


class _Reader:
    def __init__(self, raw: dict[str, Any], error_path: Path | None) -> None:
        self._raw = raw
        self._error_path = error_path

    def job(self) -> Job:
        if self._raw.get("version") != 1:
            self._fail(f"unsupported version {self._raw.get('version')!r}")
        mode = self._str("mode")
        if mode not in ("query", "script"):
            self._fail(f"unknown mode {mode!r}")
        catalog = self._object(self._raw, "catalog")
        properties = self._object(catalog, "properties")
        if not all(isinstance(value, str) for value in properties.values()):
            self._fail("catalog.properties values must be strings")
        max_threads = self._raw.get("max_threads")
        if type(max_threads) is not int or max_threads < 1:
            self._fail("max_threads must be a positive integer")
        if self._error_path is None:
            self._fail("error_path must be a non-empty string")
        engine = self._raw.get("engine", "in-memory")
        if engine not in ("in-memory", "streaming"):
            self._fail(f"unknown engine {engine!r}")
        dry_run = self._raw.get("dry_run", False)
        if type(dry_run) is not bool:
            self._fail("dry_run must be a boolean")
        return Job(
            run_id=self._str("run_id"),
            mode=cast(Mode, mode),
            source=self._source(),
            tables=self._tables(),
            params=self._object(self._raw, "params"),
            catalog_name=self._str("name", catalog),
            catalog_properties=cast(dict[str, str], properties),
            result_path=Path(self._str("result_path")),
            error_path=self._error_path,
            max_threads=max_threads,
            script_filename=self._str("script_filename"),
            dry_run=dry_run,
            engine=cast(Engine, engine),
        )

    def _tables(self) -> dict[str, TableBinding]:
        tables: dict[str, TableBinding] = {}
        for alias, binding in self._object(self._raw, "tables").items():
            if not isinstance(binding, dict):
                self._fail(f"tables.{alias} must be an object")
            snapshot_id = binding.get("snapshot_id")
            # Snapshot ids pass 2^53, so the trusted side may send them as strings of digits.
            if isinstance(snapshot_id, str) and snapshot_id.isdigit():
                snapshot_id = int(snapshot_id)
            if snapshot_id is not None and type(snapshot_id) is not int:
                self._fail(f"tables.{alias}.snapshot_id must be an integer or null")
            tables[alias] = TableBinding(self._str("identifier", binding), snapshot_id)
        return tables

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

    def _object(self, obj: dict[str, Any], key: str) -> dict[str, Any]:
        value = obj.get(key)
        if not isinstance(value, dict):
            self._fail(f"{key} must be an object")
        return value

    def _fail(self, reason: str) -> NoReturn:
        raise InvalidJob(reason, self._error_path)
