"""Keras denoisers and the glue to run them on whole images (§2, §4).

Models map a noisy batch (N, H, W, C) to a denoised batch of the same shape and
are written with ``keras`` / ``keras.ops`` only, so they run under TensorFlow or JAX.
"""

import numpy as np

from ._checks import as_float_image


def apply_model(model, noisy, clip=True, multiple=1):
    """Run a Keras image-to-image ``model`` on one image of shape (H, W) or (H, W, C) (§2).

    Adds the batch and channel axes the model needs, removes them afterwards, and by
    default clips the result to [0, 1]. Models that need sides divisible by
    ``multiple`` get the image mirror-padded and the result cropped back, so any
    size works. Returns float32 of the input's shape.
    """
    y = as_float_image(noisy, name="noisy", noisy=True)
    batch = y[None, ..., None] if y.ndim == 2 else y[None]
    want = model.input_shape[-1]
    if want is not None and batch.shape[-1] != want:
        raise ValueError(f"the model takes {want}-channel images; this one has "
                         f"{batch.shape[-1]}")
    h, w = batch.shape[1:3]
    ph, pw = -h % multiple, -w % multiple
    if ph or pw:
        batch = np.pad(batch, ((0, 0), (0, ph), (0, pw), (0, 0)), mode="symmetric")
    out = np.asarray(model.predict(batch, verbose=0), np.float32)[0, :h, :w]
    out = out.reshape(y.shape)
    return np.clip(out, 0.0, 1.0) if clip else out


def _keras():
    import keras

    return keras


def _body(h, depth, filters, out_channels, batch_norm, zero_last=True):
    """conv+ReLU, (depth-2) x conv(+BN)+ReLU, conv: DnCNN's plain stack of 3x3 layers."""
    layers = _keras().layers
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


def dncnn(depth=17, filters=64, channels=1, batch_norm=True, residual=True):
    """DnCNN (Zhang et al., 2017): conv+ReLU, (depth-2) x conv+BN+ReLU, conv (§4.1).

    The network predicts the noise (residual learning); the model returns the input
    minus that prediction, so its output is the denoised image, of any size. With
    ``residual=False`` the same stack must output the clean image itself.
    """
    keras = _keras()
    y = keras.Input((None, None, channels), name="noisy")
    if not residual:
        return keras.Model(y, _body(y, depth, filters, channels, batch_norm, zero_last=False),
                           name=f"dncnn{depth}_direct")
    noise = _body(y, depth, filters, channels, batch_norm)
    return keras.Model(y, keras.layers.Subtract(name="denoised")([y, noise]), name=f"dncnn{depth}")


@_keras().saving.register_keras_serializable(package="denoise_utils")
class PixelUnshuffle(_keras().layers.Layer):
    """(N, H, W, C) -> (N, H/s, W/s, C*s*s): each s x s block becomes channels (§4.1)."""

    def __init__(self, scale=2, inverse=False, **kwargs):
        super().__init__(**kwargs)
        self.scale, self.inverse = int(scale), bool(inverse)

    def call(self, x):
        ops = _keras().ops
        if self.inverse:
            return ops.depth_to_space(x, self.scale)
        return ops.space_to_depth(x, self.scale)

    def compute_output_shape(self, shape):
        s = self.scale
        grow = (lambda d: None if d is None else d * s) if self.inverse else \
               (lambda d: None if d is None else d // s)
        c = shape[3] // (s * s) if self.inverse else shape[3] * s * s
        return (shape[0], grow(shape[1]), grow(shape[2]), c)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "inverse": self.inverse}


def fast_dncnn(depth=12, filters=64, channels=1, scale=2, batch_norm=False):
    """A DnCNN that works at 1/``scale`` resolution, as FFDNet does (Zhang et al., 2018) (§4.1).

    Pixel-unshuffling turns each 2x2 block into 4 channels, so every convolution
    touches a quarter of the positions: about four times less work per image. It
    trains without batch normalisation (which stalled it on this data). Image
    sides must be multiples of ``scale`` (``apply_model(..., multiple=scale)`` pads).
    """
    keras = _keras()
    y = keras.Input((None, None, channels), name="noisy")
    h = _body(PixelUnshuffle(scale)(y), depth, filters, channels * scale * scale, batch_norm)
    noise = PixelUnshuffle(scale, inverse=True, name="noise")(h)
    return keras.Model(y, keras.layers.Subtract(name="denoised")([y, noise]),
                       name=f"fast_dncnn{depth}")


