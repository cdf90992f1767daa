"""Hostile and awkward input, as a careful user would try it.

Every refusal of the command line must: exit with status 2, print exactly one line on
stderr (no traceback), and leave every existing file exactly as it was (checksums
before and after). Camera files must be read upright and in the right colours, and
every public function must keep the shape of any valid image.
"""

import hashlib
import os
import struct
import subprocess
import sys
import time
import zlib

import imageio.v3 as iio
import numpy as np
import pytest
import tifffile
from PIL import Image, ImageOps

import denoise_utils as du
from denoise_utils import __main__ as cli
from denoise_utils import classical, files, noise

RNG = np.random.default_rng(0)
GRAY = RNG.integers(0, 256, (24, 32), dtype=np.uint8)
RGB = RNG.integers(0, 256, (24, 32, 3), dtype=np.uint8)


def _snapshot(folder):
    """sha256 of every file (links followed) and the target of every link under ``folder``."""
    out = {}
    for root, dirs, names in os.walk(folder):
        for n in names + [d for d in dirs if os.path.islink(os.path.join(root, d))]:
            p = os.path.join(root, n)
            if os.path.islink(p):
                out[p + " ->"] = os.readlink(p)
            if os.path.isfile(p):
                with open(p, "rb") as fh:
                    out[p] = hashlib.sha256(fh.read()).hexdigest()
    return out


def _png_bytes(array):
    path = f"/tmp/_hostile_{os.getpid()}.png"
    iio.imwrite(path, array)
    with open(path, "rb") as fh:
        data = fh.read()
    os.remove(path)
    return data


def _huge_png(path, width=60000, height=60000):
    """A valid little PNG whose header claims ``width`` x ``height`` pixels."""
    data = bytearray(_png_bytes(GRAY))
    ihdr = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr) & 0xFFFFFFFF)
    path.write_bytes(bytes(data))


def _rgb16_png(path, rgb16):
    """A 16-bit colour PNG, written by hand (Pillow cannot write one)."""
    rows = rgb16.astype(">u2")
    raw = b"".join(b"\x00" + row.tobytes() for row in rows)

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    h, w = rgb16.shape[:2]
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


