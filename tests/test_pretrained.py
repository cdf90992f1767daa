import imageio.v3 as iio
import numpy as np
import pytest

import denoise_utils as du
from denoise_utils import __main__ as cli
from denoise_utils import pretrained
from denoise_utils.zoo import store


def test_registry(shipped):
    assert pretrained.available() == ["colour_s25", "gray_blind", "gray_s25"]
    assert pretrained.info("gray_blind")["blind"] and pretrained.info("colour_s25")["channels"] == 3
    assert pretrained.choose(1, 25) == "gray_s25"
    assert pretrained.choose(1, None) == "gray_blind"
    assert pretrained.choose(1, 40) == "gray_blind"          # no sigma-40 model: the blind one
    assert pretrained.choose(1, 24) == "gray_s25"            # within 5 % of 25
    assert pretrained.choose(1, 23) == "gray_blind"
    assert pretrained.choose(3, 25) == "colour_s25"
    with pytest.raises(ValueError, match="no shipped colour model for sigma=50"):
        pretrained.choose(3, 50)
    with pytest.raises(ValueError, match="unknown model"):
        pretrained.info("nope")


def test_choose_prefers_the_higher_rank(shipped, ship_model):
    _ship = ship_model
    _ship(shipped, "another_gray_s25", 25, seed=3, rank=1)
    assert pretrained.choose(1, 25) == "another_gray_s25"
    _ship(shipped, "a_gray_s25", 25, seed=4)                # rank 0, first by name: not chosen
    assert pretrained.choose(1, 25) == "another_gray_s25"


def test_choose_follows_the_measured_table_at_the_nearest_level(shipped):
    """With a choice table the best measured candidate wins; a model it lacks comes after."""
    import json

    level = shipped / "gray_level"                   # told the level; choose never loads it
    level.mkdir()
    (level / "config.json").write_text(json.dumps(dict(
        name="gray_level", family="autoencoder", model="unet", multiple=4, train_set="train400",
        sigma=[0, 60], model_kwargs=dict(channels=1, filters=[4, 8], blocks=1, noise_map=1))))
    (level / "model.weights.h5").write_bytes(b"")
    store.clear_cache()
    assert pretrained.candidates(1, 25) == ["gray_s25", "gray_blind", "gray_level"]
    assert pretrained.candidates(1, None) == ["gray_blind"]          # told the level: only when known
    table = {"psnr": {"20": {"gray_blind": 30.0, "gray_level": 30.5},
                      "25": {"gray_s25": 29.0, "gray_blind": 29.5, "gray_level": 29.2}}}
    (shipped / store.CHOICE_FILE).write_text(json.dumps(table))
    store.clear_cache()
    assert pretrained.choose(1, 25) == "gray_blind"                 # measured best at 25
    assert pretrained.choose(1, 24) == "gray_blind"                 # nearest level: 25
    assert pretrained.choose(1, 21) == "gray_level"                 # nearest level: 20
    assert pretrained.choose(1, None) == "gray_blind"
    del table["psnr"]["25"]["gray_blind"]
    (shipped / store.CHOICE_FILE).write_text(json.dumps(table))
    store.clear_cache()
    assert pretrained.choose(1, 25) == "gray_level"                 # the unmeasured one comes last


def test_denoise_shapes_dtypes_and_uint8(shipped):
    gray = np.random.default_rng(0).random((33, 47)).astype(np.float32)
    out = du.denoise(gray, sigma=25)
    assert out.shape == gray.shape and out.dtype == np.float32 and 0 <= out.min() <= out.max() <= 1
    as_uint8 = du.denoise((gray * 255).round().astype(np.uint8), sigma=25)
    np.testing.assert_allclose(as_uint8, du.denoise((gray * 255).round() / 255, sigma=25), atol=1e-6)
    rgb = np.random.default_rng(1).random((20, 30, 3)).astype(np.float32)
    assert du.denoise(rgb, sigma=25).shape == rgb.shape
    assert du.denoise(gray, sigma=None).shape == gray.shape
    assert not np.allclose(du.denoise(gray, model="gray_blind"), du.denoise(gray, model="gray_s25"))


def test_opponent_space_keeps_noise_white_and_inverts():
    a = pretrained.OPPONENT
    gram = a @ a.T
    np.testing.assert_allclose(gram, np.diag(np.diag(gram)), atol=1e-12)    # orthogonal rows
    corners = np.array([[r, g, b] for r in (0, 1) for g in (0, 1) for b in (0, 1)]) @ a.T
    np.testing.assert_allclose(np.ptp(corners, axis=0), 1)               # each channel spans 1
    noise = np.random.default_rng(0).standard_normal((200000, 3)) @ a.T
    np.testing.assert_allclose(np.corrcoef(noise.T), np.eye(3), atol=0.01)


