"""The denoiser as a prior (§5.5): deblurring and inpainting with a denoiser, plug-and-play.

A blurred photo is ``y = k * x + n``: the clean image convolved with a known kernel ``k``
(the blur of a lens or a shake), plus noise of level σ. Half-quadratic splitting (HQS)
alternates two easy steps (Zhang et al., 2017, IRCNN; 2021, DPIR):

* a **data step**: the image closest to the denoiser's last output ``z`` that, blurred,
  explains ``y``: ``x = argmin ‖y − k * x‖² + μ ‖x − z‖²``, solved exactly with the FFT;
* a **prior step**: ``z = denoise(x)``, the shipped denoiser in place of a hand-made prior.

The noise level assumed in the prior step falls from large to σ over the iterations
(annealing), and μ rises as it falls: early steps are meant to restore the coarse picture and late ones
detail (§5.5 shows each iteration's PSNR).
Inpainting (:func:`inpaint`) is the same loop with another data step: keep the known pixels.
Images are float in [0, 1], (H, W) or (H, W, 3); σ is on the 0-255 scale. Borders: the blur
is applied with reflected borders (:func:`blur`), and the FFT's circular convolution is kept
away from the image by padding it with its own reflection.
"""

from collections.abc import Callable, Sequence

import numpy as np

from ._checks import as_float_image, check_sigma
from .zoo.schema import FAMILIES
from .zoo.store import find, info, load


def gaussian_kernel(width: float = 1.6, size: int = 25) -> np.ndarray:
    """A normalised ``size`` × ``size`` Gaussian blur kernel (§5.5).

    Parameters
    ----------
    width : float, optional
        The standard deviation in pixels (a blur's width, not a noise level).
    size : int, optional
        The kernel's side, an odd whole number.

    Returns
    -------
    ndarray
        Float64 (``size``, ``size``), summing to 1.
    """
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


