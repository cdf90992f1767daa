"""Input checks shared by the package: one clear error instead of a deep traceback."""

import os

import numpy as np

#: Keras and the backends it can run on: a missing one gets :func:`no_backend`'s hint
BACKENDS = ("keras", "tensorflow", "jax", "jaxlib", "torch")


def no_backend(err):
    """A ModuleNotFoundError for a missing Keras backend whose message says how to install one."""
    return ModuleNotFoundError(
        f"Keras cannot run: the module {err.name!r} is not installed (Keras backend: "
        f"{os.environ.get('KERAS_BACKEND', 'tensorflow')}). Install one with "
        'pip install "denoise-utils[tensorflow]" (or set KERAS_BACKEND=jax and '
        'pip install "denoise-utils[jax]")', name=err.name)


def as_float_image(image, name="image", *, allow_batch=False, noisy=False):
    """Return ``image`` as a float32 array in [0, 1], or raise a clear error.

    Accepts float arrays already in [0, 1] (a tolerance of 1e-6 absorbs rounding),
    and uint8 / uint16 arrays, which are divided by 255 / 65535. Shapes allowed are
    (H, W) and (H, W, C) with C in {1, 3}; with ``allow_batch`` also (N, H, W, C).
    A ``noisy`` image may leave [0, 1] (Gaussian noise is not clipped in benchmarks)
    and is returned unclipped, but one that looks like 0-255 data in a float array
    (median above 1.5, or values above 16) is refused with the fix in the message.
    """
    if isinstance(image, (list, tuple)):
        image = np.asarray(image)
    if not isinstance(image, np.ndarray):
        try:  # tensors of any Keras backend
            image = np.asarray(image)
        except Exception:
            raise TypeError(f"{name} must be a numpy array, got {type(image).__name__}") from None
    if image.dtype == np.uint8:
        image = image.astype(np.float32) / 255.0
    elif image.dtype == np.uint16:
        image = image.astype(np.float32) / 65535.0
    elif image.dtype == bool or not np.issubdtype(image.dtype, np.floating):
        raise TypeError(
            f"{name} has dtype {image.dtype}; expected float in [0, 1], uint8 or uint16"
        )
    image = image.astype(np.float32, copy=False)
    ndims = (2, 3, 4) if allow_batch else (2, 3)
    if image.ndim not in ndims:
        want = "(H, W), (H, W, C) or (N, H, W, C)" if allow_batch else "(H, W) or (H, W, C)"
        raise ValueError(f"{name} has shape {image.shape}; expected {want}")
    if image.ndim >= 3 and image.shape[-1] not in (1, 3):
        raise ValueError(
            f"{name} has {image.shape[-1]} channels (shape {image.shape}); expected 1 or 3 "
            "(drop an alpha channel first, e.g. image[..., :3])"
        )
    if min(image.shape[:2] if image.ndim < 4 else image.shape[1:3]) < 1:
        raise ValueError(f"{name} is empty (shape {image.shape})")
    if not np.all(np.isfinite(image)):
        raise ValueError(f"{name} contains NaN or infinite values")
    lo, hi = float(image.min()), float(image.max())
    if hi > 1.5 and (hi > 16 or float(np.median(image)) > 1.5):
        # no [0, 1] image with noise of any sensible level looks like this
        raise ValueError(
            f"{name} has values up to {hi:.4g} (median {float(np.median(image)):.4g}); expected "
            "[0, 1]: it looks like 0-255 data in a float array, so divide it by 255 first "
            "(image / 255.0)"
        )
    if noisy:
        return image
    if lo < -1e-6 or hi > 1 + 1e-6:
        raise ValueError(
            f"{name} has values in [{lo:.3g}, {hi:.3g}]; expected [0, 1] "
            "(divide 8-bit data by 255)"
        )
    return np.clip(image, 0.0, 1.0)


def check_sigma(sigma, name="sigma", allow_zero=True):
    """Validate a noise level on the 0-255 scale and return it as a float."""
    try:
        value = float(sigma)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number on the 0-255 scale, got {sigma!r}") from None
    if not np.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{name} must be a finite number > 0 on the 0-255 scale, got {sigma!r}")
    if value > 255:
        raise ValueError(f"{name}={value} is on the 0-255 scale and cannot exceed 255")
    return value


def check_probability(p, name):
    """Validate a probability in [0, 1]."""
    try:
        value = float(p)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number in [0, 1], got {p!r}") from None
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be in [0, 1], got {p!r}")
    return value


def as_rng(seed):
    """A ``numpy.random.Generator`` from an int, a Generator (returned as it is) or None."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is not None and (not isinstance(seed, (int, np.integer)) or isinstance(seed, bool)):
        raise TypeError(f"seed must be an int, a numpy Generator or None, got {seed!r}")
    return np.random.default_rng(seed)
