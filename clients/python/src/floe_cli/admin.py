"""`floe keys`, `floe grants`, `floe audit` (the admin API: an admin's API key) and `floe whoami`
(any key): what each does once its arguments parsed, and the tables they print."""

from __future__ import annotations

import argparse
import re
import urllib.parse
from typing import Any

from floe_cli.client import quote
from floe_cli.commands import Context
from floe_cli.errors import CliError, Exit
from floe_cli.output import dump_json, write_text
from floe_cli.render import format_table, plural

KEYS_PATH = "/api/v1/admin/keys"
GRANTS_PATH = "/api/v1/admin/grants"
AUDIT_PATH = "/api/v1/admin/audit"
WHOAMI_PATH = "/api/v1/whoami"


def _text(value: Any) -> str:
    """A cell of an admin listing: absent and null are empty."""
    return "" if value is None else str(value)


def _when(value: Any) -> str:
    """An ISO-8601 instant to the second, for a listing (`--output json` keeps every digit)."""
    return re.sub(r"(T\d\d:\d\d:\d\d)\.\d+", r"\1", _text(value))


def _objects(answer: dict[str, Any], field: str) -> list[dict[str, Any]]:
    items = answer.get(field)
    if not isinstance(items, list):
        raise CliError(f"the server's answer has no {field} list", Exit.SERVER_ERROR)
    return [item for item in items if isinstance(item, dict)]


def _object(answer: dict[str, Any], field: str) -> dict[str, Any]:
    item = answer.get(field)
    return item if isinstance(item, dict) else {}


def _groups(value: Any) -> str:
    return ", ".join(str(g) for g in value) if isinstance(value, list) else _text(value)


def _print(text: str, ctx: Context) -> int:
    write_text(text, None, ctx.streams)
    return Exit.OK


# ---------------------------------------------------------------------------------------------
# floe keys ...
# ---------------------------------------------------------------------------------------------


def key_request(args: argparse.Namespace) -> dict[str, Any]:
    """The POST body of `floe keys create` (absent flags are absent fields)."""
    body: dict[str, Any] = {"name": args.name}
    if args.principal is not None:
        body["principal"] = args.principal
    if args.group:
        body["groups"] = list(args.group)
    if args.expires is not None:
        body["expiresInSeconds"] = args.expires
    return body


def keys_create(args: argparse.Namespace, ctx: Context) -> int:
    answer = ctx.client.call("POST", KEYS_PATH, body=key_request(args))
    secret = answer.get("key")
    if not isinstance(secret, str) or not secret:
        raise CliError("the server's answer has no key", Exit.SERVER_ERROR)
    if args.output == "json":
        write_text(dump_json(answer), None, ctx.streams)
    else:
        # The key alone on stdout (KEY=$(floe keys create ...)); what it is on stderr.
        write_text(secret + "\n", None, ctx.streams)
    ctx.streams.note(created_note(_object(answer, "apiKey"), args.name))
    return Exit.OK


def created_note(api_key: dict[str, Any], name: str) -> str:
    """What `floe keys create` says on stderr beside the key it prints."""
    name = _text(api_key.get("name")) or name
    facts = []
    if api_key.get("groups"):
        facts.append(f"groups {_groups(api_key['groups'])}")
    expires = _when(api_key.get("expiresAt"))
    facts.append(f"expires {expires}" if expires else "no expiry")
    principal = api_key.get("principal")
    who = f" for principal {principal}" if principal else ""
    return (
        f"created key {name}{who} ({'; '.join(facts)})\n"
        "warning: the key is shown only this once: store it now, it cannot be shown again "
        f"(lost? floe keys revoke {name}, then create another)"
    )


def keys_list(args: argparse.Namespace, ctx: Context) -> int:
    answer = ctx.client.call("GET", KEYS_PATH)
    if args.output == "json":
        return _print(dump_json(answer), ctx)
    return _print(keys_table(_objects(answer, "keys"), unicode=ctx.streams.unicode), ctx)


def keys_table(keys: list[dict[str, Any]], *, unicode: bool) -> str:
    """The keys, one a row (never a secret: the server does not return them)."""
    columns = ["name", "principal", "groups", "status", "created_at", "expires_at", "revoked_at"]
    rows = [
        [
            _text(k.get("name")),
            _text(k.get("principal")),
            _groups(k.get("groups")),
            _text(k.get("status")),
            _when(k.get("createdAt")),
            _when(k.get("expiresAt")) or "never",
            _when(k.get("revokedAt")),
        ]
        for k in keys
    ]
    text = format_table(columns, rows, unicode=unicode) if rows else ""
    return text + plural(len(rows), "key") + "\n"


def keys_revoke(args: argparse.Namespace, ctx: Context) -> int:
    answer = ctx.client.call("DELETE", f"{KEYS_PATH}/{quote(args.name)}")
    api_key = _object(answer, "apiKey")
    principal = api_key.get("principal")
    who = f" (principal {principal})" if principal else ""
    return _print(f"revoked key {api_key.get('name') or args.name}{who}\n", ctx)


# ---------------------------------------------------------------------------------------------
# floe grants ...
# ---------------------------------------------------------------------------------------------


