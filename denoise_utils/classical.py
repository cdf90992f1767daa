"""Classical denoisers (§1), the baselines every learned model must beat.

Plain functions ``f(noisy, sigma, channel_axis=None)`` with σ on the 0-255 scale;
each returns float32 clipped to [0, 1], the shape of its input. Their parameters
scale with σ; the factors were chosen on six Train400 images, never on a test set
(``scripts/calibrate_classical.py`` repeats that search).
``channel_axis`` defaults to -1 for (H, W, 3) images and to None for (H, W).

BM3D (Dabov et al., 2007) comes from the optional ``bm3d`` package, whose licence
allows non-commercial use only; :func:`bm3d_available` says whether it is installed.
"""

import os
import hashlib
from typing import Callable

import numpy as np
from skimage import restoration

from ._checks import as_float_image, check_sigma


def _prepare(noisy, sigma, channel_axis):
    y = as_float_image(noisy, name="noisy", noisy=True)
    s = check_sigma(sigma, allow_zero=False) / 255.0
    shape = y.shape
    if y.ndim == 3 and y.shape[-1] == 1:
        y = y[..., 0]
    if channel_axis is None and y.ndim == 3:
        channel_axis = -1
    if channel_axis is not None and y.ndim != 3:
        raise ValueError(f"channel_axis={channel_axis} given for a gray image of shape {y.shape}")
    return y, s, channel_axis, shape


def _finish(out, shape):
    """Clip to [0, 1] and give back the input's shape (scikit-image drops axes of length 1)."""
    return np.clip(np.asarray(out, np.float32), 0.0, 1.0).reshape(shape)


def nl_means(noisy: np.ndarray, sigma: float, channel_axis: int | None = None) -> np.ndarray:
    """Non-local means (Buades et al., 2005): average the pixels whose patches look alike.

    Parameters
    ----------
    noisy : ndarray
        The noisy image, (H, W) or (H, W, C) (C 1 or 3), float in [0, 1] (not clipped).
    sigma : float
        The noise level on the 0-255 scale, > 0.
    channel_axis : int or None, optional
        The colour axis (default: -1 for (H, W, 3) images, None for (H, W)).

    Returns
    -------
    ndarray
        Float32 clipped to [0, 1], the shape of the input.
    """
    y, s, ax, shape = _prepare(noisy, sigma, channel_axis)
    h = (0.6 if s * 255 <= 30 else 0.8) * s
    return _finish(restoration.denoise_nl_means(
        y, h=h, sigma=s, patch_size=5, patch_distance=6, fast_mode=True,
        channel_axis=ax), shape)


def total_variation(noisy: np.ndarray, sigma: float, channel_axis: int | None = None) -> np.ndarray:
    """Total-variation denoising (Rudin, Osher & Fatemi, 1992; Chambolle's algorithm).

    Parameters
    ----------
    noisy : ndarray
        The noisy image, (H, W) or (H, W, C) (C 1 or 3), float in [0, 1] (not clipped).
    sigma : float
        The noise level on the 0-255 scale, > 0.
    channel_axis : int or None, optional
        The colour axis (default: -1 for (H, W, 3) images, None for (H, W)).

    Returns
    -------
    ndarray
        Float32 clipped to [0, 1], the shape of the input.
    """
    y, s, ax, shape = _prepare(noisy, sigma, channel_axis)
    k = 1.5 if s * 255 <= 30 else 2.0
    return _finish(restoration.denoise_tv_chambolle(y, weight=k * s, channel_axis=ax), shape)


def wavelet(noisy: np.ndarray, sigma: float, channel_axis: int | None = None) -> np.ndarray:
    """Wavelet soft thresholding with BayesShrink (Chang, Yu & Vetterli, 2000).

    Parameters
    ----------
    noisy : ndarray
        The noisy image, (H, W) or (H, W, C) (C 1 or 3), float in [0, 1] (not clipped).
    sigma : float
        The noise level on the 0-255 scale, > 0.
    channel_axis : int or None, optional
        The colour axis (default: -1 for (H, W, 3) images, None for (H, W)).

    Returns
    -------
    ndarray
        Float32 clipped to [0, 1], the shape of the input.
    """
    y, s, ax, shape = _prepare(noisy, sigma, channel_axis)
    return _finish(restoration.denoise_wavelet(
        y, sigma=s, wavelet="db1", method="BayesShrink", mode="soft",
        rescale_sigma=True, channel_axis=ax, convert2ycbcr=ax is not None), shape)


