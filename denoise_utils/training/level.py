"""Training a noise-level estimator (§5.1): how noisy is a camera photo?

A model told the level of camera noise (``unet(noise_map=3)``, trained with
``targets.with_measured_level``) needs that level for a photo of unknown origin. Classical
estimators (the wavelet median of ``skimage.restoration.estimate_sigma``) assume white
noise; a camera's noise is spread over neighbours and channels by demosaicking and colour
processing, and they miss it by a factor of two or more. This trains
``models.level_estimator`` on the same simulated camera, against each patch's measured
level, with a quantile loss that makes it err low: a level told too low leaves some noise,
one told too high smooths away detail, and the second is what a photographer does not forgive.

    python -m denoise_utils.training NAME --estimator [--data-dir DIR] [--ship]

writes ``<out>/<NAME>/estimator/`` (weights every epoch, ``log.csv``), and with ``--ship``
copies ``estimator.weights.h5``, ``estimator_log.csv`` and ``estimator_command.txt`` next
to the model's config, in the store (:mod:`..zoo.store`), where ``pretrained.estimate_level`` finds them.
"""

import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..config import set_seed
from ..inference import level_by_crops, level_map_by_estimator, map_cell
from ..noise import as_noise
from ..zoo import store
from ..zoo.schema import ESTIMATOR_DEFAULTS
from .optim import fit_run, start_run
from .targets import measured_level, measured_level_map

if TYPE_CHECKING:
    import keras

#: the smallest level the estimator is trained to tell apart (σ on the 0-255 scale)
ESTIMATOR_FLOOR = 0.25


def quantile_loss(q: float) -> Callable[[Any, Any], Any]:
    """The pinball loss of the ``q`` quantile on log levels (§5.1).

    Parameters
    ----------
    q : float
        The quantile, in (0, 1): overestimates cost (1 - q) per unit, underestimates q, so
        ``q < 0.5`` errs low.

    Returns
    -------
    callable
        A Keras loss, ``loss(y_true, y_pred)``, the mean over its elements.
    """
    from keras import ops

    def loss(y_true, y_pred):
        d = y_pred - y_true
        return ops.mean(ops.maximum((1 - q) * d, -q * d))

    return loss


def log_level_pairs(noise: Callable) -> Callable[[np.ndarray, np.random.Generator],
                                                 tuple[np.ndarray, np.ndarray]]:
    """The estimator's training pairs (§5.1): (noisy, log(σ/255) per channel).

    Parameters
    ----------
    noise : callable
        ``noise(clean, rng) -> (noisy, target)`` on a batch of patches.

    Returns
    -------
    callable
        ``pairs(clean, rng) -> (noisy, log_level)``, a ``noise`` for ``PatchDataset``: each
        patch's measured level (at least :data:`ESTIMATOR_FLOOR`), (batch, channels).
    """

    def pairs(clean, rng):
        noisy, target = noise(clean, rng)
        level = np.maximum(measured_level(noisy, target)[:, 0, 0], ESTIMATOR_FLOOR / 255)
        return noisy, np.log(level).astype(np.float32)

    return pairs


