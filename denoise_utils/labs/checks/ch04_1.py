"""The checks of chapter 4.1's exercises (see ``labs``)."""

import numpy as np

from ...inference import dihedral
from ..registry import exercise
from .common import close
from .common import gettext as _


@exercise("4.1.1", "patches for training",
          "Slide a size×size window with the given stride over rows and columns; stack the "
          "windows, row by row, into an array of shape (N, size, size).",
          mistake=lambda im, size, stride: np.stack([im[r:r + size, c:c + size] for r in range(0, im.shape[0] - size, stride) for c in range(0, im.shape[1] - size, stride)]),
          why="the last row and column of windows left out (off by one)")
def _patches(fn):
    image = np.arange(10 * 13, dtype=np.float32).reshape(10, 13)
    size, stride = 4, 3
    expected = np.stack([image[r:r + size, c:c + size] for r in range(0, 10 - size + 1, stride)
                         for c in range(0, 13 - size + 1, stride)])
    close(fn(image, size, stride), expected, "patches(image, 4, 3)")


def _dihedral(x):
    return [dihedral(x, k) for k in range(8)]


@exercise("4.1.2", "the eight flips and rotations",
          "Four rotations (np.rot90 with k = 0..3) of the patch and of its mirror image "
          "(patch[:, ::-1]); k = 0 leaves the patch as it is.",
          mistake=lambda p, k: np.rot90(p, k),
          why="rotations that forget the mirror images")
def _augment(fn):
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    outs = [np.asarray(fn(x, k)) for k in range(8)]
    close(outs[0], x, "augment(x, 0)")
    keys = {o.tobytes() + bytes(o.shape) for o in outs}
    want = {o.tobytes() + bytes(o.shape) for o in _dihedral(x)}
    assert keys == want, _("expected the 8 distinct flips and rotations; found {found} distinct "
                           "arrays, {right} of them flips or rotations").format(found=len(keys), right=len(keys & want))


@exercise("4.1.3", "self-ensemble",
          "Transform the image (k = 0..7), denoise, undo the transform on the output (rotate "
          "back, then unflip), and average the 8 results.",
          mistake=lambda f, y: np.mean([f(np.rot90(y, k)) for k in range(4)], axis=0),
          why="outputs averaged without turning each back")
def _ensemble(fn):
    x = np.random.default_rng(0).random((6, 6)).astype(np.float32)

    def lopsided(y):  # a "denoiser" that treats directions differently
        return 0.5 * y + 0.5 * np.roll(y, 1, axis=1)

    expected = np.mean([dihedral(lopsided(t), k, inverse=True) for k, t in enumerate(_dihedral(x))], axis=0)
    close(fn(lopsided, x), expected, "self_ensemble(denoiser, noisy)")
