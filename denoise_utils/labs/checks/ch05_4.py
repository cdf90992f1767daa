"""The checks of chapter 5.4's exercises (see ``labs``)."""

import numpy as np

from ..registry import exercise
from .common import close, equal, same_shape
from .common import gettext as _


@exercise("5.4.1", "attention weights",
          "Scores q @ k.T divided by sqrt(d), d = q.shape[-1]; then a softmax along the keys "
          "(axis -1): subtract each row's maximum, exponentiate, divide by the row's sum.",
          mistake=lambda q, k: np.exp(q @ k.T) / np.exp(q @ k.T).sum(axis=1, keepdims=True),
          why="the scores not divided by √d")
def _attention_weights(fn):
    rng = np.random.default_rng(0)
    q, k = rng.standard_normal((5, 8)), rng.standard_normal((7, 8))
    scores = q @ k.T / np.sqrt(8)
    want = np.exp(scores - scores.max(axis=1, keepdims=True))
    want /= want.sum(axis=1, keepdims=True)
    found = np.asarray(fn(q, k))
    same_shape(found.shape, (5, 7), "attention_weights(q, k)")
    close(found, want, "attention_weights(q, k)")
    big = np.asarray(fn(100 * q, 100 * k))          # large scores must not overflow
    assert np.all(np.isfinite(big)), _("attention_weights overflows for large scores: subtract the row maximum")


def _windows(image, s):
    h, w, c = image.shape
    return image.reshape(h // s, s, w // s, s, c).transpose(0, 2, 1, 3, 4).reshape(-1, s * s, c)


@exercise("5.4.2", "windows back into an image",
          "Undo the three steps of windows() in reverse order: reshape to (h/s, w/s, s, s, C), "
          "swap the two middle axes back, reshape to (h, w, C).",
          mistake=lambda t, h, w, s: t.reshape(h, w, t.shape[-1]),
          why="windows reshaped without swapping the axes back")
def _merge_windows(fn):
    image = np.random.default_rng(0).random((8, 12, 3))
    for s in (2, 4):
        close(np.asarray(fn(_windows(image, s), 8, 12, s)), image, f"merge_windows(windows(image, {s}), 8, 12, {s})")


@exercise("5.4.3", "where global attention stops fitting",
          "N = side**2 pixels give N**2 = side**4 weights: take the fourth root of memory / "
          "bytes_per_weight, and make sure side**4 weights fit while (side + 1)**4 do not.",
          mistake=lambda memory, b=4: int((memory / b) ** 0.5),
          why="N weights where global attention stores N²")
def _largest_side(fn):
    for memory, b in ((24 * 2 ** 30, 4), (10 ** 12, 2), (4 * 256 ** 4, 4), (4 * 256 ** 4 - 1, 4)):
        want = int(round((memory / b) ** 0.25))
        while b * want ** 4 > memory:
            want -= 1
        while b * (want + 1) ** 4 <= memory:
            want += 1
        found = fn(memory, b)
        equal(found, want, f"largest_side({memory}, {b})")


def _relative_reference(t, table, s, sign=1):
    """Attention of one window's tokens with the relative bias of the query's offset from the key
    (``sign=-1``: the key's from the query, the declared mistake)."""
    ys, xs = np.divmod(np.arange(s * s), s)
    dy, dx = sign * (ys[:, None] - ys[None]), sign * (xs[:, None] - xs[None])
    scores = t @ t.T / np.sqrt(t.shape[-1]) + table[dy + s - 1, dx + s - 1]
    a = np.exp(scores - scores.max(axis=1, keepdims=True))
    return (a / a.sum(axis=1, keepdims=True)) @ t


@exercise("5.4.5", "window attention with a relative position bias",
          "Number the window's pixels row by row: pixel n sits at (n // s, n % s). The bias of "
          "query i for key j is table[y_i - y_j + s - 1, x_i - x_j + s - 1] (the offset of the "
          "query from the key, shifted to start at 0); add it to the scores t @ t.T / sqrt(C) "
          "before the softmax over keys, then mix the tokens with the weights.",
          mistake=lambda t, table, s: _relative_reference(t, table, s, sign=-1),
          why="the offset taken from the key to the query: each pixel gets the bias meant "
              "for the mirrored neighbour")
def _relative_attention(fn):
    rng = np.random.default_rng(0)
    for s in (2, 3):
        t = rng.standard_normal((s * s, 4))
        table = rng.standard_normal((2 * s - 1, 2 * s - 1))
        found = np.asarray(fn(t, table, s))
        close(found, _relative_reference(t, table, s), f"relative_attention(t, table, {s})")
    s, t = 3, rng.standard_normal((9, 4))
    order = rng.permutation(9)
    flat = np.zeros((5, 5))
    close(np.asarray(fn(t[order], flat, s)), np.asarray(fn(t, flat, s))[order],
          _("relative_attention with a zero table on permuted tokens (it should permute the outputs)"))


def _nl_means(noisy, r, h2):
    p = np.pad(noisy, r, mode="reflect")
    h, w = noisy.shape
    patches = np.stack([p[i:i + h, j:j + w] for i in range(2 * r + 1) for j in range(2 * r + 1)],
                       axis=-1).reshape(-1, (2 * r + 1) ** 2)
    d = ((patches[:, None] - patches[None]) ** 2).sum(axis=-1)
    wgt = np.exp(-(d - d.min(axis=1, keepdims=True)) / h2)
    return ((wgt / wgt.sum(axis=1, keepdims=True)) @ noisy.ravel()).reshape(h, w)


def _no_key_norm(noisy, r, h2):
    p = np.pad(noisy, r, mode="reflect")
    h, w = noisy.shape
    patches = np.stack([p[i:i + h, j:j + w] for i in range(2 * r + 1) for j in range(2 * r + 1)],
                       axis=-1).reshape(-1, (2 * r + 1) ** 2)
    scores = 2 * patches @ patches.T / h2
    a = np.exp(scores - scores.max(axis=1, keepdims=True))
    return ((a / a.sum(axis=1, keepdims=True)) @ noisy.ravel()).reshape(h, w)


@exercise("5.4.6", "non-local means as attention",
          "Queries and keys are the (2r+1)² pixel patches around each pixel (reflected borders), "
          "the values the noisy pixels. The score of key j for query i is "
          "(2 P_i·P_j − ‖P_j‖²) / h2: the key's own squared length is part of the distance. "
          "Softmax over the keys (subtract each row's maximum), then the weighted mean of the values.",
          mistake=_no_key_norm,
          why="the key's own length ‖P_j‖² left out of the scores: bright patches then win over "
              "similar ones")
def _nlm_attention(fn):
    rng = np.random.default_rng(0)
    noisy = np.clip(np.tile(np.linspace(0.2, 0.8, 9), (8, 1)) + 0.1 * rng.standard_normal((8, 9)), 0, 1)
    for r, h2 in ((1, 0.1), (2, 0.3)):
        found = np.asarray(fn(noisy, r, h2))
        close(found, _nl_means(noisy, r, h2), f"nl_means_attention(noisy, {r}, {h2})")
