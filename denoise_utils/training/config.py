"""Training configs (§4.1): one JSON file per shipped model, read and completed here only.

Config keys: ``model`` and ``model_kwargs`` (a builder in ``models.BUILDERS``),
``train_set`` (a data set's name, or a list of names pooled together), ``noise``
(``"gaussian"``, the default, at ``sigma``; or ``"camera"``: a simulated camera, §5.1,
for training and validation alike), ``noise_params`` (the noise's
parameters, e.g. ``{"wide": true}`` for the widened camera; a model told the level of camera
noise gets each patch's measured level, ``targets.with_measured_level``), ``val_set``
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
optimizers are checkpointed too), ``estimator`` (for a model told the level of camera
noise: its noise-level estimator's ``filters``, ``patch_size``, ``batch_size``,
``steps_per_epoch``, ``lr``, ``minutes`` and ``quantile``; trained by ``--estimator``,
:mod:`.level`), ``level_from`` (a shipped model whose estimator tells this model the level,
in training, validation and ``denoise``: ``targets.with_estimated_level``). Read by ``pretrained`` and ``leaderboard`` only:
``device`` (``"gpu"`` where the model was trained on one; else a 2-core CPU), ``margin``
(the context ``denoise`` gives each tile) and ``rank`` (the higher wins where several
shipped models fit an image).

Every default is filled in by :func:`read_config`, which ``pretrained.info`` and the
training pipeline both call: no other place supplies one.
"""

import json
import os

from ..noise import NOISES
from .targets import TARGETS

DEFAULTS = dict(model_kwargs={}, val_set="train400", val_limit=None, val_sigma=None, holdout=True,
                patch_size=40, batch_size=64, steps_per_epoch=200, epochs=50, lr=1e-3,
                lr_milestones=[], minutes=None, seed=0, multiple=1, init=None, target="clean",
                teacher=None, noise="gaussian", noise_params={}, sigma=None, adversarial=None, margin=48, rank=0,
                estimator=None, level_from=None)


def read_config(path):
    """The config in the JSON file ``path``, every default filled in and checked (§4.1)."""
    with open(path, encoding="utf-8") as fh:
        cfg = {**DEFAULTS, **json.load(fh)}
    cfg.setdefault("name", os.path.basename(os.path.dirname(os.path.abspath(path))))
    if cfg["noise"] not in NOISES:
        raise ValueError(f"{path}: noise must be one of {sorted(NOISES)}, got {cfg['noise']!r}")
    takes_sigma = "sigma" in NOISES[cfg["noise"]].params
    for key in ("model", "train_set"):
        if key not in cfg:
            raise ValueError(f"{path}: config needs {key!r}")
    if takes_sigma and cfg["sigma"] is None:
        raise ValueError(f"{path}: config needs 'sigma' (noise {cfg['noise']!r} takes one)")
    if cfg["target"] not in TARGETS:
        raise ValueError(f"{path}: target must be one of {list(TARGETS)}, got {cfg['target']!r}")
    if cfg["target"] != "clean" and (cfg["noise"] != "gaussian" or cfg["adversarial"]):
        raise ValueError(f"{path}: target {cfg['target']!r} needs Gaussian noise and no adversarial training")
    return cfg
