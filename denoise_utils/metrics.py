"""How denoising is judged (§1): PSNR, SSIM and a repeatable evaluation loop.

PSNR and SSIM are scikit-image's, called with the settings of the papers the book
compares against: data range 1 and, for SSIM, the Gaussian window of Wang et al.
(2004). The estimate is scored as given (not clipped), so a noisy input is scored as
the literature scores it.
"""

import inspect
import time
from typing import Callable, Sequence

import numpy as np
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from ._checks import as_float_image, check_sigma
from .noise import as_noise


def _pair(clean, estimate):
    x = as_float_image(clean, name="clean")
    y = as_float_image(estimate, name="estimate", noisy=True)
    if x.ndim == 3 and x.shape[-1] == 1:
        x = x[..., 0]
    if y.ndim == 3 and y.shape[-1] == 1:
        y = y[..., 0]
    if x.shape != y.shape:
        raise ValueError(f"clean {x.shape} and estimate {y.shape} differ in shape")
    return x, y


def psnr(clean: np.ndarray, estimate: np.ndarray) -> float:
    """Peak signal-to-noise ratio in dB, ``10 log10(1 / MSE)`` for images in [0, 1] (§1).

    Parameters
    ----------
    clean, estimate : ndarray
        Images of one shape, in [0, 1] (the estimate scored as given, not clipped).

    Returns
    -------
    float
        PSNR in dB (+inf for identical images).
    """
    x, y = _pair(clean, estimate)
    with np.errstate(divide="ignore"):  # identical images: +inf dB, no warning
        return float(peak_signal_noise_ratio(x, y.astype(np.float64), data_range=1.0))


def ssim(clean: np.ndarray, estimate: np.ndarray) -> float:
    """Structural similarity (Wang et al., 2004), colour averaged over channels (§1).

    Parameters
    ----------
    clean, estimate : ndarray
        Images of one shape, in [0, 1], at least 11 × 11 pixels (the Gaussian window).

    Returns
    -------
    float
        SSIM in [-1, 1].
    """
    x, y = _pair(clean, estimate)
    if min(x.shape[:2]) < 11:
        raise ValueError(f"SSIM needs images of at least 11x11 pixels (its Gaussian window); "
                         f"these are {x.shape[0]}x{x.shape[1]}")
    return float(structural_similarity(
        x, y, data_range=1.0, channel_axis=-1 if x.ndim == 3 else None,
        gaussian_weights=True, sigma=1.5, use_sample_covariance=False))


def _takes_sigma(fn):
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name == "sigma" or p.kind == p.VAR_KEYWORD for p in params)


class Evaluation(dict):
    """Result of :func:`evaluate`: ``per_image`` rows and mean PSNR / SSIM / seconds."""

    def __getattr__(self, key):
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None

    def __repr__(self):
        return (f"Evaluation(sigma={self['sigma']}, n={len(self['per_image'])}, "
                f"psnr={self['psnr']:.2f} dB, ssim={self['ssim']:.4f}, "
                f"noisy_psnr={self['noisy_psnr']:.2f} dB, seconds={self['seconds']:.3g})")


