"""The store of shipped models (§4.1): what is shipped, each model's config and log, its
weights loaded, and ``ship`` to add one.

Each shipped model is a folder ``denoise_utils/weights/<name>/`` holding the ``config.json``
it was trained from (:mod:`.schema`), ``model.weights.h5`` (float16, §5.2), the training
``log.csv`` and ``command.txt``, the exact command that produced them; a model told the
level of camera noise has its noise-level estimator beside it (``estimator.weights.h5``,
``estimator_log.csv``, ``estimator_command.txt``).
"""

import csv
import functools
import json
import os
import shutil
from typing import TYPE_CHECKING

import numpy as np

from .schema import ESTIMATOR_DEFAULTS, read_config

if TYPE_CHECKING:
    import keras

WEIGHTS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "weights")
#: the files of each part of a shipped model: weights, log, command
PARTS = {"model": ("model.weights.h5", "log.csv", "command.txt"),
         "estimator": ("estimator.weights.h5", "estimator_log.csv", "estimator_command.txt")}


def path(name: str, file: str = "model.weights.h5") -> str:
    """Where ``file`` of the shipped model ``name`` lives (whether or not it exists).

    Parameters
    ----------
    name : str
        A shipped model's name (its folder in ``WEIGHTS_DIR``).
    file : str, optional
        A file of its folder ("": the folder itself).

    Returns
    -------
    str
        The path.
    """
    return os.path.join(WEIGHTS_DIR, name, file)


def available() -> list[str]:
    """Names of the shipped models whose weights are present, sorted.

    Returns
    -------
    list of str
        Empty where there is no ``WEIGHTS_DIR``.
    """
    if not os.path.isdir(WEIGHTS_DIR):
        return []
    return sorted(n for n in os.listdir(WEIGHTS_DIR) if os.path.isfile(path(n)))


def info(name: str) -> dict:
    """The config a shipped model was trained from, completed (:func:`.schema.read_config`).

    Parameters
    ----------
    name : str
        A shipped model (:func:`available`).

    Returns
    -------
    dict
        The config plus its ``channels``, whether it ``takes_level`` (the noise level as an
        input, §5.5) and whether it is ``blind`` (trained on a range of levels, told none).
    """
    if name not in available():
        raise ValueError(f"unknown model {name!r}; shipped models: {available()}")
    cfg = read_config(path(name, "config.json"))
    cfg["channels"] = cfg["model_kwargs"].get("channels", 1)
    cfg["takes_level"] = bool(cfg["model_kwargs"].get("noise_map"))
    cfg["blind"] = isinstance(cfg["sigma"], list) and not cfg["takes_level"]
    return cfg


def catalog() -> dict[str, dict]:
    """Every shipped model's :func:`info`, by name.

    Each config is read once, for several :func:`find` queries on the same reading.

    Returns
    -------
    dict of str to dict
        :func:`info` by model name.
    """
    return {n: info(n) for n in available()}


def find(*, channels: int | None = None, noise: str | None = None, kind: str | None = None,
         families: tuple[str, ...] | None = None, configs: dict | None = None) -> list[str]:
    """The shipped models that fit, highest ``rank`` first (ties by name): the one query on
    the store that ``pretrained.choose`` and ``plug_and_play.prior`` ask.

    Parameters
    ----------
    channels : int, optional
        1 (gray) or 3 (colour).
    noise : str, optional
        The kind of noise trained on, a name in ``noise.NOISES``.
    kind : {"fixed", "ranged", "blind", "told"}, optional
        Trained at one level; on a range of levels (blind or told the level); on a range and
        told none; told the level as an input.
    families : tuple of str, optional
        Only these families (``schema.FAMILIES``).
    configs : dict, optional
        A :func:`catalog` already read (default: read the configs now).

    Returns
    -------
    list of str
        Model names.
    """
    kinds = {"fixed": lambda c: not isinstance(c["sigma"], list), "ranged": lambda c: isinstance(c["sigma"], list),
             "blind": lambda c: c["blind"], "told": lambda c: c["takes_level"], None: lambda c: True}
    if kind not in kinds:
        raise ValueError(f"kind must be one of {[k for k in kinds if k]}, got {kind!r}")
    cfgs = catalog() if configs is None else configs
    fits = [n for n, c in cfgs.items() if (channels is None or c["channels"] == channels)
            and (noise is None or c["noise"] == noise) and kinds[kind](c)
            and (families is None or c["family"] in families)]
    return sorted(fits, key=lambda n: (-cfgs[n]["rank"], n))


