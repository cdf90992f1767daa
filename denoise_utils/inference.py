"""Running a denoiser on a whole photo (§4.1, §6): tiles, margins, self-ensemble, progress.

A photo can be larger than memory allows a network to see at once. :func:`tiled` cuts it
into cores of ``tile`` pixels, gives each core ``margin`` pixels of context on every side
and keeps only the core of each result, so with a margin as wide as what the network sees
the tiles join without seams. :func:`self_ensemble` averages a denoiser over the eight
flips and rotations of its input (:func:`dihedral`). :func:`fuse_noisy` gives a blind-spot
network's prediction back the pixel it never saw (§5.2).
"""

import sys
from typing import TYPE_CHECKING, Callable, Iterator

import numpy as np

from ._checks import as_float_image, check_sigma

if TYPE_CHECKING:
    import keras


def dihedral(image: np.ndarray, k: int, inverse: bool = False) -> np.ndarray:
    """One of the 8 flips and rotations of ``image`` (4 rotations x an optional mirror) (§4.1).

    Parameters
    ----------
    image : ndarray
        An image, (H, W) or (H, W, C).
    k : int
        Which transform, 0..7 (``k >= 4``: mirrored, then rotated ``k % 4`` quarter turns).
    inverse : bool, optional
        The transform that undoes transform ``k`` instead.

    Returns
    -------
    ndarray
        The transformed image.
    """
    if inverse:
        image = np.rot90(image, -(k % 4))
        return image[:, ::-1] if k >= 4 else image
    if k >= 4:
        image = image[:, ::-1]
    return np.rot90(image, k % 4)


def self_ensemble(denoiser: Callable[[np.ndarray], np.ndarray], noisy: np.ndarray) -> np.ndarray:
    """The mean of ``denoiser`` over the 8 flips and rotations of ``noisy`` (§4.1).

    Each output is turned back before the mean: a little better than one pass, 8 times
    slower.

    Parameters
    ----------
    denoiser : callable
        One image in, the same shape out.
    noisy : ndarray
        The noisy image, (H, W) or (H, W, C).

    Returns
    -------
    ndarray
        The mean of the 8 outputs, of the input's shape.
    """
    return np.mean([dihedral(denoiser(np.ascontiguousarray(dihedral(noisy, k))), k, inverse=True)
                    for k in range(8)], axis=0)


def tiles(length: int, tile: int, margin: int) -> Iterator[tuple[int, int, int, int]]:
    """The cores that cover [0, length), each with its window (§6).

    Parameters
    ----------
    length : int
        The side of the image along one axis.
    tile : int
        The side of a core.
    margin : int
        How far a window reaches beyond its core on both sides.

    Yields
    ------
    tuple of int
        (start, stop) of the core, then (start, stop) of its window: the core widened by
        ``margin`` on both sides, clipped to the image.
    """
    for start in range(0, length, tile):
        stop = min(start + tile, length)
        yield start, stop, max(start - margin, 0), min(stop + margin, length)


