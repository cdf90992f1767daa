"""What a denoiser computes (§5.3): the article's second challenge, "hard to interpret".

A ReLU network is piecewise affine: around a given noisy image y, output pixel i is
fᵢ(y) ≈ Σⱼ Jᵢⱼ yⱼ + cᵢ, with J the Jacobian. Row i of J is the **equivalent filter** of that
pixel: the weights with which the network averages the input around it, adapted to the
image (Mohan et al., 2020). :func:`equivalent_filter` computes it with one backward pass;
:func:`filter_support`, :func:`filter_anisotropy` and :func:`filter_axis` measure its size,
shape and direction (whether a residual is white: ``metrics.radial_power_spectrum``).
"""

from typing import TYPE_CHECKING

import numpy as np

from ._checks import as_float_image

if TYPE_CHECKING:
    import keras


def _gradient(model, batch, index):
    """(model(batch)[index], d model(batch)[index] / d batch), under the running Keras backend."""
    import keras

    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        x = tf.convert_to_tensor(batch)
        with tf.GradientTape() as tape:
            tape.watch(x)
            value = model(x, training=False)[index]
        return float(value), tape.gradient(value, x).numpy()
    if backend == "jax":
        import jax

        value, grad = jax.value_and_grad(lambda x: model(x, training=False)[index])(batch)
        return float(value), np.asarray(grad)
    if backend == "torch":
        import torch

        x = torch.tensor(batch, requires_grad=True)
        value = model(x, training=False)[index]
        value.backward()
        return float(value.detach()), x.grad.numpy()
    raise NotImplementedError(f"equivalent_filter needs TensorFlow, JAX or PyTorch, not {backend!r}")


def equivalent_filter(model: "keras.Model", noisy: np.ndarray, pixel: tuple[int, int], *,
                      multiple: int = 1) -> tuple[np.ndarray, float]:
    """The Jacobian row of output ``pixel`` = (row, col) of a gray ``model`` at ``noisy`` (§5.3).

    Computed with one backward pass, under TensorFlow, JAX or PyTorch.

    Parameters
    ----------
    model : keras.Model
        A gray image-to-image model.
    noisy : ndarray
        A gray image in [0, 1], (H, W).
    pixel : (int, int)
        The output pixel, (row, col).
    multiple : int, optional
        Images are mirror-padded to sides divisible by ``multiple``.

    Returns
    -------
    weights : ndarray
        Float64 (H, W): ∂fᵢ/∂y, the filter the network applies at this pixel for this image.
    offset : float
        fᵢ(y) − Σⱼ weightsⱼ yⱼ, the part of the output that is not a weighted average of the
        input (zero for a bias-free ReLU network).
    """
    y = as_float_image(noisy, name="noisy", noisy=True)
    if y.ndim != 2:
        raise ValueError(f"equivalent_filter takes a gray (H, W) image, got shape {y.shape}")
    h, w = y.shape
    i, j = pixel
    if not (0 <= i < h and 0 <= j < w):
        raise ValueError(f"pixel {pixel} lies outside the {h} x {w} image")
    padded = np.pad(y, ((0, -h % multiple), (0, -w % multiple)), mode="symmetric")
    batch = padded[None, ..., None].astype(np.float32)
    out, grad = _gradient(model, batch, (0, i, j, 0))
    grad = grad[0, :, :, 0]
    weights = grad[:h, :w].astype(np.float64)
    offset = out - float(np.sum(grad.astype(np.float64) * padded))
    return weights, offset


def filter_support(weights: np.ndarray, share: float = 0.9) -> int:
    """How many pixels hold ``share`` of the filter's energy (sum of squared weights) (§5.3).

    Parameters
    ----------
    weights : ndarray
        A filter (:func:`equivalent_filter`).
    share : float, optional
        The share of the energy, in (0, 1].

    Returns
    -------
    int
        The fewest pixels, the strongest first, that hold it.
    """
    e = np.sort(np.asarray(weights, np.float64).ravel() ** 2)[::-1]
    return int(np.searchsorted(np.cumsum(e), share * e.sum()) + 1)


