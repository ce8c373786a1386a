"""Launcher of Floe's trusted writer: ``python -I -B floe_trusted_launch.py``.

Serves framed requests on stdin/stdout until stdin closes (see floe_trusted/server.py). Runs
outside the sandbox with catalog write access and never runs user code.
"""

import os
import sys

# Isolated mode (-I) keeps this file's directory off sys.path; the package is put back here.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from floe_trusted.server import main

raise SystemExit(main())
