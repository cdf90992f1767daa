"""Synthetic noise (§1, §5.1): what a sensor, low light and a bad transmission add to a picture.

Every function takes a float image in [0, 1] (uint8/uint16 are converted), a ``seed``
(an int, a ``numpy.random.Generator`` or ``None``) and returns float32. Gaussian
noise levels are on the 0-255 scale, as the literature quotes them (σ = 25 means a
standard deviation of 25/255).

Clipping: the denoising benchmarks (DnCNN, BM3D) do **not** clip the noisy image, so
``add_gaussian_noise`` and ``add_speckle_noise`` leave values outside [0, 1] unless
``clip=True``, which models an 8-bit file saved by a camera. Poisson noise is
non-negative but may exceed 1 (clipped with ``clip=True``); salt-and-pepper stays in
[0, 1] by construction.
"""

import numpy as np

from .._checks import as_float_image, as_rng, check_probability, check_sigma


def _finish(noisy, clip):
    if clip:
        noisy = np.clip(noisy, 0.0, 1.0)
    return noisy.astype(np.float32)


def add_gaussian_noise(image: np.ndarray, sigma: float, *,
                       seed: int | np.random.Generator | None = None,
                       clip: bool = False) -> np.ndarray:
    """Additive white Gaussian noise: ``y = x + n``, ``n ~ N(0, (sigma/255)^2)`` (§1).

    Parameters
    ----------
    image : ndarray
        Float in [0, 1] (uint8 and uint16 are rescaled), one image or a batch.
    sigma : float
        The noise level on the 0-255 scale.
    seed : int or numpy.random.Generator or None, optional
        Fixes the noise.
    clip : bool, optional
        Clip the result to [0, 1] (default: not, as the literature scores noisy images).

    Returns
    -------
    ndarray
        Float32 of the input's shape.
    """
    x = as_float_image(image, allow_batch=True)
    s = check_sigma(sigma) / 255.0
    return _finish(x + s * as_rng(seed).standard_normal(x.shape), clip)


def add_poisson_noise(image: np.ndarray, peak: float = 30.0, *,
                      seed: int | np.random.Generator | None = None,
                      clip: bool = False) -> np.ndarray:
    """Shot noise of a photon-limited sensor: ``y = Poisson(peak * x) / peak`` (§1).

    Parameters
    ----------
    image : ndarray
        Float in [0, 1] (uint8 and uint16 are rescaled), one image or a batch.
    peak : float, optional
        The photon count of a white pixel: the lower, the darker the scene and the stronger
        the noise (its standard deviation at level x is sqrt(x/peak)).
    seed : int or numpy.random.Generator or None, optional
        Fixes the noise.
    clip : bool, optional
        Clip the result to [0, 1] (it is non-negative but may exceed 1).

    Returns
    -------
    ndarray
        Float32 of the input's shape.
    """
    x = as_float_image(image, allow_batch=True)
    try:
        peak = float(peak)
    except (TypeError, ValueError):
        raise TypeError(f"peak must be a positive number, got {peak!r}") from None
    if not np.isfinite(peak) or peak <= 0:
        raise ValueError(f"peak must be a positive number of photons, got {peak!r}")
    return _finish(as_rng(seed).poisson(x * peak) / peak, clip)