def log_level_map_pairs(noise: Callable, spread: float, step: int = 4
                        ) -> Callable[[np.ndarray, np.random.Generator], tuple[np.ndarray, np.ndarray]]:
    """The map estimator's training pairs (§5.1 (III)): (noisy, log(σ/255) per cell and channel).

    Parameters
    ----------
    noise : callable
        ``noise(clean, rng) -> (noisy, target)`` on a batch of patches.
    spread : float
        The spread in pixels of each pixel's measured level (``targets.measured_level_map``).
    step : int, optional
        The side of the estimator's map cell in pixels: the measured map is averaged over it.

    Returns
    -------
    callable
        ``pairs(clean, rng) -> (noisy, log_level_map)``, the map (batch, h / step, w / step,
        channels), at least :data:`ESTIMATOR_FLOOR`.
    """

    def pairs(clean, rng):
        noisy, target = noise(clean, rng)
        level = measured_level_map(noisy, target, spread)
        b, h, w, c = level.shape
        cells = level[:, :h - h % step, :w - w % step].reshape(b, h // step, step, w // step, step, c).mean(axis=(2, 4))
        return noisy, np.log(np.maximum(cells, ESTIMATOR_FLOOR / 255)).astype(np.float32)

    return pairs


def validate_map(estimator: "keras.Model", images: Sequence[np.ndarray], noise: Callable, spread: float, *,
                 seed: int = 0) -> np.ndarray:
    """Each held-out image through ``noise`` (seeded): estimated over measured level, every pixel (§5.1 (III)).

    Parameters
    ----------
    estimator : keras.Model
        A :func:`~denoise_utils.models.cnn.level_estimator` with ``map=True``.
    images : sequence of ndarray
        Clean held-out images in [0, 1].
    noise : callable
        ``noise(clean, rng) -> (noisy, target)``.
    spread : float
        The measured map's spread in pixels.
    seed : int, optional
        Image i gets the noise of seed ``(seed, i)``.

    Returns
    -------
    ndarray
        The ratios of all pixels and channels of all images, flat.
    """
    ratios = []
    for i, clean in enumerate(images):
        noisy, target = noise(clean, np.random.default_rng((seed, i)))
        measured = 255 * measured_level_map(noisy[None], target[None], spread)[0]
        ratios.append((level_map_by_estimator(estimator, noisy) / np.maximum(measured, ESTIMATOR_FLOOR)).ravel())
    return np.concatenate(ratios)


def validate(estimator: "keras.Model", images: Sequence[np.ndarray], noise: Callable, *,
             seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Each held-out image through ``noise`` (seeded), its level measured and estimated (§5.1).

    Parameters
    ----------
    estimator : keras.Model
        A :func:`~denoise_utils.models.cnn.level_estimator`.
    images : sequence of ndarray
        Clean held-out images in [0, 1].
    noise : callable
        ``noise(clean, rng) -> (noisy, target)``.
    seed : int, optional
        Image i gets the noise of seed ``(seed, i)``.

    Returns
    -------
    measured, estimated : ndarray
        σ arrays, (images, channels), 0-255 scale.
    """

    measured, estimated = [], []
    for i, clean in enumerate(images):
        noisy, target = noise(clean, np.random.default_rng((seed, i)))
        measured.append(255 * np.std(noisy - target, axis=(0, 1)))
        estimated.append(level_by_crops(estimator, noisy))
    return np.array(measured), np.array(estimated)


def train_estimator(cfg: dict, out: str, *, verbose: int = 1, ship: bool = False,
                    command: str | None = None, data_dir: str | None = None) -> str:
    """Train the level estimator of a model config and optionally ship it (§5.1).

    It trains into ``<out>/<name>/estimator`` and resumes where it stopped, through the same
    loop as every model (:func:`.optim.fit_run`: the rate by the schedule over its
    ``minutes``, one log, one checkpoint, the same resume), validated by the median ratio of
    estimated to measured level on held-out images and the share over by 25 %.

    Parameters
    ----------
    cfg : dict
        The model's config, already read (its ``estimator`` settings,
        ``schema.ESTIMATOR_DEFAULTS`` where it leaves them out).
    out : str
        The folder of runs.
    verbose : int, optional
        Keras's ``fit`` verbosity.
    ship : bool, optional
        Copy the weights, log and command into the store, beside the model's config.
    command : str, optional
        The command recorded when shipping (default: ``python -m denoise_utils.training
        NAME --estimator``).
    data_dir : str, optional
        The folder of the data sets (default: the data-directory setting).

    Returns
    -------
    str
        The estimator's run folder, ``<out>/<name>/estimator``.
    """
    import keras

    from ..data import PatchDataset, load_dataset
    from ..models import level_estimator

    if not cfg["model_kwargs"].get("noise_map") or cfg["noise"] == "gaussian":
        raise ValueError(f"{cfg['name']!r} is not a model told the level of camera noise: it needs no estimator")
    est = {**ESTIMATOR_DEFAULTS, **(cfg["estimator"] or {})}
    run = {"epochs": 10 ** 9, "lr_milestones": [], "warmup_epochs": 0, **est}   # the budget stops it
    out = os.path.join(out, cfg["name"], "estimator")
    set_seed(cfg["seed"])
    noise = as_noise(cfg["noise"], cfg["sigma"], **cfg["noise_params"])
    channels = cfg["model_kwargs"].get("channels", 1)
    images = list(load_dataset(cfg["train_set"], as_gray=channels == 1, fallback=False, split="train",
                               data_dir=data_dir).values())
    val = list(load_dataset(cfg["val_set"], as_gray=channels == 1, fallback=False, limit=est["val_limit"],
                            split="val", data_dir=data_dir).values())
    state, resumed = start_run(cfg, out)
    ckpt = os.path.join(out, "estimator.keras")
    spread = cfg["level_map"]                # a map estimator for a model told a map (§5.1 (III))
    if resumed:
        model = keras.models.load_model(ckpt, compile=False)
    else:
        model = level_estimator(channels=channels, filters=est["filters"], scales=est["scales"], map=bool(spread))
    model.compile(optimizer=keras.optimizers.Adam(est["lr"]), loss=quantile_loss(est["quantile"]))
    pairs = log_level_map_pairs(noise, spread, map_cell(model)) if spread else log_level_pairs(noise)
    data = PatchDataset(images, patch_size=est["patch_size"], batch_size=est["batch_size"],
                        steps=est["steps_per_epoch"], seed=cfg["seed"], noise=pairs)
    data.epoch = state["epoch"]

    def validated(model):
        if spread:
            ratio = validate_map(model, val, noise, spread)
        else:
            measured, estimated = validate(model, val, noise)
            ratio = estimated / measured
        return {"val_median_ratio": float(np.median(ratio)), "val_over_25pct": float(np.mean(ratio > 1.25))}

    fit_run(model, data, run, out, state, validated, verbose=verbose, checkpoint="estimator.keras")
    if ship:
        shipped = level_estimator(channels=channels, filters=est["filters"], scales=est["scales"], map=bool(spread))
        shipped.set_weights(model.get_weights())
        shipped.save_weights(os.path.join(out, "estimator.weights.h5"))
        store.ship(cfg["name"], os.path.join(out, "estimator.weights.h5"), log_file=os.path.join(out, "log.csv"),
                   command=command or f"python -m denoise_utils.training {cfg['name']} --estimator", part="estimator")
    return out
