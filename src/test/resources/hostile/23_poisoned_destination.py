# Row 23: save into a table the caller may not write, or under a poisoned name. The test sends this
# script with destinations like "../x", "a.b.c", quotes and NULs: every one must be refused before
# anything runs, so the process this script would start (carrying params["marker"]) never exists.
import subprocess
import sys

subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", params["marker"]])
result = pl.DataFrame({"x": [1]})
