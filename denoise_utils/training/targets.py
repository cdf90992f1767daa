"""Training targets (§5.2): what the loss compares the output with, clean images or not.

Supervised training needs (noisy, clean) pairs. Three ways around the clean image:

* **Noise2Noise** (Lehtinen et al., 2018): train on two independent noisy versions of the
  same image, one as input and one as target (:func:`noise2noise_pairs`). The target's
  noise has mean zero, so the MSE minimiser is unchanged: E[y₂ | y₁] = E[x | y₁].
* **Blind spots** (Noise2Void, Krull et al., 2019; Noise2Self, Batson & Royer, 2019): one
  noisy image only. A few pixels of each input are replaced by a neighbour and the loss
  looks only at those pixels (:func:`blind_spot_pairs`, :func:`masked_mse`); the network
  cannot copy the pixel it must predict, so it learns to predict it from its surroundings,
  and the noise, independent between pixels, cannot be predicted.
* **Distillation** (Hinton et al., 2015): a smaller student learns from a trained
  teacher's outputs on noisy patches (``target="teacher"``); it needs no clean image
  either, only the teacher, and buys speed (§5.2).

Two more tools of §5.2 that need no clean image live beside their kin: SURE, an estimate of a
denoiser's error, in :func:`metrics.sure`, and :func:`inference.fuse_noisy`, which gives a
blind-spot prediction back its pixel.

A model told the noise level (``unet(noise_map=1)``, §5.5) trains on Gaussian noise whose
level is drawn per patch and given to it as a map (:func:`with_level_map`), with each patch's
error weighed by its level (:func:`level_mse`).

Patches are float arrays (batch, h, w, channels); σ is on the 0-255 scale.
"""

import functools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .._checks import check_sigma
from ..inference import cells_to_level_map
from ..zoo import store
from ..zoo.schema import TARGETS

if TYPE_CHECKING:
    import keras


def noise2noise_pairs(clean: np.ndarray, rng: np.random.Generator,
                      sigma: float = 25) -> tuple[np.ndarray, np.ndarray]:
    """(noisy input, independently noisy target) from clean patches (§5.2).

    A ``noise`` for ``PatchDataset``/``training.fit``: the clean patch never reaches the
    loss, only a second noisy copy of it, as two photos of one scene would give.

    Parameters
    ----------
    clean : ndarray
        Clean patches, float.
    rng : numpy.random.Generator
        Draws the two noises.
    sigma : float, optional
        The Gaussian noise level of both on the 0-255 scale.

    Returns
    -------
    noisy, target : ndarray
        Two independently noisy copies of ``clean``.
    """
    s = check_sigma(sigma) / 255.0
    return (clean + s * rng.standard_normal(clean.shape).astype(np.float32),
            clean + s * rng.standard_normal(clean.shape).astype(np.float32))


