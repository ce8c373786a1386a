# Row 1: allocate memory until killed. params["variant"]: "grow" (a growing list: the memory cgroup's
# OOM killer ends it) or "huge" (one b'x' * 10**11: the allocation itself fails with MemoryError).
import os

# floe-test: include _verify_isolation.py

verify_isolation()

if params["variant"] == "huge":
    blob = b"x" * 10**11
else:
    hog = []
    while True:
        hog.append(bytearray(16 * 1024 * 1024))
result = pl.DataFrame({"unreachable": [1]})
