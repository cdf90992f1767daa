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
          "sRGB curve", "colour noise\nreduction,\nsharpening\n(wide only)", "JPEG")


def srgb_to_linear(x: np.ndarray) -> np.ndarray:
    """The sRGB transfer curve, inverted: displayed values in [0, 1] to linear light.

    Parameters
    ----------
    x : ndarray
        Displayed sRGB values (clipped to [0, 1] first).

    Returns
    -------
    ndarray
        Linear light in [0, 1], of the input's shape.
    """
    x = np.clip(x, 0.0, 1.0)
    return np.where(x <= 0.04045, x / 12.92, ((x + 0.055) / 1.055) ** 2.4)


def linear_to_srgb(x: np.ndarray) -> np.ndarray:
    """Linear light in [0, 1] to displayed sRGB values (the camera's tone curve, simplified).

    Parameters
    ----------
    x : ndarray
        Linear light (clipped to [0, 1] first).

    Returns
    -------
    ndarray
        Displayed sRGB values in [0, 1], of the input's shape.
    """
    x = np.clip(x, 0.0, 1.0)
    return np.where(x <= 0.0031308, 12.92 * x, 1.055 * x ** (1 / 2.4) - 0.055)


def mosaic(rgb: np.ndarray) -> np.ndarray:
    """The Bayer (RGGB) sensor: one colour per pixel, (H, W, 3) -> (H, W).

    Parameters
    ----------
    rgb : ndarray
        A colour image, (H, W, 3).

    Returns
    -------
    ndarray
        The raw mosaic, (H, W).
    """
    raw = rgb[..., 1].copy()
    raw[0::2, 0::2] = rgb[0::2, 0::2, 0]
    raw[1::2, 1::2] = rgb[1::2, 1::2, 2]
    return raw


def demosaic(raw: np.ndarray) -> np.ndarray:
    """Bilinear demosaicking of an RGGB mosaic, (H, W) -> (H, W, 3).

    Each missing colour is the mean of its nearest neighbours of that colour, so noise
    spreads to them.

    Parameters
    ----------
    raw : ndarray
        The raw mosaic, (H, W).

    Returns
    -------
    ndarray
        The colour image, (H, W, 3).
    """
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


def random_camera(seed: int | np.random.Generator | None = None, wide: bool = False, *,
                  phone: bool = False) -> dict:
    """Camera parameters drawn as Brooks et al. (2019) draw them (§5.1).

    Parameters
    ----------
    seed : int or numpy.random.Generator or None, optional
        Fixes the draw.
    wide : bool, optional
        ``wide=True`` widens the draw where it is narrow (§5.1 (III)): ISO down to a tenth of
        the lowest (shot from 1e-5), stronger colour matrices, JPEG at any quality from 60 to
        98 (70 % of the cameras), and two steps every camera's processing has and Brooks et
        al. leave out: ``chroma``, the colour noise reduction (the spread, in pixels, of a
        blur of the two chroma channels, 0.5-2.5; 80 % of the cameras), which leaves mostly
        luminance noise, positively correlated between the channels; and ``sharpen``, an
        unsharp mask's amount (0.2-1.2; half the cameras). The plain draw is unchanged.
    phone : bool, optional
        Draw a phone instead (:func:`random_phone`); ``wide`` is then ignored.

    Returns
    -------
    dict
        ``shot`` and ``read``: the noise variance of a raw value v is ``shot * v + read``,
        with log(shot) uniform in [log 1e-4, log 1.2e-2] (ISO from low to very high) and
        log(read) on a line in log(shot) plus a little scatter; ``gains``: red and blue
        white-balance gains; ``ccm``: a colour-correction matrix (camera to sRGB, rows
        summing to 1, mixing the channels and so correlating their noise); ``jpeg``: a JPEG
        quality, or None for a PNG (half the time); ``phase``: where the Bayer pattern
        starts, (row, column) in {0, 1} (RGGB, GRBG, GBRG or BGGR as seen from the photo's
        corner: a crop can start anywhere); with ``wide``, also ``chroma`` and ``sharpen``
        (0.0 for a camera without the step).
    """
    rng = as_rng(seed)
    if phone:
        return random_phone(rng)
    log_shot = rng.uniform(np.log(1e-5 if wide else 1e-4), np.log(1.2e-2))
    log_read = 2.18 * log_shot + 1.20 + rng.normal(0, 0.26)
    mix = rng.uniform(0.1, 0.6 if wide else 0.4)
    cam = (1 - mix) * np.eye(3) + mix * rng.dirichlet(np.ones(3), size=3)   # sRGB -> camera
    if wide:
        jpeg = int(rng.integers(60, 99)) if rng.random() < 0.7 else None
    else:
        jpeg = int(rng.integers(75, 96)) if rng.random() < 0.5 else None
    camera = dict(shot=float(np.exp(log_shot)), read=float(np.exp(log_read)),
                  gains=(float(rng.uniform(1.9, 2.4)), float(rng.uniform(1.5, 1.9))),
                  ccm=np.linalg.inv(cam), jpeg=jpeg,
                  phase=tuple(int(v) for v in rng.integers(0, 2, size=2)))
    if wide:
        camera["chroma"] = float(rng.uniform(0.5, 2.5)) if rng.random() < 0.8 else 0.0
        camera["sharpen"] = float(rng.uniform(0.2, 1.2)) if rng.random() < 0.5 else 0.0
    return camera


