"""What each subcommand does once its arguments parsed."""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from typing import Any

from floe_cli.client import (
    ARROW_OR_JSON,
    JSON,
    RUNS_PATH,
    WORKLOAD_PATH,
    FloeClient,
    quote,
    read_json,
)
from floe_cli.errors import ApiError, CliError, Exit
from floe_cli.output import (
    ARROW_FORMATS,
    Streams,
    binary_needs_file,
    dump_json,
    emit_result,
    write_text,
)
from floe_cli.params import BadArgument, parse_params
from floe_cli.progress import Progress
from floe_cli.render import describe_compute, format_table, iceberg_type, plural, saved_line

# Seconds past the run's own time limit that the CLI waits for the server's answer.
_ANSWER_GRACE = 60


class UsageError(CliError):
    def __init__(self, message: str) -> None:
        super().__init__(message, Exit.USAGE)


@dataclass
class Source:
    """The user's local SQL or script, to show the line an error points at."""

    text: str
    name: str


@dataclass
class Context:
    client: FloeClient
    streams: Streams
    #: set once the workload's source is read, for error reports
    source: Source | None = None


# ---------------------------------------------------------------------------------------------
# polars / explain: the request body
# ---------------------------------------------------------------------------------------------


def workload_body(args: argparse.Namespace, ctx: Context) -> dict[str, Any]:
    """The POST body for `floe polars` / `floe explain` (absent flags are absent fields)."""
    if args.sql is not None and args.script is not None:
        raise UsageError("give either a SQL query or --script, not both")
    body: dict[str, Any]
    if args.script is not None:
        script = _read_script(args.script)
        ctx.source = Source(script, "<stdin>" if args.script == "-" else args.script)
        body = {"mode": "script", "script": script}
    elif args.sql is not None:
        ctx.source = Source(args.sql, "<query>")
        body = {"mode": "query", "query": args.sql}
    else:
        raise UsageError('give a SQL query ("SELECT ...") or --script FILE (- for stdin)')
    if args.table:
        body["tables"] = list(args.table)
    if args.param:
        try:
            body["params"] = parse_params(args.param)
        except BadArgument as e:
            raise UsageError(str(e)) from None
    if args.save is not None:
        body["destination"] = args.save
    elif args.save_mode is not None or args.schema_mode is not None:
        raise UsageError("--save-mode and --schema-mode apply to a save: add --save ns.table")
    for flag, field in (
        ("save_mode", "saveMode"),
        ("schema_mode", "schemaMode"),
        ("catalog", "catalog"),
        ("job_name", "jobName"),
        ("instance_type", "instanceType"),
        ("cluster_size", "clusterSize"),
        ("vcpus", "vcpus"),
    ):
        value = getattr(args, flag)
        if value is not None:
            body[field] = value
    if args.distributed:
        body["distributed"] = True
    elif args.distributed_auto:
        body["distributed"] = "auto"
    limits = {
        name: value
        for name, value in (("timeoutSeconds", args.timeout), ("maxRows", args.max_rows))
        if value is not None
    }
    if limits:
        body["limits"] = limits
    return body