def blur(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """``image`` convolved with ``kernel``, borders reflected (§5.5).

    A photo's blur, without the wrap-around of a circular convolution.

    Parameters
    ----------
    image : ndarray
        Float in [0, 1], (H, W) or (H, W, C); a colour image is blurred channel by channel.
    kernel : ndarray
        The blur: 2-D, odd sides, non-negative, summing to 1 (:func:`gaussian_kernel`).

    Returns
    -------
    ndarray
        Float32 of the image's shape.
    """
    from scipy.ndimage import convolve

    x = as_float_image(image, noisy=True).astype(np.float64)
    k = _check_kernel(kernel)
    k = k[..., None] if x.ndim == 3 else k
    return convolve(x, k[::-1, ::-1], mode="reflect").astype(np.float32)


class BlurOperator:
    """The blur ``y = k * x`` of an observed image ``y`` as an operator (§5.5): ``apply`` blurs,
    ``prox`` is HQS's data step. The padding (``y``'s own reflection, keeping the FFT's circular
    convolution away from the image) and the kernel's spectrum are computed once, here.

    ``prox(z, mu)`` is ``argmin_x ‖y − k * x‖² + μ ‖x − z‖²``, in closed form with the FFT:
    ``x = F⁻¹[(conj(K) Y + μ Z) / (|K|² + μ)]``; with z = 0 it is the Wiener filter of
    balance μ.
    It works on the padded image: ``start`` gives the padded ``y``, ``crop`` cuts the result back.

    Parameters
    ----------
    kernel : ndarray
        The blur: 2-D, odd sides, non-negative, summing to 1.
    y : ndarray
        The observed (blurred) image, (H, W) or (H, W, C).
    """

    def __init__(self, kernel: np.ndarray, y: np.ndarray) -> None:
        self.kernel = _check_kernel(kernel)
        self.y = np.asarray(y, np.float64)
        self.margin = m = 2 * max(self.kernel.shape)
        width = ((m, m), (m, m)) + (((0, 0),) if self.y.ndim == 3 else ())
        self.padded = np.pad(self.y, width, mode="symmetric")
        pad = np.zeros(self.padded.shape[:2])
        kh, kw = self.kernel.shape
        pad[:kh, :kw] = self.kernel
        self.spectrum = np.fft.fft2(np.roll(pad, (-(kh // 2), -(kw // 2)), axis=(0, 1)))
        self.y_hat = np.fft.fft2(self.padded, axes=(0, 1))

    def apply(self, x: np.ndarray) -> np.ndarray:
        """``x`` blurred by the kernel, borders reflected (:func:`blur`).

        Parameters
        ----------
        x : ndarray
            An image in [0, 1] of ``y``'s shape.

        Returns
        -------
        ndarray
            Float32, blurred.
        """
        return blur(x, self.kernel)

    def start(self) -> np.ndarray:
        """HQS's first ``z``: ``y`` padded with its own reflection.

        Returns
        -------
        ndarray
            Float64, the padded ``y``.
        """
        return self.padded

    def prox(self, z: np.ndarray, mu: float) -> np.ndarray:
        """HQS's data step, ``argmin_x ‖y − k * x‖² + μ ‖x − z‖²``, on the padded image.

        Parameters
        ----------
        z : ndarray
            The prior step's last output, of the padded image's shape.
        mu : float
            μ, the weight of ``z``.

        Returns
        -------
        ndarray
            Float64, x, of the padded image's shape.
        """
        K, Kc = self.spectrum, np.conj(self.spectrum)
        if z.ndim == 3:
            Kc, K2 = Kc[..., None], (np.abs(K) ** 2)[..., None]
            return np.real(np.fft.ifft2((Kc * self.y_hat + mu * np.fft.fft2(z, axes=(0, 1))) / (K2 + mu), axes=(0, 1)))
        return np.real(np.fft.ifft2((Kc * self.y_hat + mu * np.fft.fft2(z)) / (np.abs(K) ** 2 + mu)))

    def crop(self, z: np.ndarray) -> np.ndarray:
        """The padded image ``z`` cut back to ``y``'s rows and columns.

        Parameters
        ----------
        z : ndarray
            An image of the padded image's shape.

        Returns
        -------
        ndarray
            A view of ``z``.
        """
        m = self.margin
        return z[m:m + self.y.shape[0], m:m + self.y.shape[1]]


class MaskOperator:
    """Missing pixels ``y = m ⊙ x`` as an operator (§5.5): ``apply`` keeps the known pixels
    (``mask`` True) and zeroes the rest; ``prox(z, mu)``, argmin_x ‖m ⊙ (y − x)‖² + μ ‖x − z‖²,
    is (y + μ z) / (1 + μ) where a pixel is known and z elsewhere: the blur's data step with
    the blur replaced by the mask. ``start`` is :func:`fill`.

    Parameters
    ----------
    mask : ndarray of bool
        ``y``'s shape; True where a pixel is known.
    y : ndarray
        The observed image, (H, W) or (H, W, C); the missing pixels' values are ignored.
    """

    def __init__(self, mask: np.ndarray, y: np.ndarray) -> None:
        self.y = np.asarray(y, np.float64)
        self.mask = _check_mask(mask, self.y)

    def apply(self, x: np.ndarray) -> np.ndarray:
        """``x`` with the missing pixels set to zero.

        Parameters
        ----------
        x : ndarray
            An image of ``y``'s shape.

        Returns
        -------
        ndarray
            Float64.
        """
        return np.where(self.mask, np.asarray(x, np.float64), 0.0)

    def start(self) -> np.ndarray:
        """HQS's first ``z``: ``y`` with its missing pixels filled (:func:`fill`).

        Returns
        -------
        ndarray
            Float64 of ``y``'s shape.
        """
        return fill(self.y, self.mask).astype(np.float64)

    def prox(self, z: np.ndarray, mu: float) -> np.ndarray:
        """HQS's data step, ``argmin_x ‖m ⊙ (y − x)‖² + μ ‖x − z‖²``.

        Parameters
        ----------
        z : ndarray
            The prior step's last output, of ``y``'s shape.
        mu : float
            μ, the weight of ``z``.

        Returns
        -------
        ndarray
            Float64: (y + μ z) / (1 + μ) where a pixel is known, z elsewhere.
        """
        return np.where(self.mask, (self.y + mu * z) / (1 + mu), z)

    def crop(self, z: np.ndarray) -> np.ndarray:
        """``z`` itself: a mask needs no padding.

        Parameters
        ----------
        z : ndarray
            An image of ``y``'s shape.

        Returns
        -------
        ndarray
            ``z``.
        """
        return z


def hqs_schedule(start: float, stop: float, iterations: int, *, sigma: float,
                 lam: float = 0.23) -> tuple[np.ndarray, np.ndarray]:
    """Plug-and-play's schedule as data (§5.5): the prior step's levels and the data step's weights.

    The levels the prior step is told fall geometrically from ``start`` to ``stop`` over
    ``iterations`` steps, and the data step's weights are μ_k = ``lam`` σ² / level_k² for
    noise of level ``sigma`` (DPIR's schedule; all levels on the 0-255 scale; in DPIR's
    symbols these weights are α_k = μ_k σ², with μ_k = λ / level_k²).

    Parameters
    ----------
    start, stop : float
        The first and the last level (``start`` below ``stop`` counts as ``stop``).
    iterations : int
        The number of levels, a positive whole number.
    sigma : float
        The noise's level, σ.
    lam : float, optional
        λ.

    Returns
    -------
    levels, mus : ndarray
        Two float arrays of ``iterations`` values.
    """
    if int(iterations) != iterations or iterations < 1:
        raise ValueError(f"iterations must be a positive whole number, got {iterations!r}")
    levels = np.geomspace(max(float(start), stop), stop, int(iterations))
    return levels, lam * (float(sigma) / levels) ** 2


def hqs(operator: BlurOperator | MaskOperator, denoiser: Callable[[np.ndarray, float], np.ndarray],
        *, levels: Sequence[float], mus: Sequence[float],
        callback: Callable[[float, np.ndarray, np.ndarray], None] | None = None) -> np.ndarray:
    """Half-quadratic splitting (§5.5): alternate a data step and a prior step.

    From ``operator.start()``, alternate the data step ``x = operator.prox(z, μ_k)`` and the
    prior step ``z = denoiser(x, level_k)``. :func:`deblur` and :func:`inpaint` are this loop.

    Parameters
    ----------
    operator : BlurOperator or MaskOperator
        The observation: any object with ``start()``, ``prox(z, mu)`` and ``crop(z)``.
    denoiser : callable
        ``denoiser(x, level)``, level on the 0-255 scale.
    levels, mus : sequence of float
        The prior step's levels and the data step's μ's, one each per iteration
        (:func:`hqs_schedule`).
    callback : callable, optional
        ``callback(level_k, x_k, z_k)``, when given, sees every iteration's two images,
        cropped (§5.5).

    Returns
    -------
    ndarray
        Float64, the last ``z``, cropped back to the image.
    """
    z = operator.start()
    for level, mu in zip(levels, mus):
        x = operator.prox(z, float(mu))
        z = np.asarray(denoiser(x.astype(np.float32), float(level)), np.float64)
        if callback is not None:
            callback(float(level), operator.crop(x).astype(np.float32), operator.crop(z).astype(np.float32))
    return operator.crop(z)


def wiener(blurred: np.ndarray, kernel: np.ndarray, balance: float) -> np.ndarray:
    """The Wiener filter, ``x = F⁻¹[conj(K) Y / (|K|² + balance)]``, with reflected padding (§5.5).

    Parameters
    ----------
    blurred : ndarray
        Float in [0, 1], (H, W) or (H, W, C).
    kernel : ndarray
        The blur: odd sides, non-negative, summing to 1 (:func:`gaussian_kernel`).
    balance : float
        The noise-to-signal power ratio; §5.5 compares with the best one per image.

    Returns
    -------
    ndarray
        Float32 in [0, 1], of the input's shape.
    """
    op = BlurOperator(kernel, as_float_image(blurred, name="blurred", noisy=True))
    out = op.crop(op.prox(np.zeros_like(op.padded), float(balance)))
    return np.clip(out, 0, 1).astype(np.float32)


def prior(model: str | None = None) -> Callable[[np.ndarray, float], np.ndarray]:
    """The denoiser ``fn(image, sigma)`` that plug-and-play uses as its prior (§5.5).

    In the book's one denoiser contract: ``sigma`` is the noise level it is told, on the
    0-255 scale. A colour image goes through the gray model one channel at a time.

    Parameters
    ----------
    model : str, optional
        A shipped gray Gaussian model. One told the level (``unet(noise_map=1)``; the
        default is the best shipped one) is given ``level``; a blind one estimates it itself;
        a model of one fixed σ is used as it is. ``"nearest"``: at each call the shipped
        fixed-σ gray model whose σ is nearest ``level`` on a log scale (before models told the
        level, the way IRCNN used a set of them).

    Returns
    -------
    callable
        ``fn(image, sigma)``: float32 of the image's shape, not clipped; its ``model``
        attribute is the model used (a name, or ``"nearest"``).
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

    def fn(image, sigma):
        name = pick(sigma)
        cfg = cfgs[name]
        told = float(sigma) if cfg["takes_level"] else None
        net = load(name)
        x = np.asarray(image, np.float32)
        run = lambda ch: apply_model(net, ch, multiple=cfg["multiple"], clip=False, sigma=told)  # noqa: E731
        return run(x) if x.ndim == 2 else np.stack([run(x[..., c]) for c in range(x.shape[-1])], -1)

    fn.model = model
    return fn


def deblur(blurred: np.ndarray, kernel: np.ndarray, sigma: float, *,
           denoiser: Callable[[np.ndarray, float], np.ndarray] | None = None, iterations: int = 8,
           start: float = 49.0, lam: float = 0.23, levels: Sequence[float] | None = None,
           callback: Callable[[float, np.ndarray, np.ndarray], None] | None = None) -> np.ndarray:
    """Deblur an image by plug-and-play HQS with a denoiser as the prior (§5.5).

    The method asks the prior step to denoise at the strength the schedule sets; a denoiser
    told the level (FFDNet, DPIR) does that, and §5.5 measures a blind model and the same model
    told an estimated level doing worse. The loop is :func:`hqs` with a :class:`BlurOperator`.

    Parameters
    ----------
    blurred : ndarray
        Float in [0, 1], (H, W) or (H, W, 3): blurred by ``kernel`` with reflected borders,
        plus white Gaussian noise.
    kernel : ndarray
        The blur: odd sides, non-negative, summing to 1 (:func:`gaussian_kernel`).
    sigma : float
        The noise's level on the 0-255 scale (above 0).
    denoiser : callable, optional
        ``denoiser(image, level)``, level on the 0-255 scale; default :func:`prior`, the shipped
        gray model told the noise level, channel by channel on a colour image.
    iterations : int, optional
        HQS iterations.
    start : float, optional
        The first level; the levels fall geometrically from it to ``sigma``.
    lam : float, optional
        λ: the data step's weight is ``lam`` σ² / level² (DPIR's α_k = μ_k σ²,
        :func:`hqs_schedule`).
    levels : sequence of float, optional
        The levels instead of the geometric schedule.
    callback : callable, optional
        ``callback(level_k, x_k, z_k)`` after each iteration (:func:`hqs`).

    Returns
    -------
    ndarray
        Float32 in [0, 1], of the input's shape.
    """
    s = check_sigma(sigma, allow_zero=False)
    op = BlurOperator(kernel, as_float_image(blurred, name="blurred", noisy=True))
    levels, mus = _schedule(levels, start, s, iterations, s, lam)
    z = hqs(op, prior() if denoiser is None else denoiser, levels=levels, mus=mus, callback=callback)
    return np.clip(z, 0, 1).astype(np.float32)


def _schedule(levels, start, stop, iterations, sigma, lam):
    """:func:`hqs_schedule`, or the ``levels`` a caller gives with their μ's."""
    if levels is None:
        return hqs_schedule(start, stop, iterations, sigma=sigma, lam=lam)
    levels = np.asarray(levels, np.float64)
    if levels.ndim != 1 or not levels.size or (levels <= 0).any() or not np.isfinite(levels).all():
        raise ValueError(f"levels must be a non-empty sequence of positive noise levels, got {levels!r}")
    return levels, lam * (float(sigma) / levels) ** 2


def fill(image: np.ndarray, mask: np.ndarray, size: float = 2.0) -> np.ndarray:
    """Missing pixels filled with a Gaussian-weighted mean of the known ones near them (§5.5).

    Normalised convolution: a start for :func:`inpaint` and its baseline.

    Parameters
    ----------
    image : ndarray
        Float in [0, 1], (H, W) or (H, W, C); the missing pixels' values are ignored.
    mask : ndarray of bool
        The image's shape; True where a pixel is known, False where it is missing.
    size : float, optional
        The Gaussian's standard deviation in pixels.

    Returns
    -------
    ndarray
        Float32 of the image's shape: the known pixels as they are.
    """
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


def inpaint(image: np.ndarray, mask: np.ndarray, sigma: float = 0.0, *,
            denoiser: Callable[[np.ndarray, float], np.ndarray] | None = None,
            iterations: int = 20, start: float = 50.0, stop: float = 2.0, lam: float = 0.23,
            levels: Sequence[float] | None = None) -> np.ndarray:
    """Fill the pixels of ``image`` where ``mask`` is False by plug-and-play HQS (§5.5).

    The data step keeps the known pixels (weighed against the denoiser's output by
    ``lam`` σ² / level² when they are noisy) and takes the rest from the prior step. The loop
    is :func:`hqs` with a :class:`MaskOperator`, started from :func:`fill`.

    Parameters
    ----------
    image : ndarray
        Float in [0, 1], (H, W) or (H, W, 3); the missing pixels' values are ignored.
    mask : ndarray of bool
        The image's shape; True where a pixel is known.
    sigma : float, optional
        The known pixels' noise level on the 0-255 scale (0: exact, kept as they are).
    denoiser : callable, optional
        ``denoiser(image, level)``, level on the 0-255 scale; default :func:`prior`.
    iterations : int, optional
        HQS iterations.
    start, stop : float, optional
        The levels fall geometrically from ``start`` to ``max(sigma, stop)``.
    lam : float, optional
        λ of the data step's weight.
    levels : sequence of float, optional
        The levels instead of the geometric schedule.

    Returns
    -------
    ndarray
        Float32 in [0, 1], of the input's shape.
    """
    y = as_float_image(image, name="image", noisy=True).astype(np.float64)
    s = check_sigma(sigma)
    op = MaskOperator(mask, y)
    levels, mus = _schedule(levels, start, max(s, float(stop)), iterations, s, lam)
    z = hqs(op, prior() if denoiser is None else denoiser, levels=levels, mus=mus)
    if s == 0:
        z = np.where(op.mask, y, z)           # exact pixels stay exact
    return np.clip(z, 0, 1).astype(np.float32)
