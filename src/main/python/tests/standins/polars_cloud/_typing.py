"""The real client's type aliases (polars_cloud/_typing.py), for the annotations copied."""

from __future__ import annotations

from typing import Any, Literal, TypeAlias

Engine: TypeAlias = Literal["auto", "streaming", "in-memory", "gpu"]
PlanTypePreference: TypeAlias = Literal["dot", "plain"]
ShuffleCompression: TypeAlias = Literal["auto", "uncompressed", "lz4", "zstd"]
ShuffleFormat: TypeAlias = Literal["auto", "ipc", "parquet"]
SingleWorkerOps: TypeAlias = Literal["auto", "allow", "forbid"]
Planner: TypeAlias = Literal["auto", "naive", "miso"]

Json: TypeAlias = dict[str, Any]
PlanType: TypeAlias = Literal["physical", "ir"]
ExecuteUntil: TypeAlias = Literal["execute", "physical", "ir"]
ConnectionMode: TypeAlias = Literal["direct", "proxy"]
CPUArchitecture: TypeAlias = Literal["x86_64", "arm64"]
LogLevel: TypeAlias = Literal["info", "debug", "trace"]
FileType: TypeAlias = Literal["none", "unknown", "parquet", "ipc", "csv", "ndjson", "json"]
ScalingMode: TypeAlias = Literal["auto", "single-node", "distributed"]
