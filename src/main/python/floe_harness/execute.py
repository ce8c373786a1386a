"""Run a job's SQL query or Python script and return its result as a DataFrame."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import polars as pl

from floe_harness.access import TrustedSide
from floe_harness.catalog import ReadOnlyCatalog
from floe_harness.distributed import StandIns, reads_stand_in, refuse_python_functions
from floe_harness.errors import Diagnostics, HarnessError
from floe_harness.job import Job
from floe_harness.query_errors import query_error
from floe_harness.scan import Scanner
from floe_harness.user_code import register_source, script_failure, syntax_error

_NOT_ASSIGNED = (
    "The script finished without assigning `result`; assign a polars LazyFrame or DataFrame "
    "to `result`, e.g. result = scan('ns.table')."
)


@dataclass(frozen=True)
class Produced:
    """The workload's result, not yet computed, and how a failure computing it is reported."""

    frame: pl.LazyFrame
    failure: Callable[[BaseException], BaseException]
    scanner: Scanner


def execute(job: Job, trusted: TrustedSide) -> Produced:
    scanner = Scanner(trusted, job.tables, StandIns() if job.distributed else None)
    if job.distributed:
        refuse_python_functions(job.script_filename)
    if job.mode == "query":
        return run_query(job.source, scanner)
    return run_script(job, scanner, ReadOnlyCatalog(job.catalog, trusted, scanner))


def run_query(source: str, scanner: Scanner) -> Produced:
    frames = {alias: scanner.scan(alias) for alias in scanner.aliases}
    aliases = scanner.aliases

    def failure(exc: BaseException) -> BaseException:
        if isinstance(exc, pl.exceptions.PolarsError):
            return query_error(exc, aliases)
        return exc

    try:
        frame = pl.SQLContext(frames).execute(source, eager=False)
    except pl.exceptions.PolarsError as exc:
        raise query_error(exc, aliases) from None
    return Produced(frame, failure, scanner)


def run_script(job: Job, scanner: Scanner, catalog: ReadOnlyCatalog) -> Produced:
    filename = job.script_filename
    register_source(filename, job.source)
    try:
        code = compile(job.source, filename, "exec", dont_inherit=True)
    except SyntaxError as exc:
        raise syntax_error(exc, filename) from None
    namespace: dict[str, Any] = {
        "__name__": "__main__",
        "pl": pl,
        "scan": scanner.scan,
        "params": job.params,
        "catalog": catalog,
    }
    try:
        exec(code, namespace)
    # SystemExit too: a script calling sys.exit() must not end the run without a result.
    except (Exception, SystemExit) as exc:
        failure = script_failure(exc, filename)
        if scanner.stand_ins is not None and isinstance(failure, HarnessError):
            failure = reads_stand_in(exc, failure.diagnostics.line) or failure
        raise failure from None
    result = _result(namespace)
    return Produced(
        result.lazy(),
        lambda exc: script_failure(exc, filename),
        scanner,
    )


def _result(namespace: dict[str, Any]) -> pl.LazyFrame | pl.DataFrame:
    if "result" not in namespace:
        raise HarnessError("RESULT_NOT_ASSIGNED", _NOT_ASSIGNED)
    result = namespace["result"]
    if isinstance(result, pl.LazyFrame | pl.DataFrame):
        return result
    hint = (
        "Turn a Series into a DataFrame with .to_frame()."
        if isinstance(result, pl.Series)
        else None
    )
    raise HarnessError(
        "RESULT_WRONG_TYPE",
        f"`result` is {_described(result)}; assign a polars LazyFrame or DataFrame.",
        diagnostics=Diagnostics(hint=hint),
    )


def _described(value: object) -> str:
    if value is None:
        return "None"
    name = type(value).__qualname__
    return f"{'an' if name[0].lower() in 'aeiou' else 'a'} {name}"
