"""What the Polars Cloud stand-in does, checked in the dispatcher's environment (polars 2.0.0).

Run by tests/test_polars_cloud_standin.py with .floe/distributed-venv's pytest (the file name keeps
the dev venv's own pytest run from collecting it):

    cd src/main/python/tests/standins
    ../../../../../.floe/distributed-venv/bin/python -m pytest -q -p no:cacheprovider \\
        --import-mode=importlib --confcutdir=. --rootdir=. behaviour_checks.py

The stand-in is copied into a temporary directory, put first on sys.path and imported from there, so
its calls.jsonl, behaviour.json and results/ live in that directory.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import shutil
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from polars.exceptions import ColumnNotFoundError, ComputeError, InvalidOperationError
from polars.testing import assert_frame_equal

HERE = Path(__file__).resolve().parent

LF = pl.LazyFrame({"id": [1, 2, 3, 4], "v": ["a", "b", "c", "d"]}).filter(pl.col("id") > 1)
EXPECTED = pl.DataFrame({"id": [2, 3, 4], "v": ["b", "c", "d"]})


@pytest.fixture(scope="session")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("standin")
    shutil.copytree(
        HERE / "polars_cloud",
        home / "polars_cloud",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    assert "polars_cloud" not in sys.modules, "polars_cloud was imported before the stand-in"
    sys.path.insert(0, str(home))
    import polars_cloud

    assert Path(polars_cloud.__file__).parent == home / "polars_cloud", polars_cloud.__file__
    return home


@pytest.fixture(autouse=True)
def fresh(home: Path) -> Iterator[None]:
    (home / "calls.jsonl").unlink(missing_ok=True)
    (home / "behaviour.json").unlink(missing_ok=True)
    yield
    (home / "behaviour.json").unlink(missing_ok=True)


def behave(home: Path, **knobs: Any) -> None:
    (home / "behaviour.json").write_text(json.dumps(knobs))


def lines(home: Path) -> list[dict[str, Any]]:
    path = home / "calls.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


def calls(home: Path) -> list[str]:
    return [line["call"] for line in lines(home) if "call" in line]


def finished(home: Path, query_id: uuid.UUID) -> dict[str, Any]:
    """The query.finished event of a query, waiting briefly for the thread that writes it."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for line in lines(home):
            if line.get("event") == "query.finished" and line["query_id"] == str(query_id):
                return line
        time.sleep(0.02)
    raise AssertionError(f"no query.finished line for {query_id}")


def test_remote_is_patched_on_import(home: Path) -> None:
    import polars_cloud as pc

    remote = LF.remote()
    assert isinstance(remote, pc.LazyFrameRemote)
    assert remote.lf is LF
    assert pl.LazyFrame.remote.__module__ == "polars_cloud._query"


def test_execute_await_lazy_on_a_compute_context(home: Path) -> None:
    import polars_cloud as pc

    pc.authenticate(client_id="the-id", client_secret="the-secret", interactive=False)
    ctx = pc.ComputeContext(
        workspace="ws", cpus=4, memory=16, cluster_size=3, env_vars={"TOKEN": "hush"}
    )
    assert (ctx.cpus, ctx.memory, ctx.cluster_size, ctx.instance_type) == (4, 16, 3, None)
    assert ctx.connection_mode == "direct"
    ctx.start()
    assert ctx.get_status() == pc.ComputeContextStatus.RUNNING

    query = LF.remote(ctx).distributed(max_workers=3).execute(blocking=False)
    assert isinstance(query, pc.DirectQuery)  # a ComputeContext is direct unless told "proxy"
    assert isinstance(query._query_id, uuid.UUID)
    result = query.await_result()
    assert query.get_status() == pc.QueryStatus.SUCCESS
    assert result.status == pc.QueryStatus.SUCCESS
    assert result.file_type == "parquet"
    assert result.location == [str(home / "results" / str(query._query_id) / "0.parquet")]
    assert result.n_rows_total == 3
    assert_frame_equal(result.lazy().collect(), EXPECTED)
    ctx.stop()
    assert ctx.get_status() == pc.ComputeContextStatus.STOPPED

    assert calls(home) == [
        "authenticate",
        "ComputeContext.__init__",
        "ComputeContext.start",
        "LazyFrame.remote",
        "LazyFrameRemote.distributed",
        "ExecuteRemote.execute",
        "DirectQuery.await_result",
        "ComputeContext.stop",
    ]
    recorded = lines(home)
    text = (home / "calls.jsonl").read_text()
    assert "the-secret" not in text and "hush" not in text
    auth = recorded[0]["args"]
    assert auth == {
        "client_id": "the-id",
        "client_secret": "<set>",
        "client_secret_sha256": hashlib.sha256(b"the-secret").hexdigest(),
        "interactive": False,
    }
    init = recorded[1]
    assert init["args"]["cpus"] == 4 and init["args"]["workspace"] == "ws"
    assert init["args"]["env_vars"] == {"TOKEN": "<set>"}
    assert init["args"]["env_vars_sha256"] == {"TOKEN": hashlib.sha256(b"hush").hexdigest()}
    remote = recorded[3]
    assert remote["args"]["context"] == init["context"]
    assert remote["plan_sha256"] == hashlib.sha256(LF.serialize()).hexdigest()
    assert "FILTER" in remote["plan"]
    assert recorded[4]["args"]["max_workers"] == 3
    execute = recorded[5]
    assert execute["query_id"] == str(query._query_id)
    assert execute["query_class"] == "DirectQuery"
    assert execute["scaling"] == "distributed"
    assert execute["args"]["blocking"] is False
    assert execute["args"]["optimizations"]["default"] is True
    assert recorded[6]["args"] == {"raise_on_failure": True, "silent": None}
    done = finished(home, query._query_id)
    assert done["status"] == "SUCCESS" and done["n_rows"] == 3


