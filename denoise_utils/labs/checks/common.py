"""What the checks of every chapter share: comparisons that say where two answers differ, in
the language of the running ``check``, the lookup of a message's translation, and small
random images.

A checker's message is a constant English template, its values filled in by ``str.format``
(never an f-string: the template is the key of its translation in ``labs/zh.po``)::

    from .common import close, gettext as _

    assert ok, _("noise standard deviation: expected {expected:.4f}, found {found:.4f}").format(...)
"""

import numpy as np

from ..registry import gettext, spoken

__all__ = ["close", "equal", "gettext", "same_shape", "sample_images"]


def _framed(what, frame, **values):
    words = spoken()[0]
    return (f"{what}{words['colon']}" if what else "") + words[frame].format(**values)


def same_shape(found, expected, what=None):
    """Raise an AssertionError (``"{what}: expected shape ..., found ..."``) unless the shapes
    ``found`` and ``expected`` are the same.

    Parameters
    ----------
    found, expected : tuple of int
        The answer's shape, and the one expected.
    what : str, optional
        What has that shape (already in the language of the check).

    Returns
    -------
    None
    """
    if tuple(found) != tuple(expected):
        raise AssertionError(_framed(what, "expected shape", expected=tuple(expected), found=tuple(found)))


def equal(found, expected, what=None):
    """Raise an AssertionError (``"{what}: expected ..., found ..."``) unless ``found == expected``.

    Parameters
    ----------
    found, expected : object
        The answer, and the value expected (a number, a list, a dict, ...).
    what : str, optional
        What the answer is (already in the language of the check).

    Returns
    -------
    None
    """
    if not found == expected:
        raise AssertionError(_framed(what, "expected", expected=expected, found=found))


def close(found, expected, what, *, rtol=1e-4, atol=1e-6):
    """Raise an AssertionError naming ``what`` and the largest difference unless ``found`` is close to ``expected``.

    Parameters
    ----------
    found, expected : array_like
        The answer, and the values expected.
    what : str
        What the answer is: a call (``"psnr(clean, estimate)"``), or a translated template.
    rtol, atol : float, optional
        The tolerances of ``np.allclose``.

    Returns
    -------
    None
    """
    found = np.asarray(found, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    same_shape(found.shape, expected.shape, what)
    if not np.allclose(found, expected, rtol=rtol, atol=atol):
        i = np.unravel_index(np.argmax(np.abs(found - expected)), found.shape) if found.shape else ()
        words = spoken()[0]
        raise AssertionError(_framed(what, "expected", expected=format(expected[i], ".6g"), found=format(found[i], ".6g"))
                             + (words["at index"].format(index=tuple(int(j) for j in i)) if i else ""))


def sample_images(seed=0, shape=(24, 32)):
    """Three random float32 images of ``shape`` in [0, 1]."""
    rng = np.random.default_rng(seed)
    return [rng.random(shape).astype(np.float32) for _ in range(3)]
