"""keys, grants, audit and whoami: their flags, the requests they send, what they print."""

from __future__ import annotations

import io
import json
import urllib.parse
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from floe_cli import main as cli
from floe_cli.admin import audit_table, created_note, grants_table, keys_table, whoami_text
from floe_cli.client import FloeClient
from floe_cli.errors import ApiError
from floe_cli.main import build_parser
from floe_cli.output import Streams


class FakeClient(FloeClient):
    """Answers each request with the next canned (status, body); records what was sent."""

    def __init__(self, *answers: tuple[int, dict[str, Any]]) -> None:
        super().__init__("http://floe.test", "admin-key")
        self.answers = list(answers)
        self.sent: list[tuple[str, str, dict[str, Any] | None]] = []

    def call_with_status(
        self,
        method: str,
        path: str,
        *,
        body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        timeout: float | None = 60.0,
    ) -> tuple[int, dict[str, Any]]:
        self.sent.append((method, path, body))
        status, answer = self.answers.pop(0)
        if status >= 400:
            raise ApiError(status, answer, json.dumps(answer))
        return status, answer


def run(monkeypatch: pytest.MonkeyPatch, client: FakeClient, *argv: str) -> tuple[int, str, str]:
    """`floe ARGV` in process against `client`: the exit code, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(cli, "FloeClient", lambda url, key: client)
    monkeypatch.setattr(cli, "Streams", lambda o, e: Streams(out, err))
    code = cli.main(list(argv))
    return code, out.getvalue(), err.getvalue()


def query(path: str) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(path).query))


KEY = {
    "name": "ci",
    "principal": "team-a",
    "groups": ["analysts", "etl"],
    "createdAt": "2024-05-01T12:00:00.000001Z",
    "expiresAt": "2024-05-31T12:00:00.999Z",
    "revokedAt": None,
    "status": "active",
}
GRANT = {
    "subject": "team-a",
    "privilege": "read",
    "scope": "lake.team_a",
    "createdAt": "2024-05-01T12:00:00Z",
}
RECORD: dict[str, Any] = {
    "id": 7,
    "at": "2024-05-01T12:00:03.5Z",
    "principal": "team-a",
    "remote": "10.0.0.5",
    "action": "POST /api/v1/warehouse/polars",
    "mode": "query",
    "scriptSha256": None,
    "tables": [{"table": "lake.default.flowers", "snapshotId": "123"}],
    "destination": None,
    "snapshotId": None,
    "status": 404,
    "outcome": "refused",
    "errorCode": "TABLE_NOT_FOUND",
    "runId": "r-1",
}


# --- parsing ---------------------------------------------------------------------------------


def test_keys_create_flags_become_the_request_body(monkeypatch: pytest.MonkeyPatch) -> None:
    client = FakeClient((201, {"success": True, "key": "floe_s3cret", "apiKey": KEY}))
    argv = ["keys", "create", "ci", "--principal", "team-a", "--group", "analysts"]
    code, out, err = run(monkeypatch, client, *argv, "--group", "etl", "--expires", "30d")
    assert code == 0
    assert client.sent == [
        (
            "POST",
            "/api/v1/admin/keys",
            {
                "name": "ci",
                "principal": "team-a",
                "groups": ["analysts", "etl"],
                "expiresInSeconds": 2592000,
            },
        )
    ]
    assert out == "floe_s3cret\n"  # the key alone: KEY=$(floe keys create ...)
    assert "shown only this once" in err
    assert "floe_s3cret" not in err


def test_keys_create_sends_only_the_name_without_flags(monkeypatch: pytest.MonkeyPatch) -> None:
    client = FakeClient((201, {"success": True, "key": "floe_x", "apiKey": {"name": "ci"}}))
    assert run(monkeypatch, client, "keys", "create", "ci")[0] == 0
    assert client.sent == [("POST", "/api/v1/admin/keys", {"name": "ci"})]


def test_keys_create_json_is_the_servers_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    answer = {"success": True, "key": "floe_x", "apiKey": KEY}
    client = FakeClient((201, answer))
    code, out, err = run(monkeypatch, client, "keys", "create", "ci", "--output", "json")
    assert code == 0
    assert json.loads(out) == answer
    assert "shown only this once" in err


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["keys", "create", "ci", "--expires", "30"], "<n>m, <n>h or <n>d"),
        (["keys", "create", "ci", "--expires", "0d"], "at least 1d"),
        (["keys", "create", "ci", "--expires", "1w"], "--expires"),
        (["keys", "create"], "required: name"),
        (["keys", "revoke"], "required: name"),
        (["keys"], "required"),
        (["grants", "add", "team-a", "admin", "lake"], "invalid choice: 'admin'"),
        (["grants", "add", "team-a", "read", "lake..t"], "CATALOG.NAMESPACE.TABLE"),
        (["grants", "remove", "team-a", "write", "a.b.c.d"], "is not a scope"),
        (["grants", "add", "team-a", "read"], "required: SCOPE"),
        (["audit", "--since", "yesterday"], "neither an ISO-8601 instant"),
        (["audit", "--until", "2024-13-01"], "--until"),
        (["audit", "--outcome", "denied"], "invalid choice: 'denied'"),
        (["audit", "--limit", "0"], "at least 1"),
        (["whoami", "--output", "table"], "invalid choice"),
    ],
)
def test_bad_arguments_are_usage_errors_with_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], said: str
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "usage: floe" in err
    assert said in err


def test_audit_flags_become_the_query(monkeypatch: pytest.MonkeyPatch) -> None:
    client = FakeClient((200, {"success": True, "records": []}))
    code, _, _ = run(
        monkeypatch,
        client,
        "audit",
        "--principal",
        "team a",
        "--run",
        "r-1",
        "--since",
        "2h",
        "--until",
        "2030-01-01T02:00:00+02:00",
        "--outcome",
        "refused",
        "--limit",
        "5",
    )
    assert code == 0
    [(method, path, body)] = client.sent
    assert (method, urllib.parse.urlsplit(path).path, body) == ("GET", "/api/v1/admin/audit", None)
    sent = query(path)
    since = datetime.fromisoformat(sent.pop("since").replace("Z", "+00:00"))
    ago = datetime.now(timezone.utc) - since
    assert timedelta(hours=2) <= ago < timedelta(hours=2, minutes=1)
    assert sent == {
        "principal": "team a",
        "runId": "r-1",
        "until": "2030-01-01T00:00:00Z",
        "outcome": "refused",
        "limit": "5",
    }


def test_audit_without_flags_asks_for_the_newest_100(monkeypatch: pytest.MonkeyPatch) -> None:
    client = FakeClient((200, {"success": True, "records": []}))
    code, out, _ = run(monkeypatch, client, "audit")
    assert code == 0
    assert client.sent == [("GET", "/api/v1/admin/audit?limit=100", None)]
    assert out == "0 records\n"


def test_grants_add_list_remove_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    client = FakeClient(
        (201, {"success": True, "grant": GRANT}),
        (200, {"success": True, "grant": GRANT}),
        (200, {"success": True, "grants": [GRANT]}),
        (200, {"success": True, "grant": GRANT}),
    )
    grant = ["team-a", "read", "lake.team_a"]
    assert run(monkeypatch, client, "grants", "add", *grant)[1] == (
        "granted read on lake.team_a to team-a\n"
    )
    assert run(monkeypatch, client, "grants", "add", *grant)[1] == (
        "team-a already has read on lake.team_a\n"
    )
    listed = run(monkeypatch, client, "grants", "list", "--subject", "team-a")[1]
    assert "lake.team_a" in listed
    assert run(monkeypatch, client, "grants", "remove", *grant)[1] == (
        "removed read on lake.team_a from team-a\n"
    )
    body = {"subject": "team-a", "privilege": "read", "scope": "lake.team_a"}
    assert client.sent[:3] == [
        ("POST", "/api/v1/admin/grants", body),
        ("POST", "/api/v1/admin/grants", body),
        ("GET", "/api/v1/admin/grants?subject=team-a", None),
    ]
    method, path, sent_body = client.sent[3]
    assert (method, path.split("?")[0], sent_body) == ("DELETE", "/api/v1/admin/grants", None)
    assert query(path) == body


def test_keys_list_and_revoke_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    revoked = {**KEY, "name": "a b/c", "status": "revoked", "revokedAt": "2024-05-02T00:00:00Z"}
    client = FakeClient(
        (200, {"success": True, "keys": [KEY]}),
        (200, {"success": True, "apiKey": revoked}),
    )
    assert "team-a" in run(monkeypatch, client, "keys", "list")[1]
    code, out, _ = run(monkeypatch, client, "keys", "revoke", "a b/c")
    assert (code, out) == (0, "revoked key a b/c (principal team-a)\n")
    assert client.sent == [
        ("GET", "/api/v1/admin/keys", None),
        ("DELETE", "/api/v1/admin/keys/a%20b%2Fc", None),
    ]


def test_listings_as_json_are_the_servers_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    for argv, answer in (
        (["keys", "list"], {"success": True, "keys": [KEY]}),
        (["grants", "list"], {"success": True, "grants": [GRANT]}),
        (["audit"], {"success": True, "records": [RECORD]}),
        (["whoami"], {"success": True, "principal": "p", "groups": [], "admin": False}),
    ):
        client = FakeClient((200, answer))
        code, out, _ = run(monkeypatch, client, *argv, "--output", "json")
        assert (code, json.loads(out)) == (0, answer), argv


# --- errors go through the CLI's error path --------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "status", "error_code", "exit_code"),
    [
        (["keys", "create", "ci"], 409, "KEY_EXISTS", 1),
        (["keys", "revoke", "nope"], 404, "KEY_NOT_FOUND", 1),
        (["grants", "remove", "p", "read", "lake"], 404, "GRANT_NOT_FOUND", 1),
        (["keys", "list"], 403, "FORBIDDEN", 3),
        (["whoami"], 401, "UNAUTHENTICATED", 3),
    ],
)
def test_error_envelopes_are_reported_with_their_exit_codes(
    monkeypatch: pytest.MonkeyPatch, argv: list[str], status: int, error_code: str, exit_code: int
) -> None:
    envelope = {"success": False, "error": "It went wrong.", "error_code": error_code}
    code, out, err = run(monkeypatch, FakeClient((status, envelope)), *argv)
    assert (code, out) == (exit_code, "")
    assert f"error[{error_code}]: It went wrong." in err
    assert ("check the API key" in err) == (status == 401)


# --- rendering -------------------------------------------------------------------------------


def test_keys_table() -> None:
    never = {**KEY, "name": "old", "expiresAt": None, "status": "revoked"}
    never["revokedAt"] = "2024-05-02T00:00:00Z"
    text = keys_table([KEY, never], unicode=False)
    assert text.splitlines() == [
        "name | principal | groups        | status  | created_at           | expires_at"
        "           | revoked_at",
        "-----+-----------+---------------+---------+----------------------+---------------------"
        "-+---------------------",
        "ci   | team-a    | analysts, etl | active  | 2024-05-01T12:00:00Z | 2024-05-31T12:00:00Z",
        "old  | team-a    | analysts, etl | revoked | 2024-05-01T12:00:00Z | never"
        "                | 2024-05-02T00:00:00Z",
        "2 keys",
    ]
    assert keys_table([], unicode=True) == "0 keys\n"


def test_grants_table() -> None:
    text = grants_table([{**GRANT, "createdAt": "2024-05-01T12:00:00.123456789Z"}], unicode=True)
    assert text.splitlines() == [
        "subject │ privilege │ scope       │ created_at",
        "────────┼───────────┼─────────────┼─────────────────────",
        "team-a  │ read      │ lake.team_a │ 2024-05-01T12:00:00Z",
        "1 grant",
    ]


def test_audit_table() -> None:
    saved = {
        **RECORD,
        "id": 8,
        "principal": None,
        "action": "run",
        "status": None,
        "outcome": "ok",
        "errorCode": None,
        "tables": [{"table": "lake.a.x"}, {"table": "lake.a.y"}],
        "destination": "lake.a.z",
    }
    text = audit_table([RECORD, saved], unicode=False)
    lines = text.splitlines()
    assert [c.strip() for c in lines[0].split("|")] == [
        "at",
        "principal",
        "action",
        "outcome",
        "error",
        "run_id",
        "tables",
    ]
    assert [c.strip() for c in lines[2].split("|")] == [
        "2024-05-01T12:00:03Z",
        "team-a",
        "POST /api/v1/warehouse/polars",
        "refused 404",
        "TABLE_NOT_FOUND",
        "r-1",
        "lake.default.flowers",
    ]
    assert [c.strip() for c in lines[3].split("|")] == [
        "2024-05-01T12:00:03Z",
        "",
        "run",
        "ok",
        "",
        "r-1",
        "lake.a.x, lake.a.y -> lake.a.z",
    ]
    assert lines[4] == "2 records"
    only_save = audit_table([{**saved, "tables": []}], unicode=True)
    assert "│ → lake.a.z" in only_save
    assert audit_table([], unicode=False) == "0 records\n"


def test_audit_says_when_the_limit_cut_the_listing(monkeypatch: pytest.MonkeyPatch) -> None:
    client = FakeClient((200, {"success": True, "records": [RECORD, RECORD]}))
    out = run(monkeypatch, client, "audit", "--limit", "2")[1]
    assert out.endswith(
        "2 records\n(the newest 2: older records need a higher --limit or --until)\n"
    )


def test_whoami_text() -> None:
    answer = {
        "success": True,
        "principal": "team-a",
        "groups": ["analysts"],
        "admin": False,
        "credential": "key:ci",
    }
    assert whoami_text(answer) == (
        "principal:  team-a\ngroups:     analysts\nadmin:      no\ncredential: key:ci\n"
    )
    admin = whoami_text({**answer, "groups": [], "admin": True})
    assert "groups:     -\nadmin:      yes\n" in admin


def test_created_note_names_the_key_and_warns_once() -> None:
    note = created_note(KEY, "ci")
    assert note.splitlines()[0] == (
        "created key ci for principal team-a (groups analysts, etl; expires 2024-05-31T12:00:00Z)"
    )
    assert "shown only this once" in note and "floe keys revoke ci" in note
    bare = created_note({}, "ci")
    assert bare.splitlines()[0] == "created key ci (no expiry)"
