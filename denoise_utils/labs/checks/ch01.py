"""The checks of chapter 1's exercises (see ``labs``)."""

import numpy as np

from ...noise import add_gaussian_noise
from ..registry import exercise
from .common import close, same_shape, sample_images
from .common import gettext as _


@exercise("1.1", "PSNR", "PSNR = 10 log10(peak² / MSE) with peak 1 for images in [0, 1].",
          mistake=lambda c, e: 10 * np.log10(255 ** 2 / np.mean((c - e) ** 2)),
          why="a peak of 255 on images in [0, 1]")
def _psnr(fn):
    from ...metrics import psnr
    a, b, _ = sample_images(1)
    for clean, est in ((a, b), (a, np.clip(a + 0.01, 0, 1)), (a * 0.5, a * 0.5 + 0.05)):
        close(fn(clean, est), psnr(clean, est), "psnr(clean, estimate)")


@exercise("1.2", "Gaussian noise on the 0-255 scale",
          "σ is on the 0-255 scale, the image in [0, 1]: the noise's standard deviation is "
          "σ / 255; don't clip; draw from np.random.default_rng(seed).",
          mistake=lambda im, s, seed: im + np.random.default_rng(seed).normal(0, s, np.shape(im)),
          why="the level σ not divided by 255")
def _noise(fn):
    clean = np.full((200, 200), 0.5, np.float32)
    noisy = np.asarray(fn(clean, 25, 0))
    same_shape(noisy.shape, clean.shape)
    std = float(np.std(noisy - clean))
    assert abs(std - 25 / 255) < 0.005, \
        _("noise standard deviation: expected {expected:.4f}, found {found:.4f}").format(expected=25 / 255, found=std)
    edge = np.asarray(fn(np.zeros((100, 100), np.float32), 25, 0))
    assert edge.min() < 0, _("no value below 0 on a black image: the noise was clipped")
    assert np.array_equal(np.asarray(fn(clean, 25, 3)), np.asarray(fn(clean, 25, 3))), \
        _("the same seed gave different noise")
    assert not np.array_equal(np.asarray(fn(clean, 25, 3)), np.asarray(fn(clean, 25, 4))), \
        _("two seeds gave the same noise")


@exercise("1.3", "choose a filter on a held-out image",
          "Denoise the held-out image with each width, score each with PSNR against its "
          "clean version, return the width that scores highest.",
          mistake=lambda c, n, widths: widths[0],
          why="a width chosen without scoring each on the held-out image")
def _choose(fn):
    from skimage.filters import gaussian

    from ...metrics import psnr
    rng = np.random.default_rng(0)
    clean = gaussian(rng.random((64, 64)), 3).astype(np.float32)
    clean = (clean - clean.min()) / (clean.max() - clean.min())
    widths = [0.5, 1.0, 2.0, 4.0]
    for sigma in (10, 50):
        noisy = add_gaussian_noise(clean, sigma, seed=1)
        best = max(widths, key=lambda w: psnr(clean, gaussian(noisy, w)))
        found = fn(clean, noisy, widths)
        assert found == best, \
            _("at σ = {sigma}: expected width {expected}, found {found}").format(sigma=sigma, expected=best, found=found)
