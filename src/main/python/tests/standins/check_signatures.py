"""Compare the Polars Cloud stand-in with the real client, signature by signature.

Run with the trusted dispatcher's Python (.floe/distributed-venv: polars 2.0.0 and the real
polars-cloud 0.12.0):

    cd src/main/python/tests/standins
    ../../../../../.floe/distributed-venv/bin/python check_signatures.py [--standin DIR] [--verbose]

DIR is the directory that contains the stand-in's ``polars_cloud`` package (default: this script's
directory). Prints a JSON list of differences and exits 1 if there is any, 0 if there is none.

What is compared, for every name in the stand-in's ``__all__`` (each must also be in the real
``__all__``):
- functions: ``inspect.signature`` (parameter names, kinds, defaults, annotations as strings, the
  return annotation) and whether they are coroutine functions;
- classes: the constructor's signature, the names along the MRO, the members of an Enum, and each
  public method or property the stand-in's class defines (plus ``__enter__``/``__exit__``/
  ``__call__``): it must exist in the real class as the same kind (method, async method,
  classmethod, staticmethod, property with or without a setter) with an equal signature;
- modules (``exceptions``): the same, for each public class or function defined in it;
- other values (``__version__``): equal reprs;
- ``polars.LazyFrame.remote`` as each package patches it on import.

A default is described by its repr when it is a plain value; an object bound to a module-level name
(``DEFAULT_QUERY_OPT_FLAGS``, a ``_deprecation_sentinel = object()``) by that name and its type;
the very same object on both sides is always equal.

The real package is imported normally; the stand-in is imported as ``polars_cloud`` too, with the
real one's modules moved out of ``sys.modules`` and DIR first on ``sys.path`` meanwhile, so that any
absolute import inside the stand-in finds the stand-in (and never silently the real client).
"""

from __future__ import annotations

import argparse
import ast
import enum
import importlib
import inspect
import json
import os
import re
import sys
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl

HERE = Path(os.path.abspath(__file__)).parent
PACKAGE = "polars_cloud"
# Dunder members that are part of how a class is used, compared when the stand-in defines them.
DUNDERS = {"__enter__", "__exit__", "__call__"}
PLAIN = (type(None), bool, int, float, complex, str, bytes)

Difference = dict[str, Any]


def _package_modules() -> dict[str, types.ModuleType]:
    return {
        name: module
        for name, module in sys.modules.items()
        if name == PACKAGE or name.startswith(PACKAGE + ".")
    }


@contextmanager
def _swapped_out(directory: Path) -> Iterator[dict[str, types.ModuleType]]:
    """While inside: the real package's modules out of sys.modules, ``directory`` first on
    sys.path. Yields the dict that receives the modules imported meanwhile (the stand-in's)."""
    saved = _package_modules()
    for name in saved:
        del sys.modules[name]
    sys.path.insert(0, str(directory))
    importlib.invalidate_caches()
    imported: dict[str, types.ModuleType] = {}
    try:
        yield imported
    finally:
        imported.update(_package_modules())
        for name in imported:
            del sys.modules[name]
        sys.path.remove(str(directory))
        sys.modules.update(saved)
        importlib.invalidate_caches()


def _init_globals(cls: type) -> dict[str, Any]:
    init = cls.__init__  # type: ignore[misc]
    return getattr(inspect.unwrap(init), "__globals__", {})


def _under(path: str | None, directory: Path) -> bool:
    if path is None:
        return False
    return Path(os.path.abspath(path)).is_relative_to(directory)


