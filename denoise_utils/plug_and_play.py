"""The denoiser as a prior (§5.5): deblurring and inpainting with a denoiser, plug-and-play.

A blurred photo is ``y = k * x + n``: the clean image convolved with a known kernel ``k``
(the blur of a lens or a shake), plus noise of level σ. Half-quadratic splitting (HQS)
alternates two easy steps (Zhang et al., 2017, IRCNN; 2021, DPIR):

* a **data step**: the image closest to the denoiser's last output ``z`` that, blurred,
  explains ``y``: ``x = argmin ‖y − k * x‖² + μ ‖x − z‖²``, solved exactly with the FFT;
* a **prior step**: ``z = denoise(x)``, the shipped denoiser in place of a hand-made prior.

The noise level assumed in the prior step falls from large to σ over the iterations
(annealing), and μ with it, so early steps restore the coarse picture and late ones detail.
Inpainting (:func:`inpaint`) is the same loop with another data step: keep the known pixels.
Images are float in [0, 1], (H, W) or (H, W, 3); σ is on the 0-255 scale. Borders: the blur
is applied with reflected borders (:func:`blur`), and the FFT's circular convolution is kept
away from the image by padding it with its own reflection.
"""

import numpy as np

from ._checks import as_float_image, check_sigma
from .zoo.schema import FAMILIES
from .zoo.store import find, info, load


def gaussian_kernel(width=1.6, size=25):
    """A normalised ``size`` × ``size`` Gaussian blur kernel of standard deviation ``width`` px
    (a blur's width, not a noise level)."""
    if int(size) != size or size < 1 or size % 2 == 0:
        raise ValueError(f"size must be an odd whole number, got {size!r}")
    r = np.arange(size) - size // 2
    g = np.exp(-(r[:, None] ** 2 + r[None] ** 2) / (2 * float(width) ** 2))
    return g / g.sum()


def _check_kernel(kernel):
    k = np.asarray(kernel, np.float64)
    if k.ndim != 2 or k.shape[0] % 2 == 0 or k.shape[1] % 2 == 0 or not np.isfinite(k).all():
        raise ValueError(f"kernel must be a 2-D array of odd sides, got shape {k.shape}")
    if abs(k.sum() - 1) > 1e-3 or (k < 0).any():
        raise ValueError(f"kernel must be non-negative and sum to 1 (a blur), got sum {k.sum():.4g}")
    return k


def blur(image, kernel):
    """``image`` convolved with ``kernel``, borders reflected (§5.5): a photo's blur, without the
    wrap-around of a circular convolution."""
    from scipy.ndimage import convolve

    x = as_float_image(image, noisy=True).astype(np.float64)
    k = _check_kernel(kernel)
    k = k[..., None] if x.ndim == 3 else k
    return convolve(x, k[::-1, ::-1], mode="reflect").astype(np.float32)