def tiled(denoiser: Callable[[np.ndarray], np.ndarray], image: np.ndarray, *, tile: int = 1536,
          margin: int = 48, multiple: int = 1, progress: bool | str = False) -> np.ndarray:
    """Run ``denoiser`` over ``image`` in tiles (§6).

    ``tile`` and ``margin`` are rounded up to ``multiple`` (a U-Net that halves the image
    three times needs 8), so every window is cut where the whole image's grid would be.

    Parameters
    ----------
    denoiser : callable
        One image in, the same shape out.
    image : ndarray
        The image, (H, W) or (H, W, C).
    tile : int, optional
        The side of a core, at least 16.
    margin : int, optional
        The pixels of context each core gets on every side, at least 0.
    multiple : int, optional
        What ``tile`` and ``margin`` are rounded up to.
    progress : bool or str, optional
        ``True`` or a label prints a bar of the tiles done to stderr.

    Returns
    -------
    ndarray
        Float32, the image's height and width with the denoiser's channels (the image's
        shape for a denoiser).
    """
    if not (isinstance(tile, int) and tile >= 16) or not (isinstance(margin, int) and margin >= 0):
        raise ValueError(f"tile must be an int >= 16 and margin an int >= 0, got {tile}, {margin}")
    tile, margin = -(-tile // multiple) * multiple, -(-margin // multiple) * multiple
    out = None
    h, w = image.shape[:2]
    windows = [(r, c) for r in tiles(h, tile, margin) for c in tiles(w, tile, margin)]
    for done, ((r0, r1, pr0, pr1), (c0, c1, pc0, pc1)) in enumerate(windows):
        if progress:
            report(progress, done, len(windows))
        piece = denoiser(image[pr0:pr1, pc0:pc1])
        if out is None:                  # the denoiser's channels: a level map can ride along as more
            out = np.empty(image.shape[:2] + piece.shape[2:], np.float32)
        out[r0:r1, c0:c1] = piece[r0 - pr0:r1 - pr0, c0 - pc0:c1 - pc0]
    if progress:
        report(progress, len(windows), len(windows))
    return out


def report(label: str | bool, done: int, total: int, *, width: int = 30) -> None:
    """A one-line progress bar on stderr, redrawn in place.

    Parameters
    ----------
    label : str or bool
        A string printed before the bar, or True (no label).
    done, total : int
        The tiles done and all tiles; the line ends when they are equal.
    width : int, optional
        The bar's length in characters.

    Returns
    -------
    None
    """
    prefix = f"{label}: " if isinstance(label, str) else ""
    bar = "#" * (width * done // total)
    end = "\n" if done == total else ""
    print(f"\r{prefix}[{bar:<{width}}] {done}/{total} tiles", end=end, file=sys.stderr, flush=True)


def fuse_noisy(noisy: np.ndarray, prediction: np.ndarray, sigma: float, *,
               size: int = 31) -> np.ndarray:
    """Give a blind-spot prediction back the pixel it never saw (§5.2).

    A blind-spot network predicts each pixel from its neighbours alone, throwing away
    the pixel's own noisy value. With the noise level known, the two combine as in a
    Wiener filter (after Laine et al., 2019): a local prior N(prediction, τ²), τ² the local
    mean of (noisy − prediction)² over a ``size`` × ``size`` window minus σ², and the
    posterior mean (τ² · noisy + σ² · prediction) / (τ² + σ²).

    Parameters
    ----------
    noisy : ndarray
        The noisy image, float in [0, 1] (not clipped).
    prediction : ndarray
        The blind-spot network's prediction, of the same shape.
    sigma : float
        The noise level on the 0-255 scale.
    size : int, optional
        The side of the window; ``size=31`` was chosen on Train400's held-out images in
        §5.2.

    Returns
    -------
    ndarray
        Float32 posterior mean, of the input's shape.
    """
    from scipy.ndimage import uniform_filter

    y = as_float_image(noisy, name="noisy", noisy=True).astype(np.float64)
    mu = as_float_image(prediction, name="prediction", noisy=True).astype(np.float64)
    if y.shape != mu.shape:
        raise ValueError(f"noisy {y.shape} and prediction {mu.shape} differ in shape")
    s2 = (check_sigma(sigma) / 255.0) ** 2
    window = (size, size) + (1,) * (y.ndim - 2)
    tau2 = np.maximum(uniform_filter((y - mu) ** 2, window, mode="reflect") - s2, 0.0)
    return ((tau2 * y + s2 * mu) / (tau2 + s2)).astype(np.float32)


def level_by_crops(estimator: "keras.Model", image: np.ndarray, *, size: int = 64,
                   crops: int = 64) -> np.ndarray:
    """A camera photo's noise level per channel (0-255 scale) by a trained estimator (§5.1).

    The median of its estimates on up to ``crops`` ``size`` × ``size`` crops on a regular
    grid (the whole image if smaller), so a few textured crops, which look noisier than
    they are, do not decide.

    Parameters
    ----------
    estimator : keras.Model
        A trained ``models.level_estimator``: the log of the level per channel (on the
        [0, 1] scale) of each image of a batch.
    image : ndarray
        The photo, float in [0, 1] (or uint8/uint16), (H, W) or (H, W, C).
    size : int, optional
        The side of a crop.
    crops : int, optional
        At most this many crops (a grid of ``int(sqrt(crops))`` by as many).

    Returns
    -------
    ndarray
        Float32, one level per channel, within [0, 255].
    """
    x = as_float_image(image, name="image", noisy=True)
    x = x[..., None] if x.ndim == 2 else x
    if min(x.shape[:2]) < 16:                    # the estimator pools 4 times: mirror tiny images
        x = np.pad(x, [(0, max(0, 16 - n)) for n in x.shape[:2]] + [(0, 0)], mode="symmetric")
    h, w = x.shape[:2]
    if min(h, w) < size:
        batch = x[None]
    else:
        n = max(1, int(np.sqrt(crops)))
        rows = np.unique(np.linspace(0, h - size, n).astype(int))
        cols = np.unique(np.linspace(0, w - size, n).astype(int))
        batch = np.stack([x[i:i + size, j:j + size] for i in rows for j in cols])
    logs = np.asarray(estimator.predict_on_batch(batch), np.float64)
    level = np.nan_to_num(255 * np.exp(np.median(logs, axis=0)), nan=0.0, posinf=255.0)
    return np.clip(level, 0.0, 255.0).astype(np.float32)


def level_map_by_estimator(estimator: "keras.Model", image: np.ndarray, *, spread: float = 3.0,
                           tile: int = 1024) -> np.ndarray:
    """A camera photo's noise level at every pixel, per channel (0-255 scale) (§5.1 (III)).

    The estimator's local log-level map over the whole photo (in tiles of ``tile`` pixels
    with 64 of context), brought back to full size and smoothed by a Gaussian of ``spread``
    map cells: a level that follows the light and the frame, changing over tens of pixels.

    Parameters
    ----------
    estimator : keras.Model
        A trained ``models.level_estimator`` built with ``map=True``.
    image : ndarray
        The photo, float in [0, 1] (or uint8/uint16), (H, W) or (H, W, C).
    spread : float, optional
        The smoothing's spread in cells of the estimator's map.
    tile : int, optional
        The side of a tile.

    Returns
    -------
    ndarray
        Float32 (H, W, C), within [0, 255].
    """
    x = as_float_image(image, name="image", noisy=True)
    x = x[..., None] if x.ndim == 2 else x
    h, w = x.shape[:2]
    step = map_cell(estimator)

    def local(window):                       # the log map at full size, by repetition
        ph, pw = -window.shape[0] % step, -window.shape[1] % step
        padded = np.pad(window, ((0, ph), (0, pw), (0, 0)), mode="symmetric")
        cells = np.asarray(estimator.predict_on_batch(padded[None]), np.float32)[0]
        return np.repeat(np.repeat(cells, step, 0), step, 1)[:window.shape[0], :window.shape[1]]

    return cells_to_level_map(tiled(local, x, tile=tile, margin=64, multiple=step)[::step, ::step],
                              (h, w), spread=spread)


def map_cell(estimator: "keras.Model") -> int:
    """The side in pixels of one cell of a level estimator's map: 2 to the number of its
    ``AveragePooling2D`` layers (§5.1 (III)).

    Parameters
    ----------
    estimator : keras.Model
        A ``models.level_estimator``.

    Returns
    -------
    int
        The cell's side.
    """
    import keras

    return 2 ** sum(isinstance(layer, keras.layers.AveragePooling2D) for layer in estimator.layers)


def cells_to_level_map(log_cells: np.ndarray, shape: tuple[int, int], *, spread: float = 3.0) -> np.ndarray:
    """A level estimator's log-level map cells to a smooth level at every pixel (§5.1 (III)).

    Parameters
    ----------
    log_cells : ndarray
        log(σ/255), (h, w, C): one cell per ``step`` × ``step`` pixels.
    shape : (int, int)
        The image's height and width.
    spread : float, optional
        The smoothing's spread in cells.

    Returns
    -------
    ndarray
        Float32 (H, W, C), σ on the 0-255 scale within [0, 255].
    """
    from scipy.ndimage import gaussian_filter, zoom

    h, w = shape
    logs = gaussian_filter(np.asarray(log_cells, np.float64), (spread, spread, 0), mode="nearest")
    full = zoom(logs, (h / logs.shape[0], w / logs.shape[1], 1), order=1, mode="nearest")[:h, :w]
    level = np.nan_to_num(255 * np.exp(full), nan=0.0, posinf=255.0)
    return np.clip(level, 0.0, 255.0).astype(np.float32)