class Checker:
    def __init__(
        self,
        real: types.ModuleType,
        standin: types.ModuleType,
        standin_modules: dict[str, types.ModuleType],
    ) -> None:
        self.real = real
        self.standin = standin
        self.standin_modules = standin_modules
        self.differences: list[Difference] = []
        self.compared: list[str] = []

    def differ(
        self,
        where: str,
        problem: str,
        real: Any = None,
        standin: Any = None,
        details: list[str] | None = None,
    ) -> None:
        difference = {"where": where, "problem": problem, "real": real, "standin": standin}
        if details:
            difference["details"] = details
        self.differences.append(difference)

    # --- what the stand-in defines -------------------------------------------------------------

    def is_standin(self, obj: Any) -> bool:
        """Whether ``obj`` (a class or function) was defined by the stand-in's modules."""
        module = self.standin_modules.get(getattr(obj, "__module__", None) or "")
        if module is None:
            return False
        return any(value is obj for value in vars(module).values()) or (
            inspect.isfunction(obj) and obj.__globals__ is vars(module)
        )

    # --- descriptions --------------------------------------------------------------------------

    @staticmethod
    def annotation(value: Any) -> str:
        if value is inspect.Parameter.empty:
            return "<none>"
        if isinstance(value, str):
            try:
                return ast.unparse(ast.parse(value, mode="eval"))
            except SyntaxError:
                return value
        return inspect.formatannotation(value)

    @staticmethod
    def default(value: Any, namespace: dict[str, Any]) -> str:
        if value is inspect.Parameter.empty:
            return "<required>"
        if isinstance(value, PLAIN) or (
            isinstance(value, tuple) and all(isinstance(v, PLAIN) for v in value)
        ):
            return repr(value)
        kind = f"{type(value).__module__}.{type(value).__qualname__}"
        for name, bound in namespace.items():
            if bound is value:
                return f"<{name}: {kind}>"
        return re.sub(r" at 0x[0-9a-fA-F]+", " at 0x...", repr(value))

    def signature(self, fn: Any, namespace: dict[str, Any] | None = None) -> dict[str, Any] | str:
        """A comparable description of ``inspect.signature(fn)``; namespace names defaults."""
        try:
            sig = inspect.signature(fn)
        except (TypeError, ValueError):
            return "<no signature>"
        if namespace is None:
            namespace = getattr(inspect.unwrap(fn), "__globals__", {})
        return {
            "parameters": [
                {
                    "name": p.name,
                    "kind": p.kind.name,
                    "default": self.default(p.default, namespace),
                    "default_object": p.default,
                    "annotation": self.annotation(p.annotation),
                }
                for p in sig.parameters.values()
            ],
            "return": self.annotation(sig.return_annotation),
        }

    @staticmethod
    def render(description: dict[str, Any] | str) -> str:
        """Python's own notation: ``(a: int, /, b: str = 'x', *, c: bool = True) -> None``."""
        if isinstance(description, str):
            return description
        parts: list[str] = []
        star = False
        for i, p in enumerate(description["parameters"]):
            kind = p["kind"]
            if kind == "KEYWORD_ONLY" and not star:
                parts.append("*")
            star = star or kind in ("KEYWORD_ONLY", "VAR_POSITIONAL")
            prefix = {"VAR_POSITIONAL": "*", "VAR_KEYWORD": "**"}.get(kind, "")
            text = prefix + p["name"]
            if p["annotation"] != "<none>":
                text += f": {p['annotation']}"
            if p["default"] != "<required>":
                text += f" = {p['default']}"
            parts.append(text)
            following = description["parameters"][i + 1 :]
            if kind == "POSITIONAL_ONLY" and (
                not following or following[0]["kind"] != "POSITIONAL_ONLY"
            ):
                parts.append("/")
        return f"({', '.join(parts)}) -> {description['return']}"

    @staticmethod
    def signature_differences(a: dict[str, Any] | str, b: dict[str, Any] | str) -> list[str]:
        """Each way the two described signatures differ (none: they are equal)."""
        if isinstance(a, str) or isinstance(b, str):
            return [] if a == b else [f"{a} vs {b}"]
        out: list[str] = []
        if a["return"] != b["return"]:
            out.append(f"return annotation: {a['return']} vs {b['return']}")
        real = {p["name"]: p for p in a["parameters"]}
        standin = {p["name"]: p for p in b["parameters"]}
        out += [f"{name}: only in the real" for name in real if name not in standin]
        out += [f"{name}: only in the stand-in" for name in standin if name not in real]
        if [n for n in real if n in standin] != [n for n in standin if n in real]:
            out.append(f"parameter order: {list(real)} vs {list(standin)}")
        for name in (n for n in real if n in standin):
            p, q = real[name], standin[name]
            for key in ("kind", "annotation"):
                if p[key] != q[key]:
                    out.append(f"{name}: {key} {p[key]} vs {q[key]}")
            if p["default"] != q["default"] and p["default_object"] is not q["default_object"]:
                out.append(f"{name}: default {p['default']} vs {q['default']}")
        return out

    def compare_signatures(
        self,
        where: str,
        real: Any,
        standin: Any,
        real_namespace: dict[str, Any] | None = None,
        standin_namespace: dict[str, Any] | None = None,
    ) -> None:
        a = self.signature(real, real_namespace)
        b = self.signature(standin, standin_namespace)
        self.compared.append(where)
        details = self.signature_differences(a, b)
        if details:
            self.differ(where, "signatures differ", self.render(a), self.render(b), details)

    # --- members -------------------------------------------------------------------------------

    @staticmethod
    def lookup(cls: type, name: str) -> tuple[type, Any] | None:
        for klass in cls.__mro__:
            if name in vars(klass):
                return klass, vars(klass)[name]
        return None

    @staticmethod
    def member_kind(raw: Any) -> tuple[str, Any]:
        if isinstance(raw, property):
            return ("property with setter" if raw.fset else "property"), raw.fget
        if isinstance(raw, classmethod):
            return "classmethod", raw.__func__
        if isinstance(raw, staticmethod):
            return "staticmethod", raw.__func__
        if inspect.isfunction(raw) or inspect.ismethoddescriptor(raw):
            target = inspect.unwrap(raw) if inspect.isfunction(raw) else raw
            return ("async method" if inspect.iscoroutinefunction(target) else "method"), raw
        return "attribute", raw

    def compare_class(self, where: str, real: type, standin: type) -> None:
        self.compare_signatures(where, real, standin, _init_globals(real), _init_globals(standin))
        real_mro = [c.__name__ for c in real.__mro__]
        standin_mro = [c.__name__ for c in standin.__mro__]
        if real_mro != standin_mro:
            self.differ(where, "class hierarchies (MRO names) differ", real_mro, standin_mro)
        members: set[str] = set()
        if issubclass(standin, enum.Enum):
            members = set(standin.__members__)
            if not issubclass(real, enum.Enum):
                self.differ(where, "the stand-in is an Enum, the real is not")
            else:
                a = [(m.name, repr(m.value)) for m in real.__members__.values()]
                b = [(m.name, repr(m.value)) for m in standin.__members__.values()]
                self.compared.append(f"{where} members")
                if a != b:
                    self.differ(where, "enum members differ", a, b)
        # Members the stand-in's own classes define (dir() of an Enum lists no methods); what it
        # inherits from outside (object, Exception, Enum, ABC, ...) the MRO comparison covers.
        names = {n for k in standin.__mro__ if self.is_standin(k) for n in vars(k)}
        for name in sorted(names):
            if name in members or (name.startswith("_") and name not in DUNDERS):
                continue
            found = self.lookup(standin, name)
            if found is None or not self.is_standin(found[0]):
                continue
            member = f"{where}.{name}"
            in_real = self.lookup(real, name)
            if in_real is None:
                self.differ(member, "not in the real class", None, self.member_kind(found[1])[0])
                continue
            real_kind, real_fn = self.member_kind(in_real[1])
            standin_kind, standin_fn = self.member_kind(found[1])
            if real_kind != standin_kind:
                self.differ(member, "kinds differ", real_kind, standin_kind)
            elif real_kind == "attribute":
                self.compared.append(member)
                if repr(in_real[1]) != repr(found[1]):
                    self.differ(member, "values differ", repr(in_real[1]), repr(found[1]))
            else:
                self.compare_signatures(member, real_fn, standin_fn)

    # --- names ---------------------------------------------------------------------------------

    def compare_object(self, where: str, real: Any, standin: Any) -> None:
        if isinstance(standin, types.ModuleType):
            if not isinstance(real, types.ModuleType):
                self.differ(where, "a module in the stand-in, not in the real", repr(real))
                return
            self.compare_module(where, real, standin)
        elif inspect.isclass(standin):
            if not inspect.isclass(real):
                self.differ(where, "a class in the stand-in, not in the real", repr(real))
                return
            self.compare_class(where, real, standin)
        elif callable(standin):
            if not callable(real) or inspect.isclass(real):
                self.differ(where, "a function in the stand-in, not in the real", repr(real))
                return
            a = inspect.iscoroutinefunction(inspect.unwrap(real))
            b = inspect.iscoroutinefunction(inspect.unwrap(standin))
            if a != b:
                self.differ(where, "coroutine function on one side only", a, b)
            self.compare_signatures(where, real, standin)
        else:
            self.compared.append(where)
            if repr(real) != repr(standin):
                self.differ(where, "values differ", repr(real), repr(standin))

    def compare_module(self, where: str, real: types.ModuleType, standin: types.ModuleType) -> None:
        names = getattr(standin, "__all__", None)
        if names is None:
            names = [
                name
                for name, value in vars(standin).items()
                if not name.startswith("_")
                and (inspect.isclass(value) or inspect.isfunction(value))
                and value.__module__ == standin.__name__
            ]
        for name in names:
            if not hasattr(real, name):
                self.differ(f"{where}.{name}", "not in the real module")
                continue
            self.compare_object(f"{where}.{name}", getattr(real, name), getattr(standin, name))

    def compare_package(self) -> None:
        names = getattr(self.standin, "__all__", None)
        if not isinstance(names, list | tuple) or not names:
            self.differ(PACKAGE, "the stand-in has no (or an empty) __all__")
            return
        for name, value in vars(self.standin).items():
            # A public class or function of the stand-in's own that __all__ leaves out would
            # escape the comparison (imports such as `pl` or `Enum` are not the stand-in's).
            if not name.startswith("_") and name not in names and self.is_standin(value):
                self.differ(name, "public in the stand-in but not in its __all__")
        real_all = set(getattr(self.real, "__all__", ()))
        for name in names:
            if name not in real_all:
                self.differ(name, "not in the real package's __all__")
                continue
            if not hasattr(self.standin, name):
                self.differ(name, "in the stand-in's __all__ but not defined")
                continue
            self.compare_object(name, getattr(self.real, name), getattr(self.standin, name))

    def compare_remote(self, real: Any, standin: Any) -> None:
        where = "polars.LazyFrame.remote"
        if standin is real or not (inspect.isfunction(standin) and self.is_standin(standin)):
            self.differ(where, "the stand-in does not patch LazyFrame.remote on import")
            return
        self.compare_signatures(where, real, standin)