def _spectrum(kernel, shape):
    """The FFT of ``kernel`` placed for a circular convolution of an image of ``shape``."""
    pad = np.zeros(shape[:2])
    kh, kw = kernel.shape
    pad[:kh, :kw] = kernel
    return np.fft.fft2(np.roll(pad, (-(kh // 2), -(kw // 2)), axis=(0, 1)))


def _padded(image, kernel):
    margin = 2 * max(kernel.shape)
    width = ((margin, margin), (margin, margin)) + (((0, 0),) if image.ndim == 3 else ())
    return np.pad(image.astype(np.float64), width, mode="symmetric"), margin


def _solve(y_hat, K, mu, z):
    """argmin ‖y − k * x‖² + μ ‖x − z‖², channel by channel, with y's FFT ``y_hat``."""
    Kc = np.conj(K)
    if z.ndim == 3:
        Kc, K2 = Kc[..., None], (np.abs(K) ** 2)[..., None]
        return np.real(np.fft.ifft2((Kc * y_hat + mu * np.fft.fft2(z, axes=(0, 1))) / (K2 + mu), axes=(0, 1)))
    return np.real(np.fft.ifft2((Kc * y_hat + mu * np.fft.fft2(z)) / (np.abs(K) ** 2 + mu)))


def wiener(blurred, kernel, balance):
    """The Wiener filter, ``x = F⁻¹[conj(K) Y / (|K|² + balance)]``, with reflected padding (§5.5).

    ``balance`` is the noise-to-signal power ratio; §5.5 compares with the best one per image.
    """
    y = as_float_image(blurred, name="blurred", noisy=True)
    k = _check_kernel(kernel)
    padded, m = _padded(y, k)
    K = _spectrum(k, padded.shape)
    y_hat = np.fft.fft2(padded, axes=(0, 1))
    out = _solve(y_hat, K, float(balance), np.zeros_like(padded))
    return np.clip(out[m:m + y.shape[0], m:m + y.shape[1]], 0, 1).astype(np.float32)


def prior(model=None):
    """The denoiser ``fn(image, level)`` that plug-and-play uses as its prior (§5.5); ``level``
    is the noise level it is told, on the 0-255 scale.

    ``model``: a shipped gray Gaussian model. One told the level (``unet(noise_map=1)``; the
    default is the best shipped one) is given ``level``; a blind one estimates it itself; a
    model of one fixed σ is used as it is. ``"nearest"``: at each call the shipped fixed-σ
    gray model whose σ is nearest ``level`` on a log scale (before models told the level,
    the way IRCNN used a set of them). A colour image goes through the gray model one
    channel at a time.
    """
    from .models import apply_model

    gray = find(channels=1, noise="gaussian", families=tuple(f for f in FAMILIES if f != "gan"))
    cfgs = {n: info(n) for n in gray}      # read once, not at every step of the loop
    if model is None:
        told = [n for n in find(channels=1, noise="gaussian", kind="told") if n in cfgs]
        if not told:
            raise ValueError("no shipped gray model told the noise level; pass model='nearest'")
        model = told[0]
    if model == "nearest":
        # the lowest rank first, so the best of several at one sigma is the one kept
        ranked = sorted((n for n in find(channels=1, noise="gaussian", kind="fixed") if n in cfgs),
                        key=lambda n: cfgs[n]["rank"])
        fixed = {float(cfgs[n]["sigma"]): n for n in ranked}

        def pick(level):
            return fixed[min(fixed, key=lambda m: abs(np.log(m / max(level, 1e-3))))]
    elif model in gray:
        def pick(level):
            return model
    else:
        raise ValueError(f"model must be 'nearest' or a shipped gray Gaussian model, one of {gray}; "
                         f"got {model!r}")

    def fn(image, level):
        name = pick(level)
        cfg = cfgs[name]
        told = float(level) if cfg["takes_level"] else None
        net = load(name)
        x = np.asarray(image, np.float32)
        run = lambda ch: apply_model(net, ch, multiple=cfg["multiple"], clip=False, sigma=told)  # noqa: E731
        return run(x) if x.ndim == 2 else np.stack([run(x[..., c]) for c in range(x.shape[-1])], -1)

    fn.model = model
    return fn


def _levels(start, stop, iterations):
    if int(iterations) != iterations or iterations < 1:
        raise ValueError(f"iterations must be a positive whole number, got {iterations!r}")
    return np.geomspace(max(float(start), stop), stop, int(iterations))


def deblur(blurred, kernel, sigma, *, denoiser=None, iterations=8, start=49.0, lam=0.23):
    """Deblur ``blurred`` (blurred by ``kernel`` with reflected borders, plus noise of level
    ``sigma``, 0-255 scale) by plug-and-play HQS with a denoiser as the prior (§5.5).

    ``denoiser(image, level)`` (level on the 0-255 scale) defaults to :func:`prior`: the shipped
    gray model told the noise level, channel by channel on a colour image. A denoiser told the
    level (FFDNet, DPIR) is what the method needs: the data step's noise is coloured and
    changes from step to step, and a blind model that estimates it from the image leaves it in
    place (§5.5 measures both). The assumed level falls geometrically from ``start`` to
    ``sigma`` over ``iterations`` steps; the data step's weight is μ = ``lam`` σ² / level²
    (DPIR's schedule). Returns float32 in [0, 1] of the input's shape.
    """
    y = as_float_image(blurred, name="blurred", noisy=True)
    k = _check_kernel(kernel)
    s = check_sigma(sigma, allow_zero=False)
    levels = _levels(start, s, iterations)
    denoiser = prior() if denoiser is None else denoiser
    padded, m = _padded(y, k)
    K = _spectrum(k, padded.shape)
    y_hat = np.fft.fft2(padded, axes=(0, 1))
    z = padded
    for level in levels:
        x = _solve(y_hat, K, lam * (s / level) ** 2, z)
        z = np.asarray(denoiser(x.astype(np.float32), float(level)), np.float64)
    return np.clip(z[m:m + y.shape[0], m:m + y.shape[1]], 0, 1).astype(np.float32)


def fill(image, mask, size=2.0):
    """Missing pixels (``mask`` False) filled with a Gaussian-weighted mean of the known ones
    near them (normalised convolution, ``size`` px): a start for :func:`inpaint` and its baseline."""
    from scipy.ndimage import gaussian_filter

    y = as_float_image(image, name="image", noisy=True).astype(np.float64)
    m = _check_mask(mask, y).astype(np.float64)
    spread = (size, size, 0) if y.ndim == 3 else size
    num, den = gaussian_filter(y * m, spread), gaussian_filter(m, spread)
    guess = np.where(den > 1e-8, num / np.maximum(den, 1e-8), y[m > 0].mean())
    return np.where(m > 0, y, guess).astype(np.float32)


def _check_mask(mask, y):
    m = np.asarray(mask)
    if m.dtype != bool or m.shape != y.shape:
        raise ValueError(f"mask must be a boolean array of the image's shape {y.shape} "
                         f"(True where a pixel is known), got {m.dtype} {m.shape}")
    if not m.any():
        raise ValueError("mask marks no pixel as known")
    return m


def inpaint(image, mask, sigma=0.0, *, denoiser=None, iterations=20, start=50.0, stop=2.0, lam=0.23):
    """Fill the pixels of ``image`` where ``mask`` is False by plug-and-play HQS (§5.5).

    ``mask`` (bool, the image's shape) is True where a pixel is known; known pixels carry
    noise of level ``sigma`` (0-255 scale; 0: exact). The data step keeps the known pixels
    (weighed against the denoiser's output by μ = ``lam`` σ² / level² when they are noisy) and
    takes the rest from the prior step, ``denoiser(image, level)`` (default :func:`prior`),
    whose level falls geometrically from ``start`` to ``max(sigma, stop)``; the start is
    :func:`fill`. Returns float32 in [0, 1] of the input's shape.
    """
    y = as_float_image(image, name="image", noisy=True).astype(np.float64)
    m = _check_mask(mask, y)
    s = check_sigma(sigma)
    levels = _levels(start, max(s, float(stop)), iterations)
    denoiser = prior() if denoiser is None else denoiser
    z = fill(y, m).astype(np.float64)
    for level in levels:
        mu = lam * (s / level) ** 2
        x = np.where(m, (y + mu * z) / (1 + mu), z)
        z = np.asarray(denoiser(x.astype(np.float32), float(level)), np.float64)
    if s == 0:
        z = np.where(m, y, z)           # exact pixels stay exact
    return np.clip(z, 0, 1).astype(np.float32)
