import os

import imageio.v3 as iio
import numpy as np
import pytest

from denoise_utils import data


def test_load_gray_rgb_16bit_alpha(tmp_path):
    rng = np.random.default_rng(0)
    g8 = rng.integers(0, 256, (20, 30), dtype=np.uint8)
    iio.imwrite(tmp_path / "g.png", g8)
    img = data.load_image(tmp_path / "g.png")
    assert img.dtype == np.float32 and img.shape == (20, 30)
    np.testing.assert_allclose(img, g8 / 255, atol=1e-6)

    g16 = rng.integers(0, 65536, (20, 30), dtype=np.uint16)
    iio.imwrite(tmp_path / "g16.png", g16)
    np.testing.assert_allclose(data.load_image(tmp_path / "g16.png"), g16 / 65535, atol=1e-6)

    rgba = np.zeros((10, 10, 4), np.uint8)
    rgba[..., 0] = 255          # red ...
    rgba[:5, :, 3] = 255        # ... opaque in the top half, transparent below
    iio.imwrite(tmp_path / "a.png", rgba)
    img = data.load_image(tmp_path / "a.png")
    assert img.shape == (10, 10, 3)
    np.testing.assert_allclose(img[0, 0], [1, 0, 0])
    np.testing.assert_allclose(img[9, 0], [1, 1, 1])  # over white
    gray = data.load_image(tmp_path / "a.png", as_gray=True)
    assert gray.shape == (10, 10)


def test_load_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="no image file"):
        data.load_image(tmp_path / "missing.png")
    (tmp_path / "bad.png").write_bytes(b"\x89PNG\r\n\x1a\n this is not a png")
    with pytest.raises(ValueError, match="corrupt"):
        data.load_image(tmp_path / "bad.png")


def test_save_roundtrip_and_no_overwrite(tmp_path):
    img = np.linspace(0, 1, 64 * 3, dtype=np.float32).reshape(8, 8, 3)
    for suffix, tol in ((".png", 1 / 255), (".tif", 1 / 65535)):
        path = tmp_path / f"x{suffix}"
        data.save_image(path, img)
        np.testing.assert_allclose(data.load_image(path), img, atol=tol)
        before = path.read_bytes()
        with pytest.raises(FileExistsError, match="exists"):
            data.save_image(path, np.zeros_like(img))
        assert path.read_bytes() == before
    data.save_image(tmp_path / "x.png", np.zeros_like(img), overwrite=True)
    assert data.load_image(tmp_path / "x.png").max() == 0
    with pytest.raises(ValueError, match="cannot write"):
        data.save_image(tmp_path / "x.gifx", img)


def test_sample_images():
    gray = data.sample_images(gray=True)
    assert set(gray) == set(data.GRAY_SAMPLES)
    assert all(v.ndim == 2 and v.dtype == np.float32 for v in gray.values())
    colour = data.sample_images(gray=False, names=["astronaut"])
    assert colour["astronaut"].shape == (512, 512, 3)
    with pytest.raises(ValueError, match="unknown sample"):
        data.sample_images(names=["lena"])


def _fake_set(root, name, n=3, shape=(50, 60)):
    folder = root / name
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    files = data.DATASETS[name]["files"] or [f"{i + 1:02d}.png" for i in range(n)]
    for f in files[:n]:
        iio.imwrite(folder / f, rng.integers(0, 256, shape, dtype=np.uint8))
    return folder


def test_load_dataset_from_data_dir(tmp_path, monkeypatch):
    _fake_set(tmp_path, "set12")
    _fake_set(tmp_path, "train400", n=4)
    monkeypatch.setenv("DENOISE_DATA_DIR", str(tmp_path))
    s = data.load_dataset("Set12")
    assert list(s) == ["01", "02", "03"] and s.source == str(tmp_path / "set12")
    assert data.load_dataset("train400", limit=2).keys() == {"test_001", "test_002"}
    with pytest.raises(ValueError, match="unknown data set"):
        data.load_dataset("imagenet")
    with pytest.raises(ValueError, match="limit"):
        data.load_dataset("set12", limit=0)


def test_offline_fallback_is_announced(tmp_path, monkeypatch):
    monkeypatch.setenv("DENOISE_DATA_DIR", str(tmp_path))   # holds no set12
    monkeypatch.setenv("DENOISE_OFFLINE", "1")
    with pytest.warns(UserWarning, match="DENOISE_OFFLINE"):
        s = data.load_dataset("set12")
    assert s.source == "scikit-image (fallback)" and "camera" in s
    with pytest.raises(RuntimeError, match="DENOISE_OFFLINE"):
        data.load_dataset("set12", fallback=False)
    with pytest.warns(UserWarning, match="not downloadable"):
        data.load_dataset("cbsd68")


def test_failed_fetch_falls_back(tmp_path, monkeypatch):
    """With the network refused (as in every test), a fetch fails cleanly, not deep."""
    monkeypatch.delenv("DENOISE_DATA_DIR", raising=False)
    monkeypatch.delenv("DENOISE_OFFLINE", raising=False)
    import pooch

    monkeypatch.setattr(pooch, "os_cache", lambda name: tmp_path / name)
    with pytest.warns(UserWarning, match="fetching set12 failed"):
        s = data.load_dataset("set12")
    assert s.source == "scikit-image (fallback)"


