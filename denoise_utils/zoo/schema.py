"""The config schema (§4.1): one JSON file per shipped model, its keys, their defaults, and
the one reader that fills them in and refuses a key it does not know.

Keys that describe a model and that training does not read: ``name`` (default: the
folder's), ``family`` (the chapter's family: ``cnn``, ``rnn``, ``gan``, ``autoencoder``,
``transformer``), ``description``, ``device`` (``"gpu"`` where it was trained on one; else a
2-core CPU) and ``selected_on_test`` (true for the models trained before the held-out split,
which validated on Set12).

What training reads: ``model`` and ``model_kwargs`` (a builder in ``models.BUILDERS``),
``train_set`` (a data set's name, or a list of names pooled together), ``noise``
(``"gaussian"``, the default, at ``sigma``; or ``"camera"``: a simulated camera, §5.1,
for training and validation alike), ``noise_params`` (the noise's parameters, e.g.
``{"wide": true}`` for the widened camera; a model told the level of camera noise gets
each patch's measured level, ``training.targets.with_measured_level``), ``val_set``
(default: Train400's held-out images), ``val_limit``, ``holdout`` (default true: training
sets lose their held-out images, ``data.HOLDOUT_EVERY``, and a training set named as
``val_set`` gives only those; models trained before this split say ``false`` and
``"selected_on_test": true``), ``sigma`` (a number, or ``[low, high]`` for blind training),
``val_sigma``, ``target`` (``"clean"``, the default; or ``"noise2noise"`` or
``"blind_spot"``: training without clean images; or ``"teacher"``: distillation from the
shipped model ``teacher``; §5.2, Gaussian noise only), ``patch_size``, ``batch_size``,
``steps_per_epoch``, ``epochs``, ``lr``, and either ``lr_milestones`` (epochs at which the
rate falls tenfold) or ``minutes`` (a wall-clock budget: cosine decay over it, then stop),
``warmup_epochs`` (the rate climbs linearly over the first epochs), ``optimizer``
(``"adam"``, the default, or ``"adamw"`` with ``weight_decay``; ``epsilon``, Adam's, Keras's
1e-7 by default: an MSE on [0, 1] images gives gradients small enough for it to slow the step), ``init`` (a shipped model
whose weights start the run: fine-tuning; a hybrid of §5.4 takes a U-Net's),
``init_lr_scale`` (the rate of the weights ``init`` loaded, as a fraction of ``lr``; 0
freezes them), ``adversarial`` (train against a PatchGAN critic, §4.3: ``weight`` of the
adversarial loss, ``loss`` ``"ns"``/``"ragan"``, ``pixel`` ``"mse"``/``"l1"``, ``d_lr``,
``discriminator`` keyword arguments; the critic and the optimizer are checkpointed too),
``estimator`` (for a model told the level of camera noise: its noise-level estimator's
settings, :data:`ESTIMATOR_DEFAULTS`; trained by ``--estimator``), ``level_from`` (a shipped
model whose estimator tells this model the level, in training, validation and ``denoise``),
``level_map`` (for a model told the level of camera noise: 0, one measured level per patch;
more, each pixel's measured level averaged over this spread in pixels, §5.1 (III)).
Read by the store and the leaderboard only: ``margin`` (the context ``denoise`` gives each
tile) and ``rank`` (the higher wins where several shipped models fit an image).
"""

import json
import os

from ..noise import NOISES

#: every key a config may hold, with its default (None: no default, or none needed)
DEFAULTS = dict(model_kwargs={}, val_set="train400", val_limit=None, val_sigma=None, holdout=True,
                patch_size=40, batch_size=64, steps_per_epoch=200, epochs=50, lr=1e-3,
                lr_milestones=[], minutes=None, seed=0, multiple=1, init=None, target="clean",
                teacher=None, noise="gaussian", noise_params={}, sigma=None, adversarial=None, margin=48, rank=0,
                estimator=None, level_from=None, level_map=0, optimizer="adam", weight_decay=0.0, epsilon=1e-7, init_lr_scale=1.0,
                warmup_epochs=0, device="cpu", selected_on_test=False, description="")
#: keys a config must give
REQUIRED = ("model", "train_set", "family")
#: keys without a default that describe the model
DECLARED = ("name",) + REQUIRED
#: the families, as the book's chapters
FAMILIES = ("cnn", "rnn", "gan", "autoencoder", "transformer")
#: training targets by config name (``target``; ``training.targets.target_noise``)
TARGETS = ("clean", "noise2noise", "blind_spot", "teacher")
#: the noise-level estimator's settings where the model's config leaves them out (§5.1)
ESTIMATOR_DEFAULTS = dict(filters=32, scales=3, patch_size=64, batch_size=32, steps_per_epoch=100, lr=1e-3,
                          minutes=12, quantile=0.35, val_limit=6)


def read_config(path: str) -> dict:
    """The config in the JSON file ``path``, every default filled in and checked (§4.1).

    A key the schema does not know is refused (a misspelt key would otherwise be ignored).

    Parameters
    ----------
    path : str
        A ``config.json``; its folder's name is the default ``name``.

    Returns
    -------
    dict
        Every key of :data:`DEFAULTS` and the declared ones.

    Raises
    ------
    ValueError
        For an unknown key, a missing required one, or a value the schema refuses.
    """
    with open(path, encoding="utf-8") as fh:
        given = json.load(fh)
    unknown = sorted(set(given) - set(DEFAULTS) - set(DECLARED))
    if unknown:
        raise ValueError(f"{path}: unknown config keys {unknown}")
    cfg = {**DEFAULTS, **given}
    cfg.setdefault("name", os.path.basename(os.path.dirname(os.path.abspath(path))))
    for key in REQUIRED:
        if key not in cfg:
            raise ValueError(f"{path}: config needs {key!r}")
    if cfg["family"] not in FAMILIES:
        raise ValueError(f"{path}: family must be one of {list(FAMILIES)}, got {cfg['family']!r}")
    if cfg["noise"] not in NOISES:
        raise ValueError(f"{path}: noise must be one of {sorted(NOISES)}, got {cfg['noise']!r}")
    if "sigma" in NOISES[cfg["noise"]].params and cfg["sigma"] is None:
        raise ValueError(f"{path}: config needs 'sigma' (noise {cfg['noise']!r} takes one)")
    if cfg["target"] not in TARGETS:
        raise ValueError(f"{path}: target must be one of {list(TARGETS)}, got {cfg['target']!r}")
    if cfg["target"] != "clean" and (cfg["noise"] != "gaussian" or cfg["adversarial"]):
        raise ValueError(f"{path}: target {cfg['target']!r} needs Gaussian noise and no adversarial training")
    if cfg["optimizer"] not in ("adam", "adamw"):
        raise ValueError(f"{path}: optimizer must be 'adam' or 'adamw', got {cfg['optimizer']!r}")
    unknown = sorted(set(cfg["estimator"] or {}) - set(ESTIMATOR_DEFAULTS))
    if unknown:
        raise ValueError(f"{path}: unknown estimator keys {unknown}")
    return cfg
