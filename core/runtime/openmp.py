"""How long PyTorch's idle CPU threads spin in the worker, set before PyTorch is imported.

GNU OpenMP (libgomp, PyTorch's intra-op threads on Linux) keeps each idle thread spinning after a parallel region,
waiting for the next one, for ``GOMP_SPINCOUNT`` iterations: 300,000 by default, a few milliseconds. The compiled
loss kernels run on threads of their own (``losses.compiled.in_chunks``) right after PyTorch's operations, and
shared the CPUs with those spinning threads: on two cores a kernel ran 1.44 times faster on two threads than on one
instead of 1.9 times (docs/benchmarks.md, "Threads of the compiled kernels"). 30,000 iterations, well under a
millisecond, still bridge the gaps between consecutive PyTorch operations: a training step of the network took as
long as with the default. libgomp reads the variable when it is loaded, with PyTorch: a value the user set is kept.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping

SPIN_COUNT = "30000"


def limit_spinning(environ: MutableMapping[str, str] = os.environ) -> None:
    """``GOMP_SPINCOUNT`` = ``SPIN_COUNT`` unless already set; effective only before ``torch`` is first imported."""
    environ.setdefault("GOMP_SPINCOUNT", SPIN_COUNT)
