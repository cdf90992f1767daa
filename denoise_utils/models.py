"""Keras denoisers and the glue to run them on whole images (§2, §4).

Models map a noisy batch (N, H, W, C) to a denoised batch of the same shape and
are written with ``keras`` / ``keras.ops`` only, so they run under TensorFlow or JAX.
"""

import numpy as np

from ._checks import as_float_image


def apply_model(model, noisy, clip=True):
    """Run a Keras image-to-image ``model`` on one image of shape (H, W) or (H, W, C) (§2).

    Adds the batch and channel axes the model needs, removes them afterwards, and by
    default clips the result to [0, 1]. Returns float32 of the input's shape.
    """
    y = as_float_image(noisy, name="noisy", noisy=True)
    batch = y[None, ..., None] if y.ndim == 2 else y[None]
    want = model.input_shape[-1]
    if want is not None and batch.shape[-1] != want:
        raise ValueError(f"the model takes {want}-channel images; this one has "
                         f"{batch.shape[-1]}")
    out = np.asarray(model.predict(batch, verbose=0), np.float32)[0]
    out = out.reshape(y.shape)
    return np.clip(out, 0.0, 1.0) if clip else out


def _keras():
    import keras

    return keras


class ScanLines(_keras().layers.Layer):
    """A bidirectional GRU run along every row of a feature map (§2, §3.2).

    Each row of a (N, H, W, C) tensor is one sequence of W pixels, so one layer
    lets every pixel see its whole row; apply it again to the transposed map to
    cover columns. Output: (N, H, W, 2 * units).
    """

    def __init__(self, units=16, **kwargs):
        super().__init__(**kwargs)
        keras = _keras()
        self.units = units
        self.rnn = keras.layers.Bidirectional(keras.layers.GRU(units, return_sequences=True))

    def build(self, input_shape):
        self.rnn.build((None, input_shape[2], input_shape[3]))

    def call(self, x):
        ops = _keras().ops
        n, h, w, c = ops.shape(x)[0], ops.shape(x)[1], ops.shape(x)[2], ops.shape(x)[3]
        y = self.rnn(ops.reshape(x, (n * h, w, c)))
        return ops.reshape(y, (n, h, w, 2 * self.units))

    def compute_output_shape(self, input_shape):
        return (*input_shape[:3], 2 * self.units)

    def get_config(self):
        return {**super().get_config(), "units": self.units}