def evaluate(denoiser: Callable[..., np.ndarray], images: dict | Sequence[np.ndarray],
             sigma: float | None, *, seed: int = 0, keep_images: bool = False,
             noise: str | Callable | None = None, noisy: dict | None = None) -> Evaluation:
    """Score ``denoiser`` on ``images`` corrupted by Gaussian noise of level ``sigma`` (§1).

    Parameters
    ----------
    denoiser : callable
        The book's denoiser contract: ``denoiser(noisy, sigma=sigma)`` (level on the 0-255
        scale) when it has a parameter named ``sigma``; a function of the image alone,
        ``denoiser(noisy)``, is one told nothing. It returns an image of the same shape.
    images : dict or sequence of ndarray
        Clean images in [0, 1], by name (a dict) or in order.
    sigma : float or None
        The noise level on the 0-255 scale; None only with ``noise`` or ``noisy``.
    seed : int, optional
        The first part of each image's seed: image *i* gets noise from seed ``(seed, i)``, so
        every method sees the very same noisy images.
    keep_images : bool, optional
        Keep the noisy and denoised arrays (``result.images``).
    noise : str or callable or None, optional
        Another kind of noise, by name in :data:`noise.NOISES` (given ``sigma`` where it takes
        one) or as a function ``(clean, rng)``; either gives the noisy image, or
        ``(noisy, reference)`` to be scored against ``reference`` (camera noise, §5.1).
    noisy : dict or None, optional
        Real noisy images with the keys of ``images``, used as they are: real camera noise
        scored against its references (``data.load_pairs``).

    Returns
    -------
    Evaluation
        ``per_image`` rows (name, psnr, ssim, noisy_psnr, seconds) and their means, as keys
        and attributes.
    """
    if not callable(denoiser):
        raise TypeError(f"denoiser must be callable, got {type(denoiser).__name__}")
    if (noise is None and noisy is None) or sigma is not None:
        sigma = check_sigma(sigma)
    if noisy is not None and (not isinstance(images, dict) or set(noisy) != set(images)):
        raise ValueError("noisy must be a dict with the same names as images")
    if isinstance(images, dict):
        items = list(images.items())
    else:
        items = [(f"image{i:02d}", im) for i, im in enumerate(images)]
    if not items:
        raise ValueError("images is empty")
    pass_sigma = _takes_sigma(denoiser)
    real, rows, kept = noisy, [], {}
    if real is None:
        noise = as_noise("gaussian" if noise is None else noise, sigma)
    for i, (name, clean) in enumerate(items):
        clean = as_float_image(clean, name=str(name))
        rng = np.random.default_rng((seed, i))
        if real is not None:
            noisy = as_float_image(real[name], name=f"noisy {name}", noisy=True)
        else:
            noisy = noise(clean, rng)
        if isinstance(noisy, tuple):
            noisy, clean = noisy
        start = time.perf_counter()
        out = denoiser(noisy, sigma=sigma) if pass_sigma else denoiser(noisy)
        seconds = time.perf_counter() - start
        out = np.asarray(out, dtype=np.float32)
        if out.shape != clean.shape:
            out = out.reshape(clean.shape) if out.size == clean.size else out
        if out.shape != clean.shape:
            raise ValueError(f"denoiser returned shape {out.shape} for an image of shape "
                             f"{clean.shape}")
        rows.append(dict(name=str(name), psnr=psnr(clean, out), ssim=ssim(clean, out),
                         noisy_psnr=psnr(clean, noisy), seconds=seconds))
        if keep_images:
            kept[str(name)] = dict(clean=clean, noisy=noisy, denoised=out)
    result = Evaluation(
        sigma=sigma, per_image=rows,
        psnr=float(np.mean([r["psnr"] for r in rows])),
        ssim=float(np.mean([r["ssim"] for r in rows])),
        noisy_psnr=float(np.mean([r["noisy_psnr"] for r in rows])),
        seconds=float(np.mean([r["seconds"] for r in rows])))
    if keep_images:
        result["images"] = kept
    return result


_FORMATS = {"psnr": "{:.2f}", "ssim": "{:.4f}", "seconds": "{:.3f}", "noisy_psnr": "{:.2f}"}