def _unet_body(h, filters, blocks, out_channels, skips=True, code=None, zero_last=True):
    """The U-Net's encoder, bottleneck and decoder on tensor ``h``; a 3x3 conv to ``out_channels``."""
    layers = _keras().layers

    def convs(h, width):
        for _ in range(blocks):
            h = layers.Conv2D(width, 3, padding="same", activation="relu")(h)
        return h

    saved = []
    for width, wider in zip(filters[:-1], filters[1:]):
        h = convs(h, width)
        saved.append(h)
        h = layers.Conv2D(wider, 2, strides=2)(h)
    h = convs(h, filters[-1])
    if code:
        h = layers.Conv2D(code, 1, name="code")(h)
    for width, skip in zip(reversed(filters[:-1]), reversed(saved)):
        h = layers.Conv2DTranspose(width, 2, strides=2)(h)
        h = layers.Add()([h, skip]) if skips else h
        h = convs(h, width)
    init = "zeros" if zero_last else "glorot_uniform"
    return layers.Conv2D(out_channels, 3, padding="same", kernel_initializer=init)(h)


def unet(channels=1, filters=(32, 64, 128, 256), blocks=2, skips=True, residual=None, code=None):
    """A U-Net denoiser: an encoder-decoder with skip connections (Ronneberger et al., 2015) (§4.4).

    Each level runs ``blocks`` conv+ReLU layers, then a 2x2 stride-2 convolution halves
    the size and moves to the next width in ``filters``; the decoder mirrors it with
    2x2 stride-2 transposed convolutions. With ``skips`` every decoder level adds the
    encoder's features of the same size (as DRUNet does); with ``residual`` (default:
    same as ``skips``) the network predicts the noise and returns the input minus it.
    Without both it is a plain convolutional autoencoder: everything it outputs has
    passed through the bottleneck. ``code`` squeezes the bottleneck to that many
    channels with a linear 1x1 convolution. Image sides must be
    multiples of ``2 ** (len(filters) - 1)`` (``apply_model(..., multiple=...)`` pads).
    """
    keras = _keras()
    residual = skips if residual is None else residual
    y = keras.Input((None, None, channels), name="noisy")
    # a residual network starts as the identity (zero noise estimate), like DnCNN
    out = _unet_body(y, filters, blocks, channels, skips=skips, code=code, zero_last=residual)
    if residual:
        out = keras.layers.Subtract(name="denoised")([y, out])
    return keras.Model(y, out, name="unet" if skips else "conv_autoencoder")


def recurrent_unet(channels=1, filters=(16, 32, 64, 128), blocks=2, steps=3, state=16):
    """One small U-Net applied ``steps`` times with the same weights: a recurrent denoiser (§4.2).

    Step t reads the noisy image, the current estimate x_t and a hidden state h_t of
    ``state`` channels, and returns a correction and the next state:
    x_{t+1} = x_t - d_t, with x_0 the noisy image and h_0 a 3x3 convolution of it.
    Unrolled, it is ``steps`` U-Nets deep with the parameters of one (MemNet, NLRN and
    R3N share weights across iterations this way). ``steps`` may differ between training
    and use: the weights do not depend on it.
    """
    keras = _keras()
    layers = keras.layers
    y = keras.Input((None, None, channels), name="noisy")
    cell_in = keras.Input((None, None, 2 * channels + state), name="noisy_estimate_state")
    cell = keras.Model(cell_in, _unet_body(cell_in, filters, blocks, channels + state),
                       name="cell")
    h = layers.Conv2D(state, 3, padding="same", activation="tanh", name="state0")(y)
    x = y
    for t in range(steps):
        out = cell(layers.Concatenate()([y, x, h]))
        x = layers.Subtract(name=f"estimate{t + 1}")([x, out[..., :channels]])
        h = layers.Activation("tanh")(out[..., channels:])
    return keras.Model(y, x, name=f"recurrent_unet{steps}")


