"""The checks of chapter 3.2's exercises (see ``labs``)."""

import numpy as np

from ..registry import exercise
from .common import close
from .common import gettext as _


@exercise("3.2.1", "one step of a recurrent network",
          "h^t = tanh(W x^t + U h^(t-1) + b): W maps the input, U the old state; matrix "
          "products (@), then the non-linearity.",
          mistake=lambda h, x, w, u, b: w @ x + u @ h + b,
          why="the step without its tanh")
def _rnn_step(fn):
    rng = np.random.default_rng(0)
    w, u, b = rng.standard_normal((4, 2)), rng.standard_normal((4, 4)), rng.standard_normal(4)
    h, x = rng.standard_normal(4), rng.standard_normal(2)
    try:
        found = fn(h, x, w, u, b)
    except ValueError as err:             # W @ h: the chapter's W maps the input, not the state
        raise AssertionError(_("rnn_step(h, x, W, U, b) with a 2-number input and a 4-number state: "
                               "expected W (4 x 2) to multiply x and U (4 x 4) to multiply h; found "
                               "an error ({error})").format(error=err)) from None
    close(found, np.tanh(w @ x + u @ h + b), "rnn_step(h, x, W, U, b)")


@exercise("3.2.2", "the gradient through many steps",
          "For h^t = U h^(t-1), dh^T/dh^0 is U multiplied by itself T times "
          "(np.linalg.matrix_power); its size is the spectral norm, np.linalg.norm(..., 2).",
          mistake=lambda u, steps: np.linalg.norm(u, 2) * steps,
          why="the norm times the number of steps, not the norm of the matrix power")
def _bptt(fn):
    rng = np.random.default_rng(1)
    q, _r = np.linalg.qr(rng.standard_normal((5, 5)))
    for scale in (0.8, 1.2):
        # not symmetric: ||U||^T and |largest eigenvalue|^T are not the answer
        t = np.diag([1.0, 0.9, 0.7, 0.5, 0.3]) + np.triu(np.full((5, 5), 0.3), 1)
        u = scale * q @ t @ q.T
        for steps in (1, 10, 30):
            close(fn(u, steps), np.linalg.norm(np.linalg.matrix_power(u, steps), 2),
                  _("gradient_norm(U, {steps}) at scale {scale}").format(steps=steps, scale=scale), rtol=1e-6)


@exercise("3.2.3", "an image as sequences",
          "Rows: each of the N·H rows is a sequence of W pixels. Columns: swap the height and "
          "width axes first (np.transpose), then do the same.",
          mistake=lambda x, axis: x.reshape(-1, x.shape[2] if axis == "rows" else x.shape[1], x.shape[3]),
          why="columns read without swapping the axes first")
def _as_sequences(fn):
    x = np.arange(2 * 3 * 4 * 1, dtype=np.float32).reshape(2, 3, 4, 1)
    close(fn(x, "rows"), x.reshape(6, 4, 1), "as_sequences(x, 'rows')")
    close(fn(x, "columns"), x.transpose(0, 2, 1, 3).reshape(8, 3, 1), "as_sequences(x, 'columns')")
