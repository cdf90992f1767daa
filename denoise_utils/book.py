"""How a chapter quotes a number and checks a claim (see the book's introduction).

* :func:`glue` hands a computed number to the chapter's prose: a markdown cell writes
  ``{glue:text}`name:.2f``` and the built page shows the value this run computed, so no
  measured number is typed by hand (myst-nb's glue; outside Jupyter Book it does nothing).
* :func:`check_claim` asserts a claim the prose makes. When the data the claim needs is
  missing (no data folder, no network), the claim is *reported* as not checked, never
  silently passed: it is printed, counted, and listed at the end of the test run.
* :func:`data_state` prints, at the top of a chapter, which data sets are the real ones.
"""

import os
from typing import Callable

import numpy as np

_SKIPPED = []


def glue(name: str, value: float) -> int | float:
    """Store ``value`` (a number) under ``name`` for ``{glue:text}`name:.2f``` in markdown.

    Without ``myst_nb`` (e.g. on Colab) it stores nothing: the prose then shows the role, not
    the value.

    Parameters
    ----------
    name : str
        The name the markdown cell's role refers to.
    value : float
        A number (an int, a float or a NumPy scalar).

    Returns
    -------
    int or float
        ``value`` as a plain Python number (an int stays an int).
    """
    # plain Python numbers: a NumPy scalar's text would be "np.float64(...)", which the
    # role's format spec (":.2f") cannot read
    value = int(value) if isinstance(value, (int, np.integer)) and not isinstance(value, bool) \
        else float(value)
    try:
        from myst_nb import glue as _glue
    except ImportError:       # e.g. on Colab: the prose then shows the role, not the value
        return value
    _glue(name, value, display=False)
    return value


def check_claim(claim: bool | Callable[[], bool], text: str, needs: bool = True) -> None:
    """Assert ``claim`` that the sentence ``text`` makes.

    Parameters
    ----------
    claim : bool or callable
        A bool, or a function returning one (called only when ``needs``).
    text : str
        The sentence of the prose that makes the claim.
    needs : bool, optional
        Whether the data the claim is about is here (e.g. ``REAL_SET12``). Without it the
        claim is reported as not checked and counted (``$DENOISE_SKIPPED_LOG``, which the
        test suite reads) instead of being asserted; with ``$DENOISE_STRICT=1`` (CI, which
        has the data) a claim that cannot be checked fails.

    Returns
    -------
    None

    Raises
    ------
    AssertionError
        When the claim does not hold, or cannot be checked under ``$DENOISE_STRICT=1``.
    """
    if not needs:
        if os.environ.get("DENOISE_STRICT", "").strip() in ("1", "true", "yes"):
            raise AssertionError(f"cannot check, its data is missing: {text} (DENOISE_STRICT "
                                 "is set, as in CI, where every claim must be checked)")
        _SKIPPED.append(text)
        print(f"NOT CHECKED (its data is missing): {text}")
        log = os.environ.get("DENOISE_SKIPPED_LOG")
        if log:
            with open(log, "a", encoding="utf-8") as fh:
                fh.write(" ".join(text.split()) + "\n")
        return
    holds = claim() if callable(claim) else claim
    if not holds:
        raise AssertionError(f"the text claims: {text}")


def data_state(**sets) -> bool:
    """Print which data each name stands for; a fallback is announced with what it costs.

    Parameters
    ----------
    **sets
        ``data_state(set12=set12, train400=train)`` takes :class:`~denoise_utils.data.ImageSet`
        objects (``source`` says where each came from).

    Returns
    -------
    bool
        True when all are real.
    """
    real = True
    for name, images in sets.items():
        fallback = "fallback" in getattr(images, "source", "?")
        real &= not fallback
        print(f"{name}: {len(images)} images from {getattr(images, 'origin', '?')}")
    if not real:
        print("The real data is missing here, so this page shows scikit-image's photos instead "
              "and the claims about the real data are reported as NOT CHECKED below. Set "
              "DENOISE_DATA_DIR (see the user guide) to check them.")
    return real