#: the phone's noise: log10(shot) uniform in this range and log10(read) on the line
#: ``PHONE_READ_LINE`` (slope, intercept) plus Gaussian scatter of ``PHONE_READ_SCATTER``: the
#: fit to the SIDD smartphone photos (Abdelhamed et al., 2018) that CycleISP samples its
#: SIDD noise from (Zamir et al., 2020, ``utils/noise_sampling.py``), in base-10 logs
PHONE_SHOT = (6.8674e-4, 2.194856e-2)
PHONE_READ_LINE, PHONE_READ_SCATTER = (1.85, 0.30), 0.20
#: the phone's lens shading (the corners' gain minus one) and JPEG qualities, drawn uniformly
PHONE_SHADING, PHONE_JPEG = (0.5, 2.0), (80, 95)


def random_phone(seed: int | np.random.Generator | None = None) -> dict:
    """A phone's camera parameters, drawn (§5.1 (III)).

    A phone's pixels are a few times smaller than a larger camera's, so at the same light
    they collect fewer photons: stronger shot and read noise. Its processing then changes
    the noise from place to place: lens shading correction multiplies the corners by a gain
    (a phone's wide lens darkens them), local tone mapping lifts the shadows, and the
    phone's own noise reduction, sharpening and JPEG follow.

    Parameters
    ----------
    seed : int or numpy.random.Generator or None, optional
        Fixes the draw.

    Returns
    -------
    dict
        The keys of :func:`random_camera` with ``wide``, drawn for a phone: ``shot`` and
        ``read`` from SIDD's fit (:data:`PHONE_SHOT`); JPEG always, quality 80-95; colour
        noise reduction always (``chroma`` 1-3); sharpening in 90 % of the phones
        (``sharpen`` 0.3-1.5); and three steps of a phone's own: ``luma``, a luminance
        noise reduction (an edge-preserving blend with a blurred copy where the two differ
        by less than about ``luma``, 0.02-0.08; 0.0 in 20 %); ``shading``, the corners'
        gain over the centre's, minus one (0.5-2.0); ``frame``, where the image lies in
        the phone's frame (``scale``: the frame's side in image sides, log-uniform in 1-8,
        so a training patch is a piece of a photo; ``at``: the image's offset in the rest
        of the frame, two fractions); and ``tone``, the strength of a local tone mapping
        that multiplies linear light by (blurred luminance + 0.02)^(-tone), 0-0.4.
    """
    rng = as_rng(seed)
    cam = random_camera(rng, wide=True)
    log_shot = rng.uniform(*np.log10(PHONE_SHOT))
    log_read = PHONE_READ_LINE[0] * log_shot + PHONE_READ_LINE[1] + rng.normal(0, PHONE_READ_SCATTER)
    cam.update(shot=float(10 ** log_shot), read=float(10 ** log_read),
               jpeg=int(rng.integers(PHONE_JPEG[0], PHONE_JPEG[1] + 1)),
               chroma=float(rng.uniform(1.0, 3.0)),
               sharpen=float(rng.uniform(0.3, 1.5)) if rng.random() < 0.9 else 0.0,
               luma=float(rng.uniform(0.02, 0.08)) if rng.random() < 0.8 else 0.0,
               shading=float(rng.uniform(*PHONE_SHADING)),
               frame=(float(np.exp(rng.uniform(0, np.log(8)))), tuple(float(v) for v in rng.uniform(0, 1, 2))),
               tone=float(rng.uniform(0.0, 0.4)))
    return cam


