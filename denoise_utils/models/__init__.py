"""Keras denoisers, one module per family, and the glue to run them on whole images (§2, §4).

Models map a noisy batch (N, H, W, C) to a denoised batch of the same shape and
are written with ``keras`` / ``keras.ops`` only, so they run under TensorFlow or JAX.
The families, as the book's chapters: :mod:`.cnn` (§4.1), :mod:`.rnn` (§4.2),
:mod:`.gan` (§4.3: a critic and the adversarial training step; its generators are the
other families' denoisers) and :mod:`.autoencoder` (§4.4); the builders are also
importable from here.
"""

from collections.abc import Sequence

try:
    import keras
except ModuleNotFoundError as err:      # Keras, or its backend, is not installed
    from .._checks import no_backend
    raise no_backend(err) from None
import numpy as np

from .._checks import as_float_image
from .autoencoder import dense_autoencoder, unet
from .cnn import PixelUnshuffle, dncnn, fast_dncnn, level_estimator  # noqa: F401
from .rnn import ScanLines, recurrent_unet, sweep_denoiser  # noqa: F401
from .transformer import (SwinBlock, WindowAttention, hybrid_unet, swin_blocks,  # noqa: F401
                          uformer, unet_weights_into, without_branches)


def takes_level(model: keras.Model) -> bool:
    """Whether ``model`` takes a noise-level map as a second input (``unet(noise_map=...)``, §5.5).

    Parameters
    ----------
    model : keras.Model
        An image-to-image model.

    Returns
    -------
    bool
        True for a model of two inputs, the image and the level map.
    """
    return len(model.inputs) == 2


def level_map(sigma: float | np.ndarray, shape: Sequence[int], channels: int = 1) -> np.ndarray:
    """The noise-level input of a model that takes one (§5.5): σ/255 at every pixel.

    Parameters
    ----------
    sigma : float or ndarray
        A level on the 0-255 scale, or an (H, W) or (H, W, ``channels``) array of levels.
    shape : sequence of int
        The image's shape, (H, W, ...).
    channels : int, optional
        The channels of the map (the model's second input).

    Returns
    -------
    ndarray
        Float32 (H, W, ``channels``).
    """
    s = np.asarray(sigma, np.float32)
    if s.ndim == 2:
        s = s[..., None]
    if not np.isfinite(s).all() or (s < 0).any() or (s > 255).any():
        raise ValueError("sigma must be noise levels in [0, 255] on the 0-255 scale")
    try:
        return np.broadcast_to(s / 255.0, tuple(shape[:2]) + (channels,)).astype(np.float32)
    except ValueError:
        raise ValueError(f"a sigma map of shape {s.shape} does not fit an image of shape "
                         f"{tuple(shape)}") from None


def apply_model(model: keras.Model, noisy: np.ndarray, *, clip: bool = True, multiple: int = 1,
                sigma: float | np.ndarray | None = None) -> np.ndarray:
    """Run a Keras image-to-image ``model`` on one image of shape (H, W) or (H, W, C) (§2).

    Adds the batch and channel axes the model needs and removes them afterwards.

    Parameters
    ----------
    model : keras.Model
        An image-to-image model.
    noisy : ndarray
        Float in [0, 1], (H, W) or (H, W, C).
    clip : bool, optional
        Clip the result to [0, 1].
    multiple : int, optional
        The model needs sides divisible by this: the image is mirror-padded and the result
        cropped back, so any size works.
    sigma : float or ndarray, optional
        For a model that takes a noise level (:func:`takes_level`): the level on the 0-255
        scale, a number or a map (:func:`level_map`).

    Returns
    -------
    ndarray
        Float32 of the input's shape.
    """
    y = as_float_image(noisy, name="noisy", noisy=True)
    batch = y[None, ..., None] if y.ndim == 2 else y[None]
    want = model.inputs[0].shape[-1]
    if want is not None and batch.shape[-1] != want:
        raise ValueError(f"the model takes {want}-channel images; this one has "
                         f"{batch.shape[-1]}")
    conditioned = takes_level(model)
    if conditioned and sigma is None:
        raise ValueError("this model takes the noise level as an input: pass sigma (0-255 scale)")
    if conditioned:
        batch = [batch, level_map(sigma, batch.shape[1:], model.inputs[1].shape[-1])[None]]
    h, w = y.shape[:2]
    ph, pw = -h % multiple, -w % multiple
    if ph or pw:
        pad = ((0, 0), (0, ph), (0, pw), (0, 0))
        batch = ([np.pad(b, pad, mode="symmetric") for b in batch] if conditioned
                 else np.pad(batch, pad, mode="symmetric"))
    # predict_on_batch: one image needs no data pipeline (predict's costs ~0.5 s a call)
    out = np.asarray(model.predict_on_batch(batch), np.float32)[0, :h, :w]
    out = out.reshape(y.shape)
    return np.clip(out, 0.0, 1.0) if clip else out


def _inputs(arrays):
    """A model's input as Keras wants it called: the array alone for a one-input model (a list
    of one makes Keras 3 warn that the structure does not match)."""
    return arrays[0] if len(arrays) == 1 else arrays


def _blank(model, size):
    """Zero inputs of ``size`` × ``size`` for each of ``model``'s inputs (the image; a level map)."""
    return [np.zeros((1, size, size, x.shape[-1]), np.float32) for x in model.inputs]


