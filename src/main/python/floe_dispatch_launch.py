"""Launcher of Floe's trusted dispatcher: ``python -I -B floe_dispatch_launch.py`` (one run).

Runs outside the sandbox, in the distributed client's environment, with the engine's credentials
(on stdin); never runs user code. The pickle guard is installed before anything imports Polars.
"""

import os
import sys

# Isolated mode (-I) keeps this file's directory off sys.path; the package is put back here. A
# directory named by FLOE_DISPATCH_CLIENT_PATH goes first: how tests put a stand-in client there.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
_client_path = os.environ.get("FLOE_DISPATCH_CLIENT_PATH")
if _client_path:
    sys.path.insert(0, _client_path)

from floe_dispatch import guard  # noqa: E402

guard.install()

from floe_dispatch.main import main  # noqa: E402

raise SystemExit(main())