def results_table(results: dict, columns: Sequence[str] = ("psnr", "ssim", "seconds")) -> str:
    """A Markdown table of evaluations, one row per method.

    Parameters
    ----------
    results : dict
        ``{method: Evaluation}``, or ``{method: {sigma: Evaluation}}`` for a column per
        level and measure (a level a method lacks shows a dash).
    columns : sequence of str, optional
        The measures shown: ``"psnr"``, ``"ssim"``, ``"seconds"`` or ``"noisy_psnr"``.

    Returns
    -------
    str
        The table in Markdown.
    """
    fmt = _FORMATS
    heads = {"psnr": "PSNR (dB)", "ssim": "SSIM", "seconds": "s / image",
             "noisy_psnr": "noisy PSNR (dB)"}
    nested = any(not isinstance(v, Evaluation) for v in results.values())
    lines = []
    if nested:
        sigmas = sorted({s for v in results.values() for s in v})
        head = ["method"] + [f"σ={s:g} {heads[c]}" for s in sigmas for c in columns]
        lines.append("| " + " | ".join(head) + " |")
        lines.append("|" + "---|" * len(head))
        for method, by_sigma in results.items():
            cells = [fmt[c].format(by_sigma[s][c]) if s in by_sigma else "–"
                     for s in sigmas for c in columns]
            lines.append(f"| {method} | " + " | ".join(cells) + " |")
    else:
        head = ["method"] + [heads[c] for c in columns]
        lines.append("| " + " | ".join(head) + " |")
        lines.append("|" + "---|" * len(head))
        for method, ev in results.items():
            lines.append(f"| {method} | " + " | ".join(fmt[c].format(ev[c]) for c in columns) + " |")
    return "\n".join(lines)


def per_image_table(results: dict, column: str = "psnr") -> str:
    """A Markdown table, one row per image and one column per method, of ``column`` (§4.1).

    Parameters
    ----------
    results : dict
        ``{method: Evaluation}``, evaluations of the same images in the same order.
    column : str, optional
        The measure shown: ``"psnr"``, ``"ssim"``, ``"seconds"`` or ``"noisy_psnr"``.

    Returns
    -------
    str
        The table in Markdown.
    """
    evals = list(results.values())
    names = [r["name"] for r in evals[0].per_image]
    if any([r["name"] for r in ev.per_image] != names for ev in evals):
        raise ValueError("per_image_table needs evaluations of the same images in the same order")
    fmt = _FORMATS[column]
    lines = ["| image | " + " | ".join(results) + " |", "|---" * (len(results) + 1) + "|"]
    for i, name in enumerate(names):
        lines.append(f"| {name} | " + " | ".join(fmt.format(ev.per_image[i][column])
                                                   for ev in evals) + " |")
    return "\n".join(lines)


# Perception measures (§4.3): how natural an output looks, with no downloaded network.

def _gray_list(images, name):
    items = images.values() if isinstance(images, dict) else images
    if isinstance(images, np.ndarray) and images.ndim <= 3 and images.shape[-1] not in (1, 3):
        items = [images]
    out = [as_float_image(im, name=name, noisy=True) for im in items]
    return [(im.mean(axis=-1) if im.ndim == 3 else im).astype(np.float64) for im in out]


