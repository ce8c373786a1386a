"""Fixtures for the generated-Python-client suite.

The client is what openapi-generator (`python`, package `floe_client`) makes of the committed spec
openapi/floe.yaml at the build's generate-test-sources phase, into target/generated-python-client;
its imports (pydantic, python-dateutil, urllib3) are pinned in the dev venv. Nothing in it is
edited: a field or type the spec gets wrong fails here as it would for a platform team using it.

Environment (set by PythonSuite.java, or by hand): FLOE_URL, and FLOE_TEST_CATALOG_NAME /
FLOE_TEST_CATALOG_URI / FLOE_TEST_WAREHOUSE for write access to drop what the suite saved.
"""

from __future__ import annotations

import contextlib
import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyiceberg.catalog import Catalog, load_catalog
from pyiceberg.exceptions import NoSuchNamespaceError, NoSuchTableError

GENERATED = Path(__file__).resolve().parents[4] / "target" / "generated-python-client"
if not (GENERATED / "floe_client").is_dir():
    pytest.exit(f"{GENERATED} is missing: run the build (generate-test-sources) first", 2)
sys.path.insert(0, str(GENERATED))

from floe_client import ApiClient, CatalogsApi, Configuration, WorkloadsApi  # noqa: E402


def _env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.exit(f"{name} is not set; this suite runs against a live Floe (see conftest.py)", 2)
    return value


@pytest.fixture(scope="session")
def api_client() -> Iterator[ApiClient]:
    with ApiClient(Configuration(host=_env("FLOE_URL").rstrip("/"))) as client:
        yield client


@pytest.fixture(scope="session")
def workloads(api_client: ApiClient) -> WorkloadsApi:
    return WorkloadsApi(api_client)


@pytest.fixture(scope="session")
def catalogs(api_client: ApiClient) -> CatalogsApi:
    return CatalogsApi(api_client)


@pytest.fixture(scope="session")
def writer_catalog() -> Catalog:
    return load_catalog(
        _env("FLOE_TEST_CATALOG_NAME"),
        type="sql",
        uri=_env("FLOE_TEST_CATALOG_URI"),
        warehouse=_env("FLOE_TEST_WAREHOUSE"),
    )


@pytest.fixture
def save_namespace(writer_catalog: Catalog) -> Iterator[str]:
    """A fresh namespace name (not created) for a test's saves; whatever landed there is dropped."""
    namespace = f"gen_{uuid.uuid4().hex[:10]}"
    yield namespace
    with contextlib.suppress(NoSuchNamespaceError):
        for identifier in writer_catalog.list_tables(namespace):
            with contextlib.suppress(NoSuchTableError):
                writer_catalog.drop_table(identifier)
        writer_catalog.drop_namespace(namespace)