def blind_spot_pairs(noisy: np.ndarray, rng: np.random.Generator, *, fraction: float = 1 / 64,
                     radius: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """(masked input, target) for blind-spot training on noisy patches alone (§5.2).

    In each patch about ``fraction`` of the pixels are picked; each picked pixel of the
    input is replaced by a random other pixel within ``radius`` (Noise2Void's masking).

    Parameters
    ----------
    noisy : ndarray
        Noisy patches, (batch, h, w, channels).
    rng : numpy.random.Generator
        Picks the pixels and their replacements.
    fraction : float, optional
        The share of each patch's pixels picked, in (0, 1).
    radius : int, optional
        How far (in rows and columns) a replacement may lie, a positive whole number.

    Returns
    -------
    masked : ndarray
        The input, float32, of ``noisy``'s shape.
    target : ndarray
        The unchanged noisy patch and the mask of picked pixels stacked along the channel
        axis (2 × channels), which :func:`masked_mse` splits again.
    """
    noisy = np.asarray(noisy, np.float32)
    if noisy.ndim != 4:
        raise ValueError(f"blind_spot_pairs needs (batch, h, w, channels) patches, got shape {noisy.shape}")
    if not 0 < fraction < 1:
        raise ValueError(f"fraction must be in (0, 1), got {fraction!r}")
    if int(radius) != radius or radius < 1:
        raise ValueError(f"radius must be a positive int, got {radius!r}")
    b, h, w, c = noisy.shape
    n = max(1, int(round(fraction * h * w)))
    bi = np.repeat(np.arange(b), n)
    i, j = rng.integers(h, size=b * n), rng.integers(w, size=b * n)
    di, dj = rng.integers(-radius, radius + 1, size=(2, b * n))
    same = (di == 0) & (dj == 0)                 # never the pixel itself
    dj[same] = rng.choice([-1, 1], size=same.sum())
    si, sj = np.clip(i + di, 0, h - 1), np.clip(j + dj, 0, w - 1)
    moved = (si != i) | (sj != j)                # at a border the clip can land on the pixel
    bi, i, j, si, sj = bi[moved], i[moved], j[moved], si[moved], sj[moved]
    masked = noisy.copy()
    masked[bi, i, j] = noisy[bi, si, sj]
    mask = np.zeros_like(noisy)
    mask[bi, i, j] = 1.0
    return masked, np.concatenate([noisy, mask], axis=-1)


def with_level_map(clean: np.ndarray, rng: np.random.Generator,
                   sigma: float | Sequence[float] = (0, 55)
                   ) -> tuple[tuple[np.ndarray, np.ndarray], np.ndarray]:
    """((noisy, level map), target) for a model told the noise level (§5.5).

    Each patch gets its own level and a map of σ/255 of one channel, as FFDNet trains.

    Parameters
    ----------
    clean : ndarray
        Clean patches, (batch, h, w, channels).
    rng : numpy.random.Generator
        Draws the levels and the noise.
    sigma : float or (float, float), optional
        The range on the 0-255 scale each patch's level is drawn from uniformly (a number:
        that level for all).

    Returns
    -------
    tuple
        ``((noisy, level_map), target)``: the noisy patches and their maps, (batch, h, w, 1),
        float32; the target stacks the clean patch and the map, for :func:`level_mse`.
    """
    clean = np.asarray(clean, np.float32)
    low, high = (sigma, sigma) if np.isscalar(sigma) else sigma
    s = rng.uniform(check_sigma(low), check_sigma(high), size=(len(clean), 1, 1, 1)).astype(np.float32) / 255
    noisy = clean + s * rng.standard_normal(clean.shape).astype(np.float32)
    level = np.broadcast_to(s, clean.shape[:3] + (1,)).astype(np.float32)
    return (noisy, level), np.concatenate([clean, level], axis=-1)


def measured_level(noisy: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Each patch's noise level per channel, as σ/255 (§5.1).

    Parameters
    ----------
    noisy, target : ndarray
        Noisy patches and their noise-free targets, (batch, h, w, channels).

    Returns
    -------
    ndarray
        The standard deviation of ``noisy - target`` over each patch, float32, shape
        (batch, 1, 1, channels).
    """
    return np.std(np.asarray(noisy, np.float32) - target, axis=(1, 2), keepdims=True).astype(np.float32)


def measured_level_map(noisy: np.ndarray, target: np.ndarray, spread: float = 8.0) -> np.ndarray:
    """Each pixel's noise level per channel, as σ/255 (§5.1 (III)): the root of the squared
    difference ``noisy - target`` averaged by a Gaussian of ``spread`` pixels.

    Parameters
    ----------
    noisy, target : ndarray
        Noisy images and their noise-free targets, (batch, h, w, channels).
    spread : float, optional
        The Gaussian's spread in pixels: the scale over which the map may change.

    Returns
    -------
    ndarray
        Float32, of the input's shape.
    """
    from scipy.ndimage import gaussian_filter

    d2 = np.square(np.asarray(noisy, np.float64) - target)
    return np.sqrt(gaussian_filter(d2, (0, spread, spread, 0), mode="reflect")).astype(np.float32)


def with_measured_level(noise: Callable, *, spread: float = 0.0
                        ) -> Callable[[np.ndarray, np.random.Generator],
                                      tuple[tuple[np.ndarray, np.ndarray], np.ndarray]]:
    """((noisy, level map), target) for a model told the level of a noise that has no level
    parameter, a camera's (§5.1).

    Parameters
    ----------
    noise : callable
        ``noise(clean, rng)`` gives (noisy, target) or noisy.
    spread : float, optional
        0: each patch's one :func:`measured_level`; more: each pixel's
        (:func:`measured_level_map` of this spread), for a model told a level map that
        follows the light and the frame (§5.1 (III)).

    Returns
    -------
    callable
        ``pairs(clean, rng) -> ((noisy, level_map), target)``: the map, one channel per
        colour channel. The target stacks the clean target and the map, for
        :func:`level_mse`.
    """

    def pairs(clean, rng):
        out = noise(clean, rng)
        noisy, target = out if isinstance(out, tuple) else (out, np.asarray(clean, np.float32))
        level = measured_level_map(noisy, target, spread) if spread else measured_level(noisy, target)
        level = np.broadcast_to(level, noisy.shape).astype(np.float32)
        return (noisy, level), np.concatenate([target, level], axis=-1)

    return pairs


def with_estimated_level(noise: Callable, estimator: "keras.Model", *, spread: float = 0.0
                         ) -> Callable[[np.ndarray, np.random.Generator],
                                       tuple[tuple[np.ndarray, np.ndarray], np.ndarray]]:
    """Like :func:`with_measured_level`, but the model is told the level an estimator finds (§5.1).

    The model is told the level a trained ``models.level_estimator`` finds in each noisy
    patch, the level it will be told on a photo; the loss still weighs each patch by its
    measured level. A model trained so learns how far to trust the estimator: where fine
    texture makes it answer too high, the target says the noise was weak.

    Parameters
    ----------
    noise : callable
        ``noise(clean, rng)`` gives (noisy, target) or noisy.
    estimator : keras.Model
        A trained ``models.level_estimator``: log(σ/255) per channel, or with ``spread`` one
        built with ``map=True``.
    spread : float, optional
        0: one level per patch; more: the estimator's map at every pixel
        (``inference.cells_to_level_map``, as on a photo), the loss weighted by each pixel's
        measured level of this spread (§5.1 (III)).

    Returns
    -------
    callable
        ``pairs(clean, rng) -> ((noisy, level_map), target)``, the map of the estimated
        levels, the target of the measured ones (:func:`with_measured_level`).
    """
    measured = with_measured_level(noise, spread=spread)

    def pairs(clean, rng):
        (noisy, _), target = measured(clean, rng)
        logs = np.asarray(estimator.predict_on_batch(noisy), np.float32)
        if spread:
            level = np.stack([cells_to_level_map(c, noisy.shape[1:3]) for c in logs]) / 255
        else:
            level = np.exp(logs)[:, None, None, :]
        return (noisy, np.broadcast_to(level, noisy.shape).astype(np.float32)), target

    return pairs


#: :func:`level_mse` weighs a patch of level σ by (25² / (σ² + 1)) (0-255 scale); both are on the [0, 1] scale
LEVEL_REFERENCE, WEIGHT_FLOOR = 25 / 255, 1 / 255


def level_mse(y_true: Any, y_pred: Any) -> Any:
    """The MSE of each patch divided by its noise variance (§5.5).

    Every level's relative error counts alike. A plain MSE is ruled by the noisiest patches
    and leaves the low levels, where plug-and-play and diffusion end, undertrained (the
    weighting of diffusion models' noise-prediction loss).

    Parameters
    ----------
    y_true : tensor
        :func:`with_level_map`'s targets (or :func:`with_measured_level`'s, whose level is the
        mean over the map's channels): the clean patches and the level map stacked.
    y_pred : tensor
        The model's outputs, (batch, h, w, channels).

    Returns
    -------
    tensor
        A scalar of the Keras backend.
    """
    from keras import ops

    c = ops.shape(y_pred)[-1]
    target, level = y_true[..., :c], ops.mean(y_true[..., c:], axis=-1, keepdims=True)
    weight = LEVEL_REFERENCE ** 2 / (ops.square(level) + WEIGHT_FLOOR ** 2)
    return ops.mean(weight * ops.square(y_pred - target))


def masked_mse(y_true: Any, y_pred: Any) -> Any:
    """The MSE on the masked pixels only, for :func:`blind_spot_pairs`'s targets (§5.2).

    Parameters
    ----------
    y_true : tensor
        :func:`blind_spot_pairs`'s targets: the noisy patches and the mask stacked.
    y_pred : tensor
        The model's outputs, (batch, h, w, channels).

    Returns
    -------
    tensor
        A scalar of the Keras backend.
    """
    from keras import ops

    c = ops.shape(y_pred)[-1]
    target, mask = y_true[..., :c], y_true[..., c:]
    return ops.sum(mask * ops.square(y_pred - target)) / ops.maximum(ops.sum(mask), 1.0)


def register_losses() -> None:
    """Register the losses of §5.2 and §5.5 with Keras, so a checkpoint that uses one loads.

    Returns
    -------
    None
    """
    import keras

    keras.saving.register_keras_serializable("denoise_utils")(masked_mse)
    keras.saving.register_keras_serializable("denoise_utils")(level_mse)




def target_noise(target: str, sigma: float | Sequence[float] | None,
                 teacher: str | None = None) -> tuple[Callable | None, str | Callable]:
    """``PatchDataset``'s ``noise`` and the Keras loss for a training ``target`` (§5.2).

    Parameters
    ----------
    target : {"clean", "noise2noise", "blind_spot", "teacher"}
        ``target="teacher"``: the target is the output of the shipped model ``teacher`` on
        the noisy patch (distillation).
    sigma : float, (float, float) or None
        The Gaussian noise level on the 0-255 scale, a number (ignored, and may be a range or
        None, for ``"clean"``).
    teacher : str, optional
        A shipped model's name, for ``target="teacher"``.

    Returns
    -------
    noise : callable or None
        ``noise(clean, rng) -> (input, target)``; None for ``"clean"``.
    loss : str or callable
        The Keras loss (:func:`masked_mse` for blind spots, else ``"mse"``).
    """
    if target not in TARGETS:
        raise ValueError(f"target must be one of {list(TARGETS)}, got {target!r}")
    if target == "clean":
        return None, "mse"
    s = check_sigma(sigma)
    if target == "teacher":
        if teacher not in store.available():
            raise ValueError(f"target 'teacher' needs a shipped teacher model, got {teacher!r}")
        model = store.load(teacher)

        def distill(clean, rng):
            noisy = clean + s / 255.0 * rng.standard_normal(clean.shape).astype(np.float32)
            return noisy, np.asarray(model.predict_on_batch(noisy), np.float32)
        return distill, "mse"
    if target == "noise2noise":
        return (lambda clean, rng: noise2noise_pairs(clean, rng, s)), "mse"
    register_losses()
    return (lambda clean, rng: blind_spot_pairs(
        clean + s / 255.0 * rng.standard_normal(clean.shape).astype(np.float32), rng)), masked_mse


def training_pairs(cfg: dict, noise: Callable) -> tuple[Callable, str | Callable]:
    """What a run of a config trains on, in one place (§4.1, §5.2, §5.5).

    A ``target`` other than ``"clean"`` replaces ``noise`` (:func:`target_noise`); a model
    told the noise level (``model_kwargs["noise_map"]``) gets the level with each patch: the
    Gaussian level drawn (:func:`with_level_map`), the level a shipped estimator finds
    (``level_from``, :func:`with_estimated_level`) or the measured level of camera noise
    (:func:`with_measured_level`), with :func:`level_mse`.

    Parameters
    ----------
    cfg : dict
        The run's config, read.
    noise : callable
        The config's named noise, ``noise(clean, rng)``.

    Returns
    -------
    noise : callable
        ``PatchDataset``'s ``noise``: clean patches to (input, target) pairs.
    loss : str or callable
        The Keras loss.
    """
    pairs, loss = target_noise(cfg["target"], cfg["sigma"], cfg["teacher"])
    if not cfg["model_kwargs"].get("noise_map"):
        return pairs or noise, loss
    if pairs or cfg["adversarial"]:
        raise ValueError("a model told the noise level trains with clean targets, without a critic")
    register_losses()
    if cfg["noise"] == "gaussian":
        return functools.partial(with_level_map, sigma=cfg["sigma"]), level_mse
    if cfg["level_from"]:                       # told what a shipped estimator finds
        estimator = store.load_estimator(cfg["level_from"], map=bool(cfg["level_map"]))
        return with_estimated_level(noise, estimator, spread=cfg["level_map"]), level_mse
    return with_measured_level(noise, spread=cfg["level_map"]), level_mse