def sliced_wasserstein(clean: Sequence[np.ndarray] | dict, estimates: Sequence[np.ndarray] | dict,
                       *, patch: int = 7, levels: int = 3, per_image: int = 256,
                       projections: int = 512, seed: int = 0) -> float:
    """Sliced Wasserstein distance between the local patches of ``estimates`` and ``clean`` (§4.3).

    The measure of Karras et al. (2018, progressive GANs, appendix D), for gray images
    (colour is averaged): each image is split into a Laplacian pyramid of ``levels``
    levels, ``per_image`` random ``patch`` x ``patch`` patches are cut from every
    level at the same places in both sets, normalised by the clean patches' mean and
    standard deviation (so a loss of contrast counts), and the Wasserstein distance
    between the two sets of patches is averaged over ``projections`` random
    directions. A distribution distance: it does not reward matching each pixel.

    Parameters
    ----------
    clean, estimates : sequence of ndarray or dict
        Lists (or dicts, in the same order) of images of the same shapes.
    patch : int, optional
        The side of a patch.
    levels : int, optional
        The levels of the Laplacian pyramid.
    per_image : int, optional
        The patches cut from each image at every level.
    projections : int, optional
        The random directions the distance is averaged over.
    seed : int, optional
        Fixes the patches' places and the directions.

    Returns
    -------
    float
        The mean over levels, times 1000 as in the paper: 0 for equal patch statistics,
        larger as the outputs' textures depart from clean ones.
    """
    from skimage.transform import pyramid_laplacian

    a, b = _gray_list(clean, "clean"), _gray_list(estimates, "estimates")
    if len(a) != len(b) or any(x.shape != y.shape for x, y in zip(a, b)):
        raise ValueError("clean and estimates must be lists of images of the same shapes")
    rng = np.random.default_rng(seed)
    scores = []
    for level in range(levels):
        pa, pb = [], []
        for x, y in zip(a, b):
            lx = list(pyramid_laplacian(x, max_layer=level))[level]
            ly = list(pyramid_laplacian(y, max_layer=level))[level]
            if min(lx.shape) < patch:
                raise ValueError(f"image of {x.shape} too small for {levels} levels of {patch}px patches")
            i = rng.integers(lx.shape[0] - patch + 1, size=per_image)
            j = rng.integers(lx.shape[1] - patch + 1, size=per_image)
            idx = (i[:, None, None] + np.arange(patch)[:, None], j[:, None, None] + np.arange(patch))
            pa.append(lx[idx].reshape(per_image, -1))
            pb.append(ly[idx].reshape(per_image, -1))
        pa, pb = np.concatenate(pa), np.concatenate(pb)
        mean, std = pa.mean(), pa.std() + 1e-12
        pa, pb = (pa - mean) / std, (pb - mean) / std
        dirs = rng.standard_normal((pa.shape[1], projections))
        dirs /= np.linalg.norm(dirs, axis=0)
        proj_a, proj_b = np.sort(pa @ dirs, axis=0), np.sort(pb @ dirs, axis=0)
        scores.append(np.abs(proj_a - proj_b).mean())
    return float(np.mean(scores) * 1000)


