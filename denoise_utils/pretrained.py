"""``denoise()`` for any photo with the best shipped model (§4.1), and the choice of that model.

The shipped models themselves, their configs, logs and weights, are the store's
(:mod:`.zoo.store`); its names are also importable from here.
"""

import functools
import json
import os

import numpy as np

from ._checks import as_float_image, check_sigma
from .inference import level_by_crops, level_map_by_estimator
from .inference import self_ensemble, tiled
from .noise import get
from .zoo.store import (WEIGHTS_DIR, available, catalog, find, info, load, log, minutes, path,  # noqa: F401
                        to_float16)
from .zoo.store import load_estimator, measured

#: where ``scripts/time_photo.py --record`` writes its measurements
PHOTO_TIMINGS = os.path.join(os.path.dirname(__file__), "photo_timings.json")


def photo_time(noise: str = "camera") -> dict:
    """How long ``denoise`` took on a 12-megapixel colour photo (FAQ Q7).

    Measured on the book's 2-core development machine, as ``scripts/time_photo.py --record``
    measured it.

    Parameters
    ----------
    noise : {"camera", "phone", "gaussian"}, optional
        The route timed: ``"camera"``, ``"phone"``, or ``"gaussian"``: the blind models' colour
        route.

    Returns
    -------
    dict
        ``seconds``, ``height``, ``width``, ``cpus``, ``machine`` and ``date``.
    """

    with open(PHOTO_TIMINGS) as fh:
        return json.load(fh)[noise]


#: a model trained for level s is used for noise levels within this fraction of s
#: (there it beats the blind model; chapter 4.4 measures what that gives colour photos)
TOLERANCE = 0.05


def kinds() -> list[str]:
    """The kinds of noise (names in ``noise.NOISES``) that some shipped model was trained on.

    Returns
    -------
    list of str
        The names, sorted.
    """
    return _kinds(catalog())


def _kinds(fits):
    """:func:`kinds` on a :func:`catalog` already read."""
    return sorted({c["noise"] for c in fits.values()} | ({"phone"} if _phone_models(fits) else set()))


def _phone_models(fits, channels=3):
    """The camera-noise models that trained on simulated phones too, best rank first (§5.1 (III))."""
    return [n for n in find(channels=channels, noise="camera", configs=fits) if fits[n]["noise_params"].get("phone")]


def candidates(channels: int, sigma: float | None, *, configs: dict | None = None) -> list[str]:
    """The shipped Gaussian-noise models that accept ``sigma``, highest ``rank`` first.

    Those trained for a level within ``TOLERANCE`` of ``sigma``, then those trained on a range
    that holds it (a blind one, or, only when ``sigma`` is known, one told the level, §5.5).

    Parameters
    ----------
    channels : int
        The images' channels: 1 (gray) or 3 (colour).
    sigma : float or None
        The noise level on the 0-255 scale; None: blind.
    configs : dict, optional
        A :func:`catalog` already read (default: read the configs now).

    Returns
    -------
    list of str
        Model names; empty when none accepts ``sigma``.
    """
    fits = catalog() if configs is None else configs
    exact = [n for n in find(channels=channels, noise="gaussian", kind="fixed", configs=fits) if sigma is not None
             and abs(float(fits[n]["sigma"]) - sigma) <= TOLERANCE * float(fits[n]["sigma"])]
    ranged = [n for n in find(channels=channels, noise="gaussian", kind="ranged", configs=fits)
              if (fits[n]["blind"] or sigma is not None)
              and (sigma is None or fits[n]["sigma"][0] <= sigma <= fits[n]["sigma"][1])]
    return exact + ranged


