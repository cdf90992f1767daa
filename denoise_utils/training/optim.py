"""The optimizer and the training loop (§4.1): Adam or AdamW, the learning rate by epoch or by
time spent, pretrained weights learning at a fraction of the rate (§5.4), and :func:`fit_run`,
Keras's ``fit`` with one progress callback: the rate by schedule, validation, one log, one
checkpoint with the progress saved beside it so a run resumes where it stopped, and the time
budget. Every config-trained model, the noise-level estimator too, trains through it."""

import json
import math
import os
import time

import keras


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


class Progress(keras.callbacks.Callback):
    """The one progress callback (§4.1): before an epoch the rate by :func:`learning_rate`;
    after it the seconds spent, ``validate(model)``'s numbers in the log, the checkpoint
    ``out/checkpoint`` and ``state.json``, and a stop when the ``minutes`` budget is spent."""

    def __init__(self, cfg, out, state, validate, *, checkpoint="model.keras", save=None):
        super().__init__()
        self.cfg, self.out, self.state, self.validate, self.checkpoint = cfg, out, state, validate, checkpoint
        self.save = save or (lambda folder: self.model.save(os.path.join(folder, self.checkpoint)))

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()
        self.model.optimizer.learning_rate = learning_rate(self.cfg, self.state, epoch)

    def on_epoch_end(self, epoch, logs=None):
        self.state["seconds"] += time.perf_counter() - self.start
        self.state["epoch"] = epoch + 1
        logs.update(self.validate(self.model))
        logs["learning_rate"] = float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate))
        logs["seconds"] = self.state["seconds"]
        self.save(self.out)
        save_state(self.out, self.state)
        if out_of_time(self.cfg, self.state):
            self.model.stop_training = True


def fit_run(model, data, cfg, out, state, validate, *, verbose=1, checkpoint="model.keras", save=None):
    """Train ``model`` (compiled) on ``data`` from epoch ``state["epoch"]`` to ``cfg["epochs"]``
    or the ``minutes`` budget, with :class:`Progress` and one ``log.csv`` in ``out``; ``save(out)``
    writes the checkpoint (default: ``model.save`` to ``out/checkpoint``)."""
    if state["epoch"] < cfg["epochs"] and not out_of_time(cfg, state):
        model.fit(data, epochs=cfg["epochs"], initial_epoch=state["epoch"], verbose=verbose,
                  callbacks=[Progress(cfg, out, state, validate, checkpoint=checkpoint, save=save),
                             keras.callbacks.CSVLogger(os.path.join(out, "log.csv"), append=True)])


def start_run(cfg, out):
    """The run's folder ``out`` and progress: a new run writes its config there, a resumed one
    reads how far it got (``state.json``, written by :class:`Progress`). Returns (state, resumed)."""
    os.makedirs(out, exist_ok=True)
    state_path = os.path.join(out, "state.json")
    if os.path.isfile(state_path):
        with open(state_path) as fh:
            state = json.load(fh)
        print(f"resuming {cfg['name']} after epoch {state['epoch']}", flush=True)
        return state, True
    with open(os.path.join(out, "config.json"), "w") as fh:
        json.dump(cfg, fh, indent=2)
    return {"epoch": 0, "seconds": 0.0}, False


def save_state(out, state):
    """Write the run's progress (epochs and seconds done) beside its checkpoint."""
    with open(os.path.join(out, "state.json"), "w") as fh:
        json.dump(state, fh)


def optimizer(cfg, model, pretrained=()):
    """The optimizer of ``cfg`` (``"adam"`` or ``"adamw"`` with ``weight_decay``) for ``model``.

    ``pretrained`` are the paths of the variables that ``init`` loaded: they learn at
    ``init_lr_scale`` times the rate, and with 0 they are frozen (their layers are not
    trained), as the hybrid of §5.4 keeps its U-Net."""
    scale = cfg["init_lr_scale"]
    if scale == 0:
        for layer in model.layers:
            if layer.weights and all(w.path in pretrained for w in layer.weights):
                layer.trainable = False
    slow = sorted(pretrained) if 0 < scale != 1 else []
    if cfg["optimizer"] == "adam" and not slow:
        return keras.optimizers.Adam(cfg["lr"], epsilon=cfg["epsilon"])
    decay = cfg["weight_decay"] if cfg["optimizer"] == "adamw" else 0.0
    return ScaledAdamW(cfg["lr"], weight_decay=decay, epsilon=cfg["epsilon"], slow=slow, slow_scale=scale)


@keras.saving.register_keras_serializable(package="denoise_utils")
class ScaledAdamW(keras.optimizers.AdamW):
    """AdamW (Loshchilov & Hutter, 2019) in which the variables whose paths are in ``slow``
    take steps ``slow_scale`` times as large. Saved with the model, so a run resumes with it."""

    def __init__(self, learning_rate=1e-3, *, slow=(), slow_scale=1.0, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.slow, self.slow_scale = list(slow), float(slow_scale)
        self._slow = set(self.slow)

    def build(self, var_list):
        super().build(var_list)
        # by index: the backend may hand update_step its own variable, without Keras's path
        self._slow_index = {i for i, v in enumerate(var_list) if v.path in self._slow}

    def update_step(self, gradient, variable, learning_rate):
        if self._slow and self._get_variable_index(variable) in self._slow_index:
            learning_rate = learning_rate * self.slow_scale
        super().update_step(gradient, variable, learning_rate)

    def get_config(self):
        return {**super().get_config(), "slow": self.slow, "slow_scale": self.slow_scale}