def radial_power_spectrum(image: np.ndarray, bins: int = 64,
                          window: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Radially averaged power spectrum of a gray image (colour is averaged) (§4.3, §5.3).

    White noise is flat; smoothing removes power at high frequencies, noise adds it.

    Parameters
    ----------
    image : ndarray
        The image, (H, W) or (H, W, C).
    bins : int, optional
        The rings of spatial frequency from 0 to 0.5 cycles per pixel.
    window : bool, optional
        Taper the image (mean removed) by a Hann window first, so its borders (a jump where
        the FFT wraps around) add no false detail; ``window=False`` for noise, which has no
        borders to hide (§5.3).

    Returns
    -------
    frequency, power : ndarray
        Each ring's middle frequency and the mean of ``|FFT|^2 / pixels`` in it (the mean
        itself, at frequency 0, is left out).
    """
    (x,) = _gray_list([image], "image")
    taper = np.outer(np.hanning(x.shape[0]), np.hanning(x.shape[1])) if window else np.ones(x.shape)
    f = np.fft.fftshift(np.abs(np.fft.fft2((x - x.mean()) * taper)) ** 2) / taper.sum() ** 2 * x.size
    fy = np.fft.fftshift(np.fft.fftfreq(x.shape[0]))[:, None]
    fx = np.fft.fftshift(np.fft.fftfreq(x.shape[1]))[None, :]
    radius = np.hypot(fy, fx).ravel()
    keep = (radius > 0) & (radius <= 0.5)
    edges = np.linspace(0, 0.5, bins + 1)
    which = np.clip(np.digitize(radius[keep], edges) - 1, 0, bins - 1)
    power = np.bincount(which, f.ravel()[keep], bins) / np.maximum(np.bincount(which, None, bins), 1)
    return (edges[:-1] + edges[1:]) / 2, power


def high_frequency_ratio(clean: np.ndarray, estimate: np.ndarray,
                         band: tuple[float, float] = (2 / 3, 1.0)) -> float:
    """Power of ``estimate`` over power of ``clean`` in a band of high frequencies (§4.3).

    Parameters
    ----------
    clean, estimate : ndarray
        Images of one shape (gray; colour is averaged).
    band : tuple of float, optional
        A (low, high) fraction of the radial frequency range 0..0.5 cycles per pixel; the
        default is its top third.

    Returns
    -------
    float
        1 means the output has the clean image's fine detail (in quantity, not in place);
        below 1 it is over-smoothed, above 1 it is noisy or has invented texture.
    """
    f, pc = radial_power_spectrum(clean)
    _, pe = radial_power_spectrum(estimate)
    sel = (f >= 0.5 * band[0]) & (f <= 0.5 * band[1])
    if not sel.any() or pc[sel].sum() == 0:
        raise ValueError(f"the clean image has no power in the band {band}")
    return float(pe[sel].sum() / pc[sel].sum())


def gradient_distance(clean: np.ndarray, estimate: np.ndarray) -> float:
    """Wasserstein-1 distance between the gradient-magnitude histograms of two images (§4.3).

    Gradients by the Sobel filter (gray; colour is averaged). A blurry output has too
    many small gradients, a noisy one too many large ones; both move the histogram.

    Parameters
    ----------
    clean, estimate : ndarray
        Images of one shape.

    Returns
    -------
    float
        The distance, in units of intensity per pixel.
    """
    from scipy.stats import wasserstein_distance
    from skimage.filters import sobel

    x, y = _gray_list([clean], "clean")[0], _gray_list([estimate], "estimate")[0]
    if x.shape != y.shape:
        raise ValueError(f"clean {x.shape} and estimate {y.shape} differ in shape")
    return float(wasserstein_distance(sobel(x).ravel(), sobel(y).ravel()))


def perception_scores(clean: Sequence[np.ndarray] | dict,
                      estimates: Sequence[np.ndarray] | dict) -> dict:
    """The three perception measures of a set of outputs, beside nothing else (§4.3).

    Report PSNR and SSIM beside them: each of these can be gamed alone (noise has the
    right power).

    Parameters
    ----------
    clean, estimates : sequence of ndarray or dict
        Lists (or dicts, in the same order) of images.

    Returns
    -------
    dict
        ``swd`` (:func:`sliced_wasserstein` over the set), and the means over images of
        ``hf_ratio`` (:func:`high_frequency_ratio`) and ``gradient_distance``.
    """
    a, b = _gray_list(clean, "clean"), _gray_list(estimates, "estimates")
    return dict(swd=sliced_wasserstein(a, b),
                hf_ratio=float(np.mean([high_frequency_ratio(x, y) for x, y in zip(a, b)])),
                gradient_distance=float(np.mean([gradient_distance(x, y) for x, y in zip(a, b)])))


def sure(denoiser: Callable[[np.ndarray], np.ndarray], noisy: np.ndarray, sigma: float, *,
         eps: float | None = None, seed: int = 0, probe: np.ndarray | None = None) -> float:
    """Stein's unbiased estimate of the denoiser's MSE, from the noisy image alone (§5.2).

    For y = x + n with white Gaussian n of standard deviation s = σ/255 and a denoiser f,
    E‖f(y) − x‖²/N = E[‖f(y) − y‖²/N − s² + 2 s² div f(y)/N]. The divergence (the sum of
    ∂fᵢ/∂yᵢ) is estimated by Monte Carlo: bᵀ(f(y + εb) − f(y))/ε for one Gaussian probe b.

    Parameters
    ----------
    denoiser : callable
        ``denoiser(noisy)`` takes and returns one image.
    noisy : ndarray
        The noisy image, float in [0, 1] (not clipped).
    sigma : float
        The noise level on the 0-255 scale.
    eps : float or None, optional
        The step ε (default: s / 100).
    seed : int, optional
        Seeds the probe when ``probe`` is None.
    probe : ndarray or None, optional
        The probe b itself, of the image's shape (default: drawn from ``seed``); it must be
        independent of the noise, and §5.2 shows what happens when it is not.

    Returns
    -------
    float
        The estimated MSE on the [0, 1] scale.
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
