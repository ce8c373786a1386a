"""The catalog as user code sees it: reads go through the trusted side, writes are refused."""

from __future__ import annotations

from typing import Any, NoReturn, cast

from pyiceberg.catalog import Catalog
from pyiceberg.table import Table

from floe_harness.access import Identifier, TrustedSide
from floe_harness.errors import TrustedRefusal
from floe_harness.scan import Scanner

READ_ONLY_MESSAGE = "the catalog is read-only inside a run; use destination to save a result"

# By prefix rather than by list, so that write methods added by later PyIceberg versions are
# refused too; commit_table is what every Table write (append, overwrite, schema updates) ends in.
_WRITE_PREFIXES = (
    "commit_",
    "create_",
    "destroy_",
    "drop_",
    "purge_",
    "register_",
    "rename_",
    "update_",
)


def _refuse(*_args: object, **_kwargs: object) -> NoReturn:
    raise PermissionError(READ_ONLY_MESSAGE)


def _text(identifier: str | Identifier) -> str:
    return identifier if isinstance(identifier, str) else ".".join(identifier)


class _RefusingWrites:
    """A loaded table's own catalog, with its write methods refused."""

    def __init__(self, inner: Catalog) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._inner, name)
        if name.startswith(_WRITE_PREFIXES) and callable(attribute):
            return _refuse
        return attribute


class ReadOnlyCatalog:
    """PyIceberg's read methods over the trusted side: what it lists and grants, nothing more."""

    def __init__(self, name: str, trusted: TrustedSide, scanner: Scanner) -> None:
        self._name = name
        self._trusted = trusted
        self._scanner = scanner

    @property
    def name(self) -> str:
        return self._name

    def load_table(self, identifier: str | Identifier) -> Table:
        table = self._scanner.load(self._trusted.table(_text(identifier)))
        # Writes through the table (table.append(...)) commit via table.catalog: refuse them there.
        if not isinstance(table.catalog, _RefusingWrites):
            table.catalog = cast(Catalog, _RefusingWrites(table.catalog))
        return table

    def table_exists(self, identifier: str | Identifier) -> bool:
        try:
            self._trusted.table(_text(identifier))
        except TrustedRefusal as refusal:
            if refusal.error_code in ("TABLE_NOT_FOUND", "NAMESPACE_NOT_FOUND"):
                return False
            raise
        return True

    def list_namespaces(self, namespace: str | Identifier = ()) -> list[Identifier]:
        prefix = tuple(namespace.split(".")) if isinstance(namespace, str) else tuple(namespace)
        return [n for n in self._trusted.namespaces() if n[: len(prefix)] == prefix and n != prefix]

    def namespace_exists(self, namespace: str | Identifier) -> bool:
        wanted = tuple(namespace.split(".")) if isinstance(namespace, str) else tuple(namespace)
        return wanted in self._trusted.namespaces()

    def list_tables(self, namespace: str | Identifier) -> list[Identifier]:
        return self._trusted.tables(_text(namespace))

    def __getattr__(self, name: str) -> Any:
        if name.startswith(_WRITE_PREFIXES):
            return _refuse
        raise AttributeError(
            f"catalog.{name} is not available inside a run; use list_namespaces, list_tables, "
            "table_exists, load_table or scan()"
        )

    def __repr__(self) -> str:
        return f"ReadOnlyCatalog({self._name!r})"
