"""`floe`: the command line. Parses arguments, runs a subcommand, maps failures to exit codes."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from floe_cli import __version__, admin, commands
from floe_cli.client import FloeClient
from floe_cli.commands import Context, UsageError
from floe_cli.errors import EXIT_CODES_HELP, ApiError, CliError, Exit
from floe_cli.output import FORMATS, Streams
from floe_cli.params import (
    DURATION_FORMS,
    BadArgument,
    check_scope,
    check_table_binding,
    duration_seconds,
    instant,
    positive_int,
)
from floe_cli.render import source_snippet

DEFAULT_URL = "http://localhost:8080"

ENVIRONMENT_HELP = f"""environment:
  FLOE_URL      the server (default {DEFAULT_URL}); --url overrides
  FLOE_API_KEY  sent as "Authorization: Bearer <key>"; --api-key overrides
"""

EXAMPLES = """examples:
  floe polars "SELECT species, AVG(petal_length) AS avg_petal_length FROM flowers \\
      GROUP BY species" --table flowers=default.flowers
  floe polars --script job.py --param min=6 --save analytics.long_petals --save-mode append
  floe polars "SELECT * FROM f" --table f=default.flowers --output parquet -o flowers.parquet
  floe runs list --status running
  floe tables lake --namespace default
"""

ADMIN_EXAMPLES = """examples (keys, grants and audit need an admin's API key):
  floe whoami
  floe keys create ci --principal team-a --group analysts --expires 30d
  floe keys list
  floe grants add team-a read lake.team_a
  floe grants list --subject team-a
  floe audit --principal team-a --since 2h --outcome refused
"""

ADMIN_HELP = """This needs an admin's API key: any other is refused (error[FORBIDDEN], exit code 3).
An unknown key or grant, or a key name already taken, is exit code 1 (HTTP 4xx).
"""

SCOPE_HELP = "CATALOG, CATALOG.NAMESPACE or CATALOG.NAMESPACE.TABLE (catalog first: lake.default)"

# The server names request fields; these are the flags that set them.
_FLAG_HINTS = {
    "TIMEOUT": "with floe, raise the limit with --timeout SECONDS",
    "LIMIT_EXCEEDED": "with floe, --output parquet -o FILE (or arrow, csv) streams any size",
}

Handler = Callable[[argparse.Namespace, Context], int]


class Parser(argparse.ArgumentParser):
    """argparse with the help layout kept as written (epilogs are preformatted)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        super().__init__(**kwargs)


def _typed(convert: Callable[[str], Any]) -> Callable[[str], Any]:
    """An argparse `type=` whose BadArgument message becomes argparse's own error."""

    def parse(text: str) -> Any:
        try:
            return convert(text)
        except BadArgument as e:
            raise argparse.ArgumentTypeError(str(e)) from None

    parse.__name__ = convert.__name__
    return parse


def _connection_flags(parser: argparse.ArgumentParser, default: Any) -> None:
    group = parser.add_argument_group("server")
    group.add_argument("--url", default=default, help="Floe's base URL (default: $FLOE_URL)")
    group.add_argument("--api-key", default=default, help="API key (default: $FLOE_API_KEY)")


def _workload_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("sql", nargs="?", help="a Polars SQL query (or use --script)")
    parser.add_argument(
        "--table",
        action="append",
        metavar="ALIAS=NS.TABLE",
        type=_typed(check_table_binding),
        help="bind a table; in SQL the alias is the table's name (repeatable)",
    )
    parser.add_argument("--script", metavar="FILE", help="a Python script to run; - reads stdin")
    parser.add_argument(
        "--param",
        action="append",
        metavar="KEY=VALUE",
        help="a script parameter; the value is JSON when it parses (10, true, [1,2]), else a "
        "string (repeatable)",
    )
    parser.add_argument("--save", metavar="NS.TABLE", help="save the result to this table")
    parser.add_argument("--save-mode", choices=["overwrite", "append"], help="default overwrite")
    parser.add_argument(
        "--schema-mode",
        choices=["strict", "merge", "overwrite"],
        help="how a save treats a schema that differs from the table's",
    )
    parser.add_argument("--catalog", metavar="NAME", help="the catalog (default: the server's)")
    parser.add_argument(
        "--job-name",
        metavar="NAME",
        help="the run's job in its lineage events (default: the mode and a hash of the source)",
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--distributed",
        action="store_true",
        help="run on the distributed engine (Polars Cloud or On-Prem)",
    )
    where.add_argument(
        "--distributed-auto",
        action="store_true",
        help="let Floe choose: distributed when the bound tables are larger than the server's "
        "threshold, else local (the answer says which, and why)",
    )
    parser.add_argument(
        "--instance-type",
        metavar="TYPE",
        help="the distributed engine's instance type (needs --distributed or --distributed-auto)",
    )
    parser.add_argument(
        "--cluster-size",
        type=_typed(positive_int),
        metavar="N",
        help="the distributed cluster's size (needs --distributed or --distributed-auto)",
    )
    parser.add_argument("--vcpus", type=_typed(positive_int), metavar="N", help="CPUs for the run")
    parser.add_argument(
        "--timeout", type=_typed(positive_int), metavar="SECONDS", help="the run's time limit"
    )
    parser.add_argument(
        "--max-rows",
        type=_typed(positive_int),
        metavar="N",
        help="rows answered inline as JSON (the server's default is 10,000)",
    )


def _result_output_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--output",
        choices=FORMATS,
        default="table",
        help="table (default), json (the server's answer), csv, parquet or arrow (an Arrow IPC "
        "stream); parquet and arrow need -o FILE or a redirected stdout",
    )
    parser.add_argument("-o", "--output-file", metavar="FILE", help="write the output here")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="floe",
        description="Run Polars SQL queries and Python scripts on an Iceberg lake through Floe.",
        epilog=f"{ENVIRONMENT_HELP}\n{EXIT_CODES_HELP}\n{EXAMPLES}\n{ADMIN_EXAMPLES}",
    )
    parser.add_argument("--version", action="version", version=f"floe {__version__}")
    _connection_flags(parser, None)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(
        parent: Any, name: str, handler: Handler, help_text: str, **kw: Any
    ) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = parent.add_parser(
            name, help=help_text, description=help_text, **kw
        )
        p.set_defaults(handler=handler, command_parser=p)
        # SUPPRESS: a flag given before the command is not reset by the command's defaults.
        _connection_flags(p, argparse.SUPPRESS)
        return p

    polars = command(
        sub,
        "polars",
        commands.polars,
        "Run a SQL query or a script and print (or save) its result.",
        epilog=f"{ENVIRONMENT_HELP}\n{EXIT_CODES_HELP}\n{EXAMPLES}",
    )
    _workload_flags(polars)
    _result_output_flags(polars)
    polars.add_argument(
        "--async",
        dest="run_async",
        action="store_true",
        help="submit the run and print its id (see: floe runs)",
    )
    polars.add_argument(
        "--profile",
        action="store_true",
        help="profile the run: after the result, each plan node's time and rows (on stderr)",
    )
    polars.add_argument(
        "--idempotency-key",
        metavar="KEY",
        help="the same key with the same request returns the first run instead of a second",
    )

    explain = command(
        sub,
        "explain",
        commands.explain,
        "Plan a query or script without running it: output schema, tables, plan.",
        epilog=EXIT_CODES_HELP,
    )
    _workload_flags(explain)
    explain.add_argument("--output", choices=["text", "json"], default="text")

    runs = sub.add_parser("runs", help="Asynchronous runs: list, show, logs, cancel, result.")
    runs_sub = runs.add_subparsers(dest="runs_command", metavar="ACTION", required=True)
    listing = command(runs_sub, "list", commands.runs_list, "List runs, newest first.")
    listing.add_argument(
        "--status", choices=["queued", "running", "succeeded", "failed", "cancelled"]
    )
    listing.add_argument("--limit", type=_typed(positive_int), default=50, metavar="N")
    listing.add_argument("--output", choices=["table", "json"], default="table")
    show = command(runs_sub, "show", commands.runs_show, "Show a run's state.")
    show.add_argument("run_id")
    show.add_argument("--output", choices=["text", "json"], default="text")
    show.add_argument(
        "--profile", action="store_true", help="also the profile of a run made with --profile"
    )
    logs = command(runs_sub, "logs", commands.runs_logs, "Print a run's output.")
    logs.add_argument("run_id")
    logs.add_argument("-f", "--follow", action="store_true", help="until the run ends")
    logs.add_argument("--interval", type=float, default=0.5, help=argparse.SUPPRESS)
    cancel = command(runs_sub, "cancel", commands.runs_cancel, "Cancel a queued or running run.")
    cancel.add_argument("run_id")
    result = command(
        runs_sub, "result", commands.runs_result, "Wait for a run and print its result."
    )
    result.add_argument("run_id")
    _result_output_flags(result)

    tables = command(
        sub, "tables", commands.tables, "List namespaces and tables, with each table's columns."
    )
    tables.add_argument("catalog", nargs="?", help="one catalog (default: every catalog)")
    tables.add_argument("--namespace", metavar="NS", help="only this namespace")
    tables.add_argument("--output", choices=["text", "json"], default="text")

    _admin_commands(sub, command)
    return parser


