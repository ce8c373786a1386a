# Row 2: legitimate multithreaded work on ~1 GB must succeed under the default limits.
# A fact table of params["rows"] rows (int64 key, int64 a, float64 b: 24 bytes a row, 1 GB at 45M
# rows, all materialized) is joined to a dimension and grouped, on every thread Polars was given. The answer is
# checked against closed forms, so a wrong result cannot pass as a success.
import os
import resource
import threading
import time

rows = int(params["rows"])
groups = 1000
t0 = time.perf_counter()
fact = pl.select(
    key=pl.int_range(0, rows, dtype=pl.Int64) % groups,
    a=pl.int_range(0, rows, dtype=pl.Int64),
    b=(pl.int_range(0, rows, dtype=pl.Int64) % 3).cast(pl.Float64) * 0.5,
)
dim = pl.DataFrame({"key": range(groups), "weight": [k % 7 for k in range(groups)]})
fact_mb = fact.estimated_size("mb")
threads_seen = []


def sample_threads():
    for _ in range(200):
        status = open("/proc/self/status").read()
        threads_seen.append(int(status.split("Threads:")[1].split()[0]))
        time.sleep(0.02)


sampler = threading.Thread(target=sample_threads, daemon=True)
sampler.start()
out = (
    fact.lazy()
    .join(dim.lazy(), on="key")
    .group_by("weight")
    .agg(n=pl.len(), a_sum=pl.col("a").sum(), b_sum=pl.col("b").sum())
    .sort("weight")
    .collect()
)
elapsed = time.perf_counter() - t0
expected_n = {w: sum(1 for k in range(groups) if k % 7 == w) * (rows // groups) for w in range(7)}
ok = all(out.filter(pl.col("weight") == w)["n"][0] == n for w, n in expected_n.items())
q, r = divmod(rows, 3)
b_total = (q * 3 + (1 if r == 2 else 0)) * 0.5
ok = ok and out["a_sum"].sum() == rows * (rows - 1) // 2 and out["b_sum"].sum() == b_total
result = pl.DataFrame(
    {
        "fact_mb": [round(fact_mb)],
        "correct": [ok],
        "polars_threads": [pl.thread_pool_size()],
        "max_os_threads": [max(threads_seen, default=0)],
        "seconds": [round(elapsed, 1)],
        "peak_rss_mb": [resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024],
        "cpus": [os.cpu_count()],
    }
)
