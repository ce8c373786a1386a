# Row 21: exhaust file descriptors. params["variant"]: "report" opens files until refused and
# returns how many and why; "raise" does the same without catching, so the run fails with it.
import errno
import resource

soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
held = []
try:
    while len(held) < 1_000_000:
        held.append(open("/dev/null"))
except OSError as e:
    if params["variant"] == "raise":
        raise
    code = errno.errorcode[e.errno]
raised = "refused"
try:
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard + 1, hard + 1))
    raised = "raised"
except (ValueError, OSError) as e:
    raised = type(e).__name__
opened = len(held)
for f in held:
    f.close()
result = pl.DataFrame(
    {"opened": [opened], "errno": [code], "soft": [soft], "hard": [hard], "raise_limit": [raised]}
)
