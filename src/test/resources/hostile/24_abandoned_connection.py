# Row 24: a long run whose client goes away (the test closes its connection mid-run), while slow
# clients hold half-sent requests. The run starts a child carrying params["marker"] and sleeps past
# its time limit: it must be cancelled (or stopped at its limit) with every process gone.
import subprocess
import sys
import time

subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)", params["marker"]])
time.sleep(600)
