"""Real camera noise (§5.1): paired test sets, the real-noise route of denoise and the CLI,
and training on simulated camera noise."""
import json

import imageio.v3 as iio
import numpy as np
import pytest

import denoise_utils as du
from denoise_utils import __main__ as cli
from denoise_utils import data, pretrained, training


@pytest.fixture
def pairs_dir(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    for i in range(3):
        clean = rng.integers(40, 200, (24, 32, 3), dtype=np.uint8)
        noisy = np.clip(clean + rng.normal(0, 8, clean.shape), 0, 255).astype(np.uint8)
        for part, im in (("clean", clean), ("noisy", noisy)):
            (tmp_path / "nam_cc15" / part).mkdir(parents=True, exist_ok=True)
            iio.imwrite(tmp_path / "nam_cc15" / part / f"c{i}.png", im)
    monkeypatch.setenv("DENOISE_DATA_DIR", str(tmp_path))
    return tmp_path


def test_load_pairs_and_evaluate_on_real_noise(pairs_dir):
    with pytest.warns(UserWarning, match="3 of the 15"):
        noisy, clean = data.load_pairs("nam_cc15")
    assert list(noisy) == list(clean) == ["c0", "c1", "c2"]
    ev = du.evaluate(lambda y: y, clean, None, noisy=noisy)
    assert ev.psnr == pytest.approx(np.mean([du.psnr(clean[k], noisy[k]) for k in clean]))
    assert ev.psnr == pytest.approx(ev.noisy_psnr)
    with pytest.raises(ValueError, match="same names"):
        du.evaluate(lambda y: y, clean, None, noisy={"c0": noisy["c0"]})
    (pairs_dir / "nam_cc15" / "noisy" / "c2.png").unlink()
    with pytest.raises(ValueError, match="different file names"), pytest.warns(UserWarning):
        data.load_pairs("nam_cc15")


def test_load_pairs_says_where_the_data_goes(tmp_path, monkeypatch):
    monkeypatch.setenv("DENOISE_DATA_DIR", str(tmp_path))
    with pytest.raises(RuntimeError, match="nam_cc15/"):
        data.load_pairs("nam_cc15")
    with pytest.raises(ValueError, match="unknown paired set"):
        data.load_pairs("sidd")


def test_real_noise_route(shipped, ship_model):
    photo = np.random.default_rng(0).random((20, 24, 3)).astype(np.float32)
    with pytest.raises(ValueError, match="no shipped model for noise .camera."):
        pretrained.denoise(photo, noise="camera")
    ship_model(shipped, "colour_real", None, channels=3, seed=3, noise="camera")
    assert pretrained.choose(3, None, noise="camera") == "colour_real"
    assert pretrained.choose(3, 25) == "colour_s25"          # never for Gaussian noise
    out = pretrained.denoise(photo, noise="camera")
    np.testing.assert_allclose(out, pretrained.denoise(photo, model="colour_real"))
    with pytest.raises(ValueError, match="takes no sigma"):
        pretrained.denoise(photo, sigma=25, noise="camera")
    with pytest.raises(ValueError, match="colour photo"):
        pretrained.denoise(photo[..., 0], noise="camera")
    with pytest.raises(ValueError, match="no shipped model for noise 'poisson'; shipped models know"):
        pretrained.denoise(photo, noise="poisson")            # a kind of noise no model was trained on
    with pytest.raises(ValueError, match="unknown noise 'pink'; choose one of"):
        pretrained.denoise(photo, noise="pink")


def test_cli_noise_real(shipped, ship_model, tmp_path, capsys):
    ship_model(shipped, "colour_real", None, channels=3, seed=3, noise="camera")
    du.save_image(tmp_path / "in.png", np.random.default_rng(0).random((16, 16, 3)).astype(np.float32))
    assert cli.main(["denoise", str(tmp_path / "in.png"), str(tmp_path / "out.png"), "--noise", "camera"]) == 0
    assert (tmp_path / "out.png").is_file()
    code = cli.main(["denoise", str(tmp_path / "in.png"), str(tmp_path / "o2.png"), "--noise", "camera",
                     "--sigma", "25"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "takes no --sigma" in err[0]
    assert not (tmp_path / "o2.png").exists()
    for strength, reason in (("5", "--strength must be from 0 to 4"), ("0.5", "strength needs a model told")):
        code = cli.main(["denoise", str(tmp_path / "in.png"), str(tmp_path / "o3.png"), "--noise", "camera",
                         "--strength", strength])
        err = capsys.readouterr().err.strip().splitlines()
        assert code == 2 and len(err) == 1 and reason in err[0], err
    assert not (tmp_path / "o3.png").exists()
    assert cli.main(["models"]) == 0
    assert "camera noise" in [line for line in capsys.readouterr().out.splitlines()
                            if line.startswith("colour_real")][0]


def test_training_on_camera_noise(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    (tmp_path / "cbsd432").mkdir()
    for i in range(30):                                     # the 25th is held out for validation
        iio.imwrite(tmp_path / "cbsd432" / f"{i:03d}.png", rng.integers(0, 256, (40, 40, 3), dtype=np.uint8))
    monkeypatch.setenv("DENOISE_DATA_DIR", str(tmp_path))
    cfg = dict(name="cam", family="autoencoder", model="unet", model_kwargs=dict(channels=3, filters=[4, 8], blocks=1),
               multiple=2, noise="camera", train_set="cbsd432", val_set="cbsd432", patch_size=16,
               batch_size=4, steps_per_epoch=2, epochs=1, lr=1e-3)
    path = tmp_path / "cam.json"
    path.write_text(json.dumps(cfg))
    with pytest.warns(UserWarning):
        out = training.train(str(path), out=str(tmp_path / "runs"), verbose=0)
    assert (tmp_path / "runs" / "cam" / "model.weights.h5").is_file()
    assert training.load_config(str(path))["sigma"] is None
    path.write_text(json.dumps({**cfg, "noise": "salt"}))
    with pytest.raises(ValueError, match="noise must be one of"):
        training.load_config(str(path))
    assert out.endswith("cam")


def test_progress_bar_counts_the_tiles(shipped, capsys):
    gray = np.random.default_rng(0).random((40, 40)).astype(np.float32)
    quiet = pretrained.denoise(gray, sigma=25, tile=16)
    assert capsys.readouterr().err == ""
    loud = pretrained.denoise(gray, sigma=25, tile=16, progress=True)
    err = capsys.readouterr().err
    assert err.endswith("9/9 tiles\n") and "0/9 tiles" in err     # 3 x 3 tiles of 16 (40 px)
    np.testing.assert_array_equal(quiet, loud)
    pretrained.denoise(np.stack([gray] * 3, -1), sigma=25, tile=16, progress=True)
    assert capsys.readouterr().err.count("9/9 tiles\n") == 3       # one bar per opponent channel


def test_published_real_noise_results_have_no_sigma():
    from denoise_utils import published

    assert published.result("CC", "NAM_CC15", None) > 30
    assert "Nam et al." in published.source("CC", "nam_cc15", None)
    with pytest.raises(KeyError, match="no published result"):
        published.result("CC", "nam_cc15", 25)


def test_level_by_crops_takes_the_median_over_crops():
    """§5.1: the estimate is the median of the estimator's answers on crops of the photo, so
    a minority of textured crops cannot raise it."""
    from denoise_utils.inference import level_by_crops

    class Std:                                   # an "estimator" that answers each crop's std
        def predict_on_batch(self, batch):
            self.shapes = batch.shape
            return np.log(np.maximum(batch.std(axis=(1, 2)), 1e-6))

    rng = np.random.default_rng(0)
    photo = 0.5 + np.float32([0.02, 0.04, 0.08]) * rng.standard_normal((256, 320, 3)).astype(np.float32)
    photo[:80] = rng.random((80, 320, 3))                            # a third of it "texture"
    est = Std()
    level = level_by_crops(est, photo)
    assert est.shapes == (64, 64, 64, 3)
    np.testing.assert_allclose(level, [5.1, 10.2, 20.4], rtol=0.1)
    assert level_by_crops(est, photo[:40, :50]).shape == (3,) and est.shapes == (1, 40, 50, 3)


def test_level_by_crops_of_a_tiny_or_flat_image_is_a_level():
    from denoise_utils.inference import level_by_crops

    class Wild:                                  # an estimator that answers nonsense
        def predict_on_batch(self, batch):
            assert min(batch.shape[1:3]) >= 16
            return np.array([[50.0, np.nan, -np.inf]] * len(batch))

    level = level_by_crops(Wild(), np.zeros((3, 5, 3), np.float32))
    assert level.shape == (3,) and np.all((level >= 0) & (level <= 255)) and level[0] == 255