def shading_gain(shape: tuple[int, int], shading: float, frame: tuple = (1.0, (0.0, 0.0))) -> np.ndarray:
    """Lens shading correction's gain over an image (§5.1 (III)): 1 at the frame's centre,
    ``1 + shading`` at its corners, growing with the squared distance.

    Parameters
    ----------
    shape : (int, int)
        The image's height and width.
    shading : float
        The corners' gain minus one.
    frame : (float, (float, float)), optional
        The frame's side in image sides, and the image's offset in the rest of it (two
        fractions); the default: the image is the whole frame.

    Returns
    -------
    ndarray
        The gain, (H, W), float64.
    """
    scale, (fy, fx) = frame
    h, w = shape
    y0, x0 = fy * (scale - 1) * h, fx * (scale - 1) * w          # the image's corner in the frame
    yy = (np.arange(h)[:, None] + 0.5 + y0) / (scale * h) - 0.5    # frame coordinates, centre 0
    xx = (np.arange(w)[None, :] + 0.5 + x0) / (scale * w) - 0.5
    return 1.0 + shading * (yy ** 2 + xx ** 2) / 0.5


def tone_gain(linear: np.ndarray, tone: float, spread: float = 12.0) -> np.ndarray:
    """Local tone mapping's gain (§5.1 (III)): (blurred luminance + 0.02) ** -tone.

    A phone lifts its shadows by a gain that follows the local brightness; computed once
    from the clean picture, as a phone computes it from a small, clean preview.

    Parameters
    ----------
    linear : ndarray
        Linear-light RGB, (H, W, 3) in [0, 1].
    tone : float
        The strength (0: no gain).
    spread : float, optional
        The blur's spread in pixels.

    Returns
    -------
    ndarray
        The gain, (H, W, 1), float64, at least 1 where the luminance is below 0.98.
    """
    from scipy.ndimage import gaussian_filter

    luminance = gaussian_filter(linear @ YCBCR[0], spread, mode="mirror")
    return ((luminance + 0.02) ** -tone)[..., None]


#: sRGB -> (Y, Cb, Cr) as JPEG defines it, without the offsets
YCBCR = np.array([[0.299, 0.587, 0.114], [-0.168736, -0.331264, 0.5], [0.5, -0.418688, -0.081312]])


def finish(rgb: np.ndarray, *, chroma: float = 0.0, sharpen: float = 0.0, luma: float = 0.0) -> np.ndarray:
    """A camera's last steps on its sRGB image (§5.1): noise reduction and sharpening.

    Parameters
    ----------
    rgb : ndarray
        The sRGB image, (H, W, 3) in [0, 1].
    chroma : float, optional
        Colour noise reduction: the chroma channels blurred with spread ``chroma`` pixels
        (0: none).
    sharpen : float, optional
        Sharpening: an unsharp mask of amount ``sharpen`` on the luminance (0: none).
    luma : float, optional
        A phone's luminance noise reduction: each pixel moves towards a blurred copy
        (spread 1 px) by exp(-(difference / ``luma``)²), so flat noisy areas are smoothed
        and edges, which differ by much more, are kept (0: none).

    Returns
    -------
    ndarray
        The image, clipped to [0, 1]; zero for all three: ``rgb`` unchanged (the same object).
    """
    if not chroma and not sharpen and not luma:
        return rgb
    from scipy.ndimage import gaussian_filter

    ycc = rgb @ YCBCR.T
    if chroma:
        for c in (1, 2):
            ycc[..., c] = gaussian_filter(ycc[..., c], chroma, mode="mirror")
    if luma:
        d = gaussian_filter(ycc[..., 0], 1.0, mode="mirror") - ycc[..., 0]
        ycc[..., 0] += np.exp(-np.square(d / luma)) * d
    if sharpen:
        ycc[..., 0] += sharpen * (ycc[..., 0] - gaussian_filter(ycc[..., 0], 1.0, mode="mirror"))
    return np.clip(ycc @ np.linalg.inv(YCBCR).T, 0.0, 1.0)


