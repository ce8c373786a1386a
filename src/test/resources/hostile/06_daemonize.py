# Row 6: daemonize a grandchild (double fork + setsid) that outlives the script, then succeed at
# once (or, with params["linger"], sleep until cancelled). The grandchild execs a sleeper carrying
# params["marker"]: it must die with the run.
import os
import sys
import time

# floe-test: include _verify_isolation.py

verify_isolation()

pid = os.fork()
if pid == 0:
    os.setsid()
    if os.fork() == 0:
        os.closerange(0, 1024)
        os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(10**6)", params["marker"]])
    os._exit(0)
os.waitpid(pid, 0)
time.sleep(0.5)  # the grandchild is running, re-parented, in a session of its own
alive = any(
    params["marker"] in open(f"/proc/{p}/cmdline").read()
    for p in os.listdir("/proc")
    if p.isdigit() and os.path.exists(f"/proc/{p}/cmdline")
)
result = pl.DataFrame({"daemon_started": [alive]})
if params.get("linger"):
    time.sleep(600)
