import csv
import json
import os
import shutil

import imageio.v3 as iio
import numpy as np
import pytest

import denoise_utils as du
from denoise_utils import data, pretrained, training
from denoise_utils.zoo import store
from denoise_utils.models import build_model


@pytest.fixture
def data_dir(tmp_path):
    rng = np.random.default_rng(0)
    for name, n in (("train400", 3), ("set12", 2)):
        (tmp_path / name).mkdir()
        for f in data.DATASETS[name]["files"][:n]:
            iio.imwrite(tmp_path / name / f, rng.integers(0, 256, (40, 44), dtype=np.uint8))
    return tmp_path


def _config(path, **over):
    cfg = dict(name="tiny", family="cnn", model="fast_dncnn", model_kwargs=dict(depth=3, filters=4),
               multiple=2, train_set="train400", val_set="set12", sigma=25, patch_size=16,
               batch_size=4, steps_per_epoch=2, epochs=2, lr=1e-3)
    cfg.update(over)
    path.write_text(json.dumps(cfg))
    return str(path)


def _rows(out):
    with open(os.path.join(out, "log.csv")) as fh:
        return list(csv.DictReader(fh))


def test_train_logs_and_resumes(tmp_path, data_dir, monkeypatch):
    monkeypatch.setenv("DENOISE_DATA_DIR", str(data_dir))
    cfg = _config(tmp_path / "tiny.json")
    out = training.train(cfg, out=str(tmp_path / "runs"), verbose=0)
    rows = _rows(out)
    assert [r["epoch"] for r in rows] == ["0", "1"]
    assert all(15 < float(r["val_psnr"]) < 60 and float(r["seconds"]) > 0 for r in rows)
    assert os.path.isfile(os.path.join(out, "model.weights.h5"))
    # asking for more epochs resumes after the last one instead of starting again
    _config(tmp_path / "tiny.json", epochs=3)
    training.train(cfg, out=str(tmp_path / "runs"), verbose=0)
    assert [r["epoch"] for r in _rows(out)] == ["0", "1", "2"]
    assert float(_rows(out)[2]["seconds"]) > float(_rows(out)[1]["seconds"])


@pytest.mark.parametrize("target", ["noise2noise", "blind_spot"])
def test_train_without_clean_targets_resumes(tmp_path, data_dir, monkeypatch, target):
    """§5.2's targets train through the entry point, and a run resumes (the masked loss too)."""
    monkeypatch.setenv("DENOISE_DATA_DIR", str(data_dir))
    seen = []

    class Recording(data.PatchDataset):
        def __getitem__(self, i):
            seen.append(super().__getitem__(i))
            return seen[-1]

    monkeypatch.setattr(data, "PatchDataset", Recording)
    cfg = _config(tmp_path / "ss.json", name="ss", target=target, epochs=1)
    out = training.train(cfg, out=str(tmp_path / "runs"), verbose=0)
    noisy, target_batch = seen[0]
    if target == "noise2noise":      # the target's own noise: the difference has twice the variance
        assert target_batch.shape == noisy.shape
        assert abs(np.std(target_batch - noisy) * 255 - 25 * np.sqrt(2)) < 3
    else:                            # the noisy patch itself, with the mask beside it
        assert target_batch.shape[-1] == 2
        mask = target_batch[..., 1] == 1
        assert mask.any()
        np.testing.assert_array_equal(target_batch[..., 0][~mask], noisy[..., 0][~mask])
    _config(tmp_path / "ss.json", name="ss", target=target, epochs=2)
    training.train(cfg, out=str(tmp_path / "runs"), verbose=0)
    assert [r["epoch"] for r in _rows(out)] == ["0", "1"]


