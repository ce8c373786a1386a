"""The dispatch job the service hands the dispatcher on stdin: where to send what, and as whom."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from floe_harness.job import GrantedTable

VERSION = 1


class InvalidDispatch(Exception):
    pass


@dataclass(frozen=True)
class Cloud:
    """Polars Cloud: a workspace, a service account, and either a registered compute or specs."""

    workspace: str
    client_id: str
    client_secret: str
    compute_name: str | None
    idle_timeout_mins: int | None


@dataclass(frozen=True)
class OnPrem:
    """A Polars On-Prem cluster's scheduler."""

    address: str
    domain_name: str | None


@dataclass(frozen=True)
class Compute:
    instance_type: str | None
    cluster_size: int | None
    cpus: int | None
    memory_gb: int | None


@dataclass(frozen=True)
class Dispatch:
    run_id: str
    mode: Literal["query", "script"]
    target: Cloud | OnPrem
    compute: Compute
    labels: list[str]
    # The sandbox's plan document, as the service read it from the run's output (untrusted).
    plan: str
    tables: list[GrantedTable]
    result_path: Path
    error_path: Path
    # The largest result file the dispatcher may write (a streamed result is not a file).
    max_result_bytes: int


def parse(raw: Any) -> Dispatch:
    try:
        if raw["type"] != "dispatch" or raw["version"] != VERSION:
            raise InvalidDispatch(f"a {raw['type']!r} message of version {raw['version']!r}")
        target = raw["target"]
        kind = target["kind"]
        if kind == "cloud":
            where: Cloud | OnPrem = Cloud(
                _str(target["workspace"]),
                _str(target["client_id"]),
                _str(target["client_secret"]),
                _opt_str(target.get("compute_name")),
                _opt_int(target.get("idle_timeout_mins")),
            )
        elif kind == "on-prem":
            where = OnPrem(_str(target["address"]), _opt_str(target.get("domain_name")))
        else:
            raise InvalidDispatch(f"unknown target {kind!r}")
        compute = raw["compute"]
        mode = raw["mode"]
        if mode not in ("query", "script"):
            raise InvalidDispatch(f"unknown mode {mode!r}")
        return Dispatch(
            run_id=_str(raw["run_id"]),
            mode=mode,
            target=where,
            compute=Compute(
                _opt_str(compute.get("instance_type")),
                _opt_int(compute.get("cluster_size")),
                _opt_int(compute.get("cpus")),
                _opt_int(compute.get("memory_gb")),
            ),
            labels=[_str(label) for label in raw["labels"]],
            plan=_str(raw["plan"]),
            tables=[
                GrantedTable(
                    _str(t["identifier"]),
                    None if t["snapshot_id"] is None else int(_str(t["snapshot_id"])),
                    _str(t["metadata_location"]),
                )
                for t in raw["tables"]
            ],
            result_path=Path(_str(raw["result_path"])),
            error_path=Path(_str(raw["error_path"])),
            max_result_bytes=_positive(raw["max_result_bytes"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidDispatch(f"{type(exc).__name__}: {exc}") from None


def _str(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError("expected a non-empty string")
    return value


def _opt_str(value: Any) -> str | None:
    return None if value is None else _str(value)


def _positive(value: Any) -> int:
    if type(value) is not int or value < 1:
        raise ValueError("expected a positive integer")
    return value


def _opt_int(value: Any) -> int | None:
    if value is None:
        return None
    if type(value) is not int:
        raise ValueError("expected an integer")
    return value