def bilateral(noisy: np.ndarray, sigma: float, channel_axis: int | None = None) -> np.ndarray:
    """Bilateral filter (Tomasi & Manduchi, 1998): a blur that stops at edges.

    Parameters
    ----------
    noisy : ndarray
        The noisy image, (H, W) or (H, W, C) (C 1 or 3), float in [0, 1] (not clipped).
    sigma : float
        The noise level on the 0-255 scale, > 0.
    channel_axis : int or None, optional
        The colour axis (default: -1 for (H, W, 3) images, None for (H, W)).

    Returns
    -------
    ndarray
        Float32 clipped to [0, 1], the shape of the input.
    """
    y, s, ax, shape = _prepare(noisy, sigma, channel_axis)
    # denoise_bilateral needs non-negative input: shift, filter, shift back
    lo = min(0.0, float(y.min()))
    k = 1.5 if s * 255 <= 30 else 2.0
    out = restoration.denoise_bilateral(y - lo, sigma_color=k * s, sigma_spatial=2,
                                        channel_axis=ax)
    return _finish(out + lo, shape)


_SAID = []


def bm3d_available() -> bool:
    """Whether the optional ``bm3d`` package (non-commercial licence) is installed.

    When it is not (no wheel for this platform, or not installed), says so once, so a page
    that leaves BM3D out tells its reader why.

    Returns
    -------
    bool
        True when ``bm3d`` can be imported.
    """
    try:
        import bm3d  # noqa: F401
    except ImportError as err:
        if not _SAID:
            _SAID.append(True)
            print(f"BM3D is left out: the optional 'bm3d' package cannot be imported ({err}); "
                  "pip install bm3d adds it (non-commercial licence)")
        return False
    return True


def _bm3d_cache(y, s, ax):
    """Where BM3D's result for this exact input is kept, with ``DENOISE_BM3D_CACHE=1``: BM3D
    is deterministic and slow, and chapters 1, 4.1 and 4.5 run it on the same noisy images.
    Off by default: the chapters time BM3D against the networks, and a cached result takes
    no time (a no-data run with the cache on failed every such claim)."""

    if os.environ.get("DENOISE_BM3D_CACHE", "").strip() not in ("1", "true", "yes"):
        return None
    import pooch

    key = hashlib.sha256(np.ascontiguousarray(y, np.float32).tobytes()
                         + repr((y.shape, float(s), ax is not None)).encode()).hexdigest()
    return pooch.os_cache("denoise_utils") / "bm3d" / f"{key}.npy"


def bm3d(noisy: np.ndarray, sigma: float, channel_axis: int | None = None) -> np.ndarray:
    """BM3D (Dabov et al., 2007): collaborative filtering of groups of similar patches.

    Colour images use CBM3D (``bm3d.bm3d_rgb``). Needs ``pip install bm3d``. With
    ``DENOISE_BM3D_CACHE=1`` results are kept on disk, keyed by the noisy image and σ
    (:func:`_bm3d_cache`), so the same input is filtered once (never for timing).

    Parameters
    ----------
    noisy : ndarray
        The noisy image, (H, W) or (H, W, C) (C 1 or 3), float in [0, 1] (not clipped).
    sigma : float
        The noise level on the 0-255 scale, > 0.
    channel_axis : int or None, optional
        The colour axis (default: -1 for (H, W, 3) images, None for (H, W)).

    Returns
    -------
    ndarray
        Float32 clipped to [0, 1], the shape of the input.
    """
    y, s, ax, shape = _prepare(noisy, sigma, channel_axis)
    if not bm3d_available():
        raise ImportError("BM3D needs the optional 'bm3d' package: pip install bm3d "
                          "(its licence allows non-commercial use only)")
    cache = _bm3d_cache(y, s, ax)
    if cache is not None and cache.is_file():
        try:
            return _finish(np.load(cache), shape)
        except (OSError, ValueError):       # a damaged entry: filter again
            pass
    import bm3d as _bm3d

    h, w = y.shape[:2]
    padded = y
    if min(h, w) < 16:  # BM3D's blocks need room: mirror a thin strip out, then crop
        pad = [(0, max(16 - h, 0)), (0, max(16 - w, 0))] + [(0, 0)] * (y.ndim - 2)
        padded = np.pad(y, pad, mode="symmetric")
    out = np.asarray(_bm3d.bm3d_rgb(padded, s) if ax is not None else _bm3d.bm3d(padded, s))[:h, :w]
    if cache is not None:
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            part = cache.with_suffix(f".{os.getpid()}.tmp.npy")
            np.save(part, out.astype(np.float32))
            os.replace(part, cache)
        except OSError:                     # a read-only cache: just no speed-up
            pass
    return _finish(out, shape)


def baselines(include_bm3d: bool | None = None) -> dict[str, Callable[..., np.ndarray]]:
    """The classical denoisers by display name.

    Parameters
    ----------
    include_bm3d : bool or None, optional
        Include BM3D (default None: when it is installed, :func:`bm3d_available`).

    Returns
    -------
    dict
        Display name -> denoiser ``f(noisy, sigma, channel_axis=None)``.
    """
    methods = {"bilateral": bilateral, "wavelet": wavelet,
               "total variation": total_variation, "non-local means": nl_means}
    if include_bm3d is None:
        include_bm3d = bm3d_available()
    if include_bm3d:
        methods["BM3D"] = bm3d
    return methods