def test_colour_goes_through_the_gray_models(shipped, monkeypatch):
    from denoise_utils import models

    rgb = np.random.default_rng(4).random((20, 30, 3)).astype(np.float32)
    via_gray, via_colour = du.denoise(rgb, sigma=25), du.denoise(rgb, model="colour_s25")
    assert via_gray.shape == rgb.shape and via_gray.dtype == np.float32
    assert not np.allclose(via_gray, via_colour)
    assert du.denoise(rgb, sigma=50).shape == rgb.shape        # no colour model for 50: fine
    assert not np.allclose(du.denoise(rgb, model="gray_s25"), via_gray)  # sigma 25: all blind here
    # with gray models that change nothing, the round trip through the space is exact
    monkeypatch.setattr(models, "apply_model", lambda net, y, multiple=1, sigma=None: np.clip(y, 0, 1))
    np.testing.assert_allclose(du.denoise(rgb, sigma=25), rgb, atol=1e-5)


def test_tiles_have_no_seams(shipped):
    img = np.random.default_rng(2).random((150, 170)).astype(np.float32)
    whole = du.denoise(img, tile=1024)
    tiled = du.denoise(img, tile=64, margin=16)
    np.testing.assert_allclose(tiled, whole, atol=1e-5)


def test_self_ensemble_averages_the_eight_flips_and_rotations(shipped):
    from denoise_utils.inference import dihedral
    from denoise_utils.models import apply_model

    img = np.random.default_rng(3).random((24, 40)).astype(np.float32)
    for k in range(8):
        np.testing.assert_array_equal(dihedral(dihedral(img, k), k, inverse=True), img)
    net = pretrained.load("gray_s25")
    by_hand = np.mean([dihedral(apply_model(net, np.ascontiguousarray(dihedral(img, k)), multiple=2),
                                k, inverse=True) for k in range(8)], axis=0)
    ens = du.denoise(img, sigma=25, ensemble=True)
    np.testing.assert_allclose(ens, by_hand, atol=1e-6)
    assert ens.shape == img.shape and not np.allclose(ens, du.denoise(img, sigma=25), atol=1e-3)


@pytest.mark.parametrize("kwargs, match", [
    (dict(sigma=-3), "sigma"), (dict(sigma="x"), "sigma"), (dict(model="nope"), "unknown model"),
    (dict(model="colour_s25"), "takes colour images"), (dict(tile=4), "tile"),
])
def test_denoise_errors(shipped, kwargs, match):
    with pytest.raises((TypeError, ValueError), match=match):
        du.denoise(np.zeros((16, 16), np.float32), **kwargs)


def test_denoise_rejects_nan_and_bad_shapes(shipped):
    with pytest.raises(ValueError, match="NaN"):
        du.denoise(np.full((8, 8), np.nan, np.float32))
    with pytest.raises(ValueError, match="channels"):
        du.denoise(np.zeros((8, 8, 4), np.float32))


def test_cli(shipped, tmp_path, capsys):
    src = tmp_path / "in.png"
    iio.imwrite(src, np.random.default_rng(0).integers(0, 256, (24, 31), dtype=np.uint8))
    before = src.read_bytes()
    assert cli.main(["denoise", str(src), str(tmp_path / "out.png")]) == 0
    assert iio.imread(tmp_path / "out.png").shape == (24, 31)
    assert cli.main(["denoise", str(src), str(tmp_path / "out.tif"), "--sigma", "blind", "--ensemble"]) == 0
    rgb = tmp_path / "rgb.jpg"
    iio.imwrite(rgb, np.random.default_rng(1).integers(0, 256, (24, 31, 3), dtype=np.uint8))
    assert cli.main(["denoise", str(rgb), str(tmp_path / "rgb.png"), "--sigma", "15"]) == 0
    assert iio.imread(tmp_path / "rgb.png").shape == (24, 31, 3)
    # never the input, never an existing file without --overwrite
    assert cli.main(["denoise", str(src), str(src)]) == 2
    assert "is the input file" in capsys.readouterr().err
    assert src.read_bytes() == before
    assert cli.main(["denoise", str(src), str(tmp_path / "out.png")]) == 2
    assert "exists" in capsys.readouterr().err
    assert cli.main(["denoise", str(src), str(tmp_path / "out.png"), "--overwrite"]) == 0
    assert cli.main(["models"]) == 0 and "gray_s25" in capsys.readouterr().out