def test_train_set_list_pools_sets(tmp_path, data_dir, monkeypatch):
    from denoise_utils import data

    monkeypatch.setenv("DENOISE_DATA_DIR", str(data_dir))
    (data_dir / "cbsd432").mkdir()
    for i in range(2):  # colour photos, read in gray for a gray model
        iio.imwrite(data_dir / "cbsd432" / f"{i}.png",
                    np.random.default_rng(i).integers(0, 256, (48, 40, 3), dtype=np.uint8))
    seen = []

    class Recording(data.PatchDataset):
        def __init__(self, images, **kwargs):
            seen.append([im.shape for im in images])
            super().__init__(images, **kwargs)

    monkeypatch.setattr(data, "PatchDataset", Recording)
    cfg = _config(tmp_path / "pool.json", name="pool", epochs=1, train_set=["train400", "cbsd432"])
    training.train(cfg, out=str(tmp_path / "runs"), verbose=0)
    assert seen == [[(40, 44)] * 3 + [(48, 40)] * 2]
    bad = _config(tmp_path / "bad.json", name="bad", train_set=["train400", "nope"])
    with pytest.raises(ValueError, match="nope"):
        training.train(bad, out=str(tmp_path / "runs"), verbose=0)


def test_training_learns(tmp_path, monkeypatch):
    """On smooth images a tiny model learns within a few dozen batches: the loss falls and
    validation rises well above the noisy input's PSNR (20.2 dB at σ = 25)."""
    folder = tmp_path / "train400"
    folder.mkdir()
    yy, xx = np.mgrid[:48, :48] / 48
    for k, f in enumerate(data.DATASETS["train400"]["files"][:50]):
        iio.imwrite(folder / f, np.uint8(255 * (0.2 + 0.3 * np.sin(3 * xx + k) ** 2 + 0.3 * yy)))
    monkeypatch.setenv("DENOISE_DATA_DIR", str(tmp_path))
    cfg = _config(tmp_path / "learn.json", name="learn", val_set="train400", steps_per_epoch=20,
                  epochs=5, batch_size=16, lr=3e-3, model_kwargs=dict(depth=4, filters=8))
    rows = _rows(training.train(cfg, out=str(tmp_path / "runs"), verbose=0))
    losses = [float(r["loss"]) for r in rows]
    assert losses[-1] < 0.7 * losses[0]
    assert float(rows[-1]["val_psnr"]) > 20 * np.log10(255 / 25) + 2


def test_validation_is_held_out(tmp_path, monkeypatch):
    folder = tmp_path / "train400"
    folder.mkdir()
    for f in data.DATASETS["train400"]["files"][:50]:
        iio.imwrite(folder / f, np.full((40, 44), 100, np.uint8))
    monkeypatch.setenv("DENOISE_DATA_DIR", str(tmp_path))
    seen = {}
    from denoise_utils import metrics

    real_evaluate = metrics.evaluate

    def recording(fn, images, sigma, **kwargs):
        seen["val"] = sorted(images)
        return real_evaluate(fn, images, sigma, **kwargs)

    class Recording(data.PatchDataset):
        def __init__(self, images, **kwargs):
            seen["train"] = len(images)
            super().__init__(images, **kwargs)

    monkeypatch.setattr(data, "PatchDataset", Recording)
    monkeypatch.setattr(metrics, "evaluate", recording)
    cfg = _config(tmp_path / "split.json", name="split", val_set="train400", epochs=1)
    training.train(cfg, out=str(tmp_path / "runs"), verbose=0)
    assert seen == {"train": 48, "val": ["test_025", "test_050"]}


def test_no_shipped_model_validates_on_a_test_set_unless_it_says_so():
    for name in sorted(os.listdir(pretrained.WEIGHTS_DIR)):
        if not os.path.isdir(os.path.join(pretrained.WEIGHTS_DIR, name)):
            continue                                    # choice.json: the measured choice
        cfg = training.load_config(name)
        assert cfg.get("family") in ("cnn", "rnn", "gan", "autoencoder", "transformer"), name
        if cfg["val_set"] in ("set12", "bsd68", "cbsd68", "kodak24", "samples"):
            assert cfg.get("selected_on_test") is True, f"{name} validates on a test set"
        else:
            assert cfg["holdout"], f"{name} validates on images it may train on"


