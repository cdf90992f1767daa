"""The checks of chapter 3.1's exercises (see ``labs``)."""

import numpy as np

from ..registry import exercise
from .common import close


def _flipped(image, kernel):
    """3.1.1's mistake: a true convolution."""
    from scipy.signal import convolve2d

    return convolve2d(image, kernel, mode="same")


def _correlate_same(image, kernel):
    from scipy.signal import correlate2d
    return correlate2d(image, kernel, mode="same", boundary="fill")


@exercise("3.1.1", "a 2-D convolution as Keras computes it",
          "Keras's Conv2D is a cross-correlation: the kernel is not flipped. 'same' padding "
          "adds k // 2 zeros on each side.",
          mistake=_flipped,
          why="a true convolution (the kernel flipped), where Keras computes a correlation")
def _conv(fn):
    rng = np.random.default_rng(0)
    image = rng.random((9, 11))
    for kernel in (rng.standard_normal((3, 3)), rng.standard_normal((5, 5))):
        close(fn(image, kernel), _correlate_same(image, kernel), "conv2d(image, kernel)")


@exercise("3.1.2", "batch normalisation in training",
          "Normalise each channel (last axis) with the mean and variance over every other axis "
          "of the batch (the biased variance), then scale by gamma and shift by beta; eps "
          "goes inside the square root.",
          mistake=lambda x, g, b, eps=1e-3: g * (x - x.mean((0, 1, 2))) / np.sqrt(x.var((0, 1, 2), ddof=1) + eps) + b,
          why="the unbiased variance (ddof=1) where batch normalisation divides by N")
def _bn(fn):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 5, 6, 3)) * 3 + 2
    gamma, beta = np.array([1.0, 2.0, 0.5]), np.array([0.0, -1.0, 3.0])
    mean, var = x.mean(axis=(0, 1, 2)), x.var(axis=(0, 1, 2))
    close(fn(x, gamma, beta, 1e-3), gamma * (x - mean) / np.sqrt(var + 1e-3) + beta,
           "batch_norm(x, gamma, beta, eps)")


@exercise("3.1.3", "the gradient of the MSE",
          "d/dŷ of mean((ŷ - y)²) is 2 (ŷ - y) / N, with N the number of elements.",
          mistake=lambda p, t: 2 * (p - t),
          why="the MSE's gradient without the 1/N")
def _grad(fn):
    rng = np.random.default_rng(0)
    pred, target = rng.random((3, 4, 5)), rng.random((3, 4, 5))
    close(fn(pred, target), 2 * (pred - target) / pred.size, "mse_gradient(pred, target)")
