"""The checks of chapter 4.4's exercises (see ``labs``)."""

import numpy as np

from ...pretrained import OPPONENT
from ..registry import exercise
from .common import close
from .common import gettext as _


@exercise("4.4.1", "padding to the U-Net's grid",
          "Pad the bottom and right only, with mode='symmetric', by -n % multiple pixels.",
          mistake=lambda im, m: np.pad(im, ((0, m - im.shape[0] % m), (0, m - im.shape[1] % m)), mode="symmetric"),
          why="a whole extra block added to a side that is already a multiple")
def _pad(fn):
    x = np.arange(5 * 7, dtype=np.float32).reshape(5, 7)
    close(fn(x, 4), np.pad(x, ((0, 3), (0, 1)), mode="symmetric"), "pad_to_multiple(x, 4)")
    close(fn(x[:4, :4], 4), x[:4, :4], _("pad_to_multiple of a 4×4 image, multiple 4"))


@exercise("4.4.2", "an opponent colour space",
          "Multiply each pixel's (R, G, B) by the matrix: z = rgb @ M.T, then add 0.5 to the "
          "two colour-difference channels.",
          mistake=lambda rgb: rgb @ OPPONENT.T,
          why="the opponent channels without the 0.5 shift into [0, 1]")
def _opp(fn):
    rgb = np.random.default_rng(0).random((4, 5, 3))
    close(fn(rgb), rgb @ OPPONENT.T + np.array([0, 0.5, 0.5]), "to_opponent(rgb)")


@exercise("4.4.3", "the noise level of each opponent channel",
          "A channel that is w · (R, G, B) of independent noise of level σ has level σ ‖w‖.",
          mistake=lambda s: np.full(3, s),
          why="one level σ for every opponent channel")
def _levels(fn):
    close(fn(25.0), 25.0 * np.linalg.norm(OPPONENT, axis=1), "opponent_sigmas(25)")
