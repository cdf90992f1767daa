"""Noise (§1, §5.1): every kind of noise the book adds, in one registry.

:data:`NOISES` maps a name to a :class:`NoiseModel`; every model has one signature,
``model(clean, rng, **params) -> noisy``, or ``-> (noisy, target)`` where the target is
not the clean image itself (a camera's processing changes the picture too). ``clean`` is
one image (H, W[, C]) or a batch (N, H, W, C) in [0, 1]; ``rng`` a ``numpy`` Generator.
The training data (``data.PatchDataset``), ``metrics.evaluate``, training configs
(``"noise": NAME``), ``du.denoise(noise=NAME)``, the command line and the leaderboard all
read this registry, so a new kind of noise is one entry here.

The functions behind the entries, for one image with a ``seed``, live in
:mod:`.synthetic` (Gaussian, Poisson, salt and pepper, speckle, correlated) and
:mod:`.camera` (a simulated camera); :mod:`.adapt` holds the ways to make a Gaussian
denoiser fit other noise (Anscombe, sub-sampling, the switching median).
"""

from typing import Callable, NamedTuple

import numpy as np

from .._checks import as_rng, check_sigma
from .camera import add_camera_noise
from .synthetic import (DEMOSAIC_KERNEL, add_correlated_noise, add_gaussian_noise,  # noqa: F401
                        add_poisson_noise, add_salt_pepper_noise, add_speckle_noise)


class NoiseModel(NamedTuple):
    """One entry of :data:`NOISES`."""

    #: ``fn(clean, rng, **params) -> noisy`` or ``(noisy, target)``
    fn: Callable
    #: its parameters and their defaults
    params: dict
    #: one line for lists and error messages
    doc: str
    #: it needs colour images (H, W, 3)
    colour_only: bool = False
    #: a data set of real noise of this kind with references, for scoring (``data.load_pairs``)
    real_set: str | None = None


def _gaussian(clean, rng, sigma=25.0, clip=False):
    """White Gaussian noise of level ``sigma``, or for a (low, high) range a level drawn per
    image of the batch (blind training, §4.1)."""
    if isinstance(sigma, (tuple, list)):
        clean = np.asarray(clean, np.float32)
        s = rng.uniform(*sigma, size=(len(clean),) + (1,) * (clean.ndim - 1) if clean.ndim == 4 else ())
        return (clean + (np.asarray(s) / 255.0 * rng.standard_normal(clean.shape))).astype(np.float32)
    return add_gaussian_noise(clean, sigma, seed=rng, clip=clip)


def _camera(clean, rng, wide=False, phone=0.0):
    """Each image through its own random simulated camera; the target is the same camera's
    processing without the noise (§5.1). ``wide``: the widened draw (``camera.random_camera``);
    ``phone``: the share of the images taken by a simulated phone (``camera.random_phone``)."""
    clean = np.asarray(clean, np.float32)

    def one(image):
        is_phone = bool(phone) and rng.random() < phone      # no draw without phones: same noise as before
        return add_camera_noise(image, seed=rng, return_clean=True, wide=wide, phone=is_phone)

    if clean.ndim == 3:
        return one(clean)
    pairs = [one(patch) for patch in clean]
    return np.stack([p[0] for p in pairs]), np.stack([p[1] for p in pairs])


def _phone(clean, rng, wide=True):
    """Each image through its own simulated phone (§5.1 (III)): ``_camera`` with every image a phone's."""
    return _camera(clean, rng, wide=wide, phone=1.0)


def _one(fn):
    """A ``synthetic`` function ``fn(image, ..., seed=)`` as a registry entry ``(clean, rng, **params)``."""
    return lambda clean, rng, **params: fn(clean, seed=rng, **params)


