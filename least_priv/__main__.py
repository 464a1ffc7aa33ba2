"""``python -m least_priv``."""

import sys

from least_priv.cli import main

sys.exit(main())
