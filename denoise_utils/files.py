"""Image files in and out, safely (§1, §4.1).

* :func:`load_image` reads what cameras and editors write as float32 in [0, 1], upright.
* :func:`check_output` refuses a bad output path *before* any work is done.
* :func:`save_image` writes through a temporary file that is renamed into place, so an
  existing file is never replaced without ``overwrite=True`` and an interrupted write
  never leaves a half-written file.

The rules for reading (the user guide, ``book/user_guide.md``, repeats them):

* EXIF orientation is applied, so a portrait photo comes back portrait; the file written
  afterwards holds upright pixels and no orientation tag.
* 8-bit files are divided by 255, 16-bit ones by 65535; 1-bit files give 0 and 1. A 16-bit
  colour PNG is read at 8-bit precision (Pillow's decoder); 16-bit TIFFs and 16-bit gray
  PNGs keep all 16 bits.
* Palette images become RGB (or gray when every palette entry is gray); CMYK becomes RGB
  (the plain conversion, no colour profile); an alpha channel is composited over white.
* Colour profiles are not applied: pixel values are taken as stored. :func:`read_metadata`
  returns what the file carries beside its pixels, and :func:`save_image` writes it back:
  EXIF (camera, date, lens; orientation reset to 1, as the pixels are upright) and the ICC
  profile, so a Display-P3 phone photo keeps its colours; JPEG at quality 95 by default with
  the input's chroma subsampling (4:4:4 when unknown); a 16-bit input as 16-bit PNG or TIFF.
* Anything else (several pages or frames, a stack, more than 4 channels, float data
  outside [0, 1]) is refused by name.
"""

import os
import struct
import tempfile
import zlib
from typing import Sequence

import numpy as np

from ._checks import as_float_image

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp")

#: EXIF orientation tag -> how to turn the stored pixels upright (as PIL.ImageOps.exif_transpose)
_ORIENT = {
    2: lambda a: a[:, ::-1], 3: lambda a: a[::-1, ::-1], 4: lambda a: a[::-1],
    5: lambda a: np.swapaxes(a, 0, 1), 6: lambda a: np.rot90(a, -1),
    7: lambda a: np.swapaxes(a[::-1, ::-1], 0, 1), 8: lambda a: np.rot90(a, 1),
}


def _probe(path):
    """Open ``path`` with Pillow: (format, mode, frames, EXIF orientation), or a clear error."""
    from PIL import Image

    try:
        with Image.open(path) as im:
            frames = getattr(im, "n_frames", 1)
            orientation = im.getexif().get(0x0112, 1)
            return im.format, im.mode, frames, orientation
    except PermissionError:
        raise PermissionError(f"{path!r}: not permitted to read it") from None
    except Image.DecompressionBombError as err:
        raise ValueError(f"{path!r} is too large to read safely ({err})") from None
    except (OSError, SyntaxError, ValueError):
        return None, None, 1, 1    # not Pillow's: imageio (tifffile) may still read it


def check_input(path: str | os.PathLike) -> str:
    """Check that ``path`` is a readable, non-empty file (cheap: reads nothing).

    Parameters
    ----------
    path : str or os.PathLike
        The file.

    Returns
    -------
    str
        ``path`` as a string.

    Raises
    ------
    FileNotFoundError, IsADirectoryError, PermissionError, ValueError
        When it is missing, a folder, not readable or empty.
    """
    path = os.fspath(path)
    if os.path.isdir(path):
        raise IsADirectoryError(f"{path!r} is a folder, not an image file")
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no image file at {path!r}")
    if not os.access(path, os.R_OK):
        raise PermissionError(f"{path!r}: not permitted to read it")
    if os.path.getsize(path) == 0:
        raise ValueError(f"{path!r} is empty (0 bytes)")
    return path