def test_time_budget_and_schedule(tmp_path, data_dir, monkeypatch):
    monkeypatch.setenv("DENOISE_DATA_DIR", str(data_dir))
    cfg = _config(tmp_path / "tiny.json", minutes=1e-6, epochs=50)
    out = training.train(cfg, out=str(tmp_path / "runs"), verbose=0)
    assert len(_rows(out)) == 1                      # the budget ran out after one epoch
    cfg = _config(tmp_path / "t2.json", name="steps", epochs=3, lr_milestones=[1, 2])
    lrs = [float(r["learning_rate"]) for r in _rows(training.train(cfg, out=str(tmp_path / "r2"), verbose=0))]
    np.testing.assert_allclose(lrs, [1e-3, 1e-4, 1e-5], rtol=1e-4)


def test_ship_copies_weights_log_and_command(tmp_path, data_dir, monkeypatch):
    monkeypatch.setenv("DENOISE_DATA_DIR", str(data_dir))
    monkeypatch.setattr(store, "WEIGHTS_DIR", str(tmp_path / "weights"))
    cfg = _config(tmp_path / "tiny.json", epochs=1)
    training.train(cfg, out=str(tmp_path / "runs"), verbose=0, ship=True, command="CMD")
    dest = tmp_path / "weights" / "tiny"
    assert sorted(os.listdir(dest)) == ["command.txt", "log.csv", "model.weights.h5"]
    assert (dest / "command.txt").read_text() == "CMD\n"


def test_init_starts_from_shipped_weights(tmp_path, data_dir, monkeypatch):
    monkeypatch.setenv("DENOISE_DATA_DIR", str(data_dir))
    monkeypatch.setattr(store, "WEIGHTS_DIR", str(tmp_path / "weights"))
    training.train(_config(tmp_path / "tiny.json", epochs=1), out=str(tmp_path / "runs"),
                verbose=0, ship=True)
    start = build_model(training.load_config(str(tmp_path / "tiny.json")))
    start.load_weights(str(tmp_path / "weights" / "tiny" / "model.weights.h5"))
    # a zero-epoch run from init ships the weights it started from
    cfg = _config(tmp_path / "ft.json", name="ft", epochs=0, init="tiny")
    out = training.train(cfg, out=str(tmp_path / "runs"), verbose=0)
    tuned = build_model(training.load_config(cfg))
    tuned.load_weights(os.path.join(out, "model.weights.h5"))
    for a, b in zip(start.get_weights(), tuned.get_weights()):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(FileNotFoundError, match="init: no shipped weights"):
        training.train(_config(tmp_path / "bad.json", name="bad", init="nope"), out=str(tmp_path / "runs"))
    wide = _config(tmp_path / "wide.json", name="wide", init="tiny",
                   model_kwargs=dict(depth=3, filters=6))
    with pytest.raises(ValueError, match="do not fit"):
        training.train(wide, out=str(tmp_path / "runs"))


def test_bad_configs(tmp_path, capsys):
    with pytest.raises(FileNotFoundError, match="shipped configs"):
        training.load_config("no_such_model")
    (tmp_path / "bad.json").write_text(json.dumps({"model": "dncnn"}))
    with pytest.raises(ValueError, match="train_set"):
        training.load_config(str(tmp_path / "bad.json"))
    with pytest.raises(SystemExit) as exit_:
        training.main(["no_such_model"])
    assert exit_.value.code == 2 and "error: no config" in capsys.readouterr().err
    with pytest.raises(ValueError, match="unknown model"):
        build_model({"model": "resnet", "model_kwargs": {}})
    (tmp_path / "typo.json").write_text(json.dumps({"model": "dncnn", "train_set": "train400", "family": "cnn",
                                                    "sigma": 25, "epoch": 3}))
    with pytest.raises(ValueError, match=r"unknown config keys \['epoch'\]"):
        training.load_config(str(tmp_path / "typo.json"))
    (tmp_path / "nofamily.json").write_text(json.dumps({"model": "dncnn", "train_set": "train400", "sigma": 25}))
    with pytest.raises(ValueError, match="family"):
        training.load_config(str(tmp_path / "nofamily.json"))


