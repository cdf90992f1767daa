"""A camera's noise (§5.1): what a sensor and its processing do to a photo, simulated.

Real noise is not white Gaussian noise added to the finished picture. It is added to the
*raw* sensor values, in linear light, before the camera's processing: its variance grows
with the signal (shot noise) on top of a floor (read noise); demosaicking spreads it over
neighbouring pixels and channels; white balance, colour correction and the tone curve
reshape it; JPEG removes some of it and adds blocks. :func:`add_camera_noise` runs a clean
sRGB photo backwards to raw and forwards again with noise, after Brooks et al. (2019,
"Unprocessing images for learned raw denoising") and CBDNet (Guo et al., 2019), with the
camera's parameters drawn at random (:func:`random_camera`) unless given.
"""

import io

import numpy as np

from .._checks import as_float_image, as_rng


#: the simulated camera's steps in order (:func:`add_camera_noise`), for its diagram (§5.1)
STAGES = ("clean sRGB\nphoto", "sRGB curve\ninverted", "colour\ncorrection\nundone", "white\nbalance\nundone",
          "Bayer\nmosaic (raw)", "shot + read\nnoise", "demosaicking", "white\nbalance", "colour\ncorrection",
          "sRGB curve", "JPEG (half\nthe cameras)")


def srgb_to_linear(x):
    """The sRGB transfer curve, inverted: displayed values in [0, 1] to linear light."""
    x = np.clip(x, 0.0, 1.0)
    return np.where(x <= 0.04045, x / 12.92, ((x + 0.055) / 1.055) ** 2.4)


def linear_to_srgb(x):
    """Linear light in [0, 1] to displayed sRGB values (the camera's tone curve, simplified)."""
    x = np.clip(x, 0.0, 1.0)
    return np.where(x <= 0.0031308, 12.92 * x, 1.055 * x ** (1 / 2.4) - 0.055)


def mosaic(rgb):
    """The Bayer (RGGB) sensor: one colour per pixel, (H, W, 3) -> (H, W)."""
    raw = rgb[..., 1].copy()
    raw[0::2, 0::2] = rgb[0::2, 0::2, 0]
    raw[1::2, 1::2] = rgb[1::2, 1::2, 2]
    return raw


def demosaic(raw):
    """Bilinear demosaicking of an RGGB mosaic, (H, W) -> (H, W, 3): each missing colour is
    the mean of its nearest neighbours of that colour, so noise spreads to them."""
    from scipy.ndimage import convolve

    h, w = raw.shape
    masks = np.zeros((3, h, w), bool)
    masks[0, 0::2, 0::2] = True
    masks[1, 0::2, 1::2] = masks[1, 1::2, 0::2] = True
    masks[2, 1::2, 1::2] = True
    rb = np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 4.0
    g = np.array([[0, 1, 0], [1, 4, 1], [0, 1, 0]]) / 4.0
    return np.stack([convolve(np.where(m, raw, 0.0), k, mode="mirror")
                     for m, k in zip(masks, (rb, g, rb))], axis=-1)


def random_camera(seed=None):
    """Camera parameters drawn as Brooks et al. (2019) draw them (§5.1).

    ``shot`` and ``read``: the noise variance of a raw value v is ``shot * v + read``, with
    log(shot) uniform in [log 1e-4, log 1.2e-2] (ISO from low to very high) and log(read) on
    a line in log(shot) plus a little scatter; ``gains``: red and blue white-balance gains;
    ``ccm``: a colour-correction matrix (camera to sRGB, rows summing to 1, mixing the
    channels and so correlating their noise); ``jpeg``: a JPEG quality, or None for a PNG
    (half the time); ``phase``: where the Bayer pattern starts, (row, column) in {0, 1}
    (RGGB, GRBG, GBRG or BGGR as seen from the photo's corner: a crop can start anywhere).
    """
    rng = as_rng(seed)
    log_shot = rng.uniform(np.log(1e-4), np.log(1.2e-2))
    log_read = 2.18 * log_shot + 1.20 + rng.normal(0, 0.26)
    mix = rng.uniform(0.1, 0.4)
    cam = (1 - mix) * np.eye(3) + mix * rng.dirichlet(np.ones(3), size=3)   # sRGB -> camera
    return dict(shot=float(np.exp(log_shot)), read=float(np.exp(log_read)),
                gains=(float(rng.uniform(1.9, 2.4)), float(rng.uniform(1.5, 1.9))),
                ccm=np.linalg.inv(cam), jpeg=int(rng.integers(75, 96)) if rng.random() < 0.5 else None,
                phase=tuple(int(v) for v in rng.integers(0, 2, size=2)))


def _jpeg(rgb, quality):
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.round(np.clip(rgb, 0, 1) * 255).astype(np.uint8)).save(
        buffer, format="JPEG", quality=quality)
    return np.asarray(Image.open(buffer), np.float32) / 255.0


def add_camera_noise(image, seed=None, camera=None, return_clean=False):
    """Camera noise on a clean sRGB photo (H, W, 3) in [0, 1], simulated in raw space (§5.1).

    The photo is unprocessed (sRGB curve inverted, colour correction and white balance
    undone, Bayer mosaic), Poisson-Gaussian noise of variance ``shot * v + read`` is added
    to each raw value v, and the raw image is processed again (bilinear demosaicking,
    white balance, colour correction, sRGB curve, 8-bit JPEG when ``camera["jpeg"]``).
    ``camera``: parameters as :func:`random_camera` returns them (drawn from ``seed`` when
    None). With ``return_clean`` also returns the same processing without the noise (and
    without JPEG): the clean target that differs from the noisy image by the noise only.
    Returns float32 in [0, 1]; sides are used as they are (odd sides are fine).
    """
    x = as_float_image(image, name="image")
    if x.ndim != 3 or x.shape[-1] != 3:
        raise ValueError(f"camera noise needs a colour image (H, W, 3); got shape {x.shape}")
    rng = as_rng(seed)
    cam = random_camera(rng) if camera is None else camera
    dy, dx = cam.get("phase", (0, 0))
    x = np.pad(x, ((dy, 0), (dx, 0), (0, 0)), mode="reflect")   # the mosaic's phase
    gains = np.array([cam["gains"][0], 1.0, cam["gains"][1]])
    to_camera = np.linalg.inv(cam["ccm"])
    raw = mosaic((srgb_to_linear(x) @ to_camera.T) / gains)

    def develop(r):
        rgb = np.clip(demosaic(r) * gains, 0.0, 1.0) @ np.asarray(cam["ccm"]).T
        return linear_to_srgb(rgb)

    noisy_raw = raw + np.sqrt(np.maximum(cam["shot"] * raw + cam["read"], 0.0)) * rng.standard_normal(raw.shape)
    noisy = develop(noisy_raw)
    if cam.get("jpeg"):
        noisy = _jpeg(noisy, cam["jpeg"])
    noisy = np.clip(noisy, 0.0, 1.0)[dy:, dx:].astype(np.float32)
    if return_clean:
        return noisy, np.clip(develop(raw), 0.0, 1.0)[dy:, dx:].astype(np.float32)
    return noisy
