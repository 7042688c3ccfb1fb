"""``python -m segmentation_trainer``: the worker command line (see ``core/cli.py``)."""

import sys

from .core.cli import main

sys.exit(main())
