"""The training entry point (§4.1): one command trains every shipped model.

    python -m denoise_utils.training CONFIG [--data-dir DIR] [--out DIR] [--ship]

``CONFIG`` is a shipped model's name (its ``denoise_utils/weights/<name>/config.json``)
or a path to such a JSON file. Training writes to ``<out>/<name>/``: ``model.keras``
(weights and optimizer, saved every epoch), ``log.csv`` (loss, validation PSNR,
learning rate, elapsed seconds per epoch) and ``model.weights.h5`` at the end. Run
the same command again to resume where it stopped. ``--ship`` copies the weights (as
float16: §5.2), the log and the exact command next to the config, in the store (:mod:`..zoo.store`).

The config's keys are described in :mod:`denoise_utils.zoo.schema`.
"""

import argparse
import os
import sys
from collections.abc import Sequence

import numpy as np

from ..config import set_seed
from ..inference import level_by_crops, level_map_by_estimator
from ..models import apply_model, build_model, takes_level
from ..noise import as_noise
from ..zoo import store
from ..zoo.schema import read_config
from .level import train_estimator
from .optim import ScaledAdamW, data_parallel, fit_run, optimizer, start_run  # noqa: F401  (ScaledAdamW: registered for a resume)
from .targets import measured_level, measured_level_map, training_pairs


def load_config(config: str) -> dict:
    """A config by shipped name or path, completed (§4.1).

    Parameters
    ----------
    config : str
        A shipped model's name, or the path of a ``.json`` config.

    Returns
    -------
    dict
        The config, every default filled in by :func:`denoise_utils.zoo.schema.read_config`.
    """
    root = store.WEIGHTS_DIR
    path = config if config.endswith(".json") else store.path(config, "config.json")
    if not os.path.isfile(path):
        names = sorted(n for n in os.listdir(root) if os.path.isfile(store.path(n, "config.json"))) \
            if os.path.isdir(root) else []
        raise FileNotFoundError(f"no config {config!r}; shipped configs: {names}")
    return read_config(path)


def _validation(cfg, val, val_sigma, val_noise=None):
    """``validate(model)`` for :func:`.optim.fit_run`: the PSNR on the held-out images, the
    model told the level where it takes one (the level measured, or what the shipped estimator
    ``level_from`` finds, as on a photo)."""
    from ..metrics import evaluate

    estimator = store.load_estimator(cfg["level_from"], map=bool(cfg["level_map"])) if cfg["level_from"] else None

    def validate(model):
        levels, noise = {}, val_noise
        if takes_level(model) and val_noise is not None:    # told the level it measures

            def noise(clean, rng):
                noisy, target = val_noise(clean, rng)
                if estimator is not None and cfg["level_map"]:
                    levels[id(noisy)] = level_map_by_estimator(estimator, noisy)
                elif estimator is not None:
                    levels[id(noisy)] = level_by_crops(estimator, noisy)
                elif cfg["level_map"]:                      # each pixel's level (§5.1 (III))
                    levels[id(noisy)] = 255 * measured_level_map(noisy[None], target[None], cfg["level_map"])[0]
                else:
                    levels[id(noisy)] = 255 * measured_level(noisy[None], target[None])[0, 0, 0]
                return noisy, target

        def run(y):
            level = levels.get(id(y), val_sigma) if takes_level(model) else None
            return apply_model(model, y, multiple=cfg["multiple"], sigma=level)

        return {"val_psnr": evaluate(run, val, val_sigma, seed=0, noise=noise).psnr}

    return validate