def _admin_commands(sub: Any, command: Callable[..., argparse.ArgumentParser]) -> None:
    """keys, grants, audit (the admin API) and whoami."""
    admin_epilog = f"{ADMIN_HELP}\n{EXIT_CODES_HELP}\n{ADMIN_EXAMPLES}"

    keys = sub.add_parser("keys", help="API keys (admin): create, list, revoke.")
    keys_sub = keys.add_subparsers(dest="keys_command", metavar="ACTION", required=True)
    create = command(
        keys_sub,
        "create",
        admin.keys_create,
        "Create an API key and print it: it is shown only this once.",
        epilog="The key alone goes to stdout (KEY=$(floe keys create ...)); what it is, to "
        f"stderr.\n\n{admin_epilog}",
    )
    create.add_argument("name", help="the key's name (unique; revoke it by this name)")
    create.add_argument(
        "--principal",
        metavar="P",
        help="who the key authenticates as, the subject of grants (default: the key's name)",
    )
    create.add_argument(
        "--group",
        action="append",
        metavar="G",
        help="a group of the principal's: grants to the group apply to it (repeatable)",
    )
    create.add_argument(
        "--expires",
        type=_typed(duration_seconds),
        metavar="DURATION",
        help=f"expire after {DURATION_FORMS}, e.g. 30d (default: the key does not expire)",
    )
    create.add_argument(
        "--output",
        choices=["text", "json"],
        default="text",
        help="text (default: the key alone) or json (the server's answer, key included)",
    )
    listing = command(
        keys_sub,
        "list",
        admin.keys_list,
        "List API keys (never their secrets): name, principal, groups, status.",
        epilog=admin_epilog,
    )
    listing.add_argument("--output", choices=["table", "json"], default="table")
    revoke = command(
        keys_sub,
        "revoke",
        admin.keys_revoke,
        "Revoke an API key: requests with it are refused from now on.",
        epilog=admin_epilog,
    )
    revoke.add_argument("name", help="the key's name")

    grants = sub.add_parser("grants", help="Grants of read or write on the lake (admin).")
    grants_sub = grants.add_subparsers(dest="grants_command", metavar="ACTION", required=True)

    def grant_arguments(grant: argparse.ArgumentParser) -> None:
        grant.add_argument("subject", metavar="PRINCIPAL_OR_GROUP", help="who the grant is to")
        grant.add_argument("privilege", choices=["read", "write"], help="read or write")
        grant.add_argument("scope", metavar="SCOPE", type=_typed(check_scope), help=SCOPE_HELP)

    grant_arguments(
        command(
            grants_sub,
            "add",
            admin.grants_add,
            "Grant a principal or a group read or write on a catalog, namespace or table.",
            epilog=admin_epilog,
        )
    )
    listing = command(grants_sub, "list", admin.grants_list, "List grants.", epilog=admin_epilog)
    listing.add_argument("--subject", metavar="S", help="only this principal's or group's")
    listing.add_argument("--output", choices=["table", "json"], default="table")
    grant_arguments(
        command(
            grants_sub,
            "remove",
            admin.grants_remove,
            "Remove a grant, given as grants list shows it.",
            epilog=admin_epilog,
        )
    )

    audit = command(
        sub,
        "audit",
        admin.audit,
        "List audit records, newest first: who did what, on which tables, and how it ended.",
        epilog=f"times: an ISO-8601 instant (2024-05-01T12:00:00Z; without an offset, UTC) or "
        f"a duration ago:\n  {DURATION_FORMS}, e.g. --since 2h\n\n{admin_epilog}",
    )
    audit.add_argument("--principal", metavar="P", help="only this principal's records")
    audit.add_argument("--run", metavar="RUN_ID", help="only this run's records")
    audit.add_argument(
        "--since", type=_typed(instant), metavar="TIME", help="only records at or after TIME"
    )
    audit.add_argument(
        "--until", type=_typed(instant), metavar="TIME", help="only records up to TIME"
    )
    audit.add_argument(
        "--outcome",
        choices=["ok", "refused", "failed"],
        help="only records that ended so: ok, refused (authentication, grants) or failed",
    )
    audit.add_argument(
        "--limit", type=_typed(positive_int), default=100, metavar="N", help="default 100"
    )
    audit.add_argument("--output", choices=["table", "json"], default="table")

    whoami = command(
        sub,
        "whoami",
        admin.whoami,
        "Show who the server takes the API key for: principal, groups, admin or not.",
        epilog=EXIT_CODES_HELP,
    )
    whoami.add_argument("--output", choices=["text", "json"], default="text")


