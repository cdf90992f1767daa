"""Beyond white Gaussian noise (§5.1): making a Gaussian denoiser fit other noise.

A denoiser trained for additive white Gaussian noise meets three kinds of trouble in the
wild, and each has a classical fix taught in §5.1:

* **signal-dependent noise** (photon shot noise, :func:`noise.add_poisson_noise`): the
  Anscombe transform (:func:`anscombe`) makes its variance about 1 everywhere, a Gaussian
  denoiser cleans that, and the exact unbiased inverse (:func:`inverse_anscombe`, Mäkitalo &
  Foi, 2011) maps back — :func:`denoise_poisson` runs all three;
* **spatially correlated noise** (:func:`noise.add_correlated_noise`, as demosaicking makes
  it): subsampling by the correlation's reach makes it nearly white again
  (:func:`denoise_subsampled`, the pixel-shuffle idea of Zhou et al., 2020);
* **impulses** (:func:`noise.add_salt_pepper_noise`): a pixel is either untouched or
  destroyed, so :func:`switching_median` replaces only the suspicious ones.

A *denoiser* here is any ``f(noisy, sigma)`` with σ on the 0-255 scale, as in ``classical``.
"""

from typing import Callable

import numpy as np

from .._checks import as_float_image

_LOW = 2 * np.sqrt(3 / 8)     # the transform of a zero count


def anscombe(counts: np.ndarray) -> np.ndarray:
    """The Anscombe transform 2 sqrt(z + 3/8) of Poisson counts z: variance about 1 (§5.1).

    Parameters
    ----------
    counts : ndarray
        Poisson counts z (negative values are taken as 0).

    Returns
    -------
    ndarray
        Float64, of the input's shape.
    """
    return 2.0 * np.sqrt(np.maximum(np.asarray(counts, np.float64), 0.0) + 3 / 8)


def inverse_anscombe(d: np.ndarray, exact: bool = True) -> np.ndarray:
    """Back from the Anscombe domain to counts (§5.1).

    Parameters
    ----------
    d : ndarray
        Values in the Anscombe domain.
    exact : bool, optional
        ``exact=True``: the closed-form approximation of the exact unbiased inverse
        (Mäkitalo & Foi, 2011), which returns the count whose transform has *expected
        value* ``d`` — the right inverse for a denoised value, an estimate of that
        expectation. ``exact=False``: the algebraic inverse (d/2)^2 - 3/8, biased low where
        counts are small.

    Returns
    -------
    ndarray
        Non-negative float64 counts, of the input's shape.
    """
    d = np.asarray(d, np.float64)
    if not exact:
        return np.maximum((d / 2) ** 2 - 3 / 8, 0.0)
    safe = np.maximum(d, _LOW)
    r = np.sqrt(1.5)
    out = safe ** 2 / 4 + r / (4 * safe) - 11 / (8 * safe ** 2) + 5 * r / (8 * safe ** 3) - 1 / 8
    return np.where(d < _LOW, 0.0, np.maximum(out, 0.0))


def denoise_poisson(noisy: np.ndarray, peak: float,
                    denoiser: Callable[[np.ndarray, float], np.ndarray], *,
                    exact: bool = True) -> np.ndarray:
    """Denoise Poisson noise with a Gaussian denoiser through the Anscombe transform (§5.1).

    The counts ``peak * noisy`` are transformed, scaled to [0, 1] (so the noise's σ is
    255 / the transformed range), denoised, scaled back and inverted.

    Parameters
    ----------
    noisy : ndarray
        The noisy image (``noise.add_poisson_noise`` at ``peak``), float in [0, 1] (not
        clipped).
    peak : float
        The photon count of a white pixel, > 0.
    denoiser : callable
        A Gaussian denoiser ``f(noisy, sigma)``, σ on the 0-255 scale.
    exact : bool, optional
        The inverse used (see :func:`inverse_anscombe`).

    Returns
    -------
    ndarray
        Float32 on the image's scale, clipped to [0, 1].
    """
    y = as_float_image(noisy, name="noisy", noisy=True)
    peak = float(peak)
    if not np.isfinite(peak) or peak <= 0:
        raise ValueError(f"peak must be a positive number of photons, got {peak!r}")
    a = anscombe(y * peak)
    high = max(float(a.max()), _LOW + 1.0)
    scale = high - _LOW
    clean = np.asarray(denoiser(((a - _LOW) / scale).astype(np.float32), min(255.0 / scale, 255.0)))
    counts = inverse_anscombe(clean * scale + _LOW, exact=exact)
    return np.clip(counts / peak, 0.0, 1.0).astype(np.float32)


def denoise_subsampled(noisy: np.ndarray, sigma: float,
                       denoiser: Callable[[np.ndarray, float], np.ndarray], *,
                       stride: int = 2) -> np.ndarray:
    """Denoise each sub-image ``noisy[i::stride, j::stride]`` alone and put them back (§5.1).

    Noise correlated over fewer than ``stride`` pixels is nearly white within a sub-image,
    at the price of a picture with ``stride`` times less detail.

    Parameters
    ----------
    noisy : ndarray
        The noisy image, float in [0, 1] (not clipped).
    sigma : float
        The noise level on the 0-255 scale, passed to ``denoiser``.
    denoiser : callable
        A Gaussian denoiser ``f(noisy, sigma)``, σ on the 0-255 scale.
    stride : int, optional
        The step of the sub-images: ``stride`` × ``stride`` of them.

    Returns
    -------
    ndarray
        Float32, of the input's shape.
    """
    y = as_float_image(noisy, name="noisy", noisy=True)
    if int(stride) != stride or stride < 1:
        raise ValueError(f"stride must be a positive whole number, got {stride!r}")
    out = np.empty_like(y)
    for i in range(stride):
        for j in range(stride):
            sub = y[i::stride, j::stride]
            out[i::stride, j::stride] = np.asarray(denoiser(sub, sigma)).reshape(sub.shape)
    return out


def switching_median(noisy: np.ndarray, size: int = 3, everywhere: bool = False) -> np.ndarray:
    """The median filter applied only where a pixel is exactly 0 or 1 (a likely impulse) (§5.1).

    Other pixels are kept as they are.

    Parameters
    ----------
    noisy : ndarray
        The noisy image in [0, 1], or a batch.
    size : int, optional
        The window's side.
    everywhere : bool, optional
        ``everywhere=True``: the plain median filter.

    Returns
    -------
    ndarray
        Float32, of the input's shape.
    """
    from scipy.ndimage import median_filter

    y = as_float_image(noisy, name="noisy", allow_batch=True)
    footprint = (1,) * (y.ndim - 3) + (size, size) + (1,) * (y.ndim > 2)
    med = median_filter(y, size=footprint, mode="mirror")
    return (med if everywhere else np.where((y <= 0) | (y >= 1), med, y)).astype(np.float32)