def _load_init(model, name):
    """Start ``model`` from the shipped weights ``name`` (same architecture required); returns
    the paths of the variables set.

    A model told the noise level (§5.5) may start from its twin that is not: the first
    layer's weights for the level map start at zero, so training begins from the twin's
    outputs and learns to use the level. A hybrid (§5.4) takes a U-Net's weights into its
    U-Net part (``models.unet_weights_into``)."""
    from ..models import swin_blocks, unet_weights_into

    path = store.path(name)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"init: no shipped weights {name!r}; shipped: {store.available()}")
    if swin_blocks(model):
        return unet_weights_into(model, store.load(name, copy=True))
    every = [w.path for w in model.weights]
    try:
        model.load_weights(path)
        return every
    except ValueError as err:
        error = err
    try:                                        # a twin without the level map: its config says
        theirs = store.load(name, copy=True).get_weights()
    except (ValueError, OSError):
        raise ValueError(f"init: the weights of {name!r} do not fit this model ({error})") from None
    mine = model.get_weights()
    fits = len(mine) == len(theirs) and all(
        a.shape == b.shape or (k == 0 and a.shape[:2] + a.shape[3:] == b.shape[:2] + b.shape[3:]
                               and a.shape[2] > b.shape[2])
        for k, (a, b) in enumerate(zip(mine, theirs)))
    if not fits:
        raise ValueError(f"init: the weights of {name!r} do not fit this model ({error})")
    if mine[0].shape != theirs[0].shape:        # widened first kernel: zeros for the level map
        widened = np.zeros(mine[0].shape, mine[0].dtype)
        widened[:, :, :theirs[0].shape[2]] = theirs[0]
        theirs[0] = widened
    model.set_weights(theirs)
    return every


def _images(cfg, gray, data_dir):
    """The training images (every set of ``train_set``, without the held-out ones) and the
    validation set, from ``data_dir`` (default: the data-directory setting)."""
    from ..data import SPLIT_SETS, load_dataset

    sets = [cfg["train_set"]] if isinstance(cfg["train_set"], str) else cfg["train_set"]
    split = (lambda name, part: part if cfg["holdout"] and name in SPLIT_SETS else None)
    images = [im for name in sets for im in load_dataset(
        name, as_gray=gray, fallback=False, split=split(name, "train"), data_dir=data_dir).values()]
    val = load_dataset(cfg["val_set"], as_gray=gray, limit=cfg["val_limit"], fallback=False,
                       split=split(cfg["val_set"], "val"), data_dir=data_dir)
    return images, val


