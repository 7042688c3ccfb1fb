import numba
import pytest
import torch

from segmentation_trainer.losses import compiled as compiled_module


def twice(x):
    return 2 * x


def test_caches_on_disk_where_it_can():
    function = compiled_module.compiled()(twice)
    assert function(21) == 42
    assert function._cache.__class__.__name__ == "FunctionCache"  # numba's on-disk cache, not its no-op one


def test_compiles_without_a_cache_where_no_folder_can_hold_one(monkeypatch):
    """numba refuses ``cache=True`` when it finds no writable folder (a read-only plugin folder and home): the kernel
    is then compiled in the process instead of failing."""
    njit = numba.njit

    def refusing(*args, cache=False, **options):
        if cache:
            raise RuntimeError("cannot cache function 'twice': no locator available for file 'x.py'")
        return njit(*args, **options)

    monkeypatch.setattr(compiled_module.numba, "njit", refusing)
    function = compiled_module.compiled(error_model="numpy")(twice)
    assert function(21) == 42
    assert function._cache.__class__.__name__ == "NullCache"


@pytest.mark.parametrize("options", [{}, {"fastmath": {"contract"}, "error_model": "numpy"}])
def test_options_reach_numba(options):
    function = compiled_module.compiled(**options)(twice)
    assert function.targetoptions.items() >= options.items()


@pytest.mark.parametrize(
    ("threads", "count", "smallest", "chunks"), [(1, 10, 1, 1), (3, 10, 1, 3), (3, 10, 4, 2), (2, 1, 1, 1)]
)
def test_in_chunks_covers_every_item_once(threads, count, smallest, chunks):
    """One contiguous chunk per thread, each of at least ``smallest`` items (fewer threads where there are too few
    items), together ``[0, count)`` once."""
    torch.set_num_threads(threads)  # the conftest fixture restores the number of threads
    seen = []
    compiled_module.in_chunks(lambda out, start, stop: out.append((start, stop)), count, seen, smallest=smallest)
    assert len(seen) == chunks
    assert sorted(i for start, stop in seen for i in range(start, stop)) == list(range(count))
    assert all(stop - start >= min(smallest, count) for start, stop in seen)
