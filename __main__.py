"""``python -m segmentation_trainer``: the worker command line (see ``core/cli.py``)."""

import sys

from .core.runtime.openmp import limit_spinning

limit_spinning()  # before PyTorch is imported (core.runtime.openmp)

from .core.cli import main  # noqa: E402 (after the OpenMP setting)

sys.exit(main())