def log(name: str, part: str = "model") -> list[dict[str, float]]:
    """A shipped model's training log (§4.1).

    Parameters
    ----------
    name : str
        A shipped model.
    part : {"model", "estimator"}, optional
        ``part="estimator"``: its estimator's log.

    Returns
    -------
    list of dict
        One dict of numbers per epoch, by the log's columns (``seconds``, the losses, the
        validation figures); empty cells left out.
    """
    with open(path(name, PARTS[part][1]), newline="") as fh:
        return [{k: float(v) for k, v in row.items() if v not in ("", None)} for row in csv.DictReader(fh)]


def minutes(name: str, total: bool = False, device: str | None = None) -> float:
    """Training minutes of a shipped model, read from its log (§4.1).

    Parameters
    ----------
    name : str
        A shipped model.
    total : bool, optional
        With every model it was fine-tuned from, following the configs' ``init``.
    device : {"gpu", "cpu"}, optional
        Count only the runs on that device, from each config's ``device``.

    Returns
    -------
    float
        Minutes.
    """
    rows, cfg = log(name), info(name)
    own = rows[-1]["seconds"] / 60 if rows else 0.0
    if device is not None and cfg["device"] != device:
        own = 0.0
    parent = cfg["init"]
    return own + (minutes(parent, total=True, device=device) if total and parent else 0.0)


def to_float16(src: str, dst: str) -> None:
    """Copy a Keras ``.weights.h5`` file with its float32 arrays stored as float16 (§5.2).

    Half the bytes; Keras casts them back to float32 on loading. §5.2 measures that it
    costs a small U-Net under 0.01 dB on held-out images; the shipped models ship this way.

    Parameters
    ----------
    src : str
        A Keras ``.weights.h5`` file.
    dst : str
        The new file, not ``src``.

    Returns
    -------
    None
    """
    import h5py

    if os.path.abspath(src) == os.path.abspath(dst):
        raise ValueError("to_float16 writes a new file: dst must differ from src")

    def copy(a, b):
        b.attrs.update(a.attrs)
        for key, item in a.items():
            if isinstance(item, h5py.Group):
                copy(item, b.create_group(key))
            else:
                data = item[()]
                if getattr(data, "dtype", None) == np.float32:
                    data = data.astype(np.float16)
                b.create_dataset(key, data=data).attrs.update(item.attrs)

    with h5py.File(src, "r") as a, h5py.File(dst, "w") as b:
        copy(a, b)


def ship(name: str, weights: str, *, log_file: str, command: str, part: str = "model") -> None:
    """Put a trained run beside the config of the shipped model ``name`` (§4.1).

    Parameters
    ----------
    name : str
        The shipped model (its folder is made where missing).
    weights : str
        The run's ``.weights.h5`` file, copied as float16 (:func:`to_float16`).
    log_file : str
        The run's ``log.csv``, copied.
    command : str
        The command that trained it, written to ``command.txt``.
    part : {"model", "estimator"}, optional
        ``part="estimator"``: the files are the model's noise-level estimator's.

    Returns
    -------
    None
    """
    if part not in PARTS:
        raise ValueError(f"part must be one of {list(PARTS)}, got {part!r}")
    os.makedirs(path(name, ""), exist_ok=True)
    weights_file, log_name, command_name = PARTS[part]
    to_float16(weights, path(name, weights_file))
    shutil.copy(log_file, path(name, log_name))
    with open(path(name, command_name), "w") as fh:
        fh.write(command + "\n")


