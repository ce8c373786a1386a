"""Fixtures for the generated-Python-client suite.

The client is what openapi-generator (`python`, package `floe_client`) makes of the committed spec
openapi/floe.yaml at the build's generate-test-sources phase, into target/generated-python-client;
its imports (pydantic, python-dateutil, urllib3) are pinned in the dev venv. Nothing in it is
edited: a field or type the spec gets wrong fails here as it would for a platform team using it.

Environment: as floe_e2e.py lists it; the catalog's variables give write access to drop what the
suite saved.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyiceberg.catalog import Catalog

# floe_e2e (the folder above) holds env, the floe_url and writer_catalog fixtures, drop_namespace
# and fresh_namespace.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
pytest.register_assert_rewrite("floe_e2e")
from floe_e2e import env, fresh_namespace

pytest_plugins = ("floe_e2e",)

GENERATED = Path(__file__).resolve().parents[4] / "target" / "generated-python-client"
if not (GENERATED / "floe_client").is_dir():
    pytest.exit(f"{GENERATED} is missing: run the build (generate-test-sources) first", 2)
sys.path.insert(0, str(GENERATED))

from floe_client import ApiClient, CatalogsApi, Configuration, WorkloadsApi  # noqa: E402


@pytest.fixture(scope="session")
def api_client() -> Iterator[ApiClient]:
    configuration = Configuration(
        host=env("FLOE_URL").rstrip("/"), access_token=env("FLOE_API_KEY")
    )
    with ApiClient(configuration) as client:
        yield client


@pytest.fixture(scope="session")
def workloads(api_client: ApiClient) -> WorkloadsApi:
    return WorkloadsApi(api_client)


@pytest.fixture(scope="session")
def catalogs(api_client: ApiClient) -> CatalogsApi:
    return CatalogsApi(api_client)


@pytest.fixture
def save_namespace(writer_catalog: Catalog) -> Iterator[str]:
    """A fresh namespace name (not created) for a test's saves; whatever landed there is dropped."""
    with fresh_namespace(writer_catalog, "gen") as namespace:
        yield namespace