def report_api_error(error: ApiError, ctx: Context) -> None:
    """The server's error, the user's line it points at, the hint, the trimmed traceback."""
    streams = ctx.streams
    body = error.body
    logs = body.get("logs")
    if isinstance(logs, str) and logs.strip():
        streams.note("output of the run:\n" + logs)
    label = f"error[{error.error_code}]" if error.error_code else f"error (HTTP {error.status})"
    if streams.color:
        label = f"\033[1;31m{label}\033[0m"
    message = error.message
    if error.status == 401:
        message += " (check the API key: FLOE_API_KEY or --api-key)"
    lines = [f"{label}: {message}"]
    diagnostics = body.get("diagnostics")
    diagnostics = diagnostics if isinstance(diagnostics, dict) else {}
    line = diagnostics.get("line")
    if ctx.source is not None and isinstance(line, int):
        column = diagnostics.get("column")
        lines += source_snippet(
            ctx.source.text,
            ctx.source.name,
            line,
            column if isinstance(column, int) else None,
            color=streams.color,
        )
    snippet_shown = len(lines) > 1
    if isinstance(diagnostics.get("hint"), str):
        lines.append(f"hint: {diagnostics['hint']}")
    if error.error_code in _FLAG_HINTS:
        lines.append(f"hint: {_FLAG_HINTS[error.error_code]}")
    details = body.get("details")
    # A syntax error's details repeat the snippet just shown.
    repeats = snippet_shown and error.error_code in ("SCRIPT_SYNTAX", "SQL_SYNTAX")
    if isinstance(details, str) and details.strip() and not repeats:
        lines.append("details:")
        lines += [f"  {d}" for d in details.rstrip().splitlines()]
    if body.get("run_id"):
        lines.append(f"run: {body['run_id']}")
    streams.note("\n".join(lines))


def main(argv: Sequence[str] | None = None) -> int:
    streams = Streams(sys.stdout, sys.stderr)
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")
    parser = build_parser()
    args = parser.parse_args(argv)
    url = args.url or os.environ.get("FLOE_URL") or DEFAULT_URL
    api_key = args.api_key or os.environ.get("FLOE_API_KEY") or None
    ctx = Context(FloeClient(url, api_key), streams)
    try:
        return int(args.handler(args, ctx))
    except UsageError as e:
        command_parser: argparse.ArgumentParser = getattr(args, "command_parser", parser)
        command_parser.error(e.message)  # exits 2 with the command's usage line
    except ApiError as e:
        report_api_error(e, ctx)
        return int(e.exit_code)
    except CliError as e:
        streams.note(f"error: {e.message}")
        return int(e.code)
    except KeyboardInterrupt:
        streams.note("interrupted")
        return 130
    except BrokenPipeError:
        # stdout closed early (| head): not an error of the run.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return int(Exit.OK)


if __name__ == "__main__":
    sys.exit(main())
