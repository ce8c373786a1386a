"""Text renderings of results for people: tables, values, schemas, error snippets."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

MAX_CELL = 60
# Between a distributed run's instance type and its cluster size: "t4g.medium \u00d72".
TIMES = "\N{MULTIPLICATION SIGN}"
_NUMERIC_PREFIXES = ("Int", "UInt", "Float", "Decimal")


class Box:
    """The characters a table is drawn with."""

    def __init__(self, unicode: bool) -> None:
        self.vertical = "│" if unicode else "|"
        self.horizontal = "─" if unicode else "-"
        self.cross = "┼" if unicode else "+"
        self.ellipsis = "…" if unicode else "..."


def format_value(value: Any) -> str:
    """A JSON result value as a table shows it (null, true/false, compact lists and structs)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        # Display only (JSON and CSV keep every digit): 5.5520000000000005 reads as 5.552.
        return repr(round(value, 10) if abs(value) >= 1e-4 else value)
    if isinstance(value, str):
        return value.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    return str(value)


def is_numeric(dtype: str) -> bool:
    return dtype.startswith(_NUMERIC_PREFIXES)


def clip(text: str, width: int, box: Box) -> str:
    if len(text) <= width:
        return text
    return text[: max(width - len(box.ellipsis), 1)] + box.ellipsis


def format_table(
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    types: Sequence[str] | None = None,
    *,
    unicode: bool = True,
    max_cell: int = MAX_CELL,
) -> str:
    """Rows under a header of column names (and a second header line of their types), numeric
    columns right-aligned, long cells clipped. Ends with a newline."""
    if not columns:
        return "(no columns)\n"
    box = Box(unicode)
    header = [clip(c, max_cell, box) for c in columns]
    kinds = [clip(t, max_cell, box) for t in types] if types is not None else None
    cells = [[clip(format_value(v), max_cell, box) for v in row] for row in rows]
    widths = [len(h) for h in header]
    for texts in [*([kinds] if kinds else []), *cells]:
        for i, text in enumerate(texts[: len(widths)]):
            widths[i] = max(widths[i], len(text))
    kinds_all = list(types or [])
    right = [i < len(kinds_all) and is_numeric(kinds_all[i]) for i in range(len(columns))]
    separator = f" {box.vertical} "

    def render_line(texts: Sequence[str], align: Sequence[bool]) -> str:
        padded = [
            t.rjust(w) if r else t.ljust(w) for t, w, r in zip(texts, widths, align, strict=False)
        ]
        # Empty last cells (a listing's absent values) leave no dangling separator.
        while len(padded) > 1 and not padded[-1].strip():
            padded.pop()
        return separator.join(padded).rstrip()

    out = [render_line(header, [False] * len(widths))]
    if kinds:
        out.append(render_line(kinds, [False] * len(widths)))
    out.append(
        f"{box.horizontal}{box.cross}{box.horizontal}".join(box.horizontal * w for w in widths)
    )
    out.extend(render_line(row, right) for row in cells)
    return "\n".join(out) + "\n"


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def result_footer(response: dict[str, Any]) -> list[str]:
    """The lines under a result table: counts, time, run id, truncation, save."""
    rows = (response.get("results") or {}).get("rows") or []
    total = response.get("row_count")
    count = total if isinstance(total, int) else len(rows)
    facts = [plural(count, "row")]
    if response.get("execution_time"):
        facts.append(str(response["execution_time"]))
    if response.get("run_id"):
        facts.append(f"run {response['run_id']}")
    compute = response.get("compute")
    # A local run the user did not leave to Floe says nothing more (the line as it always was).
    if isinstance(compute, dict) and (compute.get("distributed") is True or compute.get("reason")):
        facts.append(describe_compute(compute))
    lines = [" · ".join(facts)]
    if response.get("truncated"):
        lines.append(
            f"(showing the first {len(rows):,} of {count:,} rows: the row limit cut the rest; "
            "raise it with --max-rows, or get every row with --output parquet -o FILE)"
        )
    saved = saved_line(response.get("saved"))
    if saved:
        lines.append(saved)
    return lines


def describe_compute(compute: dict[str, Any]) -> str:
    """What a run ran on: `local`, or `distributed on cloud (t4g.medium \u00d72), query ID` (each
    part only when the server named it; `distributed on-prem` for On-Prem)."""
    if compute.get("distributed") is not True:
        return "local"
    text = "distributed"
    target = compute.get("target")
    if target == "on-prem":
        text += " on-prem"
    elif target:
        text += f" on {target}"
    shape = []
    if compute.get("instanceType"):
        shape.append(str(compute["instanceType"]))
    if compute.get("clusterSize") is not None:
        shape.append(f"{TIMES}{compute['clusterSize']}")
    if shape:
        text += f" ({' '.join(shape)})"
    if compute.get("queryId"):
        text += f", query {compute['queryId']}"
    return text


def compute_note(response: dict[str, Any]) -> str | None:
    """Why Floe ran a `"distributed": "auto"` run where it did, as a note for stderr."""
    compute = response.get("compute")
    if not isinstance(compute, dict):
        return None
    reason = compute.get("reason")
    return f"note: {reason}" if isinstance(reason, str) and reason.strip() else None


def saved_line(saved: Any) -> str | None:
    if not isinstance(saved, dict):
        return None
    line = f"saved {plural(int(saved.get('rows_written') or 0), 'row')} to {saved.get('table')}"
    extra = [str(saved["mode"])] if saved.get("mode") else []
    if saved.get("snapshot_id"):
        extra.append(f"snapshot {saved['snapshot_id']}")
    return line + (f" ({', '.join(extra)})" if extra else "")


def iceberg_type(kind: Any) -> str:
    """An Iceberg schema JSON type, compact: `long`, `list<string>`, `struct<a: int>`."""
    if isinstance(kind, str):
        return kind
    if isinstance(kind, dict):
        name = kind.get("type")
        if name == "list":
            return f"list<{iceberg_type(kind.get('element'))}>"
        if name == "map":
            return f"map<{iceberg_type(kind.get('key'))}, {iceberg_type(kind.get('value'))}>"
        if name == "struct":
            fields = ", ".join(
                f"{f.get('name')}: {iceberg_type(f.get('type'))}" for f in kind.get("fields", [])
            )
            return f"struct<{fields}>"
    return json.dumps(kind)


def source_snippet(
    source: str, name: str, line: int, column: int | None, *, color: bool = False
) -> list[str]:
    """The user's offending line (1-based) with the one before it, a caret under the column (or
    a line of carets under the statement), as a compiler prints it. Empty when out of range."""
    lines = source.splitlines()
    if not 1 <= line <= len(lines):
        return []
    gutter = len(str(line))
    bar = " " * gutter + " |"
    where = f"{name}:{line}" + (f":{column}" if column else "")
    out = [f"{' ' * gutter}--> {where}", bar]
    if line >= 2 and lines[line - 2].strip():
        out.append(f"{line - 1:>{gutter}} | {lines[line - 2]}")
    text = lines[line - 1]
    shown = f"\033[1m{text}\033[0m" if color else text
    out.append(f"{line:>{gutter}} | {shown}")
    if column and 1 <= column <= len(text) + 1:
        marker = " " * (column - 1) + "^"
    else:
        indent = len(text) - len(text.lstrip())
        marker = " " * indent + "^" * max(len(text.strip()), 1)
    if color:
        marker = f"\033[31m{marker}\033[0m"
    out.append(f"{bar} {marker}")
    return out
