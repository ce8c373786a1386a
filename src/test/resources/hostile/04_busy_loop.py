# Row 4: never finish: a CPU busy loop ("busy") or time.sleep(10**6) ("sleep"), with a child
# process carrying params["marker"] in its command line, so the test can see the tree is gone.
import subprocess
import sys
import time

subprocess.Popen([sys.executable, "-c", "import time; time.sleep(10**6)", params["marker"]])
if params["variant"] == "sleep":
    time.sleep(10**6)
else:
    n = 0
    while True:
        n += 1
