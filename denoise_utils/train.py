"""The training entry point (§4.1): one command trains every shipped model; and ``fit``,
the notebooks' quick training.

    python -m denoise_utils.train CONFIG [--data-dir DIR] [--out DIR] [--ship]

``CONFIG`` is a shipped model's name (its ``denoise_utils/weights/<name>/config.json``)
or a path to such a JSON file. Training writes to ``<out>/<name>/``: ``model.keras``
(weights and optimizer, saved every epoch), ``log.csv`` (loss, validation PSNR,
learning rate, elapsed seconds per epoch) and ``model.weights.h5`` at the end. Run
the same command again to resume where it stopped. ``--ship`` copies the weights (as
float16: §5.2), the log and the exact command next to the config, where ``pretrained`` finds them.

Config keys: ``model`` and ``model_kwargs`` (a builder in ``models.BUILDERS``),
``train_set`` (a data set's name, or a list of names pooled together), ``noise``
(``"gaussian"``, the default, at ``sigma``; or ``"camera"``: a simulated camera, §5.1,
for training and validation alike), ``val_set``
(default: Train400's held-out images), ``val_limit``, ``holdout`` (default true: training
sets lose their held-out images, ``data.HOLDOUT_EVERY``, and a training set named as
``val_set`` gives only those; models trained before this split say ``false`` and
``"selected_on_test": true``, since they validated on Set12), ``sigma`` (a number, or ``[low, high]`` for blind training),
``val_sigma``, ``target`` (``"clean"``, the default; or ``"noise2noise"`` or
``"blind_spot"``: training without clean images; or ``"teacher"``: distillation from the
shipped model ``teacher``; §5.2, Gaussian noise only), ``patch_size``, ``batch_size``, ``steps_per_epoch``, ``epochs``, ``lr``,
and either ``lr_milestones`` (epochs at which the rate falls tenfold) or ``minutes``
(a wall-clock budget: cosine decay over it, then stop), and ``init`` (a shipped model
whose weights start the run: fine-tuning), and ``adversarial`` (train against a PatchGAN
critic, §4.3: ``weight`` of the adversarial loss, ``loss`` ``"ns"``/``"ragan"``, ``pixel``
``"mse"``/``"l1"``, ``d_lr``, ``discriminator`` keyword arguments; the critic and both
optimizers are checkpointed too). Read by ``pretrained`` and ``leaderboard`` only:
``device`` (``"gpu"`` where the model was trained on one; else a 2-core CPU), ``margin``
(the context ``denoise`` gives each tile) and ``rank`` (the higher wins where several
shipped models fit an image).
"""

import argparse
import json
import math
import os
import shutil
import sys
import time

from . import pretrained
from .models import apply_model, build_model

DEFAULTS = dict(model_kwargs={}, val_set="train400", val_limit=None, val_sigma=None, holdout=True,
                patch_size=40, batch_size=64, steps_per_epoch=200, epochs=50, lr=1e-3,
                lr_milestones=[], minutes=None, seed=0, multiple=1, init=None, target="clean")


