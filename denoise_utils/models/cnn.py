"""Convolutional denoisers (§4.1): DnCNN and its half-resolution variant."""

import keras
import numpy as np


def _body(h, depth, filters, out_channels, batch_norm, zero_last=True):
    """conv+ReLU, (depth-2) x conv(+BN)+ReLU, conv: DnCNN's plain stack of 3x3 layers."""
    layers = keras.layers
    h = layers.Conv2D(filters, 3, padding="same", activation="relu")(h)
    for _ in range(depth - 2):
        h = layers.Conv2D(filters, 3, padding="same", use_bias=not batch_norm)(h)
        if batch_norm:
            h = layers.BatchNormalization(momentum=0.9, epsilon=1e-4)(h)
        h = layers.Activation("relu")(h)
    # the last layer starts at zero: the untrained model is the identity, and
    # training does not begin with a huge noise estimate (which can stall it)
    init = "zeros" if zero_last else "glorot_uniform"
    return layers.Conv2D(out_channels, 3, padding="same", kernel_initializer=init)(h)


def dncnn(*, depth: int = 17, filters: int = 64, channels: int = 1, batch_norm: bool = True,
          residual: bool = True) -> keras.Model:
    """DnCNN (Zhang et al., 2017): conv+ReLU, (depth-2) x conv+BN+ReLU, conv (§4.1).

    The network predicts the noise (residual learning); the model returns the input
    minus that prediction, so its output is the denoised image, of any size.

    Parameters
    ----------
    depth : int, optional
        The number of 3x3 convolutions.
    filters : int, optional
        The width of the hidden layers.
    channels : int, optional
        The image's channels: 1 gray, 3 colour.
    batch_norm : bool, optional
        Batch normalisation after each hidden convolution.
    residual : bool, optional
        With ``residual=False`` the same stack must output the clean image itself.

    Returns
    -------
    keras.Model
        Named ``dncnn{depth}`` (``dncnn{depth}_direct`` without ``residual``).
    """
    y = keras.Input((None, None, channels), name="noisy")
    if not residual:
        return keras.Model(y, _body(y, depth, filters, channels, batch_norm, zero_last=False),
                           name=f"dncnn{depth}_direct")
    noise = _body(y, depth, filters, channels, batch_norm)
    return keras.Model(y, keras.layers.Subtract(name="denoised")([y, noise]), name=f"dncnn{depth}")


@keras.saving.register_keras_serializable(package="denoise_utils")
class PixelUnshuffle(keras.layers.Layer):
    """(N, H, W, C) -> (N, H/s, W/s, C*s*s): each s x s block becomes channels (§4.1).

    Parameters
    ----------
    scale : int, optional
        s, the side of the blocks.
    inverse : bool, optional
        The inverse, (N, H, W, C*s*s) -> (N, H*s, W*s, C): pixel shuffling.
    **kwargs
        Keras ``Layer`` arguments (``name``, ...).
    """

    def __init__(self, scale: int = 2, inverse: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        self.scale, self.inverse = int(scale), bool(inverse)

    def call(self, x):
        # reshape and transpose, channel order as tf.nn.space_to_depth: (row, column, channel)
        # of the block. keras.ops.space_to_depth is newer than Colab's Keras 3.13.
        ops, s = keras.ops, self.scale
        _, h, w, c = ops.shape(x)
        if self.inverse:
            c //= s * s
            x = ops.reshape(x, (-1, h, w, s, s, c))
            return ops.reshape(ops.transpose(x, (0, 1, 3, 2, 4, 5)), (-1, h * s, w * s, c))
        x = ops.reshape(x, (-1, h // s, s, w // s, s, c))
        return ops.reshape(ops.transpose(x, (0, 1, 3, 2, 4, 5)), (-1, h // s, w // s, s * s * c))

    def compute_output_shape(self, shape):
        s = self.scale
        grow = (lambda d: None if d is None else d * s) if self.inverse else \
               (lambda d: None if d is None else d // s)
        c = shape[3] // (s * s) if self.inverse else shape[3] * s * s
        return (shape[0], grow(shape[1]), grow(shape[2]), c)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "inverse": self.inverse}


def fast_dncnn(*, depth: int = 12, filters: int = 64, channels: int = 1, scale: int = 2,
               batch_norm: bool = False) -> keras.Model:
    """A DnCNN that works at 1/``scale`` resolution, as FFDNet does (Zhang et al., 2018) (§4.1).

    Pixel-unshuffling turns each 2x2 block into 4 channels, so every convolution
    touches a quarter of the positions: about four times less work per image. It
    trains without batch normalisation (which stalled it on this data).

    Parameters
    ----------
    depth : int, optional
        The number of 3x3 convolutions.
    filters : int, optional
        The width of the hidden layers.
    channels : int, optional
        The image's channels: 1 gray, 3 colour.
    scale : int, optional
        The side of the blocks unshuffled into channels. Image sides must be multiples of
        ``scale`` (``apply_model(..., multiple=scale)`` pads).
    batch_norm : bool, optional
        Batch normalisation after each hidden convolution.

    Returns
    -------
    keras.Model
        Named ``fast_dncnn{depth}``.
    """
    y = keras.Input((None, None, channels), name="noisy")
    h = _body(PixelUnshuffle(scale)(y), depth, filters, channels * scale * scale, batch_norm)
    noise = PixelUnshuffle(scale, inverse=True, name="noise")(h)
    return keras.Model(y, keras.layers.Subtract(name="denoised")([y, noise]),
                       name=f"fast_dncnn{depth}")


def level_estimator(channels: int = 3, *, filters: int = 32, scales: int = 3, map: bool = False) -> keras.Model:
    """A noise-level estimator (§5.1): a small CNN that tells the level, log(σ/255) per channel.

    Its last layer gives a local log-level map (one channel per colour channel, at a lower
    resolution) and its output is that map's mean, log(σ/255) per channel, for images of
    any size. It tells a model that takes the level (``unet(noise_map=channels)``) how noisy
    a photo is, as CBDNet's estimation subnetwork does.

    Parameters
    ----------
    channels : int, optional
        The image's channels (and the levels it tells).
    filters : int, optional
        The width of the convolutions.
    scales : int, optional
        Levels of two 3x3 convolutions, each after the first at half the resolution of the
        one before.
    map : bool, optional
        Output the local log-level map itself, (N, H / 2^(scales-1), W / 2^(scales-1),
        ``channels``), for a level that varies over the photo (§5.1 (III)); the same
        layers and weights either way.

    Returns
    -------
    keras.Model
        ``level_estimator``: (N, H, W, ``channels``) to (N, ``channels``), or to the map.
    """
    layers = keras.layers
    y = keras.Input((None, None, channels), name="noisy")
    h = y
    for k in range(scales):
        if k:
            h = layers.AveragePooling2D(2)(h)
        h = layers.Conv2D(filters, 3, padding="same", activation="relu")(h)
        h = layers.Conv2D(filters, 3, padding="same", activation="relu")(h)
    # starts at σ = 5 (0-255 scale) everywhere, a typical camera's level
    local = layers.Conv2D(channels, 1, name="log_level_map",
                          bias_initializer=keras.initializers.Constant(float(np.log(5 / 255))))(h)
    if map:
        return keras.Model(y, local, name="level_estimator")
    return keras.Model(y, layers.GlobalAveragePooling2D(name="log_level")(local), name="level_estimator")