def test_proxy_and_cluster_contexts(home: Path) -> None:
    import polars_cloud as pc

    proxy = pc.ComputeContext(connection_mode="proxy")
    query = LF.remote(proxy).single_node().execute(blocking=False)
    assert isinstance(query, pc.ProxyQuery)
    assert isinstance(query._query_id, uuid.UUID)
    assert_frame_equal(query.await_result().lazy().collect(), EXPECTED)
    # The real client starts a context that has not been started when a query is sent to it.
    assert "ComputeContext.start" in calls(home)

    cluster = pc.ClusterContext("http://scheduler", extra_headers={"authorization": "Bearer x"})
    direct = LF.remote(cluster).execute(blocking=False)
    assert isinstance(direct, pc.DirectQuery)
    blocking = LF.remote(cluster, scaling_mode="single-node").execute()
    assert isinstance(blocking, pc.QueryResult)
    assert_frame_equal(blocking.lazy().collect(), EXPECTED)
    init = next(line for line in lines(home) if line.get("call") == "ClusterContext.__init__")
    assert init["scheduler_uri"] == "http://scheduler:5051"
    assert init["args"]["extra_headers"] == {"authorization": "<set>"}
    assert "Bearer x" not in (home / "calls.jsonl").read_text()


def test_delay_then_cancel(home: Path) -> None:
    import polars_cloud as pc

    behave(home, delay_seconds=60)
    ctx = pc.ClusterContext("http://scheduler")
    query = LF.remote(ctx).distributed().execute(blocking=False)
    time.sleep(0.2)
    assert query.get_status() == pc.QueryStatus.QUEUED
    started = time.monotonic()
    query.cancel()
    result = query.await_result()
    assert time.monotonic() - started < 5
    # The real client does not raise for a cancelled query: its result has status CANCELED, and
    # only turning it into a LazyFrame fails.
    assert result.status == pc.QueryStatus.CANCELED
    assert query.get_status() == pc.QueryStatus.CANCELED
    with pytest.raises(InvalidOperationError, match="must be successful"):
        result.lazy()
    assert not (home / "results" / str(query._query_id)).exists()
    assert finished(home, query._query_id)["status"] == "CANCELED"
    assert calls(home)[-2:] == ["DirectQuery.cancel", "DirectQuery.await_result"]


def test_delay_then_result(home: Path) -> None:
    import polars_cloud as pc

    behave(home, delay_seconds=0.5)
    started = time.monotonic()
    result = LF.remote(pc.ClusterContext("http://scheduler")).execute()
    assert time.monotonic() - started >= 0.5
    assert_frame_equal(result.lazy().collect(), EXPECTED)


def test_fail_knob(home: Path) -> None:
    import polars_cloud as pc

    behave(home, fail="the cluster fell over")
    ctx = pc.ClusterContext("http://scheduler")
    query = LF.remote(ctx).execute(blocking=False)
    with pytest.raises(ComputeError, match="the cluster fell over"):
        query.await_result()
    failed = query.await_result(raise_on_failure=False)
    assert failed.status == pc.QueryStatus.FAILED
    assert failed.location is None
    with pytest.raises(InvalidOperationError):
        failed.lazy()
    done = finished(home, query._query_id)
    assert done["status"] == "FAILED" and "the cluster fell over" in done["errors"][0]


def test_a_failing_plan_raises_its_polars_error(home: Path) -> None:
    import polars_cloud as pc

    lf = pl.LazyFrame({"a": [1]}).select(pl.col("missing"))
    with pytest.raises(ColumnNotFoundError, match="missing"):
        lf.remote(pc.ClusterContext("http://scheduler")).execute()


def test_what_the_real_client_refuses(home: Path) -> None:
    import polars_cloud as pc

    with pytest.raises(RuntimeError, match="nothing to stop"):
        pc.ComputeContext().stop()
    stopped = pc.ComputeContext()
    stopped.start()
    stopped.stop()
    with pytest.raises(RuntimeError, match="cannot execute query, context status is"):
        LF.remote(stopped).execute()
    with pytest.raises(ValueError, match="in-memory"):
        LF.remote(pc.ClusterContext("http://s"), engine="in-memory").distributed()
    with pytest.raises(ValueError, match="min_workers > max_workers"):
        LF.remote(pc.ClusterContext("http://s")).distributed(min_workers=3, max_workers=2).execute()
    with pytest.warns(DeprecationWarning):
        started = pc.ComputeContext()
        started.start()
        started.stop(wait=True)


def test_bad_knobs_are_refused(home: Path) -> None:
    import polars_cloud as pc

    behave(home, delay=1)
    with pytest.raises(ValueError, match="unknown knobs"):
        LF.remote(pc.ClusterContext("http://s")).execute()


def test_await_result_async(home: Path) -> None:
    import polars_cloud as pc

    direct = LF.remote(pc.ClusterContext("http://s")).execute(blocking=False)
    proxy = LF.remote(pc.ComputeContext(connection_mode="proxy")).execute(blocking=False)

    async def both() -> tuple[pc.QueryResult, pc.QueryResult]:
        return await asyncio.gather(direct.await_result_async(), proxy.await_result_async())

    for result in asyncio.run(both()):
        assert_frame_equal(result.lazy().collect(), EXPECTED)
