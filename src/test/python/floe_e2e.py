"""What every end-to-end suite needs: the live Floe's URL and a writer catalog on its lake.

A pytest plugin: each suite's conftest puts this folder on sys.path and names it in
``pytest_plugins``. Environment (set by PythonSuite.java, or by hand):
  FLOE_URL                 base URL of the running Floe
  FLOE_TEST_CATALOG_NAME   catalog name ("lake")
  FLOE_TEST_CATALOG_URI    SqlCatalog URI, e.g. sqlite:////tmp/floe-test-x/catalog/catalog.db
  FLOE_TEST_WAREHOUSE      warehouse location, e.g. file:///tmp/floe-test-x/warehouse
  FLOE_API_KEY             an admin's API key for the Floe under test
For a lake behind an Iceberg REST catalog on S3 instead (RestLake.java):
  FLOE_TEST_CATALOG_TYPE   rest
  FLOE_TEST_CATALOG_URI    the REST catalog's URL; FLOE_TEST_CATALOG_TOKEN its bearer token
  FLOE_TEST_S3_ENDPOINT, FLOE_TEST_S3_ACCESS_KEY_ID, FLOE_TEST_S3_SECRET_ACCESS_KEY  its S3
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator

import pytest
from pyiceberg.catalog import Catalog, load_catalog
from pyiceberg.exceptions import NoSuchNamespaceError, NoSuchTableError


def env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.exit(f"{name} is not set; this suite runs against a live Floe (see floe_e2e.py)", 2)
    return value


@pytest.fixture(scope="session")
def floe_url() -> str:
    return env("FLOE_URL").rstrip("/")


@pytest.fixture(scope="session")
def writer_catalog() -> Catalog:
    """Write access to the lake the Floe under test serves: for fixtures, never for Floe itself."""
    if os.environ.get("FLOE_TEST_CATALOG_TYPE") == "rest":
        return load_catalog(
            env("FLOE_TEST_CATALOG_NAME"),
            type="rest",
            uri=env("FLOE_TEST_CATALOG_URI"),
            token=env("FLOE_TEST_CATALOG_TOKEN"),
            **{
                "s3.endpoint": env("FLOE_TEST_S3_ENDPOINT"),
                "s3.access-key-id": env("FLOE_TEST_S3_ACCESS_KEY_ID"),
                "s3.secret-access-key": env("FLOE_TEST_S3_SECRET_ACCESS_KEY"),
                "s3.region": "us-east-1",
            },
        )
    return load_catalog(
        env("FLOE_TEST_CATALOG_NAME"),
        type="sql",
        uri=env("FLOE_TEST_CATALOG_URI"),
        warehouse=env("FLOE_TEST_WAREHOUSE"),
    )


@contextlib.contextmanager
def fresh_namespace(catalog: Catalog, prefix: str) -> Iterator[str]:
    """A namespace name no one uses yet (``prefix`` and random hex; not created), dropped with
    whatever landed there when the block ends."""
    namespace = f"{prefix}_{uuid.uuid4().hex[:10]}"
    try:
        yield namespace
    finally:
        drop_namespace(catalog, namespace)


def drop_namespace(catalog: Catalog, namespace: str) -> None:
    """Drops a namespace and its tables, if it exists."""
    with contextlib.suppress(NoSuchNamespaceError):
        for identifier in catalog.list_tables(namespace):
            with contextlib.suppress(NoSuchTableError):
                catalog.drop_table(identifier)
        catalog.drop_namespace(namespace)
