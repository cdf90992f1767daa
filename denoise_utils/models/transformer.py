"""Attention denoisers (§5.4): window self-attention in a U-Net's shape (a small Uformer).

Global self-attention over the N pixels of an image costs N² memory; the way out taught
in §5.4 is attention inside non-overlapping ``window`` × ``window`` windows (SwinIR,
Uformer), with a depthwise convolution in the feed-forward part carrying information
across window borders (like Uformer's LeFF; §5.4's table says where ours differs). Everything is ``keras.ops``, so it runs under
TensorFlow and JAX.
"""

from collections.abc import Sequence
from typing import Any

import keras
import numpy as np

from .autoencoder import unet_body

ops = keras.ops


def _to_windows(x, s):
    """(N, H, W, C) -> (N * windows, s*s, C): the pixels of each ``s`` × ``s`` window in a row."""
    b, h, w, c = ops.shape(x)
    t = ops.reshape(x, (b, h // s, s, w // s, s, c))
    return ops.reshape(ops.transpose(t, (0, 1, 3, 2, 4, 5)), (-1, s * s, c))


def _from_windows(t, b, h, w, s):
    """The inverse of :func:`_to_windows` for an (N, H, W, C) image."""
    c = ops.shape(t)[-1]
    t = ops.reshape(t, (b, h // s, w // s, s, s, c))
    return ops.reshape(ops.transpose(t, (0, 1, 3, 2, 4, 5)), (b, h, w, c))


def _attend(qkv, heads, bias, mask=None, weights=False):
    """softmax(q kᵀ / √d + bias [+ mask]) v for each head, heads joined again.

    ``qkv`` (M, n, 3C) holds the queries, keys and values of the n tokens of M windows;
    ``bias`` (heads, n, n) is added to every window's scores, ``mask`` (windows, n, n), where
    given, to the scores of each image's windows in turn. Returns (M, n, C), or with
    ``weights`` the attention weights themselves, (M, heads, n, n)."""
    m, n, c3 = ops.shape(qkv)
    c = c3 // 3
    d = c // heads
    qkv = ops.reshape(qkv, (-1, n, 3, heads, d))
    q, key, v = (ops.transpose(qkv[:, :, i], (0, 2, 1, 3)) for i in range(3))   # (M, heads, n, d)
    scores = ops.matmul(q, ops.transpose(key, (0, 1, 3, 2))) / (d ** 0.5) + bias
    if mask is not None:
        windows = ops.shape(mask)[0]
        scores = ops.reshape(scores, (-1, windows, heads, n, n)) + mask[None, :, None]
        scores = ops.reshape(scores, (-1, heads, n, n))
    if weights:
        return ops.softmax(scores, axis=-1)
    out = ops.matmul(ops.softmax(scores, axis=-1), v)                          # (M, heads, n, d)
    return ops.reshape(ops.transpose(out, (0, 2, 1, 3)), (-1, n, c))


@keras.saving.register_keras_serializable(package="denoise_utils")
class WindowAttention(keras.layers.Layer):
    """Multi-head self-attention inside non-overlapping ``window`` × ``window`` windows (§5.4).

    (N, H, W, C) -> (N, H, W, C); H and W must be multiples of ``window``. Each head adds a
    learned bias for every (query position, key position) pair of a window, which tells the
    attention where in the window a pixel is.

    Parameters
    ----------
    heads : int, optional
        The attention heads; they split the channels.
    window : int, optional
        The windows' side in pixels.
    **kwargs
        Keras ``Layer`` arguments (``name``, ...).
    """

    def __init__(self, heads: int = 2, window: int = 8, **kwargs) -> None:
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
        t = _to_windows(x, self.window)                                  # (N * windows, s*s, C)
        qkv = ops.matmul(t, self.qkv) + self.qkv_bias
        out = _attend(qkv, self.heads, self.position)
        return _from_windows(ops.matmul(out, self.proj) + self.proj_bias, b, h, w, self.window)

    def get_config(self):
        return {**super().get_config(), "heads": self.heads, "window": self.window}

    def attention_map(self, x: Any) -> np.ndarray:
        """The attention weights the layer computes on its input ``x`` (§5.4).

        Parameters
        ----------
        x : array
            The layer's input, (N, H, W, C), H and W multiples of ``window``.

        Returns
        -------
        ndarray
            (N · windows, heads, s², s²), windows in row-major order over each image and
            tokens in row-major order within a window; each row sums to 1.
        """
        t = _to_windows(ops.convert_to_tensor(x), self.window)
        qkv = ops.matmul(t, self.qkv) + self.qkv_bias
        return np.asarray(ops.convert_to_numpy(_attend(qkv, self.heads, self.position, weights=True)))

    def multiply_adds(self, channels: int) -> int:
        """Multiply-adds per pixel: the q, k, v and output projections and the attention.

        Parameters
        ----------
        channels : int
            The channels of the layer's input, C.

        Returns
        -------
        int
            Multiply-adds per pixel.
        """
        return 4 * channels * channels + 2 * self.window ** 2 * channels


def _block(h, width, heads, window, expand, name):
    """x + attention(norm(x)), then x + FF(norm(x)), a LeFF-like feed-forward part (after Uformer's
    LeWin block; §5.4 lists the differences)."""
    layers = keras.layers
    a = layers.LayerNormalization(epsilon=1e-5, name=f"{name}_norm1")(h)
    h = layers.Add(name=f"{name}_attend")([h, WindowAttention(heads, window, name=f"{name}_msa")(a)])
    f = layers.LayerNormalization(epsilon=1e-5, name=f"{name}_norm2")(h)
    f = layers.Conv2D(expand * width, 1, name=f"{name}_ff_in")(f)
    f = layers.DepthwiseConv2D(3, padding="same", activation="gelu", name=f"{name}_ff_dw")(f)
    f = layers.Conv2D(width, 1, name=f"{name}_ff_out")(f)
    return layers.Add(name=f"{name}_ff")([h, f])


def uformer(*, channels: int = 1, filters: Sequence[int] = (32, 64, 128),
            blocks: Sequence[int] = (2, 2, 2), heads: Sequence[int] = (1, 2, 4), window: int = 8,
            expand: int = 2) -> keras.Model:
    """A small Uformer (Wang et al., 2022): a U-Net whose levels are window-attention
    blocks (§5.4).

    A 3x3 convolution lifts the image to ``filters[0]`` channels; each level runs
    ``blocks[i]`` LeWin blocks (window self-attention with ``heads[i]`` heads, then a
    feed-forward part with a depthwise 3x3 convolution, each with a skip around it), and a
    4x4 stride-2 convolution halves the size; the decoder mirrors it with 2x2 transposed
    convolutions and adds the encoder's features. Residual output (the noisy input minus the
    predicted noise, which starts at zero). Sides must be multiples of
    ``window * 2 ** (len(filters) - 1)`` (``apply_model(..., multiple=...)`` pads).

    Parameters
    ----------
    channels : int, optional
        The image's channels: 1 gray, 3 colour.
    filters : sequence of int, optional
        The width of each level, full size first.
    blocks : sequence of int, optional
        LeWin blocks at each level (one entry per level, as ``filters``).
    heads : sequence of int, optional
        Attention heads at each level (one entry per level).
    window : int, optional
        The attention windows' side in pixels.
    expand : int, optional
        The feed-forward part's width, as a multiple of the level's.

    Returns
    -------
    keras.Model
        ``uformer``.
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


def _relative_index(s):
    """(s², s²) indices into a ((2s-1)², heads) table: one entry per (row, column) offset
    between a query and a key of an ``s`` × ``s`` window, as Swin's relative position bias."""

    rows, cols = np.divmod(np.arange(s * s), s)
    dr = rows[:, None] - rows[None, :] + s - 1
    dc = cols[:, None] - cols[None, :] + s - 1
    return (dr * (2 * s - 1) + dc).astype("int32")


def _shift_mask(h, w, s, shift):
    """(windows, s², s²): 0 between tokens from the same part of the image, -100 between
    tokens that the cyclic shift by ``shift`` brought together from opposite borders
    (Swin's attention mask); the image is (H, W), cut into ``s`` × ``s`` windows."""
    def part(n):
        i = ops.arange(n)
        return ops.cast(i >= n - s, "int32") + ops.cast(i >= n - shift, "int32")

    ids = ops.cast(part(h)[:, None] * 3 + part(w)[None, :], "float32")[None, :, :, None]
    ids = _to_windows(ids, s)[..., 0]                                     # (windows, s²)
    return ops.where(ops.equal(ids[:, :, None], ids[:, None, :]), 0.0, -100.0)


@keras.saving.register_keras_serializable(package="denoise_utils")
class SwinBlock(keras.layers.Layer):
    """x + W_o·attention(LN(x)), then x + GDFN(LN(x)): a transformer block added to a CNN (§5.4).

    The attention is multi-head self-attention inside ``window`` × ``window`` windows with a
    relative position bias per head (Liu et al., 2021, Swin), the windows moved by ``shift``
    pixels with a cyclic roll and the mask that keeps pixels from opposite borders apart;
    ``heads`` heads. The feed-forward part is Restormer's gated depthwise one (GDFN, Zamir et
    al., 2022): a 1x1 convolution to 2·``expand``·C channels, a 3x3 depthwise convolution,
    GELU(one half) × the other half, a 1x1 convolution back to C. Both output projections
    start at zero, so a new block is the identity (ReZero, LayerScale, ControlNet's zero
    convolutions): added to a trained network, it starts at that network's output.
    (N, H, W, C) -> (N, H, W, C); H and W must be multiples of ``window``.

    Parameters
    ----------
    heads : int, optional
        The attention heads; they split the channels.
    window : int, optional
        The windows' side in pixels.
    shift : int, optional
        Pixels the windows are moved by (0: not moved).
    expand : int, optional
        The feed-forward part's width, as a multiple of C.
    **kwargs
        Keras ``Layer`` arguments (``name``, ...).
    """

    def __init__(self, heads: int = 4, *, window: int = 8, shift: int = 0, expand: int = 2,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.heads, self.window, self.shift, self.expand = int(heads), int(window), int(shift), int(expand)
        layers = keras.layers
        self.norm1 = layers.LayerNormalization(epsilon=1e-5, name="norm1")
        self.norm2 = layers.LayerNormalization(epsilon=1e-5, name="norm2")
        self.index = _relative_index(self.window).reshape(-1)

    def build(self, input_shape):
        c = int(input_shape[-1])
        if c % self.heads:
            raise ValueError(f"{c} channels do not split into {self.heads} heads")
        layers, e = keras.layers, self.expand
        self.qkv = layers.Dense(3 * c, name="qkv")
        self.proj = layers.Dense(c, kernel_initializer="zeros", name="proj")
        self.ff_in = layers.Conv2D(2 * e * c, 1, name="ff_in")
        self.ff_dw = layers.DepthwiseConv2D(3, padding="same", name="ff_dw")
        self.ff_out = layers.Conv2D(c, 1, kernel_initializer="zeros", name="ff_out")
        shape = tuple(input_shape)
        for layer, into in ((self.norm1, shape), (self.norm2, shape), (self.qkv, shape[:-1] + (c,)),
                            (self.proj, shape[:-1] + (c,)), (self.ff_in, shape),
                            (self.ff_dw, shape[:-1] + (2 * e * c,)), (self.ff_out, shape[:-1] + (e * c,))):
            layer.build(into)
        self.bias_table = self.add_weight(shape=((2 * self.window - 1) ** 2, self.heads),
                                          initializer="zeros", name="relative_bias")

    def position_bias(self) -> Any:
        """(heads, s², s²): each head's bias for every (query, key) pair of a window.

        Returns
        -------
        tensor
            A tensor of the Keras backend, (heads, s², s²), s the window's side.
        """
        n = self.window ** 2
        return ops.transpose(ops.reshape(ops.take(self.bias_table, self.index, axis=0),
                                         (n, n, self.heads)), (2, 0, 1))

    def attention(self, x: Any) -> Any:
        """The attention branch on LN(x), before it is added to x.

        Parameters
        ----------
        x : tensor
            The block's input, (N, H, W, C).

        Returns
        -------
        tensor
            (N, H, W, C).
        """
        b, h, w, c = ops.shape(x)
        s, r = self.window, self.shift
        a = self.norm1(x)
        if r:
            a = ops.roll(a, (-r, -r), axis=(1, 2))
        mask = _shift_mask(h, w, s, r) if r else None
        out = _attend(self.qkv(_to_windows(a, s)), self.heads, self.position_bias(), mask)
        out = _from_windows(self.proj(out), b, h, w, s)
        return ops.roll(out, (r, r), axis=(1, 2)) if r else out

    def feed_forward(self, x: Any) -> Any:
        """The gated depthwise feed-forward branch on LN(x), before it is added to x.

        Parameters
        ----------
        x : tensor
            The input of the branch's sum, (N, H, W, C).

        Returns
        -------
        tensor
            (N, H, W, C).
        """
        gate, value = ops.split(self.ff_dw(self.ff_in(self.norm2(x))), 2, axis=-1)
        return self.ff_out(keras.activations.gelu(gate) * value)

    def call(self, x):
        x = x + self.attention(x)
        return x + self.feed_forward(x)

    def get_config(self):
        return {**super().get_config(), "heads": self.heads, "window": self.window,
                "shift": self.shift, "expand": self.expand}

    def multiply_adds(self, channels: int) -> int:
        """Multiply-adds per pixel: q, k, v and W_o, the attention, and the feed-forward part.

        Parameters
        ----------
        channels : int
            The channels of the block's input, C.

        Returns
        -------
        int
            Multiply-adds per pixel.
        """
        c, e = channels, self.expand
        return 4 * c * c + 2 * self.window ** 2 * c + 2 * e * c * c + 9 * 2 * e * c + e * c * c


def hybrid_unet(*, channels: int = 1, filters: Sequence[int] = (32, 64, 128, 256), blocks: int = 2,
                levels: Sequence[int] = (2, 3), window: int = 8, head_dim: int = 32, expand: int = 2,
                depth: int = 2) -> keras.Model:
    """A U-Net with transformer blocks at its low resolutions (§5.4): a hybrid CNN–transformer
    in the manner of SCUNet (Zhang et al., 2023) and TransUNet (Chen et al., 2021).

    The U-Net is :func:`~denoise_utils.models.autoencoder.unet`'s, layer for layer (so a
    trained U-Net's weights load into it, :func:`unet_weights_into`); after the convolutions
    of every level in ``levels`` (0 is full size; ``len(filters) - 1`` is the bottleneck), in
    the encoder and again in the decoder, come ``depth`` :class:`SwinBlock` s, windows plain
    and shifted by half a window in turn, with C / ``head_dim`` heads. Every block starts as
    the identity, so the untrained hybrid computes exactly its U-Net. Sides must be multiples
    of ``window * 2 ** max(levels)``.

    Parameters
    ----------
    channels : int, optional
        The image's channels: 1 gray, 3 colour.
    filters : sequence of int, optional
        The U-Net's widths, full size first; the last is the bottleneck's.
    blocks : int, optional
        The U-Net's conv+ReLU layers at each level.
    levels : sequence of int, optional
        The levels that get transformer blocks.
    window : int, optional
        The attention windows' side in pixels.
    head_dim : int, optional
        Channels per attention head.
    expand : int, optional
        The feed-forward part's width, as a multiple of the level's.
    depth : int, optional
        :class:`SwinBlock` s after each chosen level's convolutions.

    Returns
    -------
    keras.Model
        ``hybrid_unet``.
    """

    bottom = len(filters) - 1
    if not all(0 <= level <= bottom for level in levels):
        raise ValueError(f"levels must lie in 0..{bottom} for {len(filters)} filter widths")

    def attend(stage, level, h):
        if level not in levels:
            return h
        width = filters[level]
        for i in range(depth):
            h = SwinBlock(max(1, width // head_dim), window=window, shift=window // 2 if i % 2 else 0,
                          expand=expand, name=f"swin_{stage}{level}_{i}")(h)
        return h

    y = keras.Input((None, None, channels), name="noisy")
    noise = unet_body(y, filters, blocks, channels, insert=attend)
    return keras.Model(y, keras.layers.Subtract(name="denoised")([y, noise]), name="hybrid_unet")


def swin_blocks(model: keras.Model) -> list[SwinBlock]:
    """The :class:`SwinBlock` s of ``model``, in order.

    Parameters
    ----------
    model : keras.Model
        A model, a hybrid of §5.4 or any other.

    Returns
    -------
    list of SwinBlock
        Empty for a model without them.
    """
    return [layer for layer in model.layers if isinstance(layer, SwinBlock)]


def unet_weights_into(hybrid: keras.Model, unet: keras.Model) -> list[str]:
    """Copy a trained U-Net's weights into the U-Net part of ``hybrid``, layer for layer (§5.4).

    Parameters
    ----------
    hybrid : keras.Model
        A :func:`hybrid_unet`; its weights are set in place.
    unet : keras.Model
        A trained :func:`~denoise_utils.models.autoencoder.unet` of the same widths.

    Returns
    -------
    list of str
        The paths of the variables set, the pretrained part of the hybrid.
    """
    mine = [layer for layer in hybrid.layers if layer.weights and not isinstance(layer, SwinBlock)]
    theirs = [layer for layer in unet.layers if layer.weights]
    if len(mine) != len(theirs) or any(
            [w.shape for w in a.weights] != [w.shape for w in b.weights] for a, b in zip(mine, theirs)):
        raise ValueError(f"the U-Net {unet.name!r} does not fit this hybrid's U-Net part")
    for a, b in zip(mine, theirs):
        a.set_weights(b.get_weights())
    return [w.path for layer in mine for w in layer.weights]


def without_branches(model: keras.Model, *, attention: bool = True,
                     feed_forward: bool = True) -> keras.Model:
    """A copy of a hybrid ``model`` with the chosen branches of every :class:`SwinBlock` set to
    zero (the ablation of §5.4): with both, it computes exactly its U-Net.

    Parameters
    ----------
    model : keras.Model
        A :func:`hybrid_unet`; left as it is.
    attention : bool, optional
        Zero the attention branches (their output projections).
    feed_forward : bool, optional
        Zero the feed-forward branches (their last convolutions).

    Returns
    -------
    keras.Model
        The copy.
    """
    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    for block in swin_blocks(copy):
        for on, layer in ((attention, block.proj), (feed_forward, block.ff_out)):
            if on:
                layer.set_weights([0 * w for w in layer.get_weights()])
    return copy