def _read_script(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError as e:
        raise UsageError(f"cannot read --script {path}: {e.strerror or e}") from None


def _answer_timeout(args: argparse.Namespace) -> float | None:
    timeout: int | None = getattr(args, "timeout", None)
    return None if timeout is None else float(timeout + _ANSWER_GRACE)


# ---------------------------------------------------------------------------------------------
# floe polars
# ---------------------------------------------------------------------------------------------


def polars(args: argparse.Namespace, ctx: Context) -> int:
    body = workload_body(args, ctx)
    if why := binary_needs_file(args.output, args.output_file, ctx.streams):
        raise UsageError(why)
    headers = {"Idempotency-Key": args.idempotency_key} if args.idempotency_key else {}
    if args.run_async:
        view = ctx.client.call("POST", RUNS_PATH, body=body, headers=headers)
        run_id = view.get("run_id")
        if not isinstance(run_id, str):
            raise CliError("the server's run view has no run_id", Exit.SERVER_ERROR)
        ctx.streams.stdout.write(run_id + "\n")
        ctx.streams.stdout.flush()
        ctx.streams.note(
            f"run {run_id} {view.get('status', 'submitted')}; "
            f"follow it with: floe runs result {run_id}"
        )
        return Exit.OK
    if args.profile:
        body["profile"] = True
    with Progress(ctx.streams.stderr, enabled=ctx.streams.stderr_is_tty, state="running"):
        run_id = _fetch_and_emit(ctx, "POST", WORKLOAD_PATH, args, body=body, headers=headers)
    if args.profile and run_id is not None:
        # From the run's record: an Arrow answer has no room for it.
        view = ctx.client.call("GET", _run_path(run_id))
        ctx.streams.note(profile_table(view.get("profile"), unicode=ctx.streams.unicode))
    return Exit.OK


def _fetch_and_emit(
    ctx: Context,
    method: str,
    path: str,
    args: argparse.Namespace,
    *,
    body: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> str | None:
    """Asks for Arrow when the output is built from Arrow (JSON otherwise) and writes it; the
    run's id."""
    accept = ARROW_OR_JSON if args.output in ARROW_FORMATS else JSON
    timeout = _answer_timeout(args)
    try:
        response = ctx.client.open(
            method, path, body=body, accept=accept, headers=headers, timeout=timeout
        )
    except ApiError as e:
        if e.status != 406 or accept == JSON:
            raise
        # Refused at content negotiation, before anything ran: asking again cannot run twice.
        response = ctx.client.open(
            method, path, body=body, accept=JSON, headers=headers, timeout=timeout
        )
    with response:
        return emit_result(
            response, args.output, args.output_file, ctx.streams, ctx.client.base_url
        )


# ---------------------------------------------------------------------------------------------
# floe explain
# ---------------------------------------------------------------------------------------------


def explain(args: argparse.Namespace, ctx: Context) -> int:
    body = workload_body(args, ctx)
    body["dryRun"] = True
    answer = ctx.client.call("POST", WORKLOAD_PATH, body=body, timeout=_answer_timeout(args))
    if args.output == "json":
        write_text(dump_json(answer), None, ctx.streams)
        return Exit.OK
    plan = answer.get("dry_run")
    if not isinstance(plan, dict):
        raise CliError("the server's dry-run answer has no dry_run object", Exit.SERVER_ERROR)
    out: list[str] = ["Output:"]
    columns = plan.get("columns") or []
    types = plan.get("column_types") or []
    width = max((len(str(c)) for c in columns), default=0)
    out += [f"  {str(c).ljust(width)}  {t}" for c, t in zip(columns, types, strict=False)]
    tables = plan.get("tables") or []
    if tables:
        out.append("Reads:")
        for t in tables:
            snapshot = t.get("snapshot_id")
            at = f" @ snapshot {snapshot}" if snapshot else " (empty table)"
            alias = f"{t['alias']} = " if t.get("alias") else ""
            out.append(f"  {alias}{t.get('table')}{at}")
    out += _scan_lines(plan)
    if plan.get("destination"):
        out.append(f"Would save to: {plan['destination']}")
        out += _save_lines(plan.get("save"))
    if plan.get("plan"):
        out.append("Plan:")
        out += [f"  {line}" for line in str(plan["plan"]).splitlines()]
    write_text("\n".join(out) + "\n", None, ctx.streams)
    return Exit.OK


def profile_table(profile: Any, *, unicode: bool) -> str:
    """A run's profile: each plan node with its time and rows, most expensive first."""
    if not isinstance(profile, dict) or not isinstance(profile.get("nodes"), list):
        return "profile: none (the run was not made with --profile)"
    rows = [
        [n.get("node"), n.get("time_ms"), n.get("rows_in"), n.get("rows_out")]
        for n in profile["nodes"]
        if isinstance(n, dict)
    ]
    table = format_table(
        ["node", "time_ms", "rows_in", "rows_out"],
        rows,
        ["String", "Float64", "Int64", "Int64"],
        unicode=unicode,
    )
    return f"profile ({profile.get('total_ms')} ms in the engine):\n{table}"


def _scan_lines(plan: dict[str, Any]) -> list[str]:
    """Each scan: what it reads and filters, what pruning leaves of the snapshot; the total."""
    reads = plan.get("reads") or []
    if not reads:
        return []
    out = ["Scans (estimated from the manifests):"]
    for scan in reads:
        columns = ", ".join(str(c) for c in scan.get("columns") or [])
        where = f" where {scan['filter']}" if scan.get("filter") else ""
        out.append(f"  {scan.get('table')}: {columns}{where}")
        out.append(
            "    "
            + _of(scan, "data_files", "data files")
            + ", "
            + _of(scan, "records", "records")
            + ", "
            + _of(scan, "bytes", "bytes")
        )
    total = plan.get("estimate") or {}
    out.append(
        f"Estimate: {total.get('data_files', 0)} data files, {total.get('records', '0')} records,"
        f" {total.get('bytes', '0')} bytes"
    )
    return out


def _of(scan: dict[str, Any], key: str, unit: str) -> str:
    whole = scan.get(f"snapshot_{key}")
    return f"{scan.get(key)} of {whole} {unit}" if whole is not None else f"{scan.get(key)} {unit}"


def _save_lines(verdict: Any) -> list[str]:
    """Whether the save would pass, as the save's own rules say."""
    if not isinstance(verdict, dict):
        return []
    if not verdict.get("would_save"):
        return [f"  would fail: {verdict.get('error_code')}: {verdict.get('error')}"]
    columns = ", ".join(f"{c.get('name')} {c.get('type')}" for c in verdict.get("columns") or [])
    if verdict.get("creates_table"):
        return [f"  would pass, creating the table: {columns}"]
    changes = [
        f"{d.get('column')} {d.get('problem')}"
        + (f" (table {d['table_type']})" if d.get("table_type") else "")
        + (f" (result {d['result_type']})" if d.get("result_type") else "")
        for d in verdict.get("differences") or []
    ]
    out = [f"  would pass; the table's columns after it: {columns}"]
    if changes:
        out.append("  where the result differs: " + "; ".join(changes))
    return out


# ---------------------------------------------------------------------------------------------
# floe runs ...
# ---------------------------------------------------------------------------------------------


def _run_path(run_id: str, tail: str = "") -> str:
    return f"{RUNS_PATH}/{quote(run_id)}{tail}"


def runs_list(args: argparse.Namespace, ctx: Context) -> int:
    query = [f"limit={args.limit}"]
    if args.status:
        query.append(f"status={quote(args.status)}")
    answer = ctx.client.call("GET", f"{RUNS_PATH}?{'&'.join(query)}")
    runs = answer.get("runs") or []
    if args.output == "json":
        write_text(dump_json(answer), None, ctx.streams)
        return Exit.OK
    columns = ["run_id", "status", "mode", "created_at", "elapsed", "rows", "destination", "error"]
    rows = [
        [
            r.get("run_id"),
            r.get("status"),
            r.get("mode"),
            r.get("created_at"),
            _elapsed(r.get("elapsed_ms")),
            r.get("row_count"),
            r.get("destination") or "",
            (r.get("error") or {}).get("error_code") or "",
        ]
        for r in runs
    ]
    text = format_table(columns, rows, unicode=ctx.streams.unicode) if rows else ""
    write_text(text + plural(len(rows), "run") + "\n", None, ctx.streams)
    return Exit.OK


def _elapsed(ms: Any) -> str:
    if not isinstance(ms, int | float):
        return ""
    return f"{ms / 1000:.1f}s" if ms >= 1000 else f"{int(ms)}ms"


def runs_show(args: argparse.Namespace, ctx: Context) -> int:
    view = ctx.client.call("GET", _run_path(args.run_id))
    if args.output == "json":
        write_text(dump_json(view), None, ctx.streams)
        return Exit.OK
    lines = []
    for key in ("run_id", "status", "mode", "catalog", "destination", "created_at"):
        lines.append(f"{key + ':':<13}{view.get(key) if view.get(key) is not None else '-'}")
    lines.append(f"{'started_at:':<13}{view.get('started_at') or '-'}")
    lines.append(f"{'finished_at:':<13}{view.get('finished_at') or '-'}")
    lines.append(f"{'elapsed:':<13}{_elapsed(view.get('elapsed_ms')) or '-'}")
    compute = view.get("compute")
    if isinstance(compute, dict):
        lines.append(f"{'compute:':<13}{describe_compute(compute)}")
        if compute.get("reason"):
            lines.append(f"{'reason:':<13}{compute['reason']}")
    if view.get("row_count") is not None:
        lines.append(f"{'rows:':<13}{view['row_count']}")
    if saved := saved_line(view.get("saved")):
        lines.append(f"{'saved:':<13}{saved.removeprefix('saved ')}")
    error = view.get("error")
    if isinstance(error, dict):
        lines.append(f"{'error:':<13}[{error.get('error_code')}] {error.get('error')}")
    lines.append(f"{'result:':<13}{'available' if view.get('result_available') else '-'}")
    if view.get("trace_id"):
        lines.append(f"{'trace:':<13}{view['trace_id']}")
    if args.profile:
        lines.append(profile_table(view.get("profile"), unicode=ctx.streams.unicode))
    write_text("\n".join(lines) + "\n", None, ctx.streams)
    return Exit.OK


def runs_logs(args: argparse.Namespace, ctx: Context) -> int:
    after = 0
    while True:
        answer = ctx.client.call("GET", _run_path(args.run_id, f"/logs?after={after}"))
        text = answer.get("logs") or ""
        if text:
            ctx.streams.stdout.write(text)
            ctx.streams.stdout.flush()
        next_offset = answer.get("next")
        if isinstance(next_offset, int):
            after = next_offset
        if not args.follow or answer.get("complete", True):
            return Exit.OK
        time.sleep(args.interval)


def runs_cancel(args: argparse.Namespace, ctx: Context) -> int:
    view = ctx.client.call("DELETE", _run_path(args.run_id))
    ctx.streams.stdout.write(f"{view.get('run_id', args.run_id)} {view.get('status', '')}\n")
    ctx.streams.stdout.flush()
    return Exit.OK


def runs_result(args: argparse.Namespace, ctx: Context) -> int:
    if why := binary_needs_file(args.output, args.output_file, ctx.streams):
        raise UsageError(why)

    def status() -> str | None:
        with ctx.client.open("GET", _run_path(args.run_id), timeout=10) as response:
            state = read_json(response, ctx.client.base_url).get("status")
            return state if isinstance(state, str) else None

    enabled = ctx.streams.stderr_is_tty
    with Progress(ctx.streams.stderr, enabled=enabled, state="waiting", poll=status):
        _fetch_and_emit(ctx, "GET", _run_path(args.run_id, "/result"), args)
    return Exit.OK


# ---------------------------------------------------------------------------------------------
# floe tables
# ---------------------------------------------------------------------------------------------


def tables(args: argparse.Namespace, ctx: Context) -> int:
    client = ctx.client
    if args.catalog:
        catalogs = [args.catalog]
    else:
        listing = client.call("GET", "/api/v1/catalogs")
        catalogs = [c["name"] for c in listing.get("registeredCatalogs") or [] if "name" in c]
    found: list[dict[str, Any]] = []
    for catalog in catalogs:
        if args.namespace:
            namespaces = [args.namespace]
        else:
            answer = client.call("GET", f"/api/v1/catalogs/{quote(catalog)}/namespaces")
            namespaces = [str(n) for n in answer.get("namespaces") or []]
        entry: dict[str, Any] = {"catalog": catalog, "namespaces": []}
        for namespace in namespaces:
            base = f"/api/v1/catalogs/{quote(catalog)}/namespaces/{quote(namespace)}/tables"
            listed = client.call("GET", base).get("tables") or []
            described = []
            for ref in listed:
                name = str(ref.get("table"))
                metadata = client.call("GET", f"{base}/{quote(name)}").get("table") or {}
                described.append({"table": name, "columns": _columns(metadata)})
            entry["namespaces"].append({"namespace": namespace, "tables": described})
        found.append(entry)
    if args.output == "json":
        write_text(dump_json({"catalogs": found}), None, ctx.streams)
        return Exit.OK
    write_text(_tables_text(found), None, ctx.streams)
    return Exit.OK


def _columns(metadata: dict[str, Any]) -> list[dict[str, Any]]:
    """The current schema's top-level columns of an Iceberg metadata document."""
    current = metadata.get("current-schema-id")
    schemas = metadata.get("schemas") or []
    schema = next((s for s in schemas if s.get("schema-id") == current), None)
    if schema is None and schemas:
        schema = schemas[-1]
    return [
        {
            "name": f.get("name"),
            "type": iceberg_type(f.get("type")),
            "required": bool(f.get("required")),
        }
        for f in (schema or {}).get("fields", [])
    ]


def _tables_text(found: list[dict[str, Any]]) -> str:
    out: list[str] = []
    for entry in found:
        for ns in entry["namespaces"]:
            prefix = f"{entry['catalog']}.{ns['namespace']}"
            if not ns["tables"]:
                out.append(f"{prefix} (no tables)")
            for t in ns["tables"]:
                out.append(f"{prefix}.{t['table']}")
                width = max((len(str(c["name"])) for c in t["columns"]), default=0)
                for c in t["columns"]:
                    required = "  not null" if c["required"] else ""
                    out.append(f"  {str(c['name']).ljust(width)}  {c['type']}{required}")
        if not entry["namespaces"]:
            out.append(f"{entry['catalog']} (no namespaces)")
    return "\n".join(out) + "\n" if out else "(no catalogs)\n"
