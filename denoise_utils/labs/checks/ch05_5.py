"""The checks of chapter 5.5's exercises (see ``labs``)."""

import numpy as np

from ..registry import exercise
from .common import close


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
