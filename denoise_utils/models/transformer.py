"""Attention denoisers (§5.4): window self-attention in a U-Net's shape (a small Uformer).

Global self-attention over the N pixels of an image costs N² memory; the way out taught
in §5.4 is attention inside non-overlapping ``window`` × ``window`` windows (SwinIR,
Uformer), with a depthwise convolution in the feed-forward part carrying information
across window borders (Uformer's LeFF). Everything is ``keras.ops``, so it runs under
TensorFlow and JAX.
"""

import keras

ops = keras.ops


@keras.saving.register_keras_serializable(package="denoise_utils")
class WindowAttention(keras.layers.Layer):
    """Multi-head self-attention inside non-overlapping ``window`` × ``window`` windows (§5.4).

    (N, H, W, C) -> (N, H, W, C); H and W must be multiples of ``window``. Each head adds a
    learned bias for every (query position, key position) pair of a window, which tells the
    attention where in the window a pixel is.
    """

    def __init__(self, heads=2, window=8, **kwargs):
        super().__init__(**kwargs)
        self.heads, self.window = int(heads), int(window)

    def build(self, input_shape):
        c = int(input_shape[-1])
        if c % self.heads:
            raise ValueError(f"{c} channels do not split into {self.heads} heads")
        n = self.window ** 2
        self.qkv = self.add_weight(shape=(c, 3 * c), initializer="glorot_uniform", name="qkv")
        self.qkv_bias = self.add_weight(shape=(3 * c,), initializer="zeros", name="qkv_bias")
        self.proj = self.add_weight(shape=(c, c), initializer="glorot_uniform", name="proj")
        self.proj_bias = self.add_weight(shape=(c,), initializer="zeros", name="proj_bias")
        self.position = self.add_weight(shape=(self.heads, n, n), initializer="zeros", name="position")

    def call(self, x):
        b, h, w, c = ops.shape(x)
        s, k = self.window, self.heads
        d = c // k
        # (N, H, W, C) -> (N * windows, s*s, C)
        t = ops.reshape(x, (b, h // s, s, w // s, s, c))
        t = ops.reshape(ops.transpose(t, (0, 1, 3, 2, 4, 5)), (-1, s * s, c))
        qkv = ops.reshape(ops.matmul(t, self.qkv) + self.qkv_bias, (-1, s * s, 3, k, d))
        q, key, v = (ops.transpose(qkv[:, :, i], (0, 2, 1, 3)) for i in range(3))  # (., k, s*s, d)
        scores = ops.matmul(q, ops.transpose(key, (0, 1, 3, 2))) / (d ** 0.5) + self.position
        out = ops.matmul(ops.softmax(scores, axis=-1), v)                           # (., k, s*s, d)
        out = ops.matmul(ops.reshape(ops.transpose(out, (0, 2, 1, 3)), (-1, s * s, c)), self.proj)
        out = ops.reshape(out + self.proj_bias, (b, h // s, w // s, s, s, c))
        return ops.reshape(ops.transpose(out, (0, 1, 3, 2, 4, 5)), (b, h, w, c))

    def get_config(self):
        return {**super().get_config(), "heads": self.heads, "window": self.window}

    def multiply_adds(self, channels):
        """Multiply-adds per pixel: the q, k, v and output projections and the attention."""
        return 4 * channels * channels + 2 * self.window ** 2 * channels


def _block(h, width, heads, window, expand, name):
    """x + attention(norm(x)), then x + LeFF(norm(x)) (Uformer's LeWin block)."""
    layers = keras.layers
    a = layers.LayerNormalization(epsilon=1e-5, name=f"{name}_norm1")(h)
    h = layers.Add(name=f"{name}_attend")([h, WindowAttention(heads, window, name=f"{name}_msa")(a)])
    f = layers.LayerNormalization(epsilon=1e-5, name=f"{name}_norm2")(h)
    f = layers.Conv2D(expand * width, 1, name=f"{name}_ff_in")(f)
    f = layers.DepthwiseConv2D(3, padding="same", activation="gelu", name=f"{name}_ff_dw")(f)
    f = layers.Conv2D(width, 1, name=f"{name}_ff_out")(f)
    return layers.Add(name=f"{name}_ff")([h, f])


def uformer(channels=1, filters=(32, 64, 128), blocks=(2, 2, 2), heads=(1, 2, 4), window=8, expand=2):
    """A small Uformer (Wang et al., 2022): a U-Net whose levels are window-attention
    blocks (§5.4).

    A 3x3 convolution lifts the image to ``filters[0]`` channels; each level runs
    ``blocks[i]`` LeWin blocks (window self-attention with ``heads[i]`` heads, then a
    feed-forward part with a depthwise 3x3 convolution, each with a skip around it), and a
    4x4 stride-2 convolution halves the size; the decoder mirrors it with 2x2 transposed
    convolutions and adds the encoder's features. Residual output (the noisy input minus the
    predicted noise, which starts at zero). Sides must be multiples of
    ``window * 2 ** (len(filters) - 1)`` (``apply_model(..., multiple=...)`` pads).
    """
    if not len(filters) == len(blocks) == len(heads):
        raise ValueError("filters, blocks and heads need one entry per level")
    layers = keras.layers
    y = keras.Input((None, None, channels), name="noisy")
    h = layers.Conv2D(filters[0], 3, padding="same", name="embed")(y)
    saved = []
    for level, (width, n, k) in enumerate(zip(filters, blocks, heads)):
        if level:
            h = layers.Conv2D(width, 4, strides=2, padding="same", name=f"down{level}")(h)
        for i in range(n):
            h = _block(h, width, k, window, expand, f"enc{level}_{i}")
        saved.append(h)
    for level in range(len(filters) - 2, -1, -1):
        h = layers.Conv2DTranspose(filters[level], 2, strides=2, name=f"up{level}")(h)
        h = layers.Add(name=f"skip{level}")([h, saved[level]])
        for i in range(blocks[level]):
            h = _block(h, filters[level], heads[level], window, expand, f"dec{level}_{i}")
    noise = layers.Conv2D(channels, 3, padding="same", kernel_initializer="zeros", name="noise")(h)
    return keras.Model(y, layers.Subtract(name="denoised")([y, noise]), name="uformer")
