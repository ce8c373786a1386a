"""Authentication and grants through the CLI: `keys create|list|revoke`, `grants add|list|remove`,
`audit` and `whoami` against the admin API, and what a new key may then read.

FLOE_API_KEY (given to pytest, not passed on by Floe.env) is an admin's key; without it the tests
that need the server's admin API are skipped. Every test makes its own keys, principals and
groups, named with a fresh suffix, and revokes and removes what it made afterwards.
"""

from __future__ import annotations

import os
import re
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest

from conftest import FLOWERS, Floe, Result

COUNT = "SELECT COUNT(*) AS n FROM flowers"


@dataclass
class Caller:
    """`floe ARGS...` as the holder of one API key."""

    floe: Floe
    key: str

    def __call__(self, *args: str) -> Result:
        return self.floe(*args, env=self.floe.env(FLOE_API_KEY=self.key))

    def ok(self, *args: str) -> Result:
        result = self(*args)
        assert result.code == 0, str(result)
        return result


@dataclass
class NewKey:
    name: str
    principal: str
    secret: str
    caller: Caller
    created: Result


@dataclass
class Made:
    """What a test created, to revoke and remove afterwards."""

    keys: list[str] = field(default_factory=list)
    grants: list[tuple[str, str, str]] = field(default_factory=list)


def _suffix() -> str:
    return uuid.uuid4().hex[:10]


def _at(text: str) -> datetime:
    """An ISO-8601 instant from the server (Java may write nanoseconds: Python reads micro)."""
    return datetime.fromisoformat(re.sub(r"\.\d+", "", text).replace("Z", "+00:00"))


@pytest.fixture
def admin(floe: Floe) -> Iterator[tuple[Caller, Made]]:
    key = os.environ.get("FLOE_API_KEY")
    if not key:
        pytest.skip("FLOE_API_KEY (an admin's API key for the Floe under test) is not set")
    caller = Caller(floe, key)
    made = Made()
    yield caller, made
    for subject, privilege, scope in made.grants:
        caller("grants", "remove", subject, privilege, scope)  # gone already is fine
    for name in made.keys:
        caller("keys", "revoke", name)


@pytest.fixture
def new_key(floe: Floe, admin: tuple[Caller, Made]) -> Callable[..., NewKey]:
    """Creates a key for a fresh principal: new_key(*extra_flags)."""
    caller, made = admin

    def create(*flags: str) -> NewKey:
        suffix = _suffix()
        name, principal = f"cli-key-{suffix}", f"cli-principal-{suffix}"
        made.keys.append(name)
        created = caller.ok("keys", "create", name, "--principal", principal, *flags)
        secret = created.out.strip()
        return NewKey(name, principal, secret, Caller(floe, secret), created)

    return create


def _grant(admin: tuple[Caller, Made], subject: str, privilege: str, scope: str) -> Result:
    caller, made = admin
    made.grants.append((subject, privilege, scope))
    return caller.ok("grants", "add", subject, privilege, scope)


def _keys(caller: Caller) -> dict[str, dict[str, Any]]:
    listed: list[dict[str, Any]] = caller.ok("keys", "list", "--output", "json").json()["keys"]
    return {k["name"]: k for k in listed}


def _grants(caller: Caller, subject: str) -> list[tuple[str, str, str]]:
    answer = caller.ok("grants", "list", "--subject", subject, "--output", "json").json()
    return sorted((g["subject"], g["privilege"], g["scope"]) for g in answer["grants"])


# --- without the server's admin API ---------------------------------------------------------


def test_help_lists_the_new_commands(floe: Floe) -> None:
    top = floe.ok("--help").out
    for command in ("keys", "grants", "audit", "whoami"):
        assert re.search(rf"^\s+{command}\s", top, re.MULTILINE), command
    assert "floe keys create" in top and "floe audit --principal" in top
    for argv in (
        ["keys", "--help"],
        ["keys", "create", "--help"],
        ["keys", "list", "--help"],
        ["keys", "revoke", "--help"],
        ["grants", "--help"],
        ["grants", "add", "--help"],
        ["grants", "list", "--help"],
        ["grants", "remove", "--help"],
        ["audit", "--help"],
        ["whoami", "--help"],
    ):
        assert floe.ok(*argv).out.startswith("usage: floe"), argv
    audit_help = floe.ok("audit", "--help").out
    assert "ok,refused,failed" in audit_help and "<n>m, <n>h or <n>d" in audit_help


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["keys", "create", "k", "--expires", "30"], "<n>m, <n>h or <n>d"),
        (["keys", "create", "k", "--expires", "0h"], "at least 1h"),
        (["keys", "create"], "required"),
        (["grants", "add", "p", "own", "lake"], "invalid choice"),
        (["grants", "add", "p", "read", "lake.a.b.c"], "CATALOG.NAMESPACE.TABLE"),
        (["grants", "remove", "p", "read"], "required"),
        (["audit", "--since", "last week"], "neither an ISO-8601 instant"),
        (["audit", "--outcome", "denied"], "invalid choice"),
        (["audit", "--limit", "0"], "at least 1"),
    ],
)
def test_exit_2_on_bad_admin_arguments(floe: Floe, argv: list[str], said: str) -> None:
    result = floe(*argv)
    assert result.code == 2, str(result)
    assert "usage: floe" in result.err
    assert said in result.err


