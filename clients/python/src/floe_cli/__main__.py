import sys

from floe_cli.main import main

sys.exit(main())
