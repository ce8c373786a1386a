"""Entry point of the trusted writer: one command, one JSON job file, one JSON answer on stdout."""

from __future__ import annotations

import json
import sys
from typing import Any

from floe_trusted.commit import commit
from floe_trusted.seed import seed_csv

COMMANDS = {"seed": seed_csv, "commit": commit}


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in COMMANDS:
        print(f"usage: floe_trusted.py {{{'|'.join(COMMANDS)}}} JOB.json", file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        job: dict[str, Any] = json.load(f)
    answer = COMMANDS[argv[0]](job)
    print(json.dumps(answer))
    return 0