def load(name: str, *, copy: bool = False) -> "keras.Model":
    """The Keras model ``name`` with its shipped weights (§4.1).

    Parameters
    ----------
    name : str
        A shipped model.
    copy : bool, optional
        The model is cached, so do not train it: ``copy=True`` gives a model of its own, to
        fine-tune (§5.1).

    Returns
    -------
    keras.Model
        The model, built from its config.
    """
    return _build(name) if copy else _cached(name)


def _build(name):
    from ..models import build_model

    model = build_model(info(name))
    model.load_weights(path(name))
    return model


_cached = functools.lru_cache(maxsize=4)(_build)


#: the measured choice, beside the models it ranks (``leaderboard.choice_table`` writes it)
CHOICE_FILE = "choice.json"


def measured(sigma: float) -> dict[str, float]:
    """Each shipped model's PSNR on held-out photos at the measured level nearest ``sigma``.

    ``python -m denoise_utils leaderboard --choice`` measures every gray Gaussian model that
    accepts each level of a grid and writes the table to ``WEIGHTS_DIR/choice.json``;
    ``pretrained.choose`` picks the highest of these scores among the models that fit.

    Parameters
    ----------
    sigma : float
        The noise level on the 0-255 scale.

    Returns
    -------
    dict of str to float
        PSNR (dB) by model name; empty where there is no table.
    """
    table = read_choice()
    if not table:
        return {}
    nearest = min(table["psnr"], key=lambda s: abs(float(s) - sigma))
    return dict(table["psnr"][nearest])


def read_choice() -> dict:
    """The table :func:`measured` reads, ``WEIGHTS_DIR/choice.json``, as written.

    Returns
    -------
    dict
        ``images``, ``command`` and ``psnr`` ({str(σ): {model: PSNR (dB)}}); empty where
        there is no table.
    """
    return _choice_table(WEIGHTS_DIR)


@functools.lru_cache(maxsize=4)
def _choice_table(folder):
    try:
        with open(os.path.join(folder, CHOICE_FILE), encoding="utf-8") as fh:
            return json.load(fh)
    except FileNotFoundError:
        return {}


def clear_cache() -> None:
    """Forget the models and estimators loaded so far (after ``WEIGHTS_DIR`` or a file changed).

    Returns
    -------
    None
    """
    _cached.cache_clear()
    _estimator.cache_clear()
    _choice_table.cache_clear()


def estimator_owner(name: str) -> str:
    """The shipped model whose noise-level estimator tells ``name`` the level (§5.1).

    Parameters
    ----------
    name : str
        A shipped model told the level of camera noise.

    Returns
    -------
    str
        ``name`` itself, or the model its config's ``level_from`` names.

    Raises
    ------
    ValueError
        If that model has no shipped estimator.
    """
    owner = info(name)["level_from"] or name
    if not os.path.isfile(path(owner, PARTS["estimator"][0])):
        raise ValueError(f"model {name!r} has no noise-level estimator: it is not told the level of camera noise")
    return owner


@functools.lru_cache(maxsize=4)
def _estimator(owner, map=False):
    from ..models import level_estimator

    cfg = info(owner)
    est = {**ESTIMATOR_DEFAULTS, **(cfg["estimator"] or {})}
    model = level_estimator(channels=cfg["channels"], filters=est["filters"], scales=est["scales"], map=map)
    model.load_weights(path(owner, PARTS["estimator"][0]))
    return model


def load_estimator(name: str, *, map: bool = False) -> "keras.Model":
    """The noise-level estimator that tells the model ``name`` the level (§5.1); cached.

    Parameters
    ----------
    name : str
        A shipped model told the level of camera noise (:func:`estimator_owner`).
    map : bool, optional
        Built to output its local log-level map (``level_estimator(map=True)``), for a
        model told a level map (``level_map`` in its config, §5.1 (III)).

    Returns
    -------
    keras.Model
        A ``models.level_estimator`` with its shipped weights.
    """
    return _estimator(estimator_owner(name), bool(map))