def train(config: str, *, out: str = "runs", data_dir: str | None = None, verbose: int = 1,
          ship: bool = False, command: str | None = None, devices: int | str = 1) -> str:
    """Train (or resume) the model of ``config`` (§4.1).

    Parameters
    ----------
    config : str
        A shipped model's name, or the path of a ``.json`` config (:func:`load_config`).
    out : str, optional
        The folder of runs; the run writes to ``<out>/<name>/``.
    data_dir : str, optional
        The folder of the data sets (default: the data-directory setting).
    verbose : int, optional
        Keras's ``fit`` verbosity.
    ship : bool, optional
        Copy the weights (as float16), the log and the command into the store, beside the
        config.
    command : str, optional
        The command recorded when shipping (default: ``python -m denoise_utils.training
        CONFIG``).
    devices : int or "all", optional
        Train data-parallel over this many of the visible devices (:func:`.optim.data_parallel`,
        JAX backend); the config's ``batch_size`` is the batch of all of them together.

    Returns
    -------
    str
        The output folder, ``<out>/<name>``.
    """
    import keras

    from ..data import PatchDataset

    cfg = load_config(config)
    if cfg["batch_size"] % data_parallel(devices):
        raise ValueError(f"batch_size {cfg['batch_size']} does not split over {devices} devices")
    out = os.path.join(out, cfg["name"])
    state, resume = start_run(cfg, out)
    set_seed(cfg["seed"])
    sigma = tuple(cfg["sigma"]) if isinstance(cfg["sigma"], list) else cfg["sigma"]
    # the training noise by name (validation's too, when it is not Gaussian)
    named_noise = as_noise(cfg["noise"], sigma, **cfg["noise_params"])
    noise, loss = training_pairs(cfg, named_noise)   # before a resume: it registers the loss
    if cfg["adversarial"]:
        from .adversarial import adversarial_validation, make_trainer

        model = build_model(cfg)
        trainer = make_trainer(cfg, model)
        if resume:
            trainer.load_checkpoint(out)
        elif cfg["init"]:
            _load_init(model, cfg["init"])
    elif resume:
        model = keras.models.load_model(os.path.join(out, "model.keras"))
    else:
        model = build_model(cfg)
        loaded = _load_init(model, cfg["init"]) if cfg["init"] else []
        model.compile(optimizer=optimizer(cfg, model, loaded), loss=loss)
    val_sigma = cfg["val_sigma"] or (25 if isinstance(sigma, tuple) else sigma)
    # validation: Gaussian noise at val_sigma, else the training noise itself
    val_noise = None if cfg["noise"] == "gaussian" else named_noise
    images, val = _images(cfg, model.inputs[0].shape[-1] == 1, data_dir)
    data = PatchDataset(images, patch_size=cfg["patch_size"], batch_size=cfg["batch_size"],
                        steps=cfg["steps_per_epoch"], sigma=sigma, seed=cfg["seed"], noise=noise)
    data.epoch = state["epoch"]
    if cfg["adversarial"]:
        fit_run(trainer, data, cfg, out, state, adversarial_validation(cfg, trainer, val, val_sigma, val_noise=val_noise),
                verbose=verbose, save=trainer.save_checkpoint)
    else:
        fit_run(model, data, cfg, out, state, _validation(cfg, val, val_sigma, val_noise), verbose=verbose)
    shipped = build_model(cfg)  # an uncompiled copy: the weights file then holds no optimizer state
    shipped.set_weights(model.get_weights())
    shipped.save_weights(os.path.join(out, "model.weights.h5"))
    if ship:
        store.ship(cfg["name"], os.path.join(out, "model.weights.h5"), log_file=os.path.join(out, "log.csv"),
                   command=command or "python -m denoise_utils.training " + config)
    return out


def main(argv: Sequence[str] | None = None) -> None:
    """The command line, ``python -m denoise_utils.training CONFIG [--estimator] [--ship] ...``.

    A ``FileNotFoundError``, ``ValueError`` or ``RuntimeError`` exits with status 2 and the
    error's message.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    None
    """
    parser = argparse.ArgumentParser(prog="python -m denoise_utils.training",
                                     description="Train (or resume) a denoiser from a config.")
    parser.add_argument("config", help="a shipped model name or a config.json path")
    parser.add_argument("--out", default="runs", help="where runs are written (default: runs)")
    parser.add_argument("--data-dir", help="folder with the data sets (default: $DENOISE_DATA_DIR)")
    parser.add_argument("--quiet", action="store_true", help="one line per epoch")
    parser.add_argument("--ship", action="store_true",
                        help="copy the weights, log and command next to the shipped config")
    parser.add_argument("--estimator", action="store_true",
                        help="train the noise-level estimator of a model told the level of camera noise")
    parser.add_argument("--devices", default="all",
                        help="data-parallel over this many visible devices, or 'all' (the default; "
                             "JAX backend: every GPU; elsewhere one device)")
    args = parser.parse_args(argv)
    command = "python -m denoise_utils.training " + " ".join(argv or sys.argv[1:])
    try:
        if args.estimator:
            train_estimator(load_config(args.config), args.out, verbose=2 if args.quiet else 1,
                            ship=args.ship, command=command, data_dir=args.data_dir)
            return
        train(args.config, out=args.out, data_dir=args.data_dir, verbose=2 if args.quiet else 1,
              ship=args.ship, command=command, devices=args.devices if args.devices == "all" else int(args.devices))
    except (FileNotFoundError, ValueError, RuntimeError) as err:
        parser.exit(2, f"error: {err}\n")

