"""Entry point of `python -m linreg_core`."""

import sys

from linreg_core.cli import main

sys.exit(main())
