"""The checks of chapter 2's exercises (see ``labs``)."""

import numpy as np

from ..registry import exercise
from .common import close, equal
from .common import gettext as _


def _no_subtraction(depth, filters):
    """2.3's mistake: the stack of convolutions, with no subtraction."""
    import keras

    return keras.Sequential([keras.Input((None, None, 1))]
                            + [keras.layers.Conv2D(filters, 3, padding="same") for _ in range(depth - 1)]
                            + [keras.layers.Conv2D(1, 3, padding="same")])


@exercise("2.1", "parameters of a convolution",
          "A k×k convolution from c_in to c_out channels has one k×k×c_in kernel per output "
          "channel, plus one bias per output channel.",
          mistake=lambda k, ci, co: k * k * ci * co,
          why="the biases left out of the count")
def _params(fn):
    for k, c_in, c_out in ((3, 1, 64), (3, 64, 64), (5, 3, 16), (1, 8, 2)):
        expected = k * k * c_in * c_out + c_out
        equal(fn(k, c_in, c_out), expected, f"count_params({k}, {c_in}, {c_out})")


@exercise("2.3", "a residual CNN denoiser",
          "The network predicts the noise; the model returns the noisy input minus that "
          "prediction (keras.layers.Subtract), same size as its input (padding='same').",
          mistake=_no_subtraction,
          why="a \"residual\" network without the subtraction")
def _residual(fn):
    import keras
    model = fn(3, 8)
    assert isinstance(model, keras.Model), \
        _("expected a keras.Model, found {found}").format(found=type(model).__name__)
    x = np.random.default_rng(0).random((2, 20, 28, 1)).astype(np.float32)
    out = np.asarray(model(x))
    equal(out.shape, x.shape, _("output shape"))
    convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    assert len(convs) == 3, _("expected {expected} convolutions, found {found}").format(expected=3, found=len(convs))
    last = convs[-1]
    last.set_weights([np.zeros_like(w) for w in last.get_weights()])
    close(np.asarray(model(x)), x, _("with its last convolution zeroed, the model's output "
                                     "(a residual model returns its input)"))


@exercise("2.2", "receptive field",
          "Each k×k convolution (stride 1) widens what one output pixel sees by k - 1 pixels.",
          mistake=lambda depth, k=3: depth * k,
          why="k pixels per layer instead of k - 1, plus the one pixel")
def _field(fn):
    for depth, k in ((1, 3), (17, 3), (5, 5), (20, 3)):
        expected = depth * (k - 1) + 1
        equal(fn(depth, k), expected, f"receptive_field({depth}, {k})")
