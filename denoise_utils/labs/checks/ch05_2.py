"""The checks of chapter 5.2's exercises (see ``labs``)."""

import numpy as np

from ..registry import exercise
from .common import close
from .common import gettext as _


@exercise("5.2.1", "a Noise2Noise pair",
          "Two independent draws of noise on the same clean image: one generator "
          "(np.random.default_rng(seed)), two calls; σ on the 0-255 scale.",
          mistake=lambda c, s, seed: (c + np.random.default_rng(seed).normal(0, s / 255, c.shape),) * 2,
          why="the same noise drawn for both images of the pair")
def _n2n(fn):
    clean = np.full((200, 200), 0.5)
    a, b = (np.asarray(v, np.float64) for v in fn(clean, 25.0, 0))
    for what, v in ((_("input's noise"), a), (_("target's noise"), b)):
        assert abs((v - clean).std() - 25 / 255) < 0.005, \
            _("{what}: expected level 25, found {found:.2f}").format(what=what, found=255 * (v - clean).std())
    c = np.corrcoef((a - clean).ravel(), (b - clean).ravel())[0, 1]
    assert abs(c) < 0.05, \
        _("correlation of the two noises: expected about 0 (independent draws), found {found:.2f}").format(found=c)


@exercise("5.2.2", "the loss on masked pixels",
          "Average the squared error over the pixels where mask is True only: "
          "np.sum(mask · err²) / np.sum(mask).",
          mistake=lambda p, t, m: np.mean(m * (p - t) ** 2),
          why="the masked error averaged over every pixel")
def _masked(fn):
    rng = np.random.default_rng(0)
    pred, target = rng.random((6, 7)), rng.random((6, 7))
    mask = rng.random((6, 7)) < 0.2
    close(fn(pred, target, mask), np.mean((pred - target)[mask] ** 2), "masked_mse(pred, target, mask)")


@exercise("5.2.3", "SURE for a shrinkage",
          "For f(y) = a·y with noise variance s² = (σ/255)² per pixel, SURE = mean((f(y) - y)²) "
          "- s² + 2 s² · div/N, and the divergence of a·y is a per pixel.",
          mistake=lambda y, s, a: np.mean((a * y - y) ** 2),
          why="the error against the noisy image without SURE's correction")
def _sure(fn):
    rng = np.random.default_rng(0)
    clean = rng.random((64, 64))
    y = clean + 25 / 255 * rng.standard_normal(clean.shape)
    s2 = (25 / 255) ** 2
    for a in (0.5, 0.9):
        want = np.mean((a * y - y) ** 2) - s2 + 2 * s2 * a
        close(fn(y, 25.0, a), want, f"sure_shrink(y, 25, {a})", rtol=1e-6)