def check(standin_dir: Path, compared: list[str] | None = None) -> list[Difference]:
    standin_dir = Path(os.path.abspath(standin_dir))
    if not (standin_dir / PACKAGE / "__init__.py").is_file():
        return [{"where": "<setup>", "problem": f"no {PACKAGE}/__init__.py in {standin_dir}"}]

    # Running this script puts its own directory (where the repository's stand-in is) first on
    # sys.path: neither it nor the stand-in's directory may serve the real package.
    hidden = {HERE, standin_dir}
    sys.path[:] = [p for p in sys.path if Path(os.path.abspath(p or os.curdir)) not in hidden]
    original_remote = vars(pl.LazyFrame).get("remote")
    try:
        real = importlib.import_module(PACKAGE)
    except Exception as e:
        return [{"where": "<setup>", "problem": f"importing the real client failed: {e!r}"}]
    real_remote = vars(pl.LazyFrame).get("remote")
    setup: list[Difference] = []
    if _under(real.__file__, standin_dir):
        setup.append(
            {"where": "<setup>", "problem": f"the 'real' package is the stand-in: {real.__file__}"}
        )
    if real_remote is original_remote:
        setup.append({"where": "<setup>", "problem": "the real client did not patch remote"})
    if setup:
        return setup

    with _swapped_out(standin_dir) as standin_modules:
        try:
            standin = importlib.import_module(PACKAGE)
        except Exception as e:
            failed = f"importing the stand-in failed: {e!r}"
            return [{"where": "<setup>", "problem": failed}]
    standin_remote = vars(pl.LazyFrame).get("remote")
    pl.LazyFrame.remote = real_remote  # type: ignore[method-assign, assignment]

    leaked = sorted(
        name
        for name, module in standin_modules.items()
        if not _under(getattr(module, "__file__", None), standin_dir)
    )
    if not _under(standin.__file__, standin_dir) or leaked:
        return [
            {
                "where": "<setup>",
                "problem": "the stand-in imported modules from outside its directory",
                "standin": leaked or standin.__file__,
            }
        ]

    checker = Checker(real, standin, standin_modules)
    checker.compare_package()
    checker.compare_remote(real_remote, standin_remote)
    if not checker.compared:
        checker.differ("<setup>", "nothing was compared")
    if compared is not None:
        compared.extend(checker.compared)
    return checker.differences


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument(
        "--standin",
        type=Path,
        default=HERE,
        help=f"the directory that contains the stand-in's {PACKAGE} package (default: {HERE})",
    )
    parser.add_argument(
        "--verbose", action="store_true", help="list what was compared on standard error"
    )
    args = parser.parse_args(argv)
    compared: list[str] = []
    differences = check(args.standin, compared)
    if args.verbose:
        print("\n".join(["compared:", *compared]), file=sys.stderr)
    print(json.dumps(differences, indent=2, default=_json_default))
    return 1 if differences else 0


_json_default: Callable[[Any], str] = repr

if __name__ == "__main__":
    sys.exit(main())
