"""The checks of chapter 3.4's exercises (see ``labs``)."""

import numpy as np

from ..registry import exercise
from .common import close, equal, same_shape
from .common import gettext as _


@exercise("3.4.1", "PCA, the optimal linear encoder",
          "Centre the rows of X (subtract the mean), take the SVD, and return the first k right "
          "singular vectors as the columns of a (d, k) matrix.",
          mistake=lambda x, k: np.linalg.svd(x, full_matrices=False)[2][:k].T,
          why="PCA without centring the data")
def _pca(fn):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((200, 6)) @ np.diag([3, 2, 1, 0.5, 0.2, 0.1]) + 5.0
    vt = np.linalg.svd(x - x.mean(0), full_matrices=False)[2]
    want = vt[:2].T
    found = np.asarray(fn(x, 2), np.float64)
    same_shape(found.shape, want.shape)
    close(found @ found.T, want @ want.T, _("the projection V Vᵀ onto your k directions"), atol=1e-6)


@exercise("3.4.2", "the best linear denoiser's gain",
          "Along a principal direction of variance λ, the best linear estimate from a "
          "noisy value keeps the fraction λ / (λ + σ²).",
          mistake=lambda lam, s2: lam / s2,
          why="λ / σ² instead of λ / (λ + σ²)")
def _gain(fn):
    lam = np.array([4.0, 1.0, 0.25, 0.0])
    close(fn(lam, 1.0), lam / (lam + 1.0), "wiener_gain(variances, 1.0)")
    close(fn(lam, 0.25), lam / (lam + 0.25), "wiener_gain(variances, 0.25)")


@exercise("3.4.3", "a convolution's output size",
          "'same': ceil(n / stride). 'valid': floor((n - k) / stride) + 1.",
          mistake=lambda n, k, s, pad: (n - k) // s + 1 if pad == "valid" else n // s,
          why="the output size rounded down for padding=\"same\"")
def _outsize(fn):
    for n, k, s, pad in ((28, 3, 1, "same"), (28, 3, 2, "same"), (27, 3, 2, "same"),
                         (28, 3, 1, "valid"), (28, 3, 2, "valid"), (32, 5, 2, "valid")):
        want = -(-n // s) if pad == "same" else (n - k) // s + 1
        equal(fn(n, k, s, pad), want, f"output_size({n}, {k}, {s}, {pad!r})")
