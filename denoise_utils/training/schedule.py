"""The training schedule (§4.1): the optimizer, the learning rate by epoch or by time spent,
and the progress saved beside each checkpoint so a run resumes where it stopped."""

import json
import math
import os


def learning_rate(cfg, state, epoch):
    """The rate for ``epoch``: cosine over the ``minutes`` budget, or tenfold drops at
    milestones; during the first ``warmup_epochs`` it climbs linearly to that rate."""
    warm = min(1.0, (epoch + 1) / cfg["warmup_epochs"]) if cfg["warmup_epochs"] else 1.0
    if cfg["minutes"]:
        frac = min(state["seconds"] / (60 * cfg["minutes"]), 1.0)
        return warm * cfg["lr"] * (0.01 + 0.99 * 0.5 * (1 + math.cos(math.pi * frac)))
    return warm * cfg["lr"] * 0.1 ** sum(epoch >= m for m in cfg["lr_milestones"])


def out_of_time(cfg, state):
    """Whether the ``minutes`` budget (if any) is spent."""
    return bool(cfg["minutes"]) and state["seconds"] >= 60 * cfg["minutes"]


def save_state(out, state):
    """Write the run's progress (epochs and seconds done) beside its checkpoint."""
    with open(os.path.join(out, "state.json"), "w") as fh:
        json.dump(state, fh)


def optimizer(cfg, model, pretrained=()):
    """The optimizer of ``cfg`` (``"adam"`` or ``"adamw"`` with ``weight_decay``) for ``model``.

    ``pretrained`` are the paths of the variables that ``init`` loaded: they learn at
    ``init_lr_scale`` times the rate, and with 0 they are frozen (their layers are not
    trained), as the hybrid of §5.4 keeps its U-Net."""
    import keras

    from .rates import ScaledAdamW

    scale = cfg["init_lr_scale"]
    if scale == 0:
        for layer in model.layers:
            if layer.weights and all(w.path in pretrained for w in layer.weights):
                layer.trainable = False
    slow = sorted(pretrained) if 0 < scale != 1 else []
    if cfg["optimizer"] == "adam" and not slow:
        return keras.optimizers.Adam(cfg["lr"])
    decay = cfg["weight_decay"] if cfg["optimizer"] == "adamw" else 0.0
    return ScaledAdamW(cfg["lr"], weight_decay=decay, slow=slow, slow_scale=scale)
