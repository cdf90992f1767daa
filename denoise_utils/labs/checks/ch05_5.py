"""The checks of chapter 5.5's exercises (see ``labs``)."""

import numpy as np

from ..registry import exercise
from .common import close
from .common import gettext as _


@exercise("5.5.1", "Tweedie's formula",
          "E[x | y] = y + sigma**2 * score: the noisy value moved along the score, scaled by the "
          "noise variance.",
          mistake=lambda y, score, sigma: y + sigma * score,
          why="σ instead of σ² in Tweedie's formula")
def _posterior_mean(fn):
    y = np.linspace(-0.2, 1.2, 15)
    for sigma, mu, tau in ((0.1, 0.4, 0.2), (0.3, 0.6, 0.1)):
        score = -(y - mu) / (tau ** 2 + sigma ** 2)          # a Gaussian prior's noisy density
        want = (tau ** 2 * y + sigma ** 2 * mu) / (tau ** 2 + sigma ** 2)
        close(np.asarray(fn(y, score, sigma)), want, f"posterior_mean(y, score, {sigma})")


@exercise("5.5.2", "the inpainting data step",
          "np.where(mask, ..., z): where the pixel is known (y + mu * z) / (1 + mu), elsewhere z.",
          mistake=lambda y, mask, z, mu=0.0: np.where(mask, y, z),
          why="a data step that ignores the weight μ of noisy known pixels")
def _data_step(fn):
    rng = np.random.default_rng(0)
    y, z = rng.random((6, 7)), rng.random((6, 7))
    mask = rng.random((6, 7)) < 0.4
    close(np.asarray(fn(y, mask, z)), np.where(mask, y, z), "data_step(y, mask, z)")
    close(np.asarray(fn(y, mask, z, 0.5)), np.where(mask, (y + 0.5 * z) / 1.5, z), "data_step(y, mask, z, 0.5)")


@exercise("5.5.3", "one step of the sampler",
          "r = t / s; x_hat + r**2 * (x - x_hat) + t * sqrt(1 - r**2) * eps. At t = 0 the step "
          "returns x_hat.",
          mistake=lambda x, x_hat, s, t, eps: x_hat + (t / s) * (x - x_hat) + t * eps,
          why="the ratio t/s not squared")
def _sampler_step(fn):
    rng = np.random.default_rng(0)
    x, x_hat, eps = rng.random(9), rng.random(9), rng.standard_normal(9)
    for s, t in ((0.4, 0.2), (0.1, 0.0)):
        r = t / s
        want = x_hat + r ** 2 * (x - x_hat) + t * np.sqrt(1 - r ** 2) * eps
        close(np.asarray(fn(x, x_hat, s, t, eps)), want, f"sampler_step(x, x_hat, {s}, {t}, eps)")


def _motion_spectrum(shape):
    """The spectrum of an asymmetric blur (a short motion), centred at pixel (0, 0)."""
    k = np.zeros(shape)
    k[0, 0], k[0, 1], k[0, 2], k[1, 0] = 0.4, 0.3, 0.2, 0.1
    return np.fft.fft2(k)


@exercise("5.5.5", "the blur's data step with the FFT",
          "With Y, Z the FFTs of y and z and K the blur's spectrum, the minimiser is "
          "F⁻¹[(conj(K)·Y + alpha·Z) / (|K|² + alpha)]: conj(K) undoes the blur's shift (the "
          "adjoint), |K|² = K·conj(K). Return the real part.",
          mistake=lambda y, K, z, alpha: np.real(np.fft.ifft2((K * np.fft.fft2(y) + alpha * np.fft.fft2(z))
                                                             / (np.abs(K) ** 2 + alpha))),
          why="K where its conjugate belongs: the blur applied again instead of its adjoint, "
              "which shifts an asymmetric blur's result")
def _fft_data_step(fn):
    rng = np.random.default_rng(0)
    y, z = rng.random((8, 10)), rng.random((8, 10))
    K = _motion_spectrum(y.shape)
    for alpha in (0.05, 1.0):
        want = np.real(np.fft.ifft2((np.conj(K) * np.fft.fft2(y) + alpha * np.fft.fft2(z))
                                    / (np.abs(K) ** 2 + alpha)))
        close(np.asarray(fn(y, K, z, alpha)), want, f"fft_data_step(y, K, z, {alpha})")
    wiener = np.real(np.fft.ifft2(np.conj(K) * np.fft.fft2(y) / (np.abs(K) ** 2 + 0.01)))
    close(np.asarray(fn(y, K, np.zeros_like(y), 0.01)), wiener,
          _("fft_data_step(y, K, 0, 0.01) (with z = 0 it is the Wiener filter of balance alpha)"))


@exercise("5.5.6", "DPIR's schedule",
          "levels = np.geomspace(start, sigma, iterations): equal ratios from one level to the "
          "next, not equal steps. The data step's weight is alpha_k = lam * sigma**2 / levels**2.",
          mistake=lambda start, sigma, iterations, lam: (
              np.linspace(start, sigma, iterations),
              lam * sigma ** 2 / np.linspace(start, sigma, iterations) ** 2),
          why="levels spaced evenly instead of geometrically: most steps spent at high levels")
def _dpir_schedule(fn):
    for start, sigma, n, lam in ((49.0, 2.55, 8, 0.23), (50.0, 10.0, 5, 0.5)):
        levels, alphas = fn(start, sigma, n, lam)
        want = np.geomspace(start, sigma, n)
        call = {"start": start, "sigma": sigma, "n": n, "lam": lam}
        close(np.asarray(levels), want, _("dpir_schedule({start}, {sigma}, {n}, {lam}) levels").format(**call))
        close(np.asarray(alphas), lam * sigma ** 2 / want ** 2,
              _("dpir_schedule({start}, {sigma}, {n}, {lam}) alphas").format(**call))