def multiply_adds(model: keras.Model, size: int = 64, *, by_layer: bool = False) -> float | dict[str, float]:
    """Multiply-adds per pixel of a fully convolutional image-to-image ``model`` (§5.2).

    Counts the layers that do the arithmetic: convolutions (kernel size × output
    positions; a transposed one × its input positions), :class:`ScanLines` (a GRU's
    three gates, in both directions, at every position), layers that count their own work
    (:class:`WindowAttention`, :class:`SwinBlock`: projections, the attention inside each
    window and a block's feed-forward part) and models inside the model (once
    per call, at full size), measured on a ``size`` × ``size`` image and divided by its
    pixels. Additions, activations and biases are left out.

    Parameters
    ----------
    model : keras.Model
        A fully convolutional image-to-image model.
    size : int, optional
        The side of the square image it is measured on.
    by_layer : bool, optional
        Return each counted layer's share instead of the sum (§5.4 profiles a model by it).

    Returns
    -------
    float or dict
        Multiply-adds per pixel; with ``by_layer``, ``{layer name: multiply-adds per pixel}``
        (a model inside the model under its own name).

    Raises
    ------
    ValueError
        If the model has a layer with weights that it cannot count.
    """
    counted = (keras.layers.Conv2D, keras.layers.Conv2DTranspose, keras.layers.DepthwiseConv2D,
               ScanLines, WindowAttention, SwinBlock)
    # per-element scales and shifts, like biases: left out
    ignored = (keras.layers.LayerNormalization, keras.layers.BatchNormalization)
    layers = [layer for layer in model.layers if isinstance(layer, counted)]
    # a model inside the model (the recurrent U-Net's cell), run at full size once a call
    inner = {layer.name: multiply_adds(layer, size) * len(layer._inbound_nodes)
             for layer in model.layers if isinstance(layer, keras.Model)}
    uncounted = [layer.name for layer in model.layers
                 if layer.weights and not isinstance(layer, counted + ignored + (keras.Model,))]
    if uncounted:
        raise ValueError(f"multiply_adds cannot count layers {uncounted}")
    counts = dict(inner)
    if layers:
        probe = keras.Model(model.inputs, [layer.input for layer in layers] + [layer.output for layer in layers])
        shapes = [np.shape(a) for a in probe(_blank(model, size))]
        for layer, (_, hi, wi, ci), (_, ho, wo, _) in zip(layers, shapes[:len(layers)], shapes[len(layers):]):
            if isinstance(layer, ScanLines):
                u = layer.units
                n = 2 * 3 * (ci * u + u * u) * hi * wi
            elif isinstance(layer, (WindowAttention, SwinBlock)):
                n = layer.multiply_adds(ci) * hi * wi
            elif isinstance(layer, keras.layers.DepthwiseConv2D):
                n = int(np.prod(layer.kernel.shape)) * ho * wo
            else:
                positions = hi * wi if isinstance(layer, keras.layers.Conv2DTranspose) else ho * wo
                n = int(np.prod(layer.kernel.shape)) * positions
            counts[layer.name] = n / size ** 2
    return counts if by_layer else float(sum(counts.values()))


def apply_patchwise(model: keras.Model, noisy: np.ndarray, stride: int = 8) -> np.ndarray:
    """Run a model that takes fixed-size patches over a whole image (§4.4).

    Cuts overlapping patches every ``stride`` pixels (mirror-padding the borders),
    denoises them in batches and averages the overlaps.

    Parameters
    ----------
    model : keras.Model
        A model of fixed-size square patches (its input shape gives the side).
    noisy : ndarray
        Float in [0, 1], (H, W) or (H, W, C).
    stride : int, optional
        Pixels between one patch and the next.

    Returns
    -------
    ndarray
        Float32 of the input's shape, in [0, 1].
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


def receptive_field(model: keras.Model, size: int = 256) -> int:
    """Width in pixels of the region of the input that one output pixel depends on (§4.1, §4.4).

    Measured, not derived: a copy of ``model`` with random kernels is run on a blank
    ``size`` x ``size`` image and on the same image with one pixel poked in the middle,
    and the width of the region whose output changed is returned.

    Parameters
    ----------
    model : keras.Model
        An image-to-image model.
    size : int, optional
        The side of the square image it is probed with.

    Returns
    -------
    int
        The width in pixels.
    """
    probe = keras.models.clone_model(model)
    rng = np.random.default_rng(0)
    for w in probe.weights:                     # random kernels; biases and BN as built
        if len(w.shape) == 4:
            w.assign(rng.standard_normal(w.shape).astype(np.float32) * 0.1)
    blank = _blank(model, size)
    poked = [b.copy() for b in blank]
    poked[0][0, size // 2, size // 2] = 1.0
    diff = np.abs(np.asarray(probe(_inputs(poked))) - np.asarray(probe(_inputs(blank)))).max(axis=(0, 2, 3))
    changed = np.nonzero(diff)[0]
    return int(changed.max() - changed.min() + 1)


#: model builders by name, as training configs refer to them
BUILDERS = {"dncnn": dncnn, "fast_dncnn": fast_dncnn, "unet": unet,
            "dense_autoencoder": dense_autoencoder, "recurrent_unet": recurrent_unet,
            "sweep_denoiser": sweep_denoiser, "uformer": uformer, "hybrid_unet": hybrid_unet}


def build_model(config: dict) -> keras.Model:
    """The untrained model a training config describes (``model``, ``model_kwargs``) (§4.1).

    Parameters
    ----------
    config : dict
        A training config: ``model``, a name in :data:`BUILDERS`, and optionally
        ``model_kwargs``, the builder's keyword arguments.

    Returns
    -------
    keras.Model
        The model, untrained.
    """
    if config["model"] not in BUILDERS:
        raise ValueError(f"unknown model {config['model']!r}; choose one of {sorted(BUILDERS)}")
    return BUILDERS[config["model"]](**config.get("model_kwargs", {}))