# --- keys ------------------------------------------------------------------------------------


def test_a_new_key_is_printed_once_and_listed_without_its_secret(
    admin: tuple[Caller, Made], new_key: Callable[..., NewKey]
) -> None:
    caller, _ = admin
    group = f"cli-group-{_suffix()}"
    key = new_key("--group", group, "--expires", "1d")
    assert key.created.out == key.secret + "\n"  # the key alone on stdout
    assert key.secret.startswith("floe_")
    assert "shown only this once" in key.created.err
    assert f"created key {key.name} for principal {key.principal}" in key.created.err
    assert key.secret not in key.created.err

    table = caller.ok("keys", "list")
    assert key.secret not in table.out
    assert table.out.splitlines()[0].split()[0] == "name"
    row = next(line for line in table.out.splitlines() if line.split()[:1] == [key.name])
    assert key.principal in row and group in row and "active" in row

    as_json = caller.ok("keys", "list", "--output", "json")
    assert key.secret not in as_json.out
    listed = _keys(caller)[key.name]
    assert "key" not in listed
    assert listed["principal"] == key.principal
    assert listed["groups"] == [group]
    assert listed["status"] == "active"
    assert listed["revokedAt"] is None
    lifetime = _at(listed["expiresAt"]) - _at(listed["createdAt"])
    assert abs(lifetime - timedelta(days=1)) < timedelta(minutes=1), listed

    taken = caller("keys", "create", key.name)
    assert taken.code == 1, str(taken)
    assert "error[KEY_EXISTS]" in taken.err
    assert taken.out == ""


def test_a_new_key_works_for_whoami(
    admin: tuple[Caller, Made], new_key: Callable[..., NewKey]
) -> None:
    caller, _ = admin
    group = f"cli-group-{_suffix()}"
    key = new_key("--group", group)
    me = key.caller.ok("whoami", "--output", "json").json()
    assert me["principal"] == key.principal
    assert me["groups"] == [group]
    assert me["admin"] is False
    assert me["credential"] == f"key:{key.name}"
    text = key.caller.ok("whoami").out
    assert re.search(rf"^principal:\s+{re.escape(key.principal)}$", text, re.MULTILINE), text
    assert re.search(r"^admin:\s+no$", text, re.MULTILINE), text
    assert caller.ok("whoami", "--output", "json").json()["admin"] is True


def test_a_non_admin_key_is_refused_the_admin_commands(new_key: Callable[..., NewKey]) -> None:
    key = new_key()
    for argv in (["keys", "list"], ["grants", "list"], ["audit"]):
        refused = key.caller(*argv)
        assert refused.code == 3, str(refused)
        assert "error[FORBIDDEN]" in refused.err
        assert refused.out == ""


def test_a_revoked_key_is_refused_with_exit_3(
    admin: tuple[Caller, Made], new_key: Callable[..., NewKey]
) -> None:
    caller, _ = admin
    key = new_key()
    key.caller.ok("whoami")
    revoked = caller.ok("keys", "revoke", key.name)
    assert revoked.out == f"revoked key {key.name} (principal {key.principal})\n"
    for argv in (["whoami"], ["polars", COUNT, "--table", FLOWERS]):
        refused = key.caller(*argv)
        assert refused.code == 3, str(refused)
        assert "error[UNAUTHENTICATED]" in refused.err
        assert "API key" in refused.err
        assert refused.out == ""
    listed = _keys(caller)[key.name]
    assert listed["status"] == "revoked"
    assert listed["revokedAt"] is not None
    unknown = caller("keys", "revoke", f"cli-key-{_suffix()}")
    assert unknown.code == 1, str(unknown)
    assert "error[KEY_NOT_FOUND]" in unknown.err


# --- grants ----------------------------------------------------------------------------------


def test_grants_add_list_remove(admin: tuple[Caller, Made]) -> None:
    caller, _ = admin
    subject = f"cli-subject-{_suffix()}"
    added = _grant(admin, subject, "read", "lake.default")
    assert added.out == f"granted read on lake.default to {subject}\n"
    again = caller.ok("grants", "add", subject, "read", "lake.default")
    assert again.out == f"{subject} already has read on lake.default\n"
    _grant(admin, subject, "write", "lake.default.flowers")
    assert _grants(caller, subject) == [
        (subject, "read", "lake.default"),
        (subject, "write", "lake.default.flowers"),
    ]
    every = caller.ok("grants", "list", "--output", "json").json()["grants"]
    assert (subject, "read", "lake.default") in [
        (g["subject"], g["privilege"], g["scope"]) for g in every
    ]
    table = caller.ok("grants", "list", "--subject", subject).out
    assert table.splitlines()[0].split()[0] == "subject"
    assert "lake.default.flowers" in table and table.endswith("2 grants\n")

    removed = caller.ok("grants", "remove", subject, "read", "lake.default")
    assert removed.out == f"removed read on lake.default from {subject}\n"
    assert _grants(caller, subject) == [(subject, "write", "lake.default.flowers")]
    gone = caller("grants", "remove", subject, "read", "lake.default")
    assert gone.code == 1, str(gone)
    assert "error[GRANT_NOT_FOUND]" in gone.err