def test_fit_trains_and_times():
    from denoise_utils.models import dncnn
    from denoise_utils.training import fit

    images = [np.random.default_rng(0).random((24, 24)).astype(np.float32)]
    net = dncnn(depth=3, filters=4, batch_norm=False)
    history = fit(net, images, steps=4, patch_size=16, batch_size=2, epochs=2, loss="mae")
    assert len(history.history["loss"]) == 2 and history.seconds > 0
    watched = fit(net, images, steps=4, patch_size=16, batch_size=2, epochs=2, val=images)
    assert len(watched.history["val_psnr"]) == 2
    assert all(np.isfinite(v) for v in watched.history["val_psnr"])
    with pytest.raises(ValueError, match="optimizer"):
        fit(net, images, steps=2, patch_size=16, optimizer="rmsprop")


def test_fit_takes_other_noise_for_training_and_validation():
    from denoise_utils.models import dncnn
    from denoise_utils.training import fit

    seen = []

    def impulses(clean, rng):
        seen.append(clean.shape)
        return du.noise.add_salt_pepper_noise(clean, 0.3, seed=rng)

    images = [np.random.default_rng(0).random((24, 24)).astype(np.float32)]
    net = dncnn(depth=3, filters=4, batch_norm=False)
    history = fit(net, images, steps=2, patch_size=16, batch_size=2, noise=impulses, val=images)
    assert (2, 16, 16, 1) in seen and (24, 24) in seen         # patches, then the validation image
    assert np.isfinite(history.history["val_psnr"][0])


def test_adversarial_config_trains_checkpoints_and_resumes(tmp_path, data_dir, monkeypatch):
    monkeypatch.setenv("DENOISE_DATA_DIR", str(data_dir))
    adversarial = dict(weight=0.01, loss="ns", d_lr=2e-3, discriminator=dict(filters=[4, 8]))
    cfg = _config(tmp_path / "gan.json", name="gan", model="unet",
                  model_kwargs=dict(filters=[4, 8], blocks=1), adversarial=adversarial)
    out = training.train(cfg, out=str(tmp_path / "runs"), verbose=0)
    rows = _rows(out)
    assert [r["epoch"] for r in rows] == ["0", "1"]
    for key in ("pixel", "adversarial", "d_loss", "d_real", "d_fake", "val_psnr", "val_swd"):
        assert np.isfinite(float(rows[-1][key])), key
    for f in ("generator.weights.h5", "discriminator.weights.h5", "optimizer.npz"):
        assert os.path.isfile(os.path.join(out, f)), f
    critic = np.load(os.path.join(out, "optimizer.npz"))["arr_0"]
    _config(tmp_path / "gan.json", name="gan", model="unet", epochs=3,
            model_kwargs=dict(filters=[4, 8], blocks=1), adversarial=adversarial)
    training.train(cfg, out=str(tmp_path / "runs"), verbose=0)        # resumes, critic included
    assert [r["epoch"] for r in _rows(out)] == ["0", "1", "2"]
    assert np.load(os.path.join(out, "optimizer.npz"))["arr_0"] > critic   # step counter went on
    shipped = build_model(training.load_config(cfg))
    shipped.load_weights(os.path.join(out, "model.weights.h5"))      # a plain denoiser ships
    bad = _config(tmp_path / "bad.json", name="bad", model="unet",
                  model_kwargs=dict(filters=[4, 8], blocks=1), adversarial=dict(lamda=1))
    with pytest.raises(ValueError, match="lamda"):
        training.train(bad, out=str(tmp_path / "runs"), verbose=0)


