"""Recurrent denoisers (§2, §3.2, §4.2): sweeps along rows and columns, and one block
applied again and again with shared weights."""

from collections.abc import Sequence

import keras

from .autoencoder import unet_body


@keras.saving.register_keras_serializable(package="denoise_utils")
class ScanLines(keras.layers.Layer):
    """A bidirectional GRU run along every row of a feature map (§2, §3.2).

    Each row of a (N, H, W, C) tensor is one sequence of W pixels, so one layer
    lets every pixel see its whole row; apply it again to the transposed map to
    cover columns. Output: (N, H, W, 2 * units).

    Parameters
    ----------
    units : int, optional
        The GRU's units in each direction.
    **kwargs
        Keras ``Layer`` arguments (``name``, ...).
    """

    def __init__(self, units: int = 16, **kwargs) -> None:
        super().__init__(**kwargs)
        self.units = units
        self.rnn = keras.layers.Bidirectional(keras.layers.GRU(units, return_sequences=True))

    def build(self, input_shape):
        self.rnn.build((None, input_shape[2], input_shape[3]))

    def call(self, x):
        ops = keras.ops
        n, h, w, c = ops.shape(x)[0], ops.shape(x)[1], ops.shape(x)[2], ops.shape(x)[3]
        y = self.rnn(ops.reshape(x, (n * h, w, c)))
        return ops.reshape(y, (n, h, w, 2 * self.units))

    def compute_output_shape(self, input_shape):
        return (*input_shape[:3], 2 * self.units)

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def sweep_denoiser(*, channels: int = 1, features: int = 32, units: int = 16, down: int = 2,
                   convs: int = 2) -> keras.Model:
    """A residual CNN with recurrent sweeps across the image, as ReNet does (§4.2).

    ``convs`` 3x3 convolutions extract ``features`` channels; a stride-``down``
    convolution shrinks the map, a bidirectional GRU of ``units`` sweeps every row
    (:class:`ScanLines`) and another every column of the result, and a transposed
    convolution brings it back to full size, added to the features. ``convs`` more
    convolutions and a last one, starting at zero, estimate the noise, which is
    subtracted from the input. Every output pixel sees the whole image; the sweeps
    run at 1/``down`` of the resolution, because a scan is slow (§3.2).

    Parameters
    ----------
    channels : int, optional
        The image's channels: 1 gray, 3 colour.
    features : int, optional
        The width of the convolutions.
    units : int, optional
        The GRU's units in each direction.
    down : int, optional
        The stride of the convolution before the sweeps. Image sides must be multiples of
        ``down`` (``apply_model(..., multiple=down)`` pads).
    convs : int, optional
        3x3 convolutions before the sweeps, and again after them.

    Returns
    -------
    keras.Model
        ``sweep_denoiser``.
    """
    layers = keras.layers
    y = keras.Input((None, None, channels), name="noisy")
    h = y
    for _ in range(convs):
        h = layers.Conv2D(features, 3, padding="same", activation="relu")(h)
    low = layers.Conv2D(features, down, strides=down)(h)
    rows = ScanLines(units, name="row_sweep")(low)
    cols = layers.Permute((2, 1, 3))(ScanLines(units, name="column_sweep")(
        layers.Permute((2, 1, 3))(rows)))
    h = layers.Add()([h, layers.Conv2DTranspose(features, down, strides=down)(cols)])
    for _ in range(convs):
        h = layers.Conv2D(features, 3, padding="same", activation="relu")(h)
    noise = layers.Conv2D(channels, 3, padding="same", kernel_initializer="zeros")(h)
    return keras.Model(y, layers.Subtract(name="denoised")([y, noise]), name="sweep_denoiser")


def recurrent_unet(*, channels: int = 1, filters: Sequence[int] = (16, 32, 64, 128), blocks: int = 2,
                   steps: int = 3, state: int = 16) -> keras.Model:
    """One small U-Net applied ``steps`` times with the same weights: a recurrent denoiser (§4.2).

    Step t reads the noisy image, the current estimate x_t and a hidden state h_t of
    ``state`` channels, and returns a correction and the next state:
    x_{t+1} = x_t - d_t, with x_0 the noisy image and h_0 a 3x3 convolution of it.
    Unrolled, it is ``steps`` U-Nets deep with the parameters of one (MemNet, NLRN and
    R3N share weights across iterations this way).

    Parameters
    ----------
    channels : int, optional
        The image's channels: 1 gray, 3 colour.
    filters : sequence of int, optional
        The widths of the U-Net's levels (:func:`~denoise_utils.models.autoencoder.unet_body`).
    blocks : int, optional
        Conv+ReLU layers at each level.
    steps : int, optional
        How many times the U-Net is applied. ``steps`` may differ between training and use:
        the weights do not depend on it.
    state : int, optional
        The channels of the hidden state.

    Returns
    -------
    keras.Model
        Named ``recurrent_unet{steps}``.
    """
    layers = keras.layers
    y = keras.Input((None, None, channels), name="noisy")
    cell_in = keras.Input((None, None, 2 * channels + state), name="noisy_estimate_state")
    cell = keras.Model(cell_in, unet_body(cell_in, filters, blocks, channels + state),
                       name="cell")
    h = layers.Conv2D(state, 3, padding="same", activation="tanh", name="state0")(y)
    x = y
    for t in range(steps):
        out = cell(layers.Concatenate()([y, x, h]))
        x = layers.Subtract(name=f"estimate{t + 1}")([x, out[..., :channels]])
        h = layers.Activation("tanh")(out[..., channels:])
    return keras.Model(y, x, name=f"recurrent_unet{steps}")