def load_image(path: str | os.PathLike, as_gray: bool = False) -> np.ndarray:
    """Read an image file as float32 in [0, 1], shape (H, W) or (H, W, 3), upright (§1).

    See the module's rules: EXIF orientation applied; 8-/16-bit scaled; 1-bit, palette,
    CMYK, gray+alpha and RGBA converted; multi-page files refused.

    Parameters
    ----------
    path : str or os.PathLike
        A PNG, JPEG, TIFF or BMP file.
    as_gray : bool, optional
        ``as_gray=True`` converts colour with ITU-R 709 luminance weights
        (``skimage.color.rgb2gray``).

    Returns
    -------
    ndarray
        Float32 in [0, 1], (H, W) or (H, W, 3).
    """
    import imageio.v3 as iio
    from skimage.color import rgb2gray

    path = check_input(path)
    fmt, mode, frames, orientation = _probe(path)
    if frames > 1 and fmt != "MPO":      # MPO: a phone's JPEG whose extra frames are previews
        raise ValueError(f"{path!r} holds {frames} pages or frames; this package reads "
                         "single images (save the one you want as its own file)")
    try:
        if mode == "CMYK" or fmt == "MPO":
            from PIL import Image

            with Image.open(path) as im:
                raw = np.asarray(im.convert("RGB" if im.mode == "CMYK" else im.mode))
        else:
            raw = np.asarray(iio.imread(path))
    except MemoryError:
        raise ValueError(f"{path!r} is too large to fit in memory") from None
    except Exception:
        raise ValueError(f"cannot read {path!r}: it is corrupt, cut short, or not a format "
                         "this package reads (PNG, JPEG, TIFF, BMP)") from None
    if raw.ndim == 3 and raw.shape[-1] > 4 and raw.shape[0] <= 4:  # channels first (TIFF)
        raw = np.moveaxis(raw, 0, -1)
    if raw.ndim > 3 or (raw.ndim == 3 and raw.shape[-1] > 4):
        raise ValueError(f"{path!r} holds an array of shape {raw.shape}: a stack or an "
                         "image with more than 4 channels, not a single photo")
    if raw.ndim < 2 or min(raw.shape[:2]) < 1:
        raise ValueError(f"{path!r} holds an array of shape {raw.shape}, not a 2-D image")
    if raw.dtype == np.uint8:
        img = raw.astype(np.float32) / 255.0
    elif raw.dtype == np.uint16:
        img = raw.astype(np.float32) / 65535.0
    elif raw.dtype == bool:
        img = raw.astype(np.float32)
    elif np.issubdtype(raw.dtype, np.integer) and raw.min() >= 0 and raw.max() <= 65535:
        img = raw.astype(np.float32) / (255.0 if raw.max() <= 255 else 65535.0)
    elif np.issubdtype(raw.dtype, np.floating):
        img = raw.astype(np.float32)
    else:
        raise ValueError(f"{path!r} has unsupported pixel type {raw.dtype}")
    if img.ndim == 3 and img.shape[-1] in (2, 4):  # gray+alpha or RGBA: over white
        alpha = img[..., -1:]
        img = img[..., :-1] * alpha + (1.0 - alpha)
    if img.ndim == 3 and img.shape[-1] == 1:
        img = img[..., 0]
    if mode in ("P", "PA") and img.ndim == 3 and np.array_equal(img[..., 0], img[..., 1]) \
            and np.array_equal(img[..., 0], img[..., 2]):
        img = img[..., 0]                 # a gray palette
    if orientation in _ORIENT:
        img = np.ascontiguousarray(_ORIENT[orientation](img))
    if as_gray and img.ndim == 3:
        img = rgb2gray(img).astype(np.float32)
    return as_float_image(img, name=path)


