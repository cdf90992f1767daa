"""Autoencoder denoisers (§3.4, §4.4): the U-Net, the plain encoder-decoder and the
article's dense autoencoder, repaired."""

from collections.abc import Callable, Sequence

import keras


def unet_body(h: keras.KerasTensor, filters: Sequence[int], blocks: int, out_channels: int, *,
              skips: bool = True, code: int | None = None, zero_last: bool = True,
              insert: Callable[[str, int, keras.KerasTensor], keras.KerasTensor] | None = None
              ) -> keras.KerasTensor:
    """The U-Net's encoder, bottleneck and decoder on tensor ``h``; a 3x3 conv to ``out_channels``.

    Parameters
    ----------
    h : keras.KerasTensor
        The input features, (N, H, W, C), symbolic.
    filters : sequence of int
        The widths of the levels, full size first; the last is the bottleneck's.
    blocks : int
        Conv+ReLU layers at each level.
    out_channels : int
        The channels of the last 3x3 convolution.
    skips : bool, optional
        Each decoder level adds the encoder's features of the same size.
    code : int, optional
        Squeeze the bottleneck to this many channels with a linear 1x1 convolution.
    zero_last : bool, optional
        The last convolution's kernel starts at zero (else Glorot-uniform).
    insert : callable, optional
        ``insert(stage, level, h)``, where given, returns the features to go on with after the
        convolutions of each level (``stage`` ``"enc"``, ``"mid"`` at the bottleneck,
        ``"dec"``; ``level`` 0 at full size): the hybrid of §5.4 adds transformer blocks there.

    Returns
    -------
    keras.KerasTensor
        The output of the last convolution, (N, H, W, ``out_channels``).
    """
    insert = insert or (lambda stage, level, h: h)
    layers = keras.layers

    def convs(h, width):
        for _ in range(blocks):
            h = layers.Conv2D(width, 3, padding="same", activation="relu")(h)
        return h

    saved = []
    for level, (width, wider) in enumerate(zip(filters[:-1], filters[1:])):
        h = insert("enc", level, convs(h, width))
        saved.append(h)
        h = layers.Conv2D(wider, 2, strides=2)(h)
    h = insert("mid", len(filters) - 1, convs(h, filters[-1]))
    if code:
        h = layers.Conv2D(code, 1, name="code")(h)
    for level in range(len(filters) - 2, -1, -1):
        h = layers.Conv2DTranspose(filters[level], 2, strides=2)(h)
        h = layers.Add()([h, saved[level]]) if skips else h
        h = insert("dec", level, convs(h, filters[level]))
    init = "zeros" if zero_last else "glorot_uniform"
    return layers.Conv2D(out_channels, 3, padding="same", kernel_initializer=init)(h)


def unet(*, channels: int = 1, filters: Sequence[int] = (32, 64, 128, 256), blocks: int = 2,
         skips: bool = True, residual: bool | None = None, code: int | None = None,
         noise_map: int = 0) -> keras.Model:
    """A U-Net denoiser: an encoder-decoder with skip connections (Ronneberger et al., 2015) (§4.4).

    Each level runs ``blocks`` conv+ReLU layers, then a 2x2 stride-2 convolution halves
    the size and moves to the next width in ``filters``; the decoder mirrors it with
    2x2 stride-2 transposed convolutions. Without ``skips`` and ``residual`` it is a plain
    convolutional autoencoder: everything it outputs has passed through the bottleneck.
    Image sides must be multiples of ``2 ** (len(filters) - 1)``
    (``apply_model(..., multiple=...)`` pads).

    Told the level (``noise_map``), one model serves every level, and the user (or a
    plug-and-play loop, §5.5) can turn it up or down (§5.5).

    Parameters
    ----------
    channels : int, optional
        The image's channels: 1 gray, 3 colour.
    filters : sequence of int, optional
        The widths of the levels, full size first; the last is the bottleneck's.
    blocks : int, optional
        Conv+ReLU layers at each level.
    skips : bool, optional
        Every decoder level adds the encoder's features of the same size (as DRUNet does).
    residual : bool, optional
        The network predicts the noise and returns the input minus it (default: same as
        ``skips``).
    code : int, optional
        Squeeze the bottleneck to that many channels with a linear 1x1 convolution.
    noise_map : int, optional
        Above 0, a second input, ``sigma_map`` (N, H, W, ``noise_map``): the noise level σ/255
        at every pixel, stacked onto the image before the first layer (FFDNet, Zhang et al.,
        2018; DRUNet, 2021).

    Returns
    -------
    keras.Model
        Named ``unet`` (``conv_autoencoder`` without ``skips``; ``_level`` added with
        ``noise_map``).
    """
    residual = skips if residual is None else residual
    y = keras.Input((None, None, channels), name="noisy")
    inputs, h = y, y
    if noise_map:
        level = keras.Input((None, None, noise_map), name="sigma_map")
        inputs, h = [y, level], keras.layers.Concatenate(name="with_level")([y, level])
    # a residual network starts as the identity (zero noise estimate), like DnCNN
    out = unet_body(h, filters, blocks, channels, skips=skips, code=code, zero_last=residual)
    if residual:
        out = keras.layers.Subtract(name="denoised")([y, out])
    name = ("unet" if skips else "conv_autoencoder") + ("_level" if noise_map else "")
    return keras.Model(inputs, out, name=name)


def dense_autoencoder(patch: int = 32, channels: int = 1, code: int = 64) -> keras.Sequential:
    """The article's §4.4 autoencoder with its shapes repaired (§3.4, §4.4).

    The encoder is the article's (conv, pool, conv, pool, conv, a ``code``-unit
    Dense bottleneck). The decoder maps the code to a 4x4x64 map and upsamples it
    with three stride-2 transposed convolutions, the last one to ``channels``
    with a sigmoid, so a ``patch`` x ``patch`` x ``channels`` patch comes out at
    the size it went in.

    Parameters
    ----------
    patch : int, optional
        The patches' side; must be 32 (the sizes the layers fit).
    channels : int, optional
        The patches' channels.
    code : int, optional
        The units of the Dense bottleneck.

    Returns
    -------
    keras.Sequential
        The model, ``dense_autoencoder``.
    """
    if patch != 32:
        raise ValueError(f"the article's layers fit 32x32 patches only, got patch={patch}")
    layers = keras.layers
    return keras.Sequential([
        keras.Input((patch, patch, channels), name="noisy"),
        layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, activation="relu"), layers.Flatten(),
        layers.Dense(code, activation="relu", name="code"),
        layers.Dense(4 * 4 * 64, activation="relu"), layers.Reshape((4, 4, 64)),
        layers.Conv2DTranspose(64, 3, strides=2, padding="same", activation="relu"),
        layers.Conv2DTranspose(32, 3, strides=2, padding="same", activation="relu"),
        layers.Conv2DTranspose(channels, 3, strides=2, padding="same", activation="sigmoid"),
    ], name="dense_autoencoder")
