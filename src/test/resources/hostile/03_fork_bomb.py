# Row 3: a fork bomb ("fork") or a thread bomb ("thread"): both stop at the run's pids limit.
import os
import threading
import time

# floe-test: include _verify_isolation.py

verify_isolation()

if params["variant"] == "thread":
    while True:
        threading.Thread(target=time.sleep, args=(600,), daemon=True).start()
else:
    while True:
        if os.fork() == 0:
            time.sleep(600)
            os._exit(0)