def read_metadata(path: str | os.PathLike) -> dict:
    """What ``path`` carries beside its pixels (§6), for :func:`save_image` to write back.

    Parameters
    ----------
    path : str or os.PathLike
        An image file.

    Returns
    -------
    dict
        ``exif`` (bytes, with the orientation reset to 1, since :func:`load_image` turns
        the pixels upright; None if there is none), ``icc_profile`` (bytes or None), ``bits``
        (16 for 16-bit samples, else 8) and ``subsampling`` (a JPEG's chroma subsampling as
        Pillow names it: 0 for 4:4:4, 1 for 4:2:2, 2 for 4:2:0; None for other files).
    """
    import imageio.v3 as iio
    from PIL import Image, JpegImagePlugin

    path = check_input(path)
    meta = dict(exif=None, icc_profile=None, bits=8, subsampling=None)
    try:
        with Image.open(path) as im:
            exif = im.getexif()
            if 0x0112 in exif:
                exif[0x0112] = 1
            meta["exif"] = exif.tobytes() if len(exif) else None
            meta["icc_profile"] = im.info.get("icc_profile") or None
            if im.format == "JPEG":
                sampling = JpegImagePlugin.get_sampling(im)
                meta["subsampling"] = sampling if sampling in (0, 1, 2) else None
    except (OSError, SyntaxError, ValueError):
        pass                              # not Pillow's: pixels only
    try:
        meta["bits"] = 16 if iio.improps(path).dtype == np.uint16 else 8
    except Exception:  # noqa: BLE001  an unreadable file fails in load_image, with its reason
        pass
    return meta


def _png16(path, data, icc_profile=None, exif=None):
    """A 16-bit PNG (gray or RGB) with its ICC profile and EXIF: Pillow writes 16-bit gray only."""

    def chunk(kind, payload):
        return (struct.pack(">I", len(payload)) + kind + payload
                + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF))

    h, w = data.shape[:2]
    rows = data.astype(">u2").reshape(h, -1)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, 0 if data.ndim == 2 else 2,
                                                              0, 0, 0))
    if icc_profile:
        png += chunk(b"iCCP", b"ICC profile\x00\x00" + zlib.compress(icc_profile))
    if exif:
        png += chunk(b"eXIf", exif[6:] if exif.startswith(b"Exif\x00\x00") else exif)
    png += chunk(b"IDAT", zlib.compress(b"".join(b"\x00" + r.tobytes() for r in rows), 6))
    with open(path, "wb") as fh:
        fh.write(png + chunk(b"IEND", b""))


def _write(path, img, suffix, metadata, quality):
    """Write float ``img`` in [0, 1] to ``path`` in the format of ``suffix``, with ``metadata``."""
    import imageio.v3 as iio
    from PIL import Image

    meta = metadata or {}
    exif, icc = meta.get("exif"), meta.get("icc_profile")
    if suffix in (".tif", ".tiff"):       # 16-bit always; the ICC profile as its TIFF tag
        import tifffile

        tags = [(34675, "B", len(icc), icc, True)] if icc else []
        tifffile.imwrite(path, np.round(img * 65535).astype(np.uint16),
                         photometric="rgb" if img.ndim == 3 else "minisblack", extratags=tags)
    elif suffix == ".png" and meta.get("bits") == 16:
        _png16(path, np.round(img * 65535).astype(np.uint16), icc, exif)
    elif suffix in (".png", ".jpg", ".jpeg"):
        extra = {k: v for k, v in (("exif", exif), ("icc_profile", icc)) if v}
        if suffix != ".png":
            sampling = meta.get("subsampling")
            extra.update(quality=quality, subsampling=0 if sampling is None else sampling)
        Image.fromarray(np.round(img * 255).astype(np.uint8)).save(
            path, format="PNG" if suffix == ".png" else "JPEG", **extra)
    else:
        iio.imwrite(path, np.round(img * 255).astype(np.uint8), extension=suffix)