def _spread(weights):
    """The second-moment matrix of pixel positions, weighted by the squared weights."""
    e = np.asarray(weights, np.float64) ** 2
    rows, cols = np.indices(e.shape)
    total = e.sum()
    dr, dc = rows - (rows * e).sum() / total, cols - (cols * e).sum() / total
    return np.array([[(dr * dr * e).sum(), (dr * dc * e).sum()],
                     [(dr * dc * e).sum(), (dc * dc * e).sum()]]) / total


def filter_anisotropy(weights: np.ndarray) -> float:
    """The ratio of the long to the short axis of the filter's spread (1: round) (§5.3).

    The square roots of the eigenvalues of the second-moment matrix of positions,
    weighted by the squared weights around their centre.

    Parameters
    ----------
    weights : ndarray
        A 2-D filter (:func:`equivalent_filter`).

    Returns
    -------
    float
        1 for a round filter, more for an elongated one.
    """
    low, high = np.linalg.eigvalsh(_spread(weights))
    return float(np.sqrt(high / max(low, 1e-12)))


def filter_axis(weights: np.ndarray) -> np.ndarray:
    """The unit vector (d_row, d_col) of the filter's long axis (§5.3).

    Parameters
    ----------
    weights : ndarray
        A 2-D filter (:func:`equivalent_filter`).

    Returns
    -------
    ndarray
        Float64 (2,); its sign is arbitrary.
    """
    return np.linalg.eigh(_spread(weights))[1][:, 1]


def pick_pixels(clean: np.ndarray, border: int = 40) -> dict[str, tuple[int, int]]:
    """A flat, an edge and a texture pixel of a gray ``clean`` image, found by rule (§5.3).

    From local variance (over 9 × 9 pixels) and the structure tensor (gradients of the
    image smoothed by a Gaussian of 2 pixels): **flat** is the middle of the calmest 31 × 31
    area; **edge** the pixel of strongest gradient among pixels whose gradients agree in
    direction (coherence above 0.8); **texture** the one of most local variance among pixels
    whose gradients disagree (coherence below 0.3).

    Parameters
    ----------
    clean : ndarray
        A gray image in [0, 1], (H, W), larger than ``2 * border`` on both sides.
    border : int, optional
        Pixels within ``border`` of the sides are skipped.

    Returns
    -------
    dict
        ``{"flat": (row, col), "edge": (row, col), "texture": (row, col)}``.
    """
    from scipy.ndimage import gaussian_filter, sobel, uniform_filter

    x = as_float_image(clean, name="clean").astype(np.float64)
    if x.ndim != 2 or min(x.shape) <= 2 * border:
        raise ValueError(f"pick_pixels takes a gray image larger than {2 * border} pixels a side")
    smooth = gaussian_filter(x, 2)                   # edges at the scale the noise hides
    gy, gx = sobel(smooth, 0), sobel(smooth, 1)
    jxx, jyy, jxy = (gaussian_filter(a, 3) for a in (gx * gx, gy * gy, gx * gy))
    coherence = np.sqrt((jxx - jyy) ** 2 + 4 * jxy ** 2) / (jxx + jyy + 1e-12)
    strength = np.hypot(gx, gy)
    variance = uniform_filter(x ** 2, 9) - uniform_filter(x, 9) ** 2
    inner = np.zeros(x.shape, bool)
    inner[border:-border, border:-border] = True
    at = lambda score: tuple(int(v) for v in np.unravel_index(np.argmax(score), x.shape))
    calm = uniform_filter(variance, 31)               # flat: the middle of a large calm area
    return {"flat": at(np.where(inner, -calm, -np.inf)),
            "edge": at(np.where(inner & (coherence > 0.8), strength, -np.inf)),
            "texture": at(np.where(inner & (coherence < 0.3), variance, -np.inf))}
