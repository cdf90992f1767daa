"""The optimizer and the training loop (§4.1): Adam or AdamW, the learning rate by epoch or by
time spent, pretrained weights learning at a fraction of the rate (§5.4), and :func:`fit_run`,
Keras's ``fit`` with one progress callback: the rate by schedule, validation, one log, one
checkpoint with the progress saved beside it so a run resumes where it stopped, and the time
budget. Every config-trained model, the noise-level estimator too, trains through it."""

import json
import math
import os
import time
from collections.abc import Callable, Collection, Iterable

import keras


def learning_rate(cfg: dict, state: dict, epoch: int) -> float:
    """The rate for ``epoch``: cosine over the ``minutes`` budget, or tenfold drops at
    milestones; during the first ``warmup_epochs`` it climbs linearly to that rate.

    Parameters
    ----------
    cfg : dict
        The run's config, read: ``lr``, ``minutes``, ``lr_milestones`` and ``warmup_epochs``.
    state : dict
        The run's progress: ``seconds`` spent so far.
    epoch : int
        The epoch about to start, from 0.

    Returns
    -------
    float
        The learning rate.
    """
    warm = min(1.0, (epoch + 1) / cfg["warmup_epochs"]) if cfg["warmup_epochs"] else 1.0
    if cfg["minutes"]:
        frac = min(state["seconds"] / (60 * cfg["minutes"]), 1.0)
        return warm * cfg["lr"] * (0.01 + 0.99 * 0.5 * (1 + math.cos(math.pi * frac)))
    return warm * cfg["lr"] * 0.1 ** sum(epoch >= m for m in cfg["lr_milestones"])


def out_of_time(cfg: dict, state: dict) -> bool:
    """Whether the ``minutes`` budget (if any) is spent.

    Parameters
    ----------
    cfg : dict
        The run's config, read: ``minutes``, the budget, or None.
    state : dict
        The run's progress: ``seconds`` spent so far.

    Returns
    -------
    bool
        True when a budget is given and spent.
    """
    return bool(cfg["minutes"]) and state["seconds"] >= 60 * cfg["minutes"]


class Progress(keras.callbacks.Callback):
    """The one progress callback (§4.1): the rate, validation, the checkpoint and the budget.

    Before an epoch the rate by :func:`learning_rate`; after it the seconds spent,
    ``validate(model)``'s numbers in the log, the checkpoint ``out/checkpoint`` and
    ``state.json``, and a stop when the ``minutes`` budget is spent.

    Parameters
    ----------
    cfg : dict
        The run's config, read.
    out : str
        The run's folder.
    state : dict
        The run's progress, ``epoch`` and ``seconds``, updated in place after each epoch.
    validate : callable
        ``validate(model)``: a dict of numbers for the log.
    checkpoint : str, optional
        The checkpoint's file name in ``out``.
    save : callable, optional
        ``save(out)`` writes the checkpoint (default: ``model.save`` to ``out/checkpoint``).
    """

    def __init__(self, cfg: dict, out: str, state: dict, validate: Callable[[keras.Model], dict], *,
                 checkpoint: str = "model.keras", save: Callable[[str], None] | None = None) -> None:
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


def fit_run(model: keras.Model, data: keras.utils.PyDataset, cfg: dict, out: str, state: dict,
            validate: Callable[[keras.Model], dict], *, verbose: int = 1,
            checkpoint: str = "model.keras", save: Callable[[str], None] | None = None) -> None:
    """Train ``model`` (compiled) on ``data`` from epoch ``state["epoch"]`` to ``cfg["epochs"]``
    or the ``minutes`` budget, with :class:`Progress` and one ``log.csv`` in ``out``.

    Parameters
    ----------
    model : keras.Model
        Compiled.
    data : keras.utils.PyDataset
        The training batches (a ``data.PatchDataset``).
    cfg : dict
        The run's config, read: ``epochs``, ``minutes`` and the rate's keys.
    out : str
        The run's folder.
    state : dict
        The run's progress (:func:`start_run`), updated in place.
    validate : callable
        ``validate(model)``: a dict of numbers for the log after each epoch.
    verbose : int, optional
        Keras's ``fit`` verbosity.
    checkpoint : str, optional
        The checkpoint's file name in ``out``.
    save : callable, optional
        ``save(out)`` writes the checkpoint (default: ``model.save`` to ``out/checkpoint``).

    Returns
    -------
    None
    """
    if state["epoch"] < cfg["epochs"] and not out_of_time(cfg, state):
        model.fit(data, epochs=cfg["epochs"], initial_epoch=state["epoch"], verbose=verbose,
                  callbacks=[Progress(cfg, out, state, validate, checkpoint=checkpoint, save=save),
                             keras.callbacks.CSVLogger(os.path.join(out, "log.csv"), append=True)])


