"""A photographer's files kept whole (issue 29): EXIF and the ICC profile written back, the
orientation applied to the pixels and reset, JPEG quality and chroma subsampling, 16 bits
kept; and folders at once, a corrupt file named and the others written."""

import io
import os
import struct
import zlib

import imageio.v3 as iio
import numpy as np
import pytest
from PIL import Image, ImageCms

from denoise_utils import __main__ as cli
from denoise_utils import files

MAKE, WHEN = 0x010F, 0x0132


#: an ICC profile, made once (its header holds the time it was made)
PROFILE = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def _profile():
    return PROFILE


def _camera_jpeg(path, shape=(40, 56), orientation=6):
    """A 'camera' JPEG: EXIF with make, date and a portrait orientation; an ICC profile; 4:2:0."""
    rng = np.random.default_rng(0)
    pixels = np.clip(rng.normal(0.5, 0.1, shape + (3,)), 0, 1)
    exif = Image.Exif()
    exif[MAKE], exif[WHEN], exif[0x0112] = "BookCam", "2026:11:30 12:00:00", orientation
    Image.fromarray((pixels * 255).astype(np.uint8)).save(
        path, quality=85, subsampling=2, exif=exif.tobytes(), icc_profile=_profile())
    return path


def _quality_tables(quality):
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16)).save(buffer, format="JPEG", quality=quality)
    return Image.open(buffer).quantization


