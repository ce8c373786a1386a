"""Standalone, strict JSON schemas for kubeconform, generated from PyPI's kubernetes-validate.

kubeconform validates against one schema file per kind; it cannot follow the package's schemas as
they are, whose references point at https://kubernetes.io/api/_definitions.json (no schema registry
is reachable here). For each kind asked for, this writes the kind's schema with the definitions it
reaches copied in under "$defs" and its references made local ("#/$defs/..."), in kubeconform's
layout: OUT/v<version>-standalone-strict/<kind>-<group>-<version>.json.

    python3 standalone_schemas.py WHEEL K8S_VERSION OUT_DIR deployment-apps-v1 service-v1 ...
"""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path
from typing import Any

PREFIX = "/api/_definitions.json#/$defs/"  # in a kind's schema
LOCAL = "#/$defs/"  # within the definitions themselves


def _name(ref: Any) -> str | None:
    """The definition a reference names, whichever file it was written in."""
    if isinstance(ref, str):
        for prefix in (PREFIX, LOCAL):
            if ref.startswith(prefix):
                return ref[len(prefix) :]
    return None


def _refs(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        name = _name(node.get("$ref"))
        if name is not None:
            found.add(name)
        for value in node.values():
            _refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, found)


def _localize(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            key: LOCAL + str(_name(value))
            if key == "$ref" and _name(value) is not None
            else _localize(value)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_localize(value) for value in node]
    return node


def standalone(kind: dict[str, Any], definitions: dict[str, Any]) -> dict[str, Any]:
    """The kind's schema with every definition it reaches, transitively, copied in."""
    wanted: set[str] = set()
    _refs(kind, wanted)
    reached: dict[str, Any] = {}
    while wanted:
        name = wanted.pop()
        if name in reached:
            continue
        reached[name] = definitions[name]
        more: set[str] = set()
        _refs(definitions[name], more)
        wanted |= more - reached.keys()
    out = _localize({key: value for key, value in kind.items() if key != "$id"})
    out["$defs"] = _localize(reached)
    return out


def main(argv: list[str]) -> int:
    wheel, version, out_dir, kinds = argv[1], argv[2], Path(argv[3]), argv[4:]
    folder = f"kubernetes_validate/kubernetes-json-schema/v{version}-local-strict/"
    target = out_dir / f"v{version}-standalone-strict"
    target.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel) as package:
        definitions = json.loads(package.read(folder + "_definitions.json"))["$defs"]
        for kind in kinds:
            schema = json.loads(package.read(folder + kind + ".json"))
            (target / (kind + ".json")).write_text(json.dumps(standalone(schema, definitions)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