def test_a_model_told_the_level_trains_from_its_blind_twin(tmp_path, data_dir, monkeypatch):
    """§5.5: unet(noise_map=1) starts from a shipped U-Net without the map (the map's first-layer
    weights at zero, so it starts as that model), trains on levels drawn per patch and resumes."""
    from denoise_utils.models import apply_model

    monkeypatch.setenv("DENOISE_DATA_DIR", str(data_dir))
    monkeypatch.setattr(store, "WEIGHTS_DIR", str(tmp_path / "weights"))
    unet = dict(model="unet", multiple=4, model_kwargs=dict(filters=[4, 8, 8], blocks=1))
    twin_cfg = _config(tmp_path / "twin.json", name="twin", epochs=1, **unet)
    training.train(twin_cfg, out=str(tmp_path / "runs"), verbose=0, ship=True)
    shutil.copy(twin_cfg, tmp_path / "weights" / "twin" / "config.json")
    told = dict(unet, model_kwargs=dict(unet["model_kwargs"], noise_map=1))
    cfg = _config(tmp_path / "told.json", name="told", epochs=0, init="twin", sigma=[0, 50], val_sigma=25, **told)
    out = training.train(cfg, out=str(tmp_path / "runs"), verbose=0)
    model = build_model(training.load_config(cfg))
    model.load_weights(os.path.join(out, "model.weights.h5"))
    y = np.random.default_rng(0).random((16, 20)).astype(np.float32)
    twin = pretrained.load("twin")
    for level in (5, 40):          # whatever it is told, it starts as its twin
        np.testing.assert_allclose(apply_model(model, y, multiple=4, sigma=level),
                                   apply_model(twin, y, multiple=4), atol=1e-5)
    cfg2 = _config(tmp_path / "told2.json", name="told2", epochs=2, init="twin", sigma=[0, 50], **told)
    rows = _rows(training.train(cfg2, out=str(tmp_path / "runs"), verbose=0))
    assert len(rows) == 2 and all(np.isfinite(float(r["val_psnr"])) for r in rows)
    critic = _config(tmp_path / "critic.json", name="critic", adversarial={"weight": 0.01}, **told)
    with pytest.raises(ValueError, match="critic"):
        training.train(critic, out=str(tmp_path / "runs"))


