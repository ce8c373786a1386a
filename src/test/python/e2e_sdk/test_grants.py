"""Two teams through the hosted SDK, unchanged: each team's key sees and reads only its own
namespace (catalog methods included), may save only where it may write, and a bad key is refused
with Floe's own sentence. Keys and grants are made over the admin API with the admin's key
(FLOE_API_KEY), as an operator would with `floe keys create` and `floe grants add`.
"""

from __future__ import annotations

import json
import os
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from floe_e2e import drop_namespace
from oleander_sdk import Oleander, OleanderHttpError, PolarsOptions
from pyiceberg.catalog import Catalog

from conftest import run


def admin(floe_url: str, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    request = urllib.request.Request(
        floe_url + path,
        data=None if body is None else json.dumps(body).encode(),
        headers={
            "Content-Type": "application/json",
            "Authorization": "Bearer " + os.environ["FLOE_API_KEY"],
        },
        method=method,
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


@dataclass(frozen=True)
class Teams:
    a: Oleander
    b: Oleander
    ns_a: str
    ns_b: str


@pytest.fixture(scope="module")
def teams(floe_url: str, client: Oleander, writer_catalog: Catalog) -> Iterator[Teams]:
    suffix = uuid.uuid4().hex[:8]
    ns_a, ns_b = f"sdk_team_a_{suffix}", f"sdk_team_b_{suffix}"
    for table, rows in ((f"{ns_a}.orders", 3), (f"{ns_b}.salaries", 2)):
        run(
            client.polars(
                PolarsOptions(
                    mode="script",
                    script=f"result = pl.DataFrame({{'v': list(range({rows}))}})",
                    destination=table,
                )
            )
        )
    keys = {}
    for team in ("a", "b"):
        made = admin(
            floe_url,
            "POST",
            "/api/v1/admin/keys",
            {"name": f"sdk-{team}-{suffix}", "principal": f"sdk-team-{team}-{suffix}"},
        )
        keys[team] = made["key"]
    admin(
        floe_url,
        "POST",
        "/api/v1/admin/grants",
        {"subject": f"sdk-team-a-{suffix}", "privilege": "write", "scope": f"lake.{ns_a}"},
    )
    admin(
        floe_url,
        "POST",
        "/api/v1/admin/grants",
        {"subject": f"sdk-team-b-{suffix}", "privilege": "read", "scope": f"lake.{ns_b}"},
    )
    yield Teams(
        Oleander(api_key=keys["a"], base_url=floe_url),
        Oleander(api_key=keys["b"], base_url=floe_url),
        ns_a,
        ns_b,
    )
    drop_namespace(writer_catalog, ns_a)
    drop_namespace(writer_catalog, ns_b)


def test_catalog_methods_list_only_the_teams_own(teams: Teams) -> None:
    namespaces = run(teams.a.list_catalog_namespaces())
    assert namespaces.namespaces == [teams.ns_a]
    tables = run(teams.a.list_catalog_tables())
    assert {(t.namespace, t.table) for t in tables.tables} == {(teams.ns_a, "orders")}
    assert run(teams.b.list_catalog_namespaces()).namespaces == [teams.ns_b]
    metadata = run(teams.a.get_catalog_table_metadata("orders", namespace=teams.ns_a))
    assert metadata.ok is True


def test_the_other_teams_table_is_missing_to_the_sdk(teams: Teams) -> None:
    with pytest.raises(OleanderHttpError) as raised:
        run(teams.a.get_catalog_table_metadata("salaries", namespace=teams.ns_b))
    assert raised.value.status == 404
    assert raised.value.body["error_code"] == "NAMESPACE_NOT_FOUND"
    with pytest.raises(OleanderHttpError) as raised:
        run(
            teams.a.polars(
                PolarsOptions(
                    mode="query", query="SELECT * FROM s", tables=[f"s={teams.ns_b}.salaries"]
                )
            )
        )
    assert raised.value.status == 404
    assert "salaries" not in str(raised.value).replace(f"{teams.ns_b}.salaries", "")
    own = run(
        teams.a.polars(
            PolarsOptions(
                mode="query", query="SELECT COUNT(*) AS n FROM o", tables=[f"o={teams.ns_a}.orders"]
            )
        )
    )
    assert own.results is not None and own.results.rows == [[3]]


def test_saving_where_the_team_may_not_write_is_forbidden(teams: Teams) -> None:
    options = PolarsOptions(
        mode="script", script="result = pl.DataFrame({'v': [0]})", destination=f"{teams.ns_b}.x"
    )
    for team in (teams.a, teams.b):  # b may only read its namespace
        with pytest.raises(OleanderHttpError) as raised:
            run(team.polars(options))
        assert raised.value.status == 403
        assert raised.value.body["error_code"] == "FORBIDDEN"


def test_a_wrong_key_is_refused_with_floes_sentence(floe_url: str) -> None:
    with pytest.raises(OleanderHttpError) as raised:
        run(Oleander(api_key="floe_wrong", base_url=floe_url).list_catalog_namespaces())
    assert raised.value.status == 401
    assert raised.value.body["error_code"] == "UNAUTHENTICATED"
    assert str(raised.value) == raised.value.body["error"]