def choose(channels: int, sigma: float | None = None, noise: str = "gaussian") -> str:
    """The shipped model for images of ``channels`` at noise level ``sigma``.

    Among the :func:`candidates` that accept ``sigma``, the one that scored highest on held-out
    photos at the nearest measured level (:func:`.zoo.store.measured`, the table that
    ``python -m denoise_utils leaderboard --choice`` writes); a model the table lacks, or any
    model when ``sigma`` is None, by the candidates' order.

    Parameters
    ----------
    channels : int
        The images' channels: 1 (gray) or 3 (colour).
    sigma : float or None, optional
        The noise level on the 0-255 scale; None: blind.
    noise : str, optional
        A name in ``noise.NOISES``. Another than ``"gaussian"`` (e.g. ``"camera"``: a camera's
        own noise, §5.1): the best model trained on it, any level; ``"phone"``: the best
        camera-noise model that trained on simulated phones too (§5.1 (III)).

    Returns
    -------
    str
        The model's name.

    Raises
    ------
    ValueError
        When no shipped model fits (the message lists the levels and kinds there are).
    """
    fits = catalog()  # each config read once for every query below
    if noise not in _kinds(fits):
        raise ValueError(f"no shipped model for noise {noise!r}; shipped models know {_kinds(fits)}")
    if noise == "phone":            # a phone photo: the camera models that trained on phones too
        phones = _phone_models(fits, channels)
        if not phones:
            raise ValueError(f"no shipped phone-noise model for {'gray' if channels == 1 else 'colour'} images")
        return phones[0]
    best = find(channels=channels, noise=noise, configs=fits)
    kind = "gray" if channels == 1 else "colour"
    if noise != "gaussian":
        if not best:
            raise ValueError(f"no shipped {noise}-noise model for {kind} images (they take "
                             f"{'colour' if channels == 1 else 'gray'} images)")
        return best[0]
    fitting = candidates(channels, sigma, configs=fits)
    if fitting:
        scores = {} if sigma is None else measured(sigma)
        return min(fitting, key=lambda n: (n not in scores, -scores.get(n, 0.0), fitting.index(n)))
    levels = sorted({str(fits[n]["sigma"]) for n in best}) or ["none"]
    raise ValueError(f"no shipped {kind} model for sigma={sigma}; shipped {kind} noise "
                     f"levels: {', '.join(levels)} (pass sigma= one of them, or model=)")


#: rows: the mean of R, G, B and two colour differences, each scaled to a range of 1.
#: The rows are orthogonal, so white Gaussian noise stays white and independent in each
#: channel, with level sigma times the row's length (0.58, 0.71 and 0.61 times sigma).
OPPONENT = np.array([[1 / 3, 1 / 3, 1 / 3], [1 / 2, 0, -1 / 2], [1 / 4, -1 / 2, 1 / 4]])


def _opponent(x, sigma, model, **kwargs):
    """Colour through gray models: each opponent channel denoised at its own level (§4.4)."""
    levels = [None if sigma is None else sigma * float(np.linalg.norm(row)) for row in OPPONENT]
    if model is None:  # every channel has a model, or one error in the user's terms
        try:
            [choose(1, s) for s in levels]
        except ValueError as err:
            if sigma is None:
                raise
            raise ValueError(f"no shipped model for a colour image at sigma={sigma:g}: its "
                             f"opponent channels need gray models for sigma up to "
                             f"{max(levels):.1f}") from err
    z = x @ OPPONENT.T.astype(np.float32) + np.float32([0, 0.5, 0.5])  # every channel in [0, 1]
    progress = kwargs.pop("progress", False)
    out = np.stack([denoise(z[..., c], sigma=s, model=model,
                            progress=f"channel {c + 1}/3" if progress else False, **kwargs)
                    for c, s in enumerate(levels)], axis=-1)
    rgb = (out - np.float32([0, 0.5, 0.5])) @ np.linalg.inv(OPPONENT).T.astype(np.float32)
    return np.clip(rgb, 0, 1).astype(np.float32)


class _Default(float):
    """The default σ = 25: a float that ``denoise`` can tell from a σ the caller gave."""

    def __repr__(self):
        return "25"


DEFAULT_SIGMA = _Default(25)


def estimate_level(image: np.ndarray, model: str | None = None, *, map: bool | None = None) -> np.ndarray:
    """How noisy a camera photo is: its noise level per channel (0-255 scale) (§5.1).

    Measured by the estimator shipped with ``model``: the level that model is then told.

    Parameters
    ----------
    image : ndarray
        Float in [0, 1] (or uint8/uint16).
    model : str or None, optional
        A shipped model by name; default: the camera-noise model ``denoise`` picks.
    map : bool or None, optional
        True: the level at every pixel (``inference.level_map_by_estimator``), which follows
        the light and the frame (§5.1 (III)); False: one level per channel, the median
        over crops; None: what ``model`` is told (a map where its config has ``level_map``).

    Returns
    -------
    ndarray
        Float32 within [0, 255]: one level per channel, or a map (H, W, channels).
    """

    name = model if model is not None else choose(3, None, noise="camera")
    if map is None:
        map = bool(info(name)["level_map"])
    if map:
        return level_map_by_estimator(load_estimator(name, map=True), image)
    return level_by_crops(load_estimator(name), image)


