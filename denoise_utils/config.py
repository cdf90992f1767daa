"""The budget switch, the data-directory setting and seeding (see the book's introduction).

Two environment variables steer every notebook:

``DENOISE_BUDGET``
    ``quick`` (the default: CI, a laptop CPU, a couple of minutes a notebook) or
    ``full`` (a reader's GPU: longer training, every test image).
``DENOISE_DATA_DIR``
    A folder holding data sets by name (``set12/``, ``train400/``, ...). When unset,
    sets are fetched with pooch into the user cache, or replaced by scikit-image's
    bundled images when offline.
"""

import os
import random
from typing import Any

import numpy as np

BUDGETS = ("quick", "full")
_budget_override = None


def get_budget() -> str:
    """The active budget: ``set_budget``'s value, else ``$DENOISE_BUDGET``, else ``"quick"``.

    Returns
    -------
    str
        ``"quick"`` or ``"full"``.

    Raises
    ------
    ValueError
        When ``$DENOISE_BUDGET`` is neither.
    """
    value = _budget_override or os.environ.get("DENOISE_BUDGET", "quick").strip().lower()
    if value not in BUDGETS:
        raise ValueError(f"DENOISE_BUDGET={value!r} is not one of {BUDGETS}")
    return value


def set_budget(name: str | None) -> str:
    """Choose the budget for this session.

    Parameters
    ----------
    name : {"quick", "full"} or None
        The budget; ``None`` resets it (to ``$DENOISE_BUDGET``, else ``"quick"``).

    Returns
    -------
    str
        The active budget (:func:`get_budget`).
    """
    global _budget_override
    if name is not None and name not in BUDGETS:
        raise ValueError(f"budget {name!r} is not one of {BUDGETS}")
    _budget_override = name
    return get_budget()


def pick(quick: Any, full: Any) -> Any:
    """Return ``quick`` or ``full`` according to the active budget.

    Notebooks write every size that depends on compute this way, e.g.
    ``steps = pick(quick=300, full=20_000)``, so one switch scales a chapter.

    Parameters
    ----------
    quick, full : object
        The values for the two budgets.

    Returns
    -------
    object
        ``full`` when the budget (:func:`get_budget`) is ``"full"``, else ``quick``.
    """
    return full if get_budget() == "full" else quick


def data_dir(folder: str | os.PathLike | None = None) -> str | None:
    """The data folder as a path.

    A folder that is named but does not exist raises a clear error, so a typo is
    not silently replaced by a fallback.

    Parameters
    ----------
    folder : str or os.PathLike or None, optional
        The folder; default: the one named by ``$DENOISE_DATA_DIR``.

    Returns
    -------
    str or None
        The folder's absolute path, or ``None`` when neither is set.

    Raises
    ------
    FileNotFoundError
        When the folder named is not a folder.
    """
    value = str(folder if folder is not None else os.environ.get("DENOISE_DATA_DIR", "")).strip()
    if not value:
        return None
    path = os.path.abspath(os.path.expanduser(value))
    if not os.path.isdir(path):
        name = "the data folder" if folder is not None else "DENOISE_DATA_DIR"
        raise FileNotFoundError(f"{name}={value!r} is not a folder")
    return path


def set_seed(seed: int = 0) -> int:
    """Seed Python, NumPy and Keras (whatever its backend) so a run repeats (§1).

    Parameters
    ----------
    seed : int, optional
        A non-negative integer.

    Returns
    -------
    int
        The seed.
    """
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    random.seed(int(seed))
    np.random.seed(int(seed))
    try:
        import keras

        keras.utils.set_random_seed(int(seed))
    except ImportError:  # keras is only needed for the learning chapters
        pass
    return int(seed)
