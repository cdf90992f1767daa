"""The checks of chapter 5.3's exercises (see ``labs``)."""

import numpy as np

from ...interpret import filter_support
from ..registry import exercise
from .common import close, equal
from .common import gettext as _


@exercise("5.3.1", "is the residual white?",
          "Correlate each pixel with its right-hand neighbour: np.corrcoef of the two "
          "flattened arrays r[:, :-1] and r[:, 1:].",
          mistake=lambda r: np.corrcoef(r.ravel(), r.ravel())[0, 1],
          why="each pixel against itself instead of its neighbour")
def _lag(fn):
    rng = np.random.default_rng(0)
    white = rng.standard_normal((100, 100))
    smooth = white + np.roll(white, 1, axis=1)
    for r in (white, smooth):
        close(fn(r), np.corrcoef(r[:, :-1].ravel(), r[:, 1:].ravel())[0, 1], "neighbour_correlation(r)")


@exercise("5.3.2", "an equivalent filter by finite differences",
          "Output pixel (i, j) of the denoiser, as a function of every input pixel: nudge each "
          "input pixel by eps, once, and divide the change of output (i, j) by eps.",
          mistake=lambda f, y, i, j, eps=1e-3: np.eye(*y.shape),
          why="a filter not measured from the denoiser")
def _jac(fn):
    from scipy.ndimage import uniform_filter
    y = np.random.default_rng(0).random((7, 8))

    def denoiser(img):
        return uniform_filter(img, size=3, mode="constant") * 0.5 + 0.5 * img

    want = np.zeros(y.shape)
    want[1:4, 2:5] = 0.5 / 9
    want[2, 3] += 0.5
    close(fn(denoiser, y, 2, 3), want, "equivalent_filter(denoiser, y, 2, 3)", atol=1e-4)


@exercise("5.3.3", "a filter's support",
          "Sort the squared weights from the largest down and count how many it takes to "
          "reach `share` of their sum.",
          mistake=lambda w, share=0.9: int(np.sum(np.abs(w) > 0)),
          why="every non-zero weight counted, whatever its share")
def _support(fn):
    rng = np.random.default_rng(0)
    for w in (np.eye(5), rng.standard_normal((9, 9)), np.pad(np.ones((2, 2)), 3)):
        equal(fn(w, 0.9), filter_support(w, 0.9), _("support of a filter"))
