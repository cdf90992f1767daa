"""The checks of chapter 5.1's exercises (see ``labs``)."""

import numpy as np

from ..registry import exercise
from .common import close, same_shape
from .common import gettext as _


def _median_everywhere(y):
    """5.1.6's mistake: every pixel replaced by its neighbourhood's median."""
    from scipy.ndimage import median_filter

    return median_filter(y, size=3, mode="reflect")


def _by_sum(shape, sigma, kernel, seed):
    """5.1.7's mistake: the kernel divided by its sum."""
    from scipy.ndimage import convolve

    white = np.random.default_rng(seed).standard_normal(shape) * sigma / 255
    return convolve(white, kernel / kernel.sum(), mode="wrap")


@exercise("5.1.1", "the Anscombe transform",
          "A(x) = 2 √(x + 3/8) turns Poisson counts into values of variance about 1.",
          mistake=lambda x: np.sqrt(x),
          why="√x without the factor 2 and the 3/8")
def _anscombe(fn):
    x = np.array([0.0, 1.0, 5.0, 100.0])
    close(fn(x), 2 * np.sqrt(x + 3 / 8), "anscombe(x)")


@exercise("5.1.2", "shot noise",
          "Counts are Poisson with mean image · peak (rng.poisson); divide them by peak to come "
          "back to [0, 1]. Use np.random.default_rng(seed).",
          mistake=lambda im, peak, seed: im + np.random.default_rng(seed).normal(0, np.sqrt(im / peak)),
          why="Gaussian noise of the Poisson variance instead of Poisson counts")
def _shot(fn):
    clean = np.full((300, 300), 0.4)
    noisy = np.asarray(fn(clean, 10.0, 0), np.float64)
    same_shape(noisy.shape, clean.shape)
    assert abs(noisy.mean() - 0.4) < 0.01, _("mean: expected 0.4, found {found:.3f}").format(found=noisy.mean())
    assert abs(noisy.var() - 0.04) < 0.004, \
        _("variance: expected image / peak = 0.04, found {found:.4f}").format(found=noisy.var())
    counts = noisy * 10
    odd = counts[~np.isclose(counts, np.round(counts))]
    assert odd.size == 0, _("values × peak: expected whole photon counts, found {found:.3f}").format(found=odd.flat[0])


@exercise("5.1.3", "the level of a noise that depends on the signal",
          "Camera noise has variance shot · x + read at brightness x; its level on the 0-255 "
          "scale is 255 √(shot · x + read).",
          mistake=lambda x, shot, read: np.sqrt(shot * x + read),
          why="the level on the [0, 1] scale, not 0-255")
def _level(fn):
    x = np.array([0.0, 0.1, 0.5, 1.0])
    close(fn(x, 0.01, 1e-4), 255 * np.sqrt(0.01 * x + 1e-4), "noise_level(x, 0.01, 1e-4)")


def _median_switch(noisy):
    from scipy.ndimage import median_filter
    return np.where((noisy == 0) | (noisy == 1), median_filter(noisy, size=3, mode="reflect"), noisy)


@exercise("5.1.5", "salt and pepper",
          "Draw one uniform number per pixel (np.random.default_rng(seed).random): below "
          "amount/2 the pixel becomes 0, between amount/2 and amount it becomes 1.",
          mistake=lambda im, amount, seed: np.where(np.random.default_rng(seed).random(im.shape) < amount, 0.0, im),
          why="pepper without salt: every impulse black")
def _sp(fn):
    clean = np.full((200, 200), 0.5)
    noisy = np.asarray(fn(clean, 0.1, 0), np.float64)
    share0, share1 = float(np.mean(noisy == 0)), float(np.mean(noisy == 1))
    assert abs(share0 - 0.05) < 0.01 and abs(share1 - 0.05) < 0.01, \
        _("expected 5 % of pixels at 0 and 5 % at 1, found {zeros:.1f} % and {ones:.1f} %").format(
            zeros=100 * share0, ones=100 * share1)
    assert np.all((noisy == 0) | (noisy == 1) | (noisy == 0.5)), _("other pixels must keep their value")