def fit(model, images, steps, sigma=25, patch_size=40, batch_size=16, optimizer="adam",
        lr=1e-3, loss="mse", epochs=1, seed=0, val=None, multiple=1, noise_fn=None, target="clean"):
    """Compile ``model`` and train it on ``steps`` batches of fresh noisy patches (§3.1, §4.4).

    The notebooks' quick training: ``optimizer`` is ``"adam"``, ``"sgd"`` or a Keras
    optimizer (then ``lr`` is ignored); ``loss`` any Keras loss; the steps are split
    into ``epochs`` so the returned History has that many points. With ``val`` (images
    held out of training) the History also gets ``val_psnr`` after each epoch, at
    ``sigma`` (25 for a range), the model run by ``apply_model(..., multiple=multiple)`` (§4.2). The
    History gets a ``seconds`` attribute: the training wall time, validation excluded.
    ``noise_fn(clean, rng)``: other noise than Gaussian at ``sigma``, for training and
    validation alike, e.g. impulses (§5.1); it gets a batch of patches or one image.
    ``target``: ``"noise2noise"`` or ``"blind_spot"`` train without clean images (§5.2; the
    loss is then chosen for you), validated on Gaussian noise at ``sigma`` against clean images.
    """
    import keras

    from .data import PatchDataset
    from .metrics import evaluate

    if isinstance(optimizer, str):
        makers = {"adam": keras.optimizers.Adam, "sgd": keras.optimizers.SGD}
        if optimizer not in makers:
            raise ValueError(f"optimizer must be one of {sorted(makers)} or a Keras optimizer")
        optimizer = makers[optimizer](lr)
    train_noise = noise_fn
    if target != "clean":
        from .self_supervised import target_noise

        if noise_fn is not None:
            raise ValueError("give noise_fn or a target other than 'clean', not both")
        train_noise, loss = target_noise(target, sigma)
    model.compile(optimizer=optimizer, loss=loss)
    data = PatchDataset(images, patch_size=patch_size, batch_size=batch_size,
                        steps=max(steps // epochs, 1), sigma=sigma, seed=seed, noise_fn=train_noise)
    spent, val_sigma = [], 25 if isinstance(sigma, (tuple, list)) else sigma

    class Validate(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            start = time.perf_counter()
            logs["val_psnr"] = evaluate(lambda y: apply_model(model, y, multiple=multiple),
                                        val, None if noise_fn else val_sigma, seed=seed,
                                        noise=noise_fn).psnr
            spent.append(time.perf_counter() - start)

    start = time.perf_counter()
    history = model.fit(data, epochs=epochs, verbose=0, callbacks=[Validate()] if val else [])
    history.seconds = time.perf_counter() - start - sum(spent)
    return history


#: training noise by config name: Gaussian (``sigma``), or a simulated camera (§5.1)
NOISES = ("gaussian", "camera")


def _noise(cfg):
    """(``PatchDataset``'s noise_fn, ``evaluate``'s noise) for the config's ``noise``."""
    if cfg["noise"] == "gaussian":
        return None, None
    from .camera import add_camera_noise, camera_noise_pairs

    return camera_noise_pairs, lambda clean, rng: add_camera_noise(clean, seed=rng, return_clean=True)


def load_config(config):
    """Read a config by shipped name or path and fill in the defaults."""
    root = pretrained.WEIGHTS_DIR
    path = config if config.endswith(".json") else pretrained.path(config, "config.json")
    if not os.path.isfile(path):
        names = sorted(os.listdir(root)) if os.path.isdir(root) else []
        raise FileNotFoundError(f"no config {config!r}; shipped configs: {names}")
    with open(path) as fh:
        cfg = {**DEFAULTS, **json.load(fh)}
    cfg.setdefault("name", os.path.basename(os.path.dirname(os.path.abspath(path))))
    cfg.setdefault("noise", "gaussian")
    if cfg["noise"] not in NOISES:
        raise ValueError(f"{path}: noise must be one of {sorted(NOISES)}, got {cfg['noise']!r}")
    for key in ("model", "train_set") + (("sigma",) if cfg["noise"] == "gaussian" else ()):
        if key not in cfg:
            raise ValueError(f"{path}: config needs {key!r}")
    cfg.setdefault("sigma", None)
    if cfg["target"] != "clean" and (cfg["noise"] != "gaussian" or cfg.get("adversarial")):
        raise ValueError(f"{path}: target {cfg['target']!r} needs Gaussian noise and no adversarial training")
    return cfg


def _learning_rate(cfg, state, epoch):
    """The rate for ``epoch``: cosine over the ``minutes`` budget, or tenfold drops at milestones."""
    if cfg["minutes"]:
        frac = min(state["seconds"] / (60 * cfg["minutes"]), 1.0)
        return cfg["lr"] * (0.01 + 0.99 * 0.5 * (1 + math.cos(math.pi * frac)))
    return cfg["lr"] * 0.1 ** sum(epoch >= m for m in cfg["lr_milestones"])


def _out_of_time(cfg, state):
    """Whether the ``minutes`` budget (if any) is spent."""
    return bool(cfg["minutes"]) and state["seconds"] >= 60 * cfg["minutes"]


def _save_state(out, state):
    with open(os.path.join(out, "state.json"), "w") as fh:
        json.dump(state, fh)


def _adversarial_trainer(cfg, model):
    from .models.gan import AdversarialTrainer, patch_discriminator

    adv = dict(cfg["adversarial"])
    unknown = set(adv) - {"weight", "loss", "pixel", "d_lr", "discriminator"}
    if unknown:
        raise ValueError(f"adversarial: unknown keys {sorted(unknown)}")
    critic = patch_discriminator(model.input_shape[-1], **adv.pop("discriminator", {}))
    return AdversarialTrainer(model, critic, lr=cfg["lr"], **adv)


def _fit_adversarial(cfg, trainer, data, out, state, val, val_sigma, verbose, val_noise=None):
    """The epochs of adversarial training: the same log, checkpoints and budget as ``fit``'s."""
    import csv

    from .metrics import evaluate, sliced_wasserstein

    log_path = os.path.join(out, "log.csv")
    for epoch in range(state["epoch"], cfg["epochs"]):
        start = time.perf_counter()
        trainer.learning_rate = _learning_rate(cfg, state, epoch)
        sums = {}
        for i in range(len(data)):
            for k, v in trainer.train_step(*data[i]).items():
                sums[k] = sums.get(k, 0.0) + v / len(data)
        data.on_epoch_end()
        state["seconds"] += time.perf_counter() - start
        state["epoch"] = epoch + 1
        ev = evaluate(lambda y: apply_model(trainer.generator, y, multiple=cfg["multiple"]),
                      val, val_sigma, seed=0, keep_images=True, noise=val_noise)
        kept = ev.images.values()
        row = {"epoch": epoch, **sums, "val_psnr": ev.psnr,
               "val_swd": sliced_wasserstein([k["clean"] for k in kept], [k["denoised"] for k in kept]),
               "learning_rate": trainer.learning_rate, "seconds": state["seconds"]}
        new = not os.path.isfile(log_path)
        with open(log_path, "a", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(row))
            if new:
                writer.writeheader()
            writer.writerow(row)
        trainer.save(out)
        _save_state(out, state)
        if verbose:
            print(" ".join(f"{k}={v:.4g}" for k, v in row.items()), flush=True)
        if _out_of_time(cfg, state):
            break


def _callbacks(cfg, out, state, val, val_sigma, val_noise=None):
    import keras

    from .metrics import evaluate

    class Progress(keras.callbacks.Callback):
        """Learning rate by schedule, validation PSNR, checkpoint and time budget."""

        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()
            self.model.optimizer.learning_rate = _learning_rate(cfg, state, epoch)

        def on_epoch_end(self, epoch, logs=None):
            state["seconds"] += time.perf_counter() - self.start
            state["epoch"] = epoch + 1
            ev = evaluate(lambda y: apply_model(self.model, y, multiple=cfg["multiple"]),
                          val, val_sigma, seed=0, noise=val_noise)
            logs["val_psnr"] = ev.psnr
            logs["learning_rate"] = float(keras.ops.convert_to_numpy(
                self.model.optimizer.learning_rate))
            logs["seconds"] = state["seconds"]
            self.model.save(os.path.join(out, "model.keras"))
            _save_state(out, state)
            if _out_of_time(cfg, state):
                self.model.stop_training = True

    return [Progress(), keras.callbacks.CSVLogger(os.path.join(out, "log.csv"), append=True)]


def _load_init(model, name):
    """Start ``model`` from the shipped weights ``name`` (same architecture required)."""
    path = pretrained.path(name)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"init: no shipped weights {name!r}; shipped: {pretrained.available()}")
    try:
        model.load_weights(path)
    except ValueError as err:
        raise ValueError(f"init: the weights of {name!r} do not fit this model ({err})") from None


def train(config, out="runs", data_dir=None, verbose=1, ship=False, command=None):
    """Train (or resume) the model of ``config``; returns the output folder (§4.1)."""
    if data_dir:
        os.environ["DENOISE_DATA_DIR"] = data_dir
    import keras

    from .config import set_seed
    from .data import SPLIT_SETS, PatchDataset, load_dataset

    cfg = load_config(config)
    out = os.path.join(out, cfg["name"])
    os.makedirs(out, exist_ok=True)
    set_seed(cfg["seed"])
    state_path = os.path.join(out, "state.json")
    resume = os.path.isfile(state_path)
    state = {"epoch": 0, "seconds": 0.0}
    if resume:
        with open(state_path) as fh:
            state = json.load(fh)
        print(f"resuming {cfg['name']} after epoch {state['epoch']}", flush=True)
    else:
        with open(os.path.join(out, "config.json"), "w") as fh:
            json.dump(cfg, fh, indent=2)
    from .self_supervised import target_noise

    target_fn, loss = target_noise(cfg["target"], cfg["sigma"], cfg.get("teacher"))  # before a resume: it registers the loss
    if cfg.get("adversarial"):
        model = build_model(cfg)
        trainer = _adversarial_trainer(cfg, model)
        if resume:
            trainer.load(out)
        elif cfg["init"]:
            _load_init(model, cfg["init"])
    elif resume:
        model = keras.models.load_model(os.path.join(out, "model.keras"))
    else:
        model = build_model(cfg)
        if cfg["init"]:
            _load_init(model, cfg["init"])
        model.compile(optimizer=keras.optimizers.Adam(cfg["lr"]), loss=loss)
    sigma = tuple(cfg["sigma"]) if isinstance(cfg["sigma"], list) else cfg["sigma"]
    val_sigma = cfg["val_sigma"] or (25 if isinstance(sigma, tuple) else sigma)
    noise_fn, val_noise = _noise(cfg)
    noise_fn = target_fn or noise_fn
    gray = model.input_shape[-1] == 1
    sets = [cfg["train_set"]] if isinstance(cfg["train_set"], str) else cfg["train_set"]
    split = (lambda name, part: part if cfg["holdout"] and name in SPLIT_SETS else None)
    images = [im for name in sets for im in load_dataset(
        name, as_gray=gray, fallback=False, split=split(name, "train")).values()]
    val = load_dataset(cfg["val_set"], as_gray=gray, limit=cfg["val_limit"], fallback=False,
                       split=split(cfg["val_set"], "val"))
    data = PatchDataset(images, patch_size=cfg["patch_size"], batch_size=cfg["batch_size"],
                        steps=cfg["steps_per_epoch"], sigma=sigma, seed=cfg["seed"], noise_fn=noise_fn)
    data.epoch = state["epoch"]
    if state["epoch"] < cfg["epochs"] and not _out_of_time(cfg, state):
        if cfg.get("adversarial"):
            _fit_adversarial(cfg, trainer, data, out, state, val, val_sigma, verbose, val_noise)
        else:
            model.fit(data, epochs=cfg["epochs"], initial_epoch=state["epoch"], verbose=verbose,
                      callbacks=_callbacks(cfg, out, state, val, val_sigma, val_noise))
    shipped = build_model(cfg)  # an uncompiled copy: the weights file then holds no optimizer state
    shipped.set_weights(model.get_weights())
    shipped.save_weights(os.path.join(out, "model.weights.h5"))
    if ship:
        os.makedirs(pretrained.path(cfg["name"], ""), exist_ok=True)
        pretrained.to_float16(os.path.join(out, "model.weights.h5"), pretrained.path(cfg["name"]))
        shutil.copy(os.path.join(out, "log.csv"), pretrained.path(cfg["name"], "log.csv"))
        with open(pretrained.path(cfg["name"], "command.txt"), "w") as fh:
            fh.write((command or "python -m denoise_utils.train " + config) + "\n")
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m denoise_utils.train",
                                     description="Train (or resume) a denoiser from a config.")
    parser.add_argument("config", help="a shipped model name or a config.json path")
    parser.add_argument("--out", default="runs", help="where runs are written (default: runs)")
    parser.add_argument("--data-dir", help="folder with the data sets (sets DENOISE_DATA_DIR)")
    parser.add_argument("--quiet", action="store_true", help="one line per epoch")
    parser.add_argument("--ship", action="store_true",
                        help="copy the weights, log and command next to the shipped config")
    args = parser.parse_args(argv)
    try:
        train(args.config, out=args.out, data_dir=args.data_dir, verbose=2 if args.quiet else 1,
              ship=args.ship, command="python -m denoise_utils.train " + " ".join(argv or sys.argv[1:]))
    except (FileNotFoundError, ValueError, RuntimeError) as err:
        parser.exit(2, f"error: {err}\n")


if __name__ == "__main__":
    main()