def dense_autoencoder(patch=32, channels=1, code=64):
    """The article's §4.4 autoencoder with its shapes repaired (§3.4, §4.4).

    The encoder is the article's (conv, pool, conv, pool, conv, a ``code``-unit
    Dense bottleneck). The decoder maps the code to a 4x4x64 map and upsamples it
    with three stride-2 transposed convolutions, the last one to ``channels``
    with a sigmoid, so a ``patch`` x ``patch`` x ``channels`` patch comes out at
    the size it went in. ``patch`` must be 32 (the sizes the layers fit).
    """
    if patch != 32:
        raise ValueError(f"the article's layers fit 32x32 patches only, got patch={patch}")
    keras = _keras()
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


def apply_patchwise(model, noisy, stride=8):
    """Run a model that takes fixed-size patches over a whole image (§4.4).

    Cuts overlapping patches every ``stride`` pixels (mirror-padding the borders),
    denoises them in batches and averages the overlaps. Returns float32 of the
    input's shape in [0, 1].
    """
    y = as_float_image(noisy, name="noisy", noisy=True)
    img = y[..., None] if y.ndim == 2 else y
    p = model.input_shape[1]
    h, w = img.shape[:2]
    pad = [(0, (-(h - p) % stride) if h > p else p - h), (0, (-(w - p) % stride) if w > p else p - w)]
    img = np.pad(img, pad + [(0, 0)], mode="symmetric")
    rows = range(0, img.shape[0] - p + 1, stride)
    cols = range(0, img.shape[1] - p + 1, stride)
    patches = np.stack([img[r:r + p, c:c + p] for r in rows for c in cols])
    out = np.asarray(model.predict(patches, batch_size=256, verbose=0), np.float32)
    acc, count = np.zeros_like(img), np.zeros(img.shape[:2] + (1,), np.float32)
    for k, (r, c) in enumerate((r, c) for r in rows for c in cols):
        acc[r:r + p, c:c + p] += out[k]
        count[r:r + p, c:c + p] += 1
    return np.clip(acc / count, 0, 1)[:h, :w].reshape(y.shape)


def receptive_field(model, size=256):
    """Width in pixels of the region of the input that one output pixel depends on (§4.1, §4.4).

    Measured, not derived: a copy of ``model`` with random kernels is run on a blank
    ``size`` x ``size`` image and on the same image with one pixel poked in the middle,
    and the width of the region whose output changed is returned.
    """
    keras = _keras()
    probe = keras.models.clone_model(model)
    rng = np.random.default_rng(0)
    for w in probe.weights:                     # random kernels; biases and BN as built
        if len(w.shape) == 4:
            w.assign(rng.standard_normal(w.shape).astype(np.float32) * 0.1)
    channels = model.input_shape[-1]
    blank = np.zeros((1, size, size, channels), np.float32)
    poked = blank.copy()
    poked[0, size // 2, size // 2] = 1.0
    diff = np.abs(np.asarray(probe(poked)) - np.asarray(probe(blank))).max(axis=(0, 2, 3))
    changed = np.nonzero(diff)[0]
    return int(changed.max() - changed.min() + 1)


#: model builders by name, as training configs refer to them
BUILDERS = {"dncnn": dncnn, "fast_dncnn": fast_dncnn, "unet": unet,
            "dense_autoencoder": dense_autoencoder, "recurrent_unet": recurrent_unet}


def build_model(config):
    """The untrained model a training config describes (``model``, ``model_kwargs``) (§4.1)."""
    if config["model"] not in BUILDERS:
        raise ValueError(f"unknown model {config['model']!r}; choose one of {sorted(BUILDERS)}")
    return BUILDERS[config["model"]](**config.get("model_kwargs", {}))


@_keras().saving.register_keras_serializable(package="denoise_utils")
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
