"""Start Floe's Python side, as the service does:

python -I -B floe_launch.py template        the fork template: imports once, forks isolated runners
python -I -B floe_launch.py runner SOCKET   one runner (started by bubblewrap, or unisolated for
                                            development): connects to SOCKET and serves one job
python -I -B floe_launch.py runner-pod      a run pod: connects back to the service (FLOE_HANDOVER)
                                            and runs one runner for it (floe_runner/pod.py)
"""

import os
import socket
import sys

# Isolated mode (-I) keeps both this file's directory and the cwd off sys.path, so a stray
# polars.py in the run directory cannot shadow a real module; the harness itself is put back here.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

# Iceberg scans are planned by Polars' own planner (the polars_iceberg plugin the sandbox ships),
# and by PyIceberg only for what the plugin does not support: Polars' default, whatever the
# service's environment said.
os.environ.pop("POLARS_ICEBERG_PLANNER", None)


def _main(argv: list[str]) -> int:
    if argv == ["runner-pod"]:
        # The relay imports no library of a run's: the harness it starts does.
        from floe_runner.pod import entry

        return entry([sys.executable, "-I", "-B", os.path.abspath(__file__)])

    from floe_harness.session import preload, serve

    if argv == ["template"]:
        from floe_harness.warmup import warm_up
        from floe_runner.template import main

        def prepared() -> dict[str, str]:
            versions = preload()
            try:
                warm_up()
            except Exception as exc:  # only speed is lost
                print(f"floe template: warm-up skipped: {exc!r}", file=sys.stderr)
            return versions

        return main(prepared, serve)
    if len(argv) == 2 and argv[0] == "runner":
        preload()
        channel = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        channel.connect(argv[1])
        return serve(channel)
    print(__doc__, file=sys.stderr)
    return 2


raise SystemExit(_main(sys.argv[1:]))