def add_salt_pepper_noise(image: np.ndarray, amount: float = 0.05, *, salt_vs_pepper: float = 0.5,
                          seed: int | np.random.Generator | None = None) -> np.ndarray:
    """Impulse noise of dead pixels or bit errors: a fraction ``amount`` set to 0 or 1 (§1).

    Parameters
    ----------
    image : ndarray
        Float in [0, 1] (uint8 and uint16 are rescaled), one image or a batch.
    amount : float, optional
        The fraction of pixels hit, in [0, 1]; all channels of a pixel are hit together.
    salt_vs_pepper : float, optional
        The fraction of the hit pixels set to 1 (the others are set to 0).
    seed : int or numpy.random.Generator or None, optional
        Fixes the noise.

    Returns
    -------
    ndarray
        Float32 of the input's shape, in [0, 1].
    """
    x = as_float_image(image, allow_batch=True)
    amount = check_probability(amount, "amount")
    salt_vs_pepper = check_probability(salt_vs_pepper, "salt_vs_pepper")
    rng = as_rng(seed)
    # one decision per pixel location, shared by all channels of that pixel
    shape = x.shape[:-1] if x.ndim >= 3 else x.shape
    hit = rng.random(shape) < amount
    salt = rng.random(shape) < salt_vs_pepper
    y = x.copy()
    y[hit & salt] = 1.0
    y[hit & ~salt] = 0.0
    return y.astype(np.float32)


def add_speckle_noise(image: np.ndarray, sigma: float = 25.0, *,
                      seed: int | np.random.Generator | None = None,
                      clip: bool = False) -> np.ndarray:
    """Multiplicative noise of coherent imaging (radar, ultrasound): ``y = x + x * n`` (§1).

    ``n ~ N(0, (sigma/255)^2)``: the noise grows with the brightness.

    Parameters
    ----------
    image : ndarray
        Float in [0, 1] (uint8 and uint16 are rescaled), one image or a batch.
    sigma : float, optional
        The level of ``n`` on the 0-255 scale.
    seed : int or numpy.random.Generator or None, optional
        Fixes the noise.
    clip : bool, optional
        Clip the result to [0, 1] (default: not, as the literature scores noisy images).

    Returns
    -------
    ndarray
        Float32 of the input's shape.
    """
    x = as_float_image(image, allow_batch=True)
    s = check_sigma(sigma) / 255.0
    return _finish(x + x * s * as_rng(seed).standard_normal(x.shape), clip)


#: a 3x3 blur like bilinear demosaicking's: each value shares its noise with its neighbours
DEMOSAIC_KERNEL = np.outer([1, 2, 1], [1, 2, 1]) / 16.0


def add_correlated_noise(image: np.ndarray, sigma: float = 25.0, *,
                         kernel: np.ndarray | None = None,
                         seed: int | np.random.Generator | None = None,
                         clip: bool = False) -> np.ndarray:
    """Spatially correlated Gaussian noise (§5.1): white noise blurred by ``kernel``.

    The blurred noise is rescaled so each pixel's standard deviation is still ``sigma``;
    neighbouring pixels' noise is alike, as after demosaicking.

    Parameters
    ----------
    image : ndarray
        Float in [0, 1] (uint8 and uint16 are rescaled), one image or a batch.
    sigma : float, optional
        Each pixel's noise level on the 0-255 scale.
    kernel : ndarray or None, optional
        A non-zero 2-D blur (default :data:`DEMOSAIC_KERNEL`), applied along the two image
        axes with wrap-around.
    seed : int or numpy.random.Generator or None, optional
        Fixes the noise.
    clip : bool, optional
        Clip the result to [0, 1] (default: not, as the literature scores noisy images).

    Returns
    -------
    ndarray
        Float32 of the input's shape.
    """
    from scipy.ndimage import convolve

    x = as_float_image(image, allow_batch=True)
    s = check_sigma(sigma) / 255.0
    k = np.asarray(DEMOSAIC_KERNEL if kernel is None else kernel, np.float64)
    if k.ndim != 2 or not np.any(k):
        raise ValueError(f"kernel must be a non-zero 2-D array, got shape {k.shape}")
    k = k / np.sqrt(np.sum(k ** 2))              # unit gain on white noise's variance
    white = as_rng(seed).standard_normal(x.shape)
    if x.ndim > 2:                               # blur along the two image axes only
        k = k.reshape((1,) * (x.ndim - 3) + k.shape + (1,))
    return _finish(x + s * convolve(white, k, mode="wrap"), clip)