def _jpeg(rgb, quality):
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.round(np.clip(rgb, 0, 1) * 255).astype(np.uint8)).save(
        buffer, format="JPEG", quality=quality)
    return np.asarray(Image.open(buffer), np.float32) / 255.0


def add_camera_noise(image: np.ndarray, *, seed: int | np.random.Generator | None = None,
                     camera: dict | None = None, return_clean: bool = False,
                     wide: bool = False, phone: bool = False) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Camera noise on a clean sRGB photo (H, W, 3) in [0, 1], simulated in raw space (§5.1).

    The photo is unprocessed (sRGB curve inverted, colour correction and white balance
    undone, Bayer mosaic), Poisson-Gaussian noise of variance ``shot * v + read`` is added
    to each raw value v, and the raw image is processed again (bilinear demosaicking,
    white balance, colour correction, sRGB curve, colour noise reduction and sharpening
    where ``camera`` has them, 8-bit JPEG when ``camera["jpeg"]``); a phone's gains
    (``shading``, ``tone``) divide the light before the noise and multiply it after.

    Parameters
    ----------
    image : ndarray
        The clean photo, (H, W, 3) in [0, 1] (uint8 and uint16 are rescaled); sides are used
        as they are (odd sides are fine).
    seed : int or numpy.random.Generator or None, optional
        Fixes the noise (and the camera, when it is drawn).
    camera : dict or None, optional
        Parameters as :func:`random_camera` returns them (drawn from ``seed`` when None).
    return_clean : bool, optional
        Also return the same processing without the noise (and without JPEG): the clean
        target that differs from the noisy image by the noise only.
    wide : bool, optional
        Draw the camera widened (``wide`` of :func:`random_camera`), when it is drawn.
    phone : bool, optional
        Draw a phone (:func:`random_phone`), when the camera is drawn: lens shading and local
        tone mapping multiply the raw values by a gain that varies over the image, and a
        phone's luminance noise reduction follows the colour one.

    Returns
    -------
    ndarray or tuple of ndarray
        The noisy photo, float32 in [0, 1]; with ``return_clean``, ``(noisy, clean)``.
    """
    x = as_float_image(image, name="image")
    if x.ndim != 3 or x.shape[-1] != 3:
        raise ValueError(f"camera noise needs a colour image (H, W, 3); got shape {x.shape}")
    rng = as_rng(seed)
    cam = random_camera(rng, wide=wide, phone=phone) if camera is None else camera
    dy, dx = cam.get("phase", (0, 0))
    x = np.pad(x, ((dy, 0), (dx, 0), (0, 0)), mode="reflect")   # the mosaic's phase
    gains = np.array([cam["gains"][0], 1.0, cam["gains"][1]])
    to_camera = np.linalg.inv(cam["ccm"])
    linear = srgb_to_linear(x)
    tone = tone_gain(linear, cam["tone"]) if cam.get("tone") else 1.0
    shade = shading_gain(x.shape[:2], cam["shading"], cam.get("frame", (1.0, (0.0, 0.0)))) \
        if cam.get("shading") else 1.0
    raw = mosaic(((linear / tone) @ to_camera.T) / gains) / shade    # the lens darkens the corners

    def develop(r):
        rgb = np.clip(demosaic(r * shade) * gains, 0.0, 1.0) @ np.asarray(cam["ccm"]).T
        rgb = np.clip(rgb * tone, 0.0, 1.0)
        return finish(linear_to_srgb(rgb), chroma=cam.get("chroma", 0.0), sharpen=cam.get("sharpen", 0.0),
                      luma=cam.get("luma", 0.0))

    noisy_raw = raw + np.sqrt(np.maximum(cam["shot"] * raw + cam["read"], 0.0)) * rng.standard_normal(raw.shape)
    noisy = develop(noisy_raw)
    if cam.get("jpeg"):
        noisy = _jpeg(noisy, cam["jpeg"])
    noisy = np.clip(noisy, 0.0, 1.0)[dy:, dx:].astype(np.float32)
    if return_clean:
        return noisy, np.clip(develop(raw), 0.0, 1.0)[dy:, dx:].astype(np.float32)
    return noisy
