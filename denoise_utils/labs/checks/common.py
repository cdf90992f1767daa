"""What the checks of every chapter share: a comparison that says where two arrays differ,
and small random images."""

import numpy as np

def close(found, expected, what, *, rtol=1e-4, atol=1e-6):
    """Raise an AssertionError naming ``what`` and the largest difference unless ``found`` is close to ``expected``."""
    found = np.asarray(found, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    assert found.shape == expected.shape, f"{what}: expected shape {expected.shape}, found {found.shape}"
    if not np.allclose(found, expected, rtol=rtol, atol=atol):
        i = np.unravel_index(np.argmax(np.abs(found - expected)), found.shape) if found.shape else ()
        raise AssertionError(f"{what}: expected {expected[i]:.6g}, found {found[i]:.6g}"
                             + (f" at index {tuple(int(j) for j in i)}" if i else ""))


def sample_images(seed=0, shape=(24, 32)):
    """Three random float32 images of ``shape`` in [0, 1]."""
    rng = np.random.default_rng(seed)
    return [rng.random(shape).astype(np.float32) for _ in range(3)]