def test_fetch_checks_hash(tmp_path, monkeypatch):
    """pooch's cache is trusted only when the file matches the pinned SHA-256."""
    root = os.environ.get("DENOISE_DATA_DIR", "")
    monkeypatch.delenv("DENOISE_DATA_DIR", raising=False)
    monkeypatch.delenv("DENOISE_OFFLINE", raising=False)
    import pooch

    monkeypatch.setattr(pooch, "os_cache", lambda name: tmp_path / name)
    shared = os.path.join(root, "set12")
    cache = tmp_path / "denoise_utils" / "set12"
    cache.mkdir(parents=True)
    if root and os.path.isdir(shared):   # the genuine files match their pinned hashes
        for f in data.DATASETS["set12"]["files"]:
            (cache / f).write_bytes(open(os.path.join(shared, f), "rb").read())
        s = data.load_dataset("set12", fallback=False)
        assert len(s) == 12 and s.source == str(cache)
    # a changed file, though a valid PNG, is not trusted: fetched anew, which fails offline
    iio.imwrite(cache / "01.png", np.zeros((8, 8), np.uint8))
    assert data.load_image(cache / "01.png").shape == (8, 8)
    with pytest.raises(RuntimeError, match="fetching set12 failed"):
        data.load_dataset("set12", fallback=False)


def test_patch_dataset_batches_and_repeats():
    imgs = [np.random.default_rng(i).random((50, 60)).astype(np.float32) for i in range(3)]
    ds = data.PatchDataset(imgs, patch_size=16, batch_size=8, steps=5, sigma=25, seed=1)
    noisy, clean = ds[0]
    assert noisy.shape == clean.shape == (8, 16, 16, 1) and noisy.dtype == np.float32
    assert np.std(noisy - clean) == pytest.approx(25 / 255, rel=0.15)
    np.testing.assert_array_equal(ds[0][0], noisy)          # same seed, same batch
    ds.on_epoch_end()
    assert not np.array_equal(ds[0][1], clean)               # a new epoch, new patches
    assert len(ds) == 5
    with pytest.raises(IndexError):
        ds[5]


def test_patch_dataset_blind_and_custom_noise():
    imgs = {"a": np.random.default_rng(0).random((40, 40, 3)).astype(np.float32)}
    ds = data.PatchDataset(imgs, patch_size=8, batch_size=64, steps=1, sigma=(0, 55))
    noisy, clean = ds[0]
    levels = np.std(noisy - clean, axis=(1, 2, 3)) * 255
    assert noisy.shape == (64, 8, 8, 3) and levels.min() < 15 and levels.max() > 40
    ds = data.PatchDataset(imgs, patch_size=8, batch_size=4, steps=1,
                           noise=lambda c, rng: c * 0)
    assert ds[0][0].max() == 0


def test_patch_dataset_feeds_fit():
    import keras

    imgs = [np.random.default_rng(0).random((32, 32)).astype(np.float32)]
    ds = data.PatchDataset(imgs, patch_size=16, batch_size=4, steps=2, sigma=25)
    model = keras.Sequential([keras.Input((None, None, 1)), keras.layers.Conv2D(1, 3, padding="same")])
    model.compile("adam", "mse")
    hist = model.fit(ds, epochs=2, verbose=0)
    assert len(hist.history["loss"]) == 2


@pytest.mark.parametrize("kwargs, match", [
    (dict(images=[]), "empty"),
    (dict(images=[np.zeros((10, 10), np.float32)]), "patch_size"),
    (dict(images=[np.zeros((50, 50), np.float32), np.zeros((50, 50, 3), np.float32)]), "channel"),
    (dict(images=[np.zeros((50, 50), np.float32)], sigma=(30, 10)), "low > high"),
    (dict(images=[np.zeros((50, 50), np.float32)], batch_size=0), "batch_size"),
])
def test_patch_dataset_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        data.PatchDataset(**kwargs)


def test_samples_dataset_needs_nothing(monkeypatch):
    monkeypatch.delenv("DENOISE_DATA_DIR", raising=False)
    colour = data.load_dataset("samples", limit=2)
    assert colour.source == "scikit-image" and len(colour) == 2
    assert all(im.ndim == 3 for im in colour.values())
    assert all(im.ndim == 2 for im in data.load_dataset("samples", as_gray=True).values())


@pytest.mark.parametrize("name", ["set12", "train400", "rni6"])
def test_pinned_hashes_match_the_real_files(name):
    """The hashes a download is checked against are those of the files the book uses."""
    import hashlib

    root = os.environ.get("DENOISE_DATA_DIR", "")
    folder = os.path.join(root, name)
    if not root or not os.path.isdir(folder):
        pytest.skip(f"needs {name} in DENOISE_DATA_DIR")
    spec = data.DATASETS[name]
    assert len(spec["files"]) == len(spec["sha256"]) == spec["count"]
    for fname, digest in zip(spec["files"], spec["sha256"]):
        with open(os.path.join(folder, fname), "rb") as fh:
            assert hashlib.sha256(fh.read()).hexdigest() == digest, fname
