"""The checks of chapter 6's exercises (see ``labs``)."""

import numpy as np

from ...inference import tiles
from ..registry import exercise
from .common import close, equal
from .common import gettext as _


@exercise("6.1", "which route for which photo",
          "A camera or phone photo: noise='camera' (no sigma). Gaussian noise of known level: "
          "sigma=that level. Unknown level: sigma=None.",
          mistake=lambda camera, sigma: {"sigma": sigma},
          why="the same route for a camera's photo as for Gaussian noise")
def _route(fn):
    cases = [((True, None), {"noise": "camera"}), ((False, 15), {"sigma": 15}), ((False, None), {"sigma": None})]
    for args, want in cases:
        found = fn(*args)
        if isinstance(found, dict) and found.get("noise") == "gaussian":   # the default, said aloud
            found = {k: v for k, v in found.items() if k != "noise"}
        equal(found, want, f"route(camera={args[0]}, sigma={args[1]})")


@exercise("6.2", "images to floats in [0, 1]",
          "uint8 is divided by 255, uint16 by 65535; floats are kept; the result is float32.",
          mistake=lambda im: im.astype(np.float32) / 255,
          why="every image divided by 255, uint16 too")
def _tofloat(fn):
    for image, want in ((np.array([0, 255], np.uint8), [0, 1]), (np.array([0, 65535], np.uint16), [0, 1]),
                        (np.array([0.25, 0.5], np.float64), [0.25, 0.5])):
        found = np.asarray(fn(image))
        assert found.dtype == np.float32, \
            _("{dtype} in: expected float32 out, found {found}").format(dtype=image.dtype, found=found.dtype)
        close(found, want, _("to_float of {dtype}").format(dtype=image.dtype))


@exercise("6.3", "tiles with margins",
          "Cores start every `tile` pixels; each window reaches `margin` further on both sides, "
          "clipped to [0, length).",
          mistake=lambda length, tile, margin: [(s, min(s + tile, length), s - margin, s + tile + margin) for s in range(0, length, tile)],
          why="windows that run past the image's edges")
def _tiles(fn):
    for length, tile, margin in ((10, 4, 2), (1000, 256, 48), (7, 10, 3)):
        want = list(tiles(length, tile, margin))
        found = [tuple(t) for t in fn(length, tile, margin)]
        equal(found, want, f"tiles({length}, {tile}, {margin})")
