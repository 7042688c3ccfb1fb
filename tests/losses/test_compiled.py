import numba
import pytest

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