def data_parallel(devices: int | str = "all") -> int:
    """Spread every batch over several accelerators, each holding a copy of the model (§4.1).

    Keras's own distribution API (``keras.distribution.DataParallel``, JAX backend): each
    device computes the gradient of its share of the batch, the shares are averaged, and every
    copy takes the same step, so a run on n devices follows the run on one device with the
    same global batch (``batch_size`` in the config), only faster. Set before the model is
    built; checkpoints and resuming are unchanged.

    Parameters
    ----------
    devices : int or "all", optional
        How many of the visible devices (``keras.distribution.list_devices()``) to use; "all"
        (the default): every one. One device, or a backend other than JAX, trains as before.

    Returns
    -------
    int
        The number of devices the batches are spread over.

    Raises
    ------
    ValueError
        When more devices are asked for than are visible, or several under a backend other
        than JAX.
    """
    visible = keras.distribution.list_devices() if keras.backend.backend() == "jax" else [None]
    n = len(visible) if devices == "all" else int(devices)
    if not 1 <= n <= len(visible):
        raise ValueError(f"{devices!r} devices asked for; {len(visible)} visible "
                         f"{'(data parallelism needs KERAS_BACKEND=jax)' if visible == [None] else ''}".strip())
    if n > 1:
        keras.distribution.set_distribution(keras.distribution.DataParallel(devices=visible[:n]))
    return n


def start_run(cfg: dict, out: str) -> tuple[dict, bool]:
    """The run's folder ``out`` and progress: a new run writes its config there, a resumed one
    reads how far it got (``state.json``, written by :class:`Progress`).

    Parameters
    ----------
    cfg : dict
        The run's config, read (written to ``out/config.json`` for a new run).
    out : str
        The run's folder, made where missing.

    Returns
    -------
    state : dict
        ``epoch`` and ``seconds`` done.
    resumed : bool
        Whether the run had started before.
    """
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


def save_state(out: str, state: dict) -> None:
    """Write the run's progress (epochs and seconds done) beside its checkpoint.

    Parameters
    ----------
    out : str
        The run's folder; the file is ``state.json``.
    state : dict
        ``epoch`` and ``seconds``.

    Returns
    -------
    None
    """
    with open(os.path.join(out, "state.json"), "w") as fh:
        json.dump(state, fh)


def optimizer(cfg: dict, model: keras.Model,
              pretrained: Collection[str] = ()) -> keras.optimizers.Optimizer:
    """The optimizer of ``cfg`` (``"adam"`` or ``"adamw"`` with ``weight_decay``) for ``model``.

    Parameters
    ----------
    cfg : dict
        The run's config, read: ``optimizer``, ``lr``, ``epsilon``, ``weight_decay`` and
        ``init_lr_scale``.
    model : keras.Model
        The model to train; with ``init_lr_scale`` 0, its layers whose weights are all
        ``pretrained`` are set not trainable.
    pretrained : collection of str, optional
        The paths of the variables that ``init`` loaded: they learn at ``init_lr_scale``
        times the rate, and with 0 they are frozen (their layers are not trained), as the
        hybrid of §5.4 keeps its U-Net.

    Returns
    -------
    keras.optimizers.Optimizer
        Adam, or a :class:`ScaledAdamW`.
    """
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
    """AdamW (Loshchilov & Hutter, 2019) in which some variables take scaled steps.

    The variables whose paths are in ``slow`` take steps ``slow_scale`` times as large.
    Saved with the model, so a run resumes with it.

    Parameters
    ----------
    learning_rate : float, optional
        The rate of every other variable.
    slow : iterable of str, optional
        Paths of the variables that take scaled steps.
    slow_scale : float, optional
        Their steps' scale.
    **kwargs
        Keras ``AdamW`` arguments (``weight_decay``, ``beta_1``, ``epsilon``, ...).
    """

    def __init__(self, learning_rate: float = 1e-3, *, slow: Iterable[str] = (),
                 slow_scale: float = 1.0, **kwargs) -> None:
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