def check_output(path: str | os.PathLike, overwrite: bool = False,
                 inputs: Sequence[str | os.PathLike] = ()) -> str:
    """Check that ``path`` can be written, before any work (§4.1).

    Refuses an unsupported suffix, a folder that does not exist or cannot be written,
    a folder in the way, any of ``inputs`` (compared after resolving links and ``..``), and
    an existing file unless ``overwrite``. Creates nothing that stays.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write (suffix one of ``IMAGE_SUFFIXES``).
    overwrite : bool, optional
        Allow an existing file (never one of ``inputs``).
    inputs : sequence of str or os.PathLike, optional
        The input files, which are never written.

    Returns
    -------
    str
        The resolved path (its folder's links resolved).
    """
    path = os.fspath(path)
    suffix = os.path.splitext(path)[1].lower()
    if suffix not in IMAGE_SUFFIXES:
        raise ValueError(f"cannot write {path!r}: use one of {', '.join(IMAGE_SUFFIXES)}")
    folder = os.path.dirname(path) or "."
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"cannot write {path!r}: the folder {folder!r} does not exist")
    target = os.path.join(os.path.realpath(folder), os.path.basename(path))
    if os.path.islink(target) or os.path.exists(target):
        resolved = os.path.realpath(target)
        if any(os.path.exists(i) and os.path.samefile(resolved, i) for i in inputs):
            raise FileExistsError(f"{path!r} is the input file; choose another name "
                                  "(the input is never overwritten)")
        if os.path.isdir(resolved):
            raise IsADirectoryError(f"cannot write {path!r}: it is a folder")
        if not overwrite:
            raise FileExistsError(f"{path!r} exists; choose another name or pass "
                                  "overwrite=True (--overwrite)")
    try:  # the folder is writable (also for root on a read-only file system)
        fd, probe = tempfile.mkstemp(dir=os.path.dirname(target), prefix=".denoise-")
        os.close(fd)
        os.remove(probe)
    except OSError as err:
        raise PermissionError(f"cannot write into {folder!r} ({err.strerror})") from None
    return target


def save_image(path: str | os.PathLike, image: np.ndarray, *, overwrite: bool = False,
               inputs: Sequence[str | os.PathLike] = (), metadata: dict | None = None,
               quality: int = 95) -> str:
    """Write a float image in [0, 1] as PNG, JPEG or BMP (8-bit) or TIFF (16-bit) (§1).

    Checks the path first (:func:`check_output`), writes a temporary file in the same
    folder and renames it into place, so the destination is either untouched or whole.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write; its suffix picks the format.
    image : ndarray
        Float in [0, 1] (values outside are clipped; uint8/uint16 are rescaled), (H, W) or
        (H, W, C).
    overwrite : bool, optional
        Never an existing file without ``overwrite=True``.
    inputs : sequence of str or os.PathLike, optional
        Never one of ``inputs``.
    metadata : dict or None, optional
        ``metadata`` (from :func:`read_metadata`) is written back: EXIF into JPEG and PNG,
        the ICC profile into JPEG, PNG and TIFF, 16 bits into PNG when ``bits`` is 16, a
        JPEG's chroma subsampling (else 4:4:4).
    quality : int, optional
        JPEG quality, 1-100 (default 95).

    Returns
    -------
    str
        ``path`` as given (as a string).
    """
    if not (isinstance(quality, (int, np.integer)) and 1 <= quality <= 100):
        raise ValueError(f"quality must be a whole number from 1 to 100, got {quality!r}")
    target = check_output(path, overwrite=overwrite, inputs=inputs)
    img = np.clip(as_float_image(image, noisy=True), 0.0, 1.0)
    if img.ndim == 3 and img.shape[-1] == 1:
        img = img[..., 0]
    suffix = os.path.splitext(target)[1].lower()
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(target), prefix=".denoise-", suffix=suffix)
    os.close(fd)
    try:
        _write(tmp, img, suffix, metadata, int(quality))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)      # as an ordinary new file, not mkstemp's 0600
        if overwrite:
            os.replace(tmp, target)
        else:
            try:
                os.link(tmp, target)       # fails if the file appeared meanwhile
            except FileExistsError:
                raise FileExistsError(f"{os.fspath(path)!r} exists; choose another name or "
                                      "pass overwrite=True (--overwrite)") from None
            except OSError:                # a file system without hard links
                if os.path.exists(target):
                    raise FileExistsError(f"{os.fspath(path)!r} exists") from None
                os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return os.fspath(path)