def grant_request(args: argparse.Namespace) -> dict[str, str]:
    return {"subject": args.subject, "privilege": args.privilege, "scope": args.scope}


def _grant_words(grant: dict[str, Any], asked: dict[str, str]) -> tuple[str, str, str]:
    return (
        _text(grant.get("subject")) or asked["subject"],
        _text(grant.get("privilege")) or asked["privilege"],
        _text(grant.get("scope")) or asked["scope"],
    )


def grants_add(args: argparse.Namespace, ctx: Context) -> int:
    asked = grant_request(args)
    status, answer = ctx.client.call_with_status("POST", GRANTS_PATH, body=asked)
    subject, privilege, scope = _grant_words(_object(answer, "grant"), asked)
    if status == 201:
        return _print(f"granted {privilege} on {scope} to {subject}\n", ctx)
    return _print(f"{subject} already has {privilege} on {scope}\n", ctx)


def grants_list(args: argparse.Namespace, ctx: Context) -> int:
    path = GRANTS_PATH
    if args.subject is not None:
        path += "?" + urllib.parse.urlencode({"subject": args.subject})
    answer = ctx.client.call("GET", path)
    if args.output == "json":
        return _print(dump_json(answer), ctx)
    return _print(grants_table(_objects(answer, "grants"), unicode=ctx.streams.unicode), ctx)


def grants_table(grants: list[dict[str, Any]], *, unicode: bool) -> str:
    columns = ["subject", "privilege", "scope", "created_at"]
    rows = [
        [
            _text(g.get("subject")),
            _text(g.get("privilege")),
            _text(g.get("scope")),
            _when(g.get("createdAt")),
        ]
        for g in grants
    ]
    text = format_table(columns, rows, unicode=unicode) if rows else ""
    return text + plural(len(rows), "grant") + "\n"


def grants_remove(args: argparse.Namespace, ctx: Context) -> int:
    asked = grant_request(args)
    answer = ctx.client.call("DELETE", f"{GRANTS_PATH}?{urllib.parse.urlencode(asked)}")
    subject, privilege, scope = _grant_words(_object(answer, "grant"), asked)
    return _print(f"removed {privilege} on {scope} from {subject}\n", ctx)


# ---------------------------------------------------------------------------------------------
# floe audit
# ---------------------------------------------------------------------------------------------


def audit_query(args: argparse.Namespace) -> dict[str, str]:
    """The audit listing's query parameters (absent flags are absent parameters)."""
    query = {
        "principal": args.principal,
        "runId": args.run,
        "since": args.since,
        "until": args.until,
        "outcome": args.outcome,
        "limit": str(args.limit),
    }
    return {name: value for name, value in query.items() if value is not None}


def audit(args: argparse.Namespace, ctx: Context) -> int:
    answer = ctx.client.call("GET", f"{AUDIT_PATH}?{urllib.parse.urlencode(audit_query(args))}")
    if args.output == "json":
        return _print(dump_json(answer), ctx)
    records = _objects(answer, "records")
    text = audit_table(records, unicode=ctx.streams.unicode)
    if len(records) >= args.limit:
        text += f"(the newest {args.limit:,}: older records need a higher --limit or --until)\n"
    return _print(text, ctx)


def audit_table(records: list[dict[str, Any]], *, unicode: bool) -> str:
    """Audit records, newest first as the server lists them: when, who, what, how it ended."""
    arrow = " → " if unicode else " -> "
    columns = ["at", "principal", "action", "outcome", "error", "run_id", "tables"]
    rows = []
    for r in records:
        status = r.get("status")
        outcome = _text(r.get("outcome"))
        if isinstance(status, int):
            outcome = f"{outcome} {status}".strip()
        tables = ", ".join(
            _text(t.get("table")) for t in r.get("tables") or [] if isinstance(t, dict)
        )
        if r.get("destination"):  # a save: what it read, then where it wrote
            tables = f"{tables}{arrow}{r['destination']}".strip()
        rows.append(
            [
                _when(r.get("at")),
                _text(r.get("principal")),
                _text(r.get("action")),
                outcome,
                _text(r.get("errorCode")),
                _text(r.get("runId")),
                tables,
            ]
        )
    text = format_table(columns, rows, unicode=unicode) if rows else ""
    return text + plural(len(rows), "record") + "\n"


# ---------------------------------------------------------------------------------------------
# floe whoami
# ---------------------------------------------------------------------------------------------


def whoami(args: argparse.Namespace, ctx: Context) -> int:
    answer = ctx.client.call("GET", WHOAMI_PATH)
    if args.output == "json":
        return _print(dump_json(answer), ctx)
    return _print(whoami_text(answer), ctx)


def whoami_text(answer: dict[str, Any]) -> str:
    admin = answer.get("admin")
    lines = [
        ("principal", _text(answer.get("principal")) or "-"),
        ("groups", _groups(answer.get("groups")) or "-"),
        ("admin", "yes" if admin is True else "no" if admin is False else "-"),
        ("credential", _text(answer.get("credential")) or "-"),
    ]
    return "".join(f"{name + ':':<12}{value}\n" for name, value in lines)
