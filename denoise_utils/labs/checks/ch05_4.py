"""The checks of chapter 5.4's exercises (see ``labs``)."""

import numpy as np

from ..registry import exercise
from .common import close


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
    assert found.shape == (5, 7), f"attention_weights(q, k): expected shape (5, 7), found {found.shape}"
    close(found, want, "attention_weights(q, k)")
    big = np.asarray(fn(100 * q, 100 * k))          # large scores must not overflow
    assert np.all(np.isfinite(big)), "attention_weights overflows for large scores: subtract the row maximum"


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
        assert found == want, f"largest_side({memory}, {b}): expected {want}, found {found}"
