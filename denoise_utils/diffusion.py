"""Diffusion (§5.5): a denoiser is a score, and a sampler that follows it.

**Tweedie's formula** (Robbins, 1956; Efron, 2011): if ``y = x + σ n`` with Gaussian ``n``,
the best denoiser in the mean-squared sense is ``E[x | y] = y + σ² ∇ log p_σ(y)``, where
``p_σ`` is the density of the noisy images. A network trained with the MSE approximates the
left side, so ``(D(y, σ) − y) / σ²`` estimates the **score** ``∇ log p_σ`` (:func:`score`).

**Sampling**: noise an image at a large level and the result is nearly pure noise; step the
level down, each step asking the denoiser where the image lies, and the noise becomes a sample
of the images the denoiser was trained on. :func:`sample` is the ancestral sampler of the
variance-exploding process (Song et al., 2021): at each level it draws the image at the next,
lower level as if the denoiser's estimate were the clean image. For a denoiser that returns the
posterior mean the step's mean is exact and its variance falls short, by less as the steps
shrink. Started from a *noisy photo* at its own noise level,
the same loop draws, approximately, from the posterior p(x | y): every draw a clean image
consistent with the photo, their spread a candidate uncertainty map (§5.5).

Levels are on the 0-255 scale; images float, any shape the denoiser takes.
"""

from collections.abc import Callable, Sequence

import numpy as np

from ._checks import as_rng, check_sigma


def score(denoiser: Callable[[np.ndarray, float], np.ndarray], y: np.ndarray,
          sigma: float) -> np.ndarray:
    """Tweedie's estimate of the score ``∇ log p_σ(y)`` from a denoiser (§5.5).

    Parameters
    ----------
    denoiser : callable
        ``denoiser(y, sigma)``, level on the 0-255 scale: its estimate of the clean image.
    y : ndarray
        A noisy image, on the [0, 1] scale.
    sigma : float
        Its noise level on the 0-255 scale, above 0.

    Returns
    -------
    ndarray
        Float64, ``(denoiser(y, sigma) − y) / (σ/255)²``, in units of the [0, 1] scale.
    """
    s = check_sigma(sigma, allow_zero=False) / 255.0
    y = np.asarray(y, np.float64)
    return (np.asarray(denoiser(y, sigma), np.float64) - y) / s ** 2


def schedule(start: float, stop: float = 0.5, steps: int = 30) -> np.ndarray:
    """Noise levels from ``start`` down to ``stop``, evenly spaced on a log scale, then 0 (§5.5).

    Parameters
    ----------
    start : float
        The first level on the 0-255 scale, above 0.
    stop : float, optional
        The last level before 0, above 0 and not above ``start``.
    steps : int, optional
        The levels before the 0, a positive whole number.

    Returns
    -------
    ndarray
        Float64, ``steps + 1`` levels.
    """
    if int(steps) != steps or steps < 1:
        raise ValueError(f"steps must be a positive whole number, got {steps!r}")
    start = check_sigma(start, allow_zero=False)
    stop = check_sigma(stop, allow_zero=False)
    if stop > start:
        raise ValueError(f"stop ({stop:g}) must not exceed start ({start:g})")
    return np.append(np.geomspace(start, stop, int(steps)), 0.0)


def sample(denoiser: Callable[[np.ndarray, float], np.ndarray], start: np.ndarray, sigma: float, *,
           steps: int = 30, stop: float = 0.5, seed: int | np.random.Generator | None = None,
           levels: Sequence[float] | None = None,
           callback: Callable[[float, np.ndarray, np.ndarray], None] | None = None) -> np.ndarray:
    """One draw of a clean image by reverse diffusion from ``start`` at noise level ``sigma`` (§5.5).

    The ancestral sampler of the variance-exploding process: at each level s, with the next
    level t < s, the image moves to a draw from N(x̂ + (t/s)² (x − x̂), t² (1 − (t/s)²)), where
    a noisy image at level t would be, given the one at level s, if x̂ were the clean image.
    The last step (t = 0) returns x̂. Since x̂ is an estimate, not the clean image, the draws
    come out a little too concentrated, by a fraction that falls as ``steps`` grow (under 5 %
    of the posterior variance at 200 steps for a Gaussian prior: tests/test_diffusion.py).

    Parameters
    ----------
    denoiser : callable
        ``denoiser(x, level)``, level on the 0-255 scale: its estimate x̂ of the clean image.
    start : ndarray
        Gaussian noise of level ``sigma`` around an image: a noisy photo (the draw is then
        from the posterior p(x | photo)), or pure noise at a level far above the images' own
        spread (a draw from the prior).
    sigma : float
        The noise level of ``start`` on the 0-255 scale.
    steps : int, optional
        Levels of :func:`schedule`, from ``sigma`` down to ``stop``.
    stop : float, optional
        The last level before 0.
    seed : int or numpy.random.Generator, optional
        Fixes the draw.
    levels : sequence of float, optional
        The levels instead, falling from ``sigma`` (a last 0 is added where missing).
    callback : callable, optional
        ``callback(s, x, x̂)`` after each step: the level, the image after the step and the
        estimate it moved towards (a trajectory, §5.5).

    Returns
    -------
    ndarray
        Float32, the draw, of ``start``'s shape.
    """
    rng = as_rng(seed)
    if levels is None:
        levels = schedule(sigma, min(stop, sigma), steps)
    else:
        levels = np.asarray(levels, np.float64)
        levels = levels if levels.size and levels[-1] == 0 else np.append(levels, 0.0)
        if levels.ndim != 1 or levels.size < 2 or (np.diff(levels) >= 0).any() or levels[0] != float(sigma):
            raise ValueError(f"levels must fall from sigma ({float(sigma):g}) towards 0, got {levels!r}")
    x = np.asarray(start, np.float64)
    for s, t in zip(levels[:-1], levels[1:]):
        x0 = np.asarray(denoiser(x.astype(np.float32), float(s)), np.float64)
        r = t / s
        x = x0 + r ** 2 * (x - x0) + (t / 255.0) * np.sqrt(1 - r ** 2) * rng.standard_normal(x.shape)
        if callback is not None:
            callback(float(s), x.astype(np.float32), x0.astype(np.float32))
    return x.astype(np.float32)