def denoise(image: np.ndarray, sigma: float | None = DEFAULT_SIGMA, *, model: str | None = None,
            noise: str = "gaussian", tile: int = 1536, margin: int | None = None,
            ensemble: bool = False, progress: bool | str = False,
            strength: float = 1.0) -> np.ndarray:
    """Denoise a photo with the best shipped model (§4.1).

    A colour photo goes through the gray models, one channel of an opponent colour space
    (``OPPONENT``) at a time, unless ``model`` names a colour model: on scikit-image's colour
    photos that beats the colour models (chapter 4.4).

    Parameters
    ----------
    image : ndarray
        Float in [0, 1] (uint8 and uint16 are divided by 255 and 65535), (H, W) or (H, W, 3).
    sigma : float or None, optional
        The noise level on the 0-255 scale (default 25), or ``None`` for a blind model.
    model : str, optional
        A shipped model by name (:func:`available`); default: the best one for the route.
    noise : {"gaussian", "camera", "phone"}, optional
        ``"phone"`` is for a phone photo: the camera-noise model that also trained on simulated
        phones, told a level map (§5.1 (III)). ``"camera"`` is for a camera's own noise (a camera
        photo, not Gaussian noise
        added by a program): the model trained on a simulated camera (§5.1), which takes no
        ``sigma``: it is told the photo's noise level per channel as its estimator measures it
        (:func:`estimate_level`), at every pixel for a model trained with a level map (one
        that follows the light and the frame, as a phone's noise does, §5.1 (III)), so a
        clean photo is left nearly as it is.
    tile, margin : int, optional
        Large images are processed in ``tile``-sized pieces with ``margin`` pixels of context
        (``inference.tiled``; default margin: the model config's, as far as the network sees,
        so tiled and whole agree).
    ensemble : bool, optional
        Average over the 8 flips and rotations (``inference.self_ensemble``: a little better,
        8 times slower).
    progress : bool or str, optional
        Print the tiles done to stderr (a string: with that label).
    strength : float, optional
        Scales the level a model told it is given (1: as estimated or given; below 1 gentler,
        above 1 stronger), from 0 to 4.

    Returns
    -------
    ndarray
        Float32 in [0, 1], of the input's shape.
    """
    x = as_float_image(image, noisy=True)
    channels = 1 if x.ndim == 2 or x.shape[-1] == 1 else 3
    if isinstance(strength, bool) or not isinstance(strength, (int, float, np.integer, np.floating)) \
            or not 0 <= strength <= 4:
        raise ValueError(f"strength must be a number from 0 to 4, got {strength!r}")
    if noise != "gaussian":

        if sigma is not None and not isinstance(sigma, _Default):
            raise ValueError(f"noise={noise!r} takes no sigma: camera noise has no single level, and "
                             "its model was trained on many; leave sigma out")
        if get(noise).colour_only and channels != 3:   # get: an unknown name lists the valid ones
            raise ValueError(f"noise={noise!r} needs a colour photo (H, W, 3): its models were "
                             "trained on colour camera pipelines")
        model = model if model is not None else choose(channels, None, noise=noise)
        sigma = estimate_level(x, model) if info(model)["takes_level"] else None
    elif sigma is not None:
        sigma = check_sigma(sigma, allow_zero=False)
    if channels == 3 and (model is None or info(model)["channels"] == 1):
        if strength != 1:
            raise ValueError("strength needs a model told the noise level (noise='camera' picks one)")
        return _opponent(x, sigma, model, tile=tile, margin=margin, ensemble=ensemble,
                         progress=progress)
    name = model if model is not None else choose(channels, sigma)
    cfg = info(name)
    if cfg["channels"] != channels:
        raise ValueError(f"model {name!r} takes {'colour' if cfg['channels'] == 3 else 'gray'} "
                         f"images; this image is {'gray' if channels == 1 else 'colour'}")
    from .models import apply_model

    net = load(name)

    if cfg["takes_level"] and sigma is None:
        raise ValueError(f"model {name!r} is told the noise level: pass sigma (0-255 scale)")
    if strength != 1:
        if not cfg["takes_level"]:
            raise ValueError(f"strength needs a model told the noise level; {name!r} is not "
                             "(noise='camera' picks one)")
        sigma = np.minimum(np.asarray(sigma, np.float32) * float(strength), 255.0)

    def run(window):
        if np.ndim(sigma) == 3:          # a level map rides along as more channels (§5.1 (III))
            window, level = window[..., :channels], window[..., channels:]
            return apply_model(net, window, multiple=cfg["multiple"], sigma=level)
        return apply_model(net, window, multiple=cfg["multiple"], sigma=sigma if cfg["takes_level"] else None)

    if np.ndim(sigma) == 3:
        x = np.concatenate([x, np.asarray(sigma, np.float32)], axis=-1)
    return tiled(functools.partial(self_ensemble, run) if ensemble else run, x, tile=tile,
                 margin=cfg["margin"] if margin is None else margin, multiple=cfg["multiple"],
                 progress=progress)