def _refused_as_missing(result: Result) -> None:
    """A table without a grant reads as one that does not exist (its existence is not told)."""
    assert result.code == 1, str(result)
    assert re.search(r"error\[(TABLE|NAMESPACE)_NOT_FOUND\]", result.err), str(result)
    assert "does not exist" in result.err
    assert result.out == ""


def test_a_table_is_readable_only_with_a_grant(
    admin: tuple[Caller, Made], new_key: Callable[..., NewKey]
) -> None:
    key = new_key()
    _refused_as_missing(key.caller("polars", COUNT, "--table", FLOWERS))
    _grant(admin, key.principal, "read", "lake.default")
    allowed = key.caller.ok("polars", COUNT, "--table", FLOWERS)
    assert "150" in allowed.out


def test_a_grant_to_a_group_on_one_table_serves_its_members(
    admin: tuple[Caller, Made], new_key: Callable[..., NewKey]
) -> None:
    caller, _ = admin
    group = f"cli-group-{_suffix()}"
    key = new_key("--group", group)
    _refused_as_missing(key.caller("polars", COUNT, "--table", FLOWERS))
    _grant(admin, group, "read", "lake.default.flowers")
    assert "150" in key.caller.ok("polars", COUNT, "--table", FLOWERS).out
    caller.ok("grants", "remove", group, "read", "lake.default.flowers")
    _refused_as_missing(key.caller("polars", COUNT, "--table", FLOWERS))


# --- audit -----------------------------------------------------------------------------------


def _records(caller: Caller, *flags: str) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = caller.ok("audit", *flags, "--output", "json").json()["records"]
    return records


def test_audit_lists_a_principals_records_refused_ones_too(
    admin: tuple[Caller, Made], new_key: Callable[..., NewKey]
) -> None:
    caller, _ = admin
    key = new_key()
    _refused_as_missing(key.caller("polars", COUNT, "--table", FLOWERS))  # no grant yet
    forbidden = key.caller("keys", "list")  # not an admin
    assert forbidden.code == 3, str(forbidden)
    _grant(admin, key.principal, "read", "lake.default")
    key.caller.ok("polars", COUNT, "--table", FLOWERS)

    def done(records: list[dict[str, Any]]) -> bool:
        refused = any(r["outcome"] == "refused" and r["status"] == 403 for r in records)
        read = any(
            r["outcome"] == "ok" and "lake.default.flowers" in [t["table"] for t in r["tables"]]
            for r in records
        )
        return refused and read

    deadline = time.monotonic() + 10
    records = _records(caller, "--principal", key.principal)
    while not done(records) and time.monotonic() < deadline:
        time.sleep(0.3)
        records = _records(caller, "--principal", key.principal)

    assert records and {r["principal"] for r in records} == {key.principal}, records
    refused = [r for r in records if r["outcome"] == "refused"]
    assert refused, records
    assert any(
        r["status"] == 403 and r["errorCode"] == "FORBIDDEN" and "/api/v1/admin/keys" in r["action"]
        for r in refused
    ), refused
    assert done(records), records
    ats = [_at(r["at"]) for r in records]
    assert ats == sorted(ats, reverse=True)  # newest first

    only_refused = _records(caller, "--principal", key.principal, "--outcome", "refused")
    assert only_refused and {r["outcome"] for r in only_refused} == {"refused"}
    recent = _records(caller, "--principal", key.principal, "--since", "1h", "--limit", "2")
    assert len(recent) == 2 and {r["principal"] for r in recent} == {key.principal}
    assert _records(caller, "--principal", key.principal, "--until", "2000-01-01T00:00:00Z") == []

    table = caller.ok("audit", "--principal", key.principal).out
    lines = table.splitlines()
    assert lines[0].split()[0] == "at"
    assert re.search(r"refused 403.*FORBIDDEN", table), table
    rows = lines[2:-1]  # under the header and its rule, above the count
    assert rows and all(key.principal in row for row in rows), table
    assert lines[-1] == f"{len(rows)} records"


def test_audit_by_run_id(admin: tuple[Caller, Made], new_key: Callable[..., NewKey]) -> None:
    caller, _ = admin
    key = new_key()
    _grant(admin, key.principal, "read", "lake.default")
    run_id = key.caller.ok("polars", COUNT, "--table", FLOWERS, "--async").out.strip()
    key.caller.ok("runs", "result", run_id)
    records: list[dict[str, Any]] = []
    deadline = time.monotonic() + 10
    while not records and time.monotonic() < deadline:
        records = _records(caller, "--run", run_id)
        if not records:
            time.sleep(0.3)
    assert records, run_id
    assert {r["runId"] for r in records} == {run_id}
    assert {r["principal"] for r in records} == {key.principal}
