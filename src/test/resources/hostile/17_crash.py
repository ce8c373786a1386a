# Row 17: crash the run: "segv" (ctypes reads address 0), "abort" (os.abort()), or "kill_all"
# (os.kill(-1, SIGKILL): every process this uid may signal, then itself). Only the run may die.
import ctypes
import os
import signal
import subprocess

# floe-test: include _verify_isolation.py

verify_isolation()

variant = params["variant"]
if variant == "segv":
    ctypes.string_at(0)
elif variant == "abort":
    os.abort()
else:
    subprocess.Popen(["sleep", "600"])
    os.kill(-1, signal.SIGKILL)
    os.kill(os.getpid(), signal.SIGKILL)
