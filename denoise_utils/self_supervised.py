"""Denoising without clean images (§5.2): the article's first challenge, "much data".

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
* **SURE** (Stein, 1981): estimate a denoiser's MSE from the noisy image alone
  (:func:`sure`), with the divergence by Monte Carlo (Ramani et al., 2008).

Patches are float arrays (batch, h, w, channels); σ is on the 0-255 scale.
"""

import numpy as np

from ._checks import as_float_image, check_sigma


def noise2noise_pairs(clean, rng, sigma=25):
    """(noisy input, independently noisy target) from clean patches (§5.2).

    A ``noise_fn`` for ``PatchDataset``/``train.fit``: the clean patch never reaches the
    loss, only a second noisy copy of it, as two photos of one scene would give.
    """
    s = check_sigma(sigma) / 255.0
    return (clean + s * rng.standard_normal(clean.shape).astype(np.float32),
            clean + s * rng.standard_normal(clean.shape).astype(np.float32))


def blind_spot_pairs(noisy, rng, fraction=1 / 64, radius=2):
    """(masked input, target) for blind-spot training on noisy patches alone (§5.2).

    In each patch about ``fraction`` of the pixels are picked; each picked pixel of the
    input is replaced by a random other pixel within ``radius`` (Noise2Void's masking).
    The target stacks the unchanged noisy patch and the mask of picked pixels along the
    channel axis (2 × channels), which :func:`masked_mse` splits again.
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


def masked_mse(y_true, y_pred):
    """The MSE on the masked pixels only, for :func:`blind_spot_pairs`'s targets (§5.2)."""
    from keras import ops

    c = ops.shape(y_pred)[-1]
    target, mask = y_true[..., :c], y_true[..., c:]
    return ops.sum(mask * ops.square(y_pred - target)) / ops.maximum(ops.sum(mask), 1.0)


def _register():
    import keras

    keras.saving.register_keras_serializable("denoise_utils")(masked_mse)


#: training targets by config name (``train``'s ``target`` key)
TARGETS = ("clean", "noise2noise", "blind_spot", "teacher")


def target_noise(target, sigma, teacher=None):
    """``PatchDataset``'s noise_fn and the Keras loss for a training ``target`` (§5.2).

    ``target="teacher"``: the target is the output of the shipped model ``teacher`` on
    the noisy patch (distillation).
    """
    if target not in TARGETS:
        raise ValueError(f"target must be one of {list(TARGETS)}, got {target!r}")
    if target == "clean":
        return None, "mse"
    s = check_sigma(sigma)
    if target == "teacher":
        from . import pretrained

        if teacher not in pretrained.available():
            raise ValueError(f"target 'teacher' needs a shipped teacher model, got {teacher!r}")
        model = pretrained.load(teacher)

        def distill(clean, rng):
            noisy = clean + s / 255.0 * rng.standard_normal(clean.shape).astype(np.float32)
            return noisy, np.asarray(model.predict_on_batch(noisy), np.float32)
        return distill, "mse"
    if target == "noise2noise":
        return (lambda clean, rng: noise2noise_pairs(clean, rng, s)), "mse"
    _register()
    return (lambda clean, rng: blind_spot_pairs(
        clean + s / 255.0 * rng.standard_normal(clean.shape).astype(np.float32), rng)), masked_mse


def sure(denoiser, noisy, sigma, eps=None, seed=0, probe=None):
    """Stein's unbiased estimate of the denoiser's MSE, from the noisy image alone (§5.2).

    For y = x + n with white Gaussian n of standard deviation s = σ/255 and a denoiser f,
    E‖f(y) − x‖²/N = E[‖f(y) − y‖²/N − s² + 2 s² div f(y)/N]. The divergence (the sum of
    ∂fᵢ/∂yᵢ) is estimated by Monte Carlo: bᵀ(f(y + εb) − f(y))/ε for one Gaussian probe b.
    ``denoiser(noisy)`` takes and returns one image; returns the MSE on the [0, 1] scale.
    ``probe``: the probe b itself (default: drawn from ``seed``); it must be independent
    of the noise, and §5.2 shows what happens when it is not.
    """
    y = as_float_image(noisy, name="noisy", noisy=True).astype(np.float64)
    s = check_sigma(sigma) / 255.0
    eps = s / 100 if eps is None else float(eps)
    # the probe's own stream: a probe equal to the noise (same seed) would correlate with it
    b = np.random.default_rng([int(seed), 5]).standard_normal(y.shape) if probe is None \
        else np.asarray(probe, np.float64)
    if b.shape != y.shape:
        raise ValueError(f"probe {b.shape} and noisy {y.shape} differ in shape")
    fy = np.asarray(denoiser(y.astype(np.float32)), np.float64)
    fyb = np.asarray(denoiser((y + eps * b).astype(np.float32)), np.float64)
    div = np.sum(b * (fyb - fy)) / eps
    return float(np.mean((fy - y) ** 2) - s ** 2 + 2 * s ** 2 * div / y.size)


def fuse_noisy(noisy, prediction, sigma, size=31):
    """Give a blind-spot prediction back the pixel it never saw (§5.2).

    A blind-spot network predicts each pixel from its neighbours alone, throwing away
    the pixel's own noisy value. With the noise level known, the two combine as in a
    Wiener filter (after Laine et al., 2019): a local prior N(prediction, τ²), τ² the local
    mean of (noisy − prediction)² over a ``size`` × ``size`` window minus σ², and the
    posterior mean (τ² · noisy + σ² · prediction) / (τ² + σ²). ``size=31`` was chosen on
    Train400's held-out images in §5.2.
    """
    from scipy.ndimage import uniform_filter

    y = as_float_image(noisy, name="noisy", noisy=True).astype(np.float64)
    mu = as_float_image(prediction, name="prediction", noisy=True).astype(np.float64)
    if y.shape != mu.shape:
        raise ValueError(f"noisy {y.shape} and prediction {mu.shape} differ in shape")
    s2 = (check_sigma(sigma) / 255.0) ** 2
    window = (size, size) + (1,) * (y.ndim - 2)
    tau2 = np.maximum(uniform_filter((y - mu) ** 2, window, mode="reflect") - s2, 0.0)
    return ((tau2 * y + s2 * mu) / (tau2 + s2)).astype(np.float32)