@exercise("5.1.6", "a switching median",
          "Only pixels that are exactly 0 or 1 are replaced, by the median of their 3×3 "
          "neighbourhood (scipy.ndimage.median_filter(noisy, size=3)); any border mode.",
          mistake=_median_everywhere,
          why="a switching median applied to every pixel")
def _switch(fn):
    rng = np.random.default_rng(0)
    noisy = rng.random((20, 24))
    noisy[rng.random(noisy.shape) < 0.1] = 0.0
    noisy[rng.random(noisy.shape) < 0.1] = 1.0
    found = np.asarray(fn(noisy))
    same_shape(found.shape, noisy.shape, "switching_median(noisy)")
    # any border handling is accepted: the interior only
    close(found[1:-1, 1:-1], _median_switch(noisy)[1:-1, 1:-1], _("switching_median(noisy) inside the border"))


@exercise("5.1.7", "correlated noise of a given level",
          "Filter white noise with the kernel divided by its Euclidean norm "
          "(np.sqrt(np.sum(kernel ** 2))), so the level stays sigma; scipy.ndimage.convolve, "
          "mode='wrap'.",
          mistake=_by_sum,
          why="correlated noise scaled by the kernel's sum instead of its Euclidean norm")
def _corr(fn):
    kernel = np.ones((3, 3))
    noise = np.asarray(fn((300, 300), 25.0, kernel, 0), np.float64)
    same_shape(noise.shape, (300, 300))
    assert abs(noise.std() * 255 - 25) < 1.0, _("level: expected 25, found {found:.2f}").format(found=noise.std() * 255)
    c = np.corrcoef(noise[:, :-1].ravel(), noise[:, 1:].ravel())[0, 1]
    assert abs(c - 2 / 3) < 0.05, \
        _("correlation of neighbours: expected about 0.67 for a 3×3 box, found {found:.2f}").format(found=c)


@exercise("5.1.9", "a Bayer mosaic",
          "RGGB: red at even rows and even columns, green where row + column is odd, blue at "
          "odd rows and odd columns; one value per pixel.",
          mistake=lambda rgb: rgb.mean(axis=-1),
          why="the mean of the three channels instead of one per pixel by the RGGB pattern")
def _bayer(fn):
    rgb = np.random.default_rng(0).random((4, 6, 3))
    want = rgb[..., 1].copy()
    want[0::2, 0::2] = rgb[0::2, 0::2, 0]
    want[1::2, 1::2] = rgb[1::2, 1::2, 2]
    close(fn(rgb), want, "mosaic(rgb)")


@exercise("5.1.11", "a reference from a burst",
          "The reference is the mean over the shots (axis 0). One shot's noise level: the "
          "standard deviation over the shots (ddof=1) at each pixel, averaged over pixels.",
          mistake=lambda shots: (shots.mean(0), shots.std()),
          why="the spread of every value of the burst, not over the shots at each pixel")
def _burst(fn):
    rng = np.random.default_rng(0)
    clean = rng.random((16, 20))
    shots = clean + 0.05 * rng.standard_normal((16, 16, 20))
    mean, level = fn(shots)
    close(mean, shots.mean(0), "burst_reference(shots)[0]")
    close(level, shots.std(0, ddof=1).mean(), _("burst_reference(shots)[1], in the shots' own units"),
          rtol=0.05)


@exercise("5.1.10", "noise that depends on the colour channel",
          "Each channel c has its own variance shot[c] · x + read[c]; draw "
          "rng.standard_normal(rgb.shape) once and scale it per pixel and channel.",
          mistake=lambda rgb, shot, read, seed: rgb + np.random.default_rng(seed).standard_normal(rgb.shape) * np.sqrt(shot.mean() * rgb + read.mean()),
          why="one noise gain for all three colour channels")
def _colour_noise(fn):
    rgb = np.full((200, 200, 3), 0.5)
    shot, read = np.array([0.01, 0.004, 0.02]), np.array([1e-4, 1e-4, 4e-4])
    noisy = np.asarray(fn(rgb, shot, read, 0), np.float64)
    same_shape(noisy.shape, rgb.shape)
    std = (noisy - rgb).std(axis=(0, 1))
    close(std, np.sqrt(shot * 0.5 + read), _("each channel's noise standard deviation"), rtol=0.05)
