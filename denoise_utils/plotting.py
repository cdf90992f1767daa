"""Figures (§1): image grids with PSNR in the titles, zoomed crops, training curves.

Every function returns the matplotlib ``Figure``, so a notebook shows it and a
script saves it; nothing here depends on the Keras backend.
"""

import csv
from typing import TYPE_CHECKING, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from ._checks import as_float_image
from . import pretrained
from .metrics import psnr, ssim

if TYPE_CHECKING:
    import os

    import keras


def _show(ax, image, title=None):
    img = np.clip(as_float_image(image, noisy=True), 0, 1)
    if img.ndim == 3 and img.shape[-1] == 1:
        img = img[..., 0]
    ax.imshow(img, cmap="gray" if img.ndim == 2 else None, vmin=0, vmax=1,
              interpolation="nearest")
    ax.set_axis_off()
    if title:
        ax.set_title(title, fontsize=9)


def show_images(images: Sequence[np.ndarray] | dict, *, titles: Sequence[str] | None = None,
                ncols: int | None = None, size: float = 3.0) -> plt.Figure:
    """Show images in a grid.

    Parameters
    ----------
    images : sequence of ndarray or dict
        A list of images, or a dict whose keys become titles.
    titles : sequence of str or None, optional
        One title per image (default: a dict's keys, else none).
    ncols : int or None, optional
        The columns of the grid (default: as many as images, at most 4).
    size : float, optional
        The side of each panel in inches.

    Returns
    -------
    matplotlib.figure.Figure
        The figure.
    """
    if isinstance(images, dict):
        titles = titles or list(images)
        images = list(images.values())
    images = list(images)
    if not images:
        raise ValueError("no images to show")
    titles = list(titles) if titles is not None else [None] * len(images)
    if len(titles) != len(images):
        raise ValueError(f"{len(titles)} titles for {len(images)} images")
    ncols = ncols or min(len(images), 4)
    nrows = -(-len(images) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows), squeeze=False)
    for ax in axes.flat:
        ax.set_axis_off()
    for ax, img, title in zip(axes.flat, images, titles):
        _show(ax, img, title)
    fig.tight_layout()
    return fig


def compare(clean: np.ndarray, noisy: np.ndarray, denoised: dict | np.ndarray, *,
            zoom: tuple[int, int, int, int] | None = None, size: float = 3.0) -> plt.Figure:
    """Clean | noisy | each denoised image, titled with PSNR and SSIM (§1).

    Parameters
    ----------
    clean, noisy : ndarray
        The clean image and its noisy version.
    denoised : dict or ndarray
        A dict ``{method: image}`` (one image: titled "denoised").
    zoom : tuple of int or None, optional
        ``zoom=(row, col, height, width)`` adds a second row of enlarged crops of that box,
        drawn on the clean image.
    size : float, optional
        The side of each panel in inches.

    Returns
    -------
    matplotlib.figure.Figure
        The figure.
    """
    if not isinstance(denoised, dict):
        denoised = {"denoised": denoised}
    panels = {"clean": clean, "noisy": noisy, **denoised}
    titles = ["clean"] + [f"{k}\n{psnr(clean, v):.2f} dB, SSIM {ssim(clean, v):.3f}"
                          for k, v in list(panels.items())[1:]]
    rows = 2 if zoom else 1
    fig, axes = plt.subplots(rows, len(panels), figsize=(size * len(panels), size * rows),
                             squeeze=False)
    for ax, img, title in zip(axes[0], panels.values(), titles):
        _show(ax, img, title)
    if zoom:
        r, c, h, w = (int(v) for v in zoom)
        H, W = np.shape(clean)[:2]
        if r < 0 or c < 0 or h < 1 or w < 1 or r + h > H or c + w > W:
            raise ValueError(f"zoom box {zoom} does not fit an image of size {(H, W)}")
        axes[0, 0].add_patch(Rectangle((c - 0.5, r - 0.5), w, h, fill=False, color="red", lw=1.5))
        for ax, img in zip(axes[1], panels.values()):
            _show(ax, np.asarray(img)[r:r + h, c:c + w])
    fig.tight_layout()
    return fig


def plot_history(history: "keras.callbacks.History | dict | str | os.PathLike", *,
                 keys: Sequence[str] | None = None, ax: plt.Axes | None = None,
                 logy: bool = False) -> plt.Figure:
    """Training curves from a Keras ``History``, a dict of lists, or a CSV log path (§4.1).

    Parameters
    ----------
    history : keras.callbacks.History or dict or str or os.PathLike
        The curves: a ``History``, a dict of lists by name, or the path of a CSV log (one
        row per epoch, one column per curve; a column ``epoch`` is left out).
    keys : sequence of str or None, optional
        The curves drawn (default: all but ``learning_rate`` and ``seconds``).
    ax : matplotlib.axes.Axes or None, optional
        Draw into these axes (default: a new figure).
    logy : bool, optional
        A logarithmic y axis.

    Returns
    -------
    matplotlib.figure.Figure
        The figure (that of ``ax`` when given).
    """
    if hasattr(history, "history"):
        history = history.history
    elif isinstance(history, (str, bytes)) or hasattr(history, "__fspath__"):

        with open(history, newline="") as fh:
            rows = list(csv.DictReader(fh))
        if not rows:
            raise ValueError(f"{history!r} holds no rows")
        history = {k: [float(r[k]) for r in rows] for k in rows[0] if k != "epoch"}
    if not isinstance(history, dict) or not history:
        raise ValueError("history must be a Keras History, a non-empty dict or a CSV path")
    keys = keys or [k for k in history if k not in ("learning_rate", "seconds")]
    missing = [k for k in keys if k not in history]
    if missing:
        raise KeyError(f"history has no {missing}; it has {sorted(history)}")
    if ax is None:
        fig, ax = plt.subplots(figsize=(5, 3.2))
    else:
        fig = ax.figure
    for k in keys:
        ax.plot(np.arange(1, len(history[k]) + 1), history[k], label=k)
    ax.set_xlabel("epoch")
    if logy:
        ax.set_yscale("log")
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def plot_training_log(name: str, keys: Sequence[str] = ("loss",),
                      val_label: str = "validation PSNR (dB)") -> plt.Figure:
    """A shipped model's training log: ``keys`` (log scale) beside validation PSNR (§4.4).

    Parameters
    ----------
    name : str
        A shipped model by name.
    keys : sequence of str, optional
        The curves drawn on a log scale, on the left.
    val_label : str, optional
        The label of the right panel's y axis.

    Returns
    -------
    matplotlib.figure.Figure
        The figure.
    """

    log = pretrained.path(name, "log.csv")
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.2))
    plot_history(log, keys=list(keys), ax=left, logy=True)
    plot_history(log, keys=["val_psnr"], ax=right)
    right.set_ylabel(val_label)
    fig.suptitle(name)
    fig.tight_layout()
    return fig