def test_a_camera_jpeg_comes_back_upright_with_its_exif_profile_and_quality(tmp_path, capsys):
    source = _camera_jpeg(tmp_path / "IMG_0001.jpg")
    assert cli.main(["denoise", str(source), str(tmp_path / "out.jpg"), "--sigma", "25"]) == 0
    with Image.open(tmp_path / "out.jpg") as out:
        assert out.size == (40, 56)                                 # portrait: 40 wide, 56 high
        exif = out.getexif()
        assert exif[MAKE] == "BookCam" and exif[WHEN] == "2026:11:30 12:00:00"
        assert exif.get(0x0112, 1) == 1                             # the pixels are upright now
        assert out.info["icc_profile"] == _profile()
        assert out.quantization == _quality_tables(95)               # quality 95
        from PIL import JpegImagePlugin
        assert JpegImagePlugin.get_sampling(out) == 2                # the input's 4:2:0
    assert cli.main(["denoise", str(source), str(tmp_path / "low.jpg"), "--quality", "60"]) == 0
    assert Image.open(tmp_path / "low.jpg").quantization == _quality_tables(60)
    assert cli.main(["denoise", str(source), str(tmp_path / "out.png")]) == 0
    with Image.open(tmp_path / "out.png") as png:
        assert png.getexif()[MAKE] == "BookCam" and png.info["icc_profile"] == _profile()
    code = cli.main(["denoise", str(source), str(tmp_path / "bad.jpg"), "--quality", "101"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "--quality must be from 1 to 100" in err[0]
    assert not (tmp_path / "bad.jpg").exists()


def test_a_file_without_metadata_gets_none_and_4_4_4(tmp_path):
    Image.fromarray(np.full((16, 16, 3), 128, np.uint8)).save(tmp_path / "plain.png")
    meta = files.read_metadata(tmp_path / "plain.png")
    assert meta == dict(exif=None, icc_profile=None, bits=8, subsampling=None)
    files.save_image(tmp_path / "plain.jpg", np.full((16, 16, 3), 0.5, np.float32), metadata=meta)
    from PIL import JpegImagePlugin
    assert JpegImagePlugin.get_sampling(Image.open(tmp_path / "plain.jpg")) == 0
    with pytest.raises(ValueError, match="quality must be a whole number from 1 to 100"):
        files.save_image(tmp_path / "q.jpg", np.zeros((4, 4), np.float32), quality=0)


def _png_header_and_pixels(path):
    """Bit depth, colour type and the 16-bit samples of a PNG written without filters."""
    data = open(path, "rb").read()
    width, height, depth, colour = struct.unpack(">IIBB", data[16:26])
    pos, idat = 8, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + length]
        pos += 12 + length
    rows = zlib.decompress(idat)
    channels = 3 if colour == 2 else 1
    stride = 1 + 2 * width * channels
    samples = np.frombuffer(b"".join(rows[r * stride + 1:(r + 1) * stride] for r in range(height)), ">u2")
    return depth, colour, samples.reshape(height, width, channels)


def test_sixteen_bits_in_sixteen_bits_out(tmp_path):
    ramp = (np.linspace(0, 65535, 24 * 32).reshape(24, 32)).astype(np.uint16)
    iio.imwrite(tmp_path / "scan.png", ramp)                         # 16-bit gray PNG
    assert files.read_metadata(tmp_path / "scan.png")["bits"] == 16
    assert cli.main(["denoise", str(tmp_path / "scan.png"), str(tmp_path / "out.png"), "--sigma", "5"]) == 0
    out = iio.imread(tmp_path / "out.png")
    assert out.dtype == np.uint16 and len(np.unique(out)) > 256     # more levels than 8 bits hold
    rgb = np.stack([ramp, ramp[::-1], ramp], axis=-1)
    files.save_image(tmp_path / "rgb16.png", rgb, metadata=dict(bits=16, icc_profile=_profile()))
    depth, colour, samples = _png_header_and_pixels(tmp_path / "rgb16.png")
    assert (depth, colour) == (16, 2)
    np.testing.assert_array_equal(samples, rgb)
    assert Image.open(tmp_path / "rgb16.png").info["icc_profile"] == _profile()


def test_a_folder_at_once_with_a_corrupt_file_among_good_ones(tmp_path, capsys):
    photos, out = tmp_path / "photos", tmp_path / "out"
    photos.mkdir(), out.mkdir()
    rng = np.random.default_rng(1)
    for name in ("a.png", "b.png"):
        iio.imwrite(photos / name, (rng.random((32, 40)) * 255).astype(np.uint8))
    _camera_jpeg(photos / "c.jpg")
    (photos / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"not really")
    (photos / "notes.txt").write_text("not an image")
    (out / "b.png").write_bytes(b"an earlier result")               # never overwritten unasked
    code = cli.main(["denoise", str(photos), "--out-dir", str(out), "--sigma", "25"])
    stdout, stderr = capsys.readouterr()
    assert code == 2
    assert sorted(os.listdir(out)) == ["a.png", "b.png", "c.jpg"]
    assert (out / "b.png").read_bytes() == b"an earlier result"
    assert "[1/4] wrote" in stdout and "c.jpg" in stdout
    errors = stderr.strip().splitlines()
    assert len(errors) == 3, errors                                  # two files, then the count
    assert errors[0].startswith(f"error: {photos / 'b.png'}: ") and "exists" in errors[0]
    assert errors[1].startswith(f"error: {photos / 'broken.png'}: ") and "corrupt" in errors[1]
    assert errors[2] == "error: 2 of 4 files failed; the others were written"
    assert Image.open(out / "c.jpg").getexif()[MAKE] == "BookCam"
    assert cli.main(["denoise", str(photos / "a.png"), str(photos / "b.png"), "--out-dir",
                     str(out), "--overwrite", "--sigma", "25"]) == 0
    assert (out / "b.png").read_bytes() != b"an earlier result"


def test_batch_refusals_come_first(tmp_path, capsys):
    assert cli.main(["denoise", "a.png", "b.png", "c.png"]) == 2
    assert "or many inputs with --out-dir" in capsys.readouterr().err
    (tmp_path / "taken").write_text("a file where the folder would be")
    assert cli.main(["denoise", "a.png", "--out-dir", str(tmp_path / "taken")]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err
    assert cli.main(["denoise", "a.png", "--out-dir", str(tmp_path / "nowhere")]) == 2  # no a.png
    assert "a.png" in capsys.readouterr().err
    assert not (tmp_path / "nowhere").exists()          # a missing --out-dir: created after the checks