def test_cli_evaluate(shipped, tmp_path, monkeypatch, capsys):
    folder = tmp_path / "data" / "set12"
    folder.mkdir(parents=True)
    for i in range(2):
        iio.imwrite(folder / f"{i + 1:02d}.png", np.full((20, 24), 100 + i, np.uint8))
    monkeypatch.setenv("DENOISE_DATA_DIR", str(tmp_path / "data"))
    assert cli.main(["evaluate", "--model", "gray_s25", "--sigma", "15"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("gray_s25 on set12") and [l.split()[0] for l in lines[2:]] == ["01", "02", "mean"]
    assert cli.main(["evaluate", "--model", "gray_s25", "--ensemble"]) == 0
    assert "self-ensemble" in capsys.readouterr().out.splitlines()[0]
    assert cli.main(["evaluate", "--dataset", "samples", "--sigma", "15"]) == 0     # colour
    assert capsys.readouterr().out.startswith("du.denoise on samples (scikit-image)")
    assert cli.main(["evaluate", "--model", "nope"]) == 2


@pytest.mark.parametrize("args, message", [
    (["denoise", "missing.png", "o.png"], "no image file"),
    (["denoise", "CORRUPT", "o.png"], "corrupt"),
    (["denoise", "IN", "o.png", "--model", "nope"], "unknown model"),
    (["denoise", "IN", "o.png", "--sigma", "300"], "cannot exceed 255"),
    (["denoise", "IN", "o.bmpx"], "cannot write"),
    (["evaluate", "--model", "gray_s25", "--dataset", "bsd68"], "bsd68"),
])
def test_cli_errors_are_one_line(shipped, tmp_path, capsys, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DENOISE_DATA_DIR", str(tmp_path))     # a data folder without bsd68/
    iio.imwrite(tmp_path / "IN", np.zeros((8, 8), np.uint8), extension=".png")
    (tmp_path / "CORRUPT").write_bytes(b"not an image")
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize("name", pretrained.available())
def test_shipped_model_is_complete_and_denoises(name):
    """Each shipped model sits beside its config, log and command, and really denoises."""
    import os

    folder = pretrained.path(name, "")
    assert {"config.json", "model.weights.h5", "log.csv", "command.txt"} <= set(os.listdir(folder))
    with open(os.path.join(folder, "command.txt")) as fh:
        assert fh.read().startswith("python -m denoise_utils.training ")
    cfg = pretrained.info(name)
    image = du.sample_images(gray=cfg["channels"] == 1)
    clean = next(iter(image.values()))[:200, :240]
    if cfg["noise"] == "camera":      # a fixed, fairly noisy camera; scored on its target
        from denoise_utils.noise import camera

        cam = {**camera.random_camera(0), "shot": 4e-3, "read": 1e-5, "jpeg": None, "phase": (0, 0)}
        noisy, clean = camera.add_camera_noise(clean, seed=0, camera=cam, return_clean=True)
        kwargs, gain = dict(noise="camera"), 3
        if cfg["takes_level"] and not cfg["level_from"]:
            # trained told the measured level, not its estimator's answer (which errs low):
            # scored told the measured level, through strength
            measured = 255 * np.std(noisy - clean, axis=(0, 1))
            kwargs["strength"] = float(np.mean(measured / pretrained.estimate_level(noisy, name)))
    else:
        sigma = 30 if isinstance(cfg["sigma"], list) else cfg["sigma"]
        noisy = du.add_gaussian_noise(clean, sigma, seed=0)
        kwargs, gain = dict(sigma=sigma), 6
    whole = du.denoise(noisy, model=name, **kwargs)
    assert du.psnr(clean, whole) > du.psnr(clean, noisy) + gain
    tiled = du.denoise(noisy, model=name, tile=100, **kwargs)     # not on a U-Net's grid
    np.testing.assert_allclose(tiled, whole, atol=1e-4)


def test_gan_models_are_never_chosen_by_default():
    """The model zoo page: the GAN model trades PSNR for texture and is used only when named."""
    gans = [n for n in pretrained.available() if pretrained.info(n).get("family") == "gan"]
    assert gans, "no shipped GAN model"
    for sigma in (None, 15, 25, 50):
        assert pretrained.choose(1, sigma) not in gans


def test_load_copy_is_a_model_of_its_own(shipped):
    cached = pretrained.load("gray_s25")
    assert pretrained.load("gray_s25") is cached
    own = pretrained.load("gray_s25", copy=True)
    assert own is not cached
    for a, b in zip(own.get_weights(), cached.get_weights()):
        np.testing.assert_array_equal(a, b)
    own.weights[0].assign(own.weights[0] + 1.0)                # training the copy ...
    assert not np.array_equal(own.get_weights()[0], cached.get_weights()[0])  # ... leaves the cache alone


def test_the_real_noise_model_denoises_every_bayer_phase():
    """A crop of a photo may start on any of the Bayer pattern's four colours (§5.1)."""
    from denoise_utils.noise import camera

    name = pretrained.choose(3, None, noise="camera")
    clean = du.sample_images(gray=False)["astronaut"][:160, :160]
    for phase in ((0, 0), (0, 1), (1, 0), (1, 1)):
        cam = {**camera.random_camera(0), "shot": 4e-3, "read": 1e-5, "jpeg": None, "phase": phase}
        noisy, target = camera.add_camera_noise(clean, seed=0, camera=cam, return_clean=True)
        assert du.psnr(target, du.denoise(noisy, noise="camera")) > du.psnr(target, noisy) + 3, (name, phase)


def test_shipped_weights_are_float16_and_to_float16_keeps_the_model(tmp_path):
    """§5.2: the weights ship in half the bytes; Keras loads them back into float32."""
    import h5py

    for name in pretrained.available():
        with h5py.File(pretrained.path(name), "r") as fh:
            kinds = set()
            fh.visititems(lambda _, item: kinds.add(item.dtype) if isinstance(item, h5py.Dataset) else None)
        assert np.dtype(np.float32) not in kinds and np.dtype(np.float16) in kinds, name
    from denoise_utils.models import build_model

    model = build_model({"model": "fast_dncnn", "model_kwargs": {"depth": 3, "filters": 64}})
    model.save_weights(tmp_path / "a.weights.h5")
    pretrained.to_float16(str(tmp_path / "a.weights.h5"), str(tmp_path / "b.weights.h5"))
    assert (tmp_path / "b.weights.h5").stat().st_size < 0.75 * (tmp_path / "a.weights.h5").stat().st_size
    copy = build_model({"model": "fast_dncnn", "model_kwargs": {"depth": 3, "filters": 64}})
    copy.load_weights(tmp_path / "b.weights.h5")
    for a, b in zip(model.get_weights(), copy.get_weights()):
        assert b.dtype == np.float32
        np.testing.assert_array_equal(b, a.astype(np.float16).astype(np.float32))
    with pytest.raises(ValueError, match="differ"):
        pretrained.to_float16(str(tmp_path / "b.weights.h5"), str(tmp_path / "b.weights.h5"))


def test_the_default_tile_gives_what_smaller_tiles_give():
    """Tiles of 1536 (the default) and of 512 cut a large photo where the whole would be."""
    from skimage.transform import resize

    clean = resize(du.sample_images(gray=True)["camera"], (1700, 700), order=1).astype(np.float32)
    noisy = du.add_gaussian_noise(clean, 25, seed=0)
    big = du.denoise(noisy, sigma=25, model="unet_small_gray_s25")
    small = du.denoise(noisy, sigma=25, model="unet_small_gray_s25", tile=512)
    np.testing.assert_allclose(big, small, atol=1e-4)


def test_the_phone_route_tells_a_level_map_the_same_through_tiles_and_ensemble():
    """§5.1 (III): the phone route's model is told a level at every pixel; the map rides
    through the tiles (and the flips of the ensemble) with the image."""
    from denoise_utils.noise import camera

    name = pretrained.choose(3, None, noise="phone")
    assert pretrained.info(name)["level_map"] and not pretrained.info(pretrained.choose(3, None, "camera"))["level_map"]
    clean = du.sample_images(gray=False)["astronaut"][:200, :168]
    noisy = camera.add_camera_noise(clean, seed=2, phone=True)      # a noisy phone (about 21 dB)
    level = du.estimate_level(noisy, name)
    assert level.shape == noisy.shape and du.estimate_level(noisy, name, map=False).shape == (3,)
    assert du.estimate_level(noisy).shape == (3,)            # the camera route's: one level per channel
    whole = du.denoise(noisy, noise="phone")
    assert du.psnr(clean, whole) > du.psnr(clean, noisy)
    np.testing.assert_allclose(du.denoise(noisy, noise="phone", tile=64, margin=48), whole, atol=1e-4)
    from denoise_utils.models import apply_model

    np.testing.assert_allclose(apply_model(pretrained.load(name), noisy, multiple=8, sigma=level), whole, atol=1e-5)
    gentle = du.denoise(noisy, noise="phone", strength=0.5)
    assert np.abs(gentle - noisy).mean() < np.abs(whole - noisy).mean()
    ensemble = du.denoise(noisy, noise="phone", ensemble=True)
    assert ensemble.shape == noisy.shape and du.psnr(whole, ensemble) > 35