NOISES = {
    "gaussian": NoiseModel(_gaussian, {"sigma": 25.0, "clip": False}, "additive white Gaussian noise of level sigma (§1)"),
    "poisson": NoiseModel(_one(add_poisson_noise), {"peak": 30.0, "clip": False},
                          "shot noise of a photon-limited sensor (§1)"),
    "salt_pepper": NoiseModel(_one(add_salt_pepper_noise), {"amount": 0.05, "salt_vs_pepper": 0.5},
                              "impulses: a fraction of pixels set to 0 or 1 (§1)"),
    "speckle": NoiseModel(_one(add_speckle_noise), {"sigma": 25.0, "clip": False},
                          "multiplicative noise of coherent imaging (§1)"),
    "correlated": NoiseModel(_one(add_correlated_noise), {"sigma": 25.0, "kernel": None, "clip": False},
                             "Gaussian noise spread over neighbours, as after demosaicking (§5.1)"),
    "camera": NoiseModel(_camera, {"wide": False, "phone": 0.0}, "a camera's own noise: shot and read noise in raw space, "
                         "demosaicking, colour processing, JPEG (§5.1)", colour_only=True, real_set="nam_cc15"),
    "phone": NoiseModel(_phone, {"wide": True}, "a phone's own noise: a small sensor's stronger shot and read "
                        "noise, lens shading, local tone mapping, the phone's noise reduction, JPEG (§5.1 (III))",
                        colour_only=True),
}


def get(kind: str) -> NoiseModel:
    """The :class:`NoiseModel` named ``kind``.

    Parameters
    ----------
    kind : str
        A key of :data:`NOISES`.

    Returns
    -------
    NoiseModel
        Its entry.

    Raises
    ------
    ValueError
        For an unknown name, with the valid ones.
    """
    if kind not in NOISES:
        raise ValueError(f"unknown noise {kind!r}; choose one of {sorted(NOISES)}")
    return NOISES[kind]


def noise_fn(kind: str = "gaussian", **params) -> Callable:
    """The registry's ``kind`` with its ``params`` bound (§4.1).

    Parameters
    ----------
    kind : str, optional
        A key of :data:`NOISES`.
    **params
        Its parameters (``NoiseModel.params``); parameters it does not take are refused. A
        ``sigma`` may be a level on the 0-255 scale or a ``(low, high)`` range.

    Returns
    -------
    callable
        A function ``(clean, rng)`` for ``PatchDataset``, ``fit`` and ``evaluate``, which
        returns the noisy image or ``(noisy, target)``.
    """
    model = get(kind)
    unknown = set(params) - set(model.params)
    if unknown:
        raise ValueError(f"noise {kind!r} takes {sorted(model.params) or 'no parameters'}, "
                         f"not {sorted(unknown)}")
    if "sigma" in params:
        sigma = params["sigma"]
        if isinstance(sigma, (tuple, list)):
            if len(sigma) != 2:
                raise ValueError(f"sigma range must be (low, high), got {sigma!r}")
            low, high = (check_sigma(s) for s in sigma)
            if low > high:
                raise ValueError(f"sigma range {sigma!r} has low > high")
            params["sigma"] = (low, high)
        else:
            params["sigma"] = check_sigma(sigma)
    return lambda clean, rng: model.fn(clean, rng, **params)


def add_noise(image: np.ndarray, kind: str = "gaussian",
              seed: int | np.random.Generator | None = None,
              **params) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Add noise of the named ``kind`` with its parameters (§1).

    Parameters
    ----------
    image : ndarray
        The clean image (H, W[, C]) or a batch (N, H, W, C), in [0, 1].
    kind : str, optional
        A key of :data:`NOISES`.
    seed : int or numpy.random.Generator or None, optional
        Fixes the noise.
    **params
        The kind's parameters (``NoiseModel.params``); others are refused.

    Returns
    -------
    ndarray or tuple of ndarray
        The noisy image, or ``(noisy, target)`` for a kind whose target differs from the
        clean image (``"camera"``).
    """
    return noise_fn(kind, **params)(image, as_rng(seed))


def as_noise(noise: str | Callable, sigma: float | tuple[float, float] = 25.0,
             **params) -> Callable:
    """A function ``(clean, rng)``: what ``PatchDataset`` and ``fit`` take as ``noise``.

    Parameters
    ----------
    noise : str or callable
        A registry name (a key of :data:`NOISES`), or such a function itself (returned as
        it is).
    sigma : float or tuple of float, optional
        The level (or ``(low, high)`` range) on the 0-255 scale, given where the kind takes
        one.
    **params
        The kind's other parameters.

    Returns
    -------
    callable
        ``(clean, rng)`` -> the noisy image or ``(noisy, target)``.
    """
    if callable(noise):
        return noise
    if not isinstance(noise, str):
        raise TypeError(f"noise must be a name in {sorted(NOISES)} or a function (clean, rng), got {noise!r}")
    return noise_fn(noise, **({"sigma": sigma} if "sigma" in get(noise).params else {}), **params)