@pytest.fixture
def work(tmp_path, shipped, monkeypatch):
    """A folder with an input image of each kind; the tests run inside it."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DENOISE_DATA_DIR", str(tmp_path))   # holds no data sets
    iio.imwrite(tmp_path / "in.png", GRAY)
    iio.imwrite(tmp_path / "rgb.png", RGB)
    iio.imwrite(tmp_path / "exists.png", GRAY[::-1])
    (tmp_path / "empty.png").write_bytes(b"")
    (tmp_path / "text.png").write_text("hello, I am not an image")
    png = _png_bytes(GRAY)
    (tmp_path / "cut.png").write_bytes(png[:len(png) // 2])
    iio.imwrite(tmp_path / "whole.jpg", RGB)
    (tmp_path / "cut.jpg").write_bytes((tmp_path / "whole.jpg").read_bytes()[:300])
    iio.imwrite(tmp_path / "pages.tif", np.stack([GRAY] * 3), is_batch=True)
    frames = [Image.fromarray(GRAY), Image.fromarray(GRAY[::-1])]
    frames[0].save(tmp_path / "anim.gif", save_all=True, append_images=frames[1:])
    tifffile.imwrite(tmp_path / "five.tif", RNG.integers(0, 256, (24, 32, 5), dtype=np.uint8),
                     photometric="minisblack", planarconfig="contig")
    iio.imwrite(tmp_path / "float255.tif", GRAY.astype(np.float32))
    _huge_png(tmp_path / "huge.png")
    (tmp_path / "folder.png").mkdir()
    (tmp_path / "sub").mkdir()
    os.symlink(tmp_path / "in.png", tmp_path / "link.png")
    return tmp_path


REFUSALS = [
    # input
    (["denoise", "missing.png", "o.png"], "no image file"),
    (["denoise", "folder.png", "o.png"], "is a folder"),
    (["denoise", "empty.png", "o.png"], "empty (0 bytes)"),
    (["denoise", "text.png", "o.png"], "corrupt"),
    (["denoise", "cut.png", "o.png"], "cut short"),
    (["denoise", "cut.jpg", "o.png"], "cut short"),
    (["denoise", "pages.tif", "o.png"], "3 pages or frames"),
    (["denoise", "anim.gif", "o.png"], "2 pages or frames"),
    (["denoise", "five.tif", "o.png"], "more than 4 channels"),
    (["denoise", "float255.tif", "o.png"], "divide it by 255"),
    (["denoise", "huge.png", "o.png"], "too large"),
    # output
    (["denoise", "in.png", "in.png"], "is the input file"),
    (["denoise", "in.png", "./in.png", "--overwrite"], "is the input file"),
    (["denoise", "in.png", "sub/../in.png", "--overwrite"], "is the input file"),
    (["denoise", "in.png", "nosuchdir/../in.png"], "does not exist"),
    (["denoise", "in.png", "link.png"], "is the input file"),
    (["denoise", "in.png", "link.png", "--overwrite"], "is the input file"),
    (["denoise", "link.png", "in.png", "--overwrite"], "is the input file"),
    (["denoise", "in.png", "exists.png"], "exists"),
    (["denoise", "in.png", "nosuchdir/o.png"], "does not exist"),
    (["denoise", "in.png", "folder.png", "--overwrite"], "is a folder"),
    (["denoise", "in.png", "o.gif"], "cannot write"),
    (["denoise", "in.png", "noextension"], "cannot write"),
    (["denoise", "in.png", "/proc/o.png"], "cannot write into"),
    # model and noise level
    (["denoise", "in.png", "o.png", "--model", "nope"], "unknown model"),
    (["denoise", "in.png", "o.png", "--sigma", "300"], "cannot exceed 255"),
    (["denoise", "in.png", "o.png", "--sigma", "-5"], "finite number > 0"),
    (["denoise", "in.png", "o.png", "--sigma", "0"], "finite number > 0"),
    (["denoise", "in.png", "o.png", "--sigma", "nan"], "finite number > 0"),
    (["denoise", "in.png", "o.png", "--sigma", "inf"], "finite number > 0"),
    (["denoise", "in.png", "o.png", "--sigma", "abc"], "must be a number or 'blind'"),
    (["denoise", "in.png", "o.png", "--sigma", "70"], "sigma=70"),
    (["denoise", "rgb.png", "o.png", "--sigma", "80"], "colour image at sigma=80"),
    (["denoise", "in.png", "o.png", "--model", "colour_s25"], "takes colour images"),
    # the command line itself
    ([], "required"),
    (["denoise"], "required"),
    (["frobnicate"], "invalid choice"),
    (["denoise", "in.png", "o.png", "--bogus"], "unrecognized arguments"),
    (["evaluate", "--model", "nope"], "unknown model"),
    (["evaluate", "--dataset", "imagenet"], "unknown data set"),
    (["evaluate", "--dataset", "bsd68"], "bsd68"),
    (["evaluate", "--sigma", "x"], "invalid float"),
]


@pytest.mark.parametrize("args, message", REFUSALS, ids=lambda a: " ".join(a) if isinstance(a, list) else None)
def test_refusal_is_one_line_and_changes_nothing(work, capsys, args, message):
    before = _snapshot(work)
    try:
        code = cli.main(args)
    except SystemExit as exit_:          # argparse's usage errors
        code = exit_.code
    out, err = capsys.readouterr()
    assert code == 2, (code, out, err)
    assert err.count("\n") == 1 and err.startswith("error: "), err
    assert message in err and "Traceback" not in err, err
    assert _snapshot(work) == before
    assert not os.path.exists(work / "o.png")


@pytest.mark.skipif(os.geteuid() == 0, reason="root may read and write any file")
def test_unreadable_input_and_read_only_folder(work, capsys):
    os.chmod(work / "in.png", 0)
    os.chmod(work / "sub", 0o500)
    try:
        assert cli.main(["denoise", "in.png", "o.png"]) == 2
        assert "not permitted" in capsys.readouterr().err
        assert cli.main(["denoise", "rgb.png", "sub/o.png"]) == 2
        assert "cannot write into" in capsys.readouterr().err
    finally:
        os.chmod(work / "in.png", 0o644)
        os.chmod(work / "sub", 0o755)


def test_unreadable_input_is_named_so(work, capsys, monkeypatch):
    """As root every file is readable, so the refusal is checked with os.access denied."""
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if str(p).endswith("in.png") else real(p, mode))
    before = _snapshot(work)
    assert cli.main(["denoise", "in.png", "o.png"]) == 2
    err = capsys.readouterr().err
    assert "not permitted to read" in err and err.count("\n") == 1
    assert _snapshot(work) == before


def test_existing_output_is_refused_before_reading_a_12_megapixel_input(work, capsys):
    big = np.zeros((3000, 4000, 3), np.uint8)
    iio.imwrite(work / "big.png", big)
    start = time.perf_counter()
    assert cli.main(["denoise", "big.png", "exists.png"]) == 2
    assert time.perf_counter() - start < 10
    assert "exists" in capsys.readouterr().err


def test_interrupted_write_leaves_the_old_file_whole(work, monkeypatch):
    before = _snapshot(work)

    def broken(path, *args, **kwargs):
        with open(path, "wb") as fh:
            fh.write(b"half a file")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files, "_write", broken)
    with pytest.raises(OSError, match="No space"):
        files.save_image(work / "exists.png", GRAY / 255, overwrite=True)
    assert _snapshot(work) == before          # no half-written file, no temporary left


def test_written_files_are_complete_and_ordinary(work):
    files.save_image(work / "new.png", GRAY / 255)
    np.testing.assert_array_equal(iio.imread(work / "new.png"), GRAY)
    assert oct(os.stat(work / "new.png").st_mode & 0o777) != oct(0o600)
    assert not [n for n in os.listdir(work) if n.startswith(".denoise-")]
    with pytest.raises(FileExistsError):
        files.save_image(work / "new.png", GRAY / 255)
    files.save_image(work / "link.png", GRAY[::-1] / 255, overwrite=True)  # replaces the link
    assert not os.path.islink(work / "link.png")
    np.testing.assert_array_equal(iio.imread(work / "in.png"), GRAY)       # not its target


# ------------------------------------------------------------- what cameras write
@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_is_applied(tmp_path, orientation):
    img = Image.fromarray(RGB)
    exif = Image.Exif()
    exif[0x0112] = orientation
    img.save(tmp_path / "o.jpg", exif=exif, quality=95)
    with Image.open(tmp_path / "o.jpg") as im:
        upright = np.asarray(ImageOps.exif_transpose(im)) / 255
    np.testing.assert_allclose(files.load_image(tmp_path / "o.jpg"), upright, atol=1e-6)


def test_a_portrait_photo_comes_back_portrait(work, capsys):
    exif = Image.Exif()
    exif[0x0112] = 6                          # stored landscape, shown rotated 90° clockwise
    Image.fromarray(RGB).save(work / "portrait.jpg", exif=exif)
    assert cli.main(["denoise", "portrait.jpg", "out.png", "--sigma", "15"]) == 0
    assert iio.imread(work / "out.png").shape == (32, 24, 3)


def test_cmyk_jpeg_reads_as_its_colours(tmp_path):
    rgb = Image.fromarray(RGB)
    rgb.convert("CMYK").save(tmp_path / "cmyk.jpg", quality=100)
    got = files.load_image(tmp_path / "cmyk.jpg")
    assert got.shape == (24, 32, 3)
    assert abs(float(got.mean()) - RGB.mean() / 255) < 0.03     # not white, not inverted


def test_bit_depths_palettes_and_alpha(tmp_path):
    Image.fromarray(GRAY > 128).save(tmp_path / "bw.png")              # 1-bit
    np.testing.assert_array_equal(files.load_image(tmp_path / "bw.png"), GRAY > 128)
    Image.fromarray(RGB).quantize(16).save(tmp_path / "pal.png")        # colour palette
    pal = files.load_image(tmp_path / "pal.png")
    assert pal.shape == (24, 32, 3)
    Image.fromarray(GRAY).convert("P").save(tmp_path / "graypal.png")  # gray palette
    assert files.load_image(tmp_path / "graypal.png").shape == (24, 32)
    la = np.stack([GRAY, np.full_like(GRAY, 255)], -1)
    Image.fromarray(la, "LA").save(tmp_path / "la.png")
    np.testing.assert_allclose(files.load_image(tmp_path / "la.png"), GRAY / 255, atol=1e-6)
    g16 = (GRAY.astype(np.uint16) * 257)
    iio.imwrite(tmp_path / "g16.tif", g16)
    np.testing.assert_allclose(files.load_image(tmp_path / "g16.tif"), GRAY / 255, atol=1e-6)
    rgb16 = RNG.integers(0, 65536, (24, 32, 3), dtype=np.uint16)
    tifffile.imwrite(tmp_path / "rgb16.tif", rgb16)
    np.testing.assert_allclose(files.load_image(tmp_path / "rgb16.tif"), rgb16 / 65535, atol=1e-6)
    _rgb16_png(tmp_path / "rgb16.png", rgb16)         # the documented rule: read at 8 bits
    np.testing.assert_allclose(files.load_image(tmp_path / "rgb16.png"), rgb16 / 65535,
                               atol=1 / 255 + 1e-6)
    iio.imwrite(tmp_path / "f.tif", (GRAY / 255).astype(np.float32))
    np.testing.assert_allclose(files.load_image(tmp_path / "f.tif"), GRAY / 255, atol=1e-6)


# ------------------------------------------------------------------ scale mistakes
def _public_image_functions(shipped_ok=True):
    yield "du.denoise", lambda x: du.denoise(x, sigma=25)
    yield "add_gaussian_noise", lambda x: noise.add_gaussian_noise(x, 25, seed=0)
    yield "add_noise", lambda x: du.add_noise(x, "poisson", seed=0)
    yield "psnr", lambda x: du.psnr(np.clip(x, 0, 1), x)
    yield "save_image", lambda x: files.save_image(f"/tmp/_hostile_{os.getpid()}.png", x)
    for name, fn in classical.baselines(include_bm3d=False).items():
        yield name, (lambda fn: lambda x: fn(x, 25))(fn)


@pytest.mark.parametrize("name, fn", list(_public_image_functions()), ids=lambda v: v if isinstance(v, str) else "")
def test_a_float_image_on_the_0_255_scale_is_refused(shipped, name, fn):
    image = GRAY.astype(np.float32)               # the common mistake: astype without / 255
    with pytest.raises(ValueError, match="divide it by 255"):
        fn(image)
    assert not os.path.exists(f"/tmp/_hostile_{os.getpid()}.png")


# ---------------------------------------------------------------- shapes are kept
THIN = [(1, 40), (40, 1), (2, 3), (1, 1), (5, 7, 3), (9, 9, 1), (1, 40, 3), (33, 17)]


@pytest.mark.parametrize("shape", THIN, ids=str)
def test_every_image_function_keeps_the_shape(shipped, shape):
    x = np.random.default_rng(1).random(shape).astype(np.float32)
    fns = {"denoise": lambda x: du.denoise(x, sigma=25),
           "denoise blind": lambda x: du.denoise(x, sigma=None),
           "ensemble": lambda x: du.denoise(x, sigma=25, ensemble=True),
           "gaussian": lambda x: noise.add_gaussian_noise(x, 25, seed=0),
           **{k: (lambda f: lambda x: f(x, 25))(f)
              for k, f in classical.baselines().items()}}
    for name, fn in fns.items():
        assert np.shape(fn(x)) == shape, name
    if min(shape[:2]) < 11:
        with pytest.raises(ValueError, match="at least 11x11"):
            du.ssim(x, x)


# --------------------------------------------------------------- data-set folders
def test_a_partial_data_set_is_announced(work, capsys):
    folder = work / "set12"
    folder.mkdir()
    for i in range(3):
        iio.imwrite(folder / f"{i + 1:02d}.png", GRAY)
    with pytest.warns(UserWarning, match="holds 3 of the 12 images"):
        assert len(du.load_dataset("set12")) == 3
    assert cli.main(["evaluate", "--model", "gray_s25"]) == 0
    assert "INCOMPLETE: 9 images of the set are missing" in capsys.readouterr().out


def test_held_out_split(work):
    folder = work / "train400"
    folder.mkdir()
    for i in range(50):
        iio.imwrite(folder / f"test_{i + 1:03d}.png", GRAY)
    with pytest.warns(UserWarning):
        train = du.load_dataset("train400", split="train")
    with pytest.warns(UserWarning):
        val = du.load_dataset("train400", split="val")
    assert sorted(val) == ["test_025", "test_050"] and len(train) == 48
    assert not set(train) & set(val)
    with pytest.raises(ValueError, match="only the training sets"):
        du.load_dataset("set12", split="val")


# ------------------------------------------------------- a real process, real stderr
def _run(*args, cwd):
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run([sys.executable, "-m", "denoise_utils", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def test_real_process_models_is_quick_and_imports_no_tensorflow(tmp_path):
    code = ("import sys, time; t = time.perf_counter(); from denoise_utils.__main__ import main;"
            "main(['models']); print('tensorflow' in sys.modules, 'keras' in sys.modules,"
            " time.perf_counter() - t)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, cwd=tmp_path)
    last = out.stdout.splitlines()[-1].split()
    assert last[:2] == ["False", "False"] and float(last[2]) < 5, out.stdout
    assert "unet_gray_s25" in out.stdout and " autoencoder " in out.stdout


def test_real_process_stderr_is_one_line_or_nothing(tmp_path):
    iio.imwrite(tmp_path / "in.png", GRAY)
    bad = _run("denoise", "in.png", "in.png", cwd=tmp_path)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1, bad.stderr
    good = _run("denoise", "in.png", "out.png", "--sigma", "25", cwd=tmp_path)
    assert good.returncode == 0 and good.stderr == "", good.stderr   # TensorFlow kept quiet
    assert good.stdout.strip() == "wrote out.png"
    assert iio.imread(tmp_path / "out.png").shape == GRAY.shape