def test_a_model_told_the_camera_noise_level_and_its_estimator(tmp_path, monkeypatch):
    """§5.1: a colour U-Net told each channel's measured level of (widened) camera noise trains
    and resumes; its level estimator trains, ships beside it, and ``denoise(noise="camera")``
    tells the model the estimated level, scaled by ``strength``."""
    rng = np.random.default_rng(0)
    (tmp_path / "cbsd432").mkdir()
    for i in range(30):                                     # the 25th is held out for validation
        iio.imwrite(tmp_path / "cbsd432" / f"{i:03d}.png", rng.integers(0, 256, (40, 40, 3), dtype=np.uint8))
    monkeypatch.setenv("DENOISE_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(store, "WEIGHTS_DIR", str(tmp_path / "weights"))
    cfg = dict(name="camlevel", family="autoencoder", model="unet", multiple=2, noise="camera",
               noise_params={"wide": True}, train_set="cbsd432", val_set="cbsd432", patch_size=16,
               model_kwargs=dict(channels=3, filters=[4, 8], blocks=1, noise_map=3),
               batch_size=4, steps_per_epoch=2, epochs=1, lr=1e-3,
               estimator=dict(filters=4, patch_size=16, batch_size=4, steps_per_epoch=2, minutes=0.001,
                              val_limit=1))
    path = tmp_path / "camlevel.json"
    path.write_text(json.dumps(cfg))
    out = training.train(str(path), out=str(tmp_path / "runs"), verbose=0, ship=True)
    rows = _rows(out)
    assert len(rows) == 1 and np.isfinite(float(rows[0]["val_psnr"]))
    path.write_text(json.dumps({**cfg, "epochs": 2}))
    assert len(_rows(training.train(str(path), out=str(tmp_path / "runs"), verbose=0))) == 2   # resumed
    shutil.copy(path, tmp_path / "weights" / "camlevel" / "config.json")
    assert training.main([str(path), "--estimator", "--out", str(tmp_path / "runs"), "--ship", "--quiet"]) is None
    for f in ("estimator.weights.h5", "estimator_log.csv", "estimator_command.txt"):
        assert (tmp_path / "weights" / "camlevel" / f).is_file()
    # the estimator trains through the same loop: the one log with its rate and time, and it resumes
    est_log = store.log("camlevel", part="estimator")
    assert est_log and {"loss", "val_median_ratio", "val_over_25pct", "learning_rate", "seconds"} <= set(est_log[0])
    runs = tmp_path / "runs" / "camlevel" / "estimator"
    assert (runs / "state.json").is_file() and (runs / "estimator.keras").is_file()
    photo = rng.random((40, 48, 3)).astype(np.float32)
    level = pretrained.estimate_level(photo, model="camlevel")
    assert level.shape == (3,) and np.all(level > 0)
    out1 = pretrained.denoise(photo, noise="camera", model="camlevel")
    out2 = pretrained.denoise(photo, noise="camera", model="camlevel", strength=3)
    assert out1.shape == photo.shape and not np.allclose(out1, out2)
    with pytest.raises(ValueError, match="strength"):
        pretrained.denoise(photo, noise="camera", model="camlevel", strength=5)
    # a model told what that estimator finds, from the first: trains, and denoise uses the estimator
    est_cfg = {**cfg, "name": "camest", "init": "camlevel", "level_from": "camlevel", "estimator": None}
    est_path = tmp_path / "camest.json"
    est_path.write_text(json.dumps(est_cfg))
    rows = _rows(training.train(str(est_path), out=str(tmp_path / "runs"), verbose=0, ship=True))
    assert len(rows) == 1 and np.isfinite(float(rows[0]["val_psnr"]))
    shutil.copy(est_path, tmp_path / "weights" / "camest" / "config.json")
    np.testing.assert_allclose(pretrained.estimate_level(photo, model="camest"), level)
    assert pretrained.denoise(photo, noise="camera", model="camest").shape == photo.shape
    from denoise_utils.training.level import train_estimator

    with pytest.raises(ValueError, match="needs no estimator"):
        train_estimator(training.load_config(_config(tmp_path / "g.json")), str(tmp_path / "runs"))


def test_pretrained_weights_learn_at_their_scale_or_stay_frozen():
    """§5.4: ``init_lr_scale`` makes the weights ``init`` loaded learn at a fraction of the rate
    (ScaledAdamW), and 0 freezes them; the warm-up climbs to the rate."""
    import keras

    from denoise_utils.training.optim import ScaledAdamW, learning_rate, optimizer
    from denoise_utils.zoo.schema import DEFAULTS

    def model():
        x = keras.Input((4,))
        return keras.Model(x, keras.layers.Dense(1, name="new")(keras.layers.Dense(3, name="old")(x)))

    data = np.random.default_rng(0).standard_normal((8, 4)).astype(np.float32)
    steps = {}
    for scale in (1.0, 0.1, 0.0):
        net = model()
        net.set_weights([np.full(w.shape, 0.5, np.float32) for w in net.get_weights()])
        cfg = {**DEFAULTS, "init_lr_scale": scale, "optimizer": "adamw", "lr": 1e-2}
        old = [w.path for w in net.get_layer("old").weights]
        net.compile(optimizer=optimizer(cfg, net, old), loss="mse")
        net.train_on_batch(data, np.ones((8, 1), np.float32))
        steps[scale] = [np.abs(np.asarray(net.get_layer(n).kernel) - 0.5).max() for n in ("old", "new")]
    assert steps[0.1][0] == pytest.approx(0.1 * steps[1.0][0], rel=0.05)      # Adam's step is ~ the rate
    assert steps[0.1][1] == pytest.approx(steps[1.0][1], rel=1e-4)
    assert steps[0.0][0] == 0 and steps[0.0][1] > 0
    net = model()
    net.compile(optimizer=ScaledAdamW(1e-3, slow=["old/kernel"], slow_scale=0.5), loss="mse")
    net.train_on_batch(data, np.ones((8, 1), np.float32))
    again = ScaledAdamW.from_config(net.optimizer.get_config())
    assert again.slow == ["old/kernel"] and again.slow_scale == 0.5
    cfg = {**DEFAULTS, "warmup_epochs": 4, "lr": 1.0}
    assert [learning_rate(cfg, {"seconds": 0}, e) for e in range(5)] == [0.25, 0.5, 0.75, 1.0, 1.0]


def test_the_store_answers_one_query_best_rank_first(shipped, ship_model):
    ship_model(shipped, "z_gray_s25", 25, seed=3, rank=2)
    assert store.find(channels=1) == ["z_gray_s25", "gray_blind", "gray_s25"]
    assert store.find(channels=1, kind="fixed") == ["z_gray_s25", "gray_s25"]
    assert store.find(kind="blind") == ["gray_blind"] and store.find(kind="told") == []
    assert store.find(channels=3) == ["colour_s25"] and store.find(families=("gan",)) == []
    assert pretrained.choose(1, 25) == "z_gray_s25" and pretrained.choose(1, None) == "gray_blind"
    with pytest.raises(ValueError, match="kind must be one of"):
        store.find(kind="nearest")


_DATA_PARALLEL = """
import json, os, sys
import numpy as np
import keras
from denoise_utils.models import unet
from denoise_utils.training.optim import data_parallel

n = data_parallel(int(sys.argv[1]))
keras.utils.set_random_seed(0)
model = unet(filters=(8, 16), blocks=1)
model.compile(optimizer=keras.optimizers.SGD(0.5), loss="mse")
before = [w.tolist() for w in model.get_weights()[-2:]]
rng = np.random.default_rng(0)
x = rng.random((8, 16, 16, 1)).astype("float32")
y = np.clip(x + 0.1 * rng.standard_normal(x.shape).astype("float32"), 0, 1)
model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
print(json.dumps({"devices": n, "visible": len(keras.distribution.list_devices()),
                  "before": before, "weights": [w.tolist() for w in model.get_weights()[-2:]]}))
"""


def test_one_step_on_two_devices_is_one_step_on_one_with_the_same_batch():
    """Data-parallel training (issue 38): two virtual CPU devices under JAX, each half of the batch,
    give the step one device takes with the whole batch, within float tolerance."""
    import importlib.util
    import json
    import os
    import subprocess
    import sys

    if importlib.util.find_spec("jax") is None:
        pytest.skip("needs JAX")
    env = {**os.environ, "KERAS_BACKEND": "jax", "XLA_FLAGS": "--xla_force_host_platform_device_count=2",
           "JAX_PLATFORMS": "cpu", "CUDA_VISIBLE_DEVICES": ""}
    runs = [json.loads(subprocess.run([sys.executable, "-c", _DATA_PARALLEL, str(n)], env=env, check=True,
                                      capture_output=True, text=True).stdout.strip().splitlines()[-1])
            for n in (1, 2)]
    assert [r["devices"] for r in runs] == [1, 2] and runs[1]["visible"] == 2
    for a, b in zip(runs[0]["weights"], runs[1]["weights"]):
        np.testing.assert_allclose(np.array(b), np.array(a), rtol=1e-4, atol=1e-6)
    np.testing.assert_array_equal(runs[0]["before"][0], runs[1]["before"][0])       # the same start
    assert np.abs(np.array(runs[0]["weights"][0]) - np.array(runs[0]["before"][0])).max() > 1e-4   # a real step, far above the tolerance
    from denoise_utils.training.optim import data_parallel

    with pytest.raises(ValueError, match="devices asked for"):
        data_parallel(3)
