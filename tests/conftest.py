"""Fixtures shared by the unit tests: tiny shipped models that load in milliseconds."""

import json

import numpy as np
import pytest

from denoise_utils.zoo import store
from denoise_utils import pretrained


def ship(root, name, sigma, channels=1, seed=0, **extra):
    """A tiny shipped model with random weights (random, so tiling errors would show)."""
    extra.setdefault("family", "cnn")
    cfg = dict(name=name, model="fast_dncnn", multiple=2, train_set="train400", sigma=sigma,
               model_kwargs=dict(depth=3, filters=4, channels=channels), **extra)
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "config.json").write_text(json.dumps(cfg))
    from denoise_utils.models import build_model

    model = build_model(cfg)
    rng = np.random.default_rng(seed)
    model.set_weights([0.1 * rng.standard_normal(w.shape).astype(np.float32)
                       for w in model.get_weights()])
    model.save_weights(str(folder / "model.weights.h5"))
    (folder / "log.csv").write_text("epoch,loss,seconds,val_psnr\n0,0.01,30.0,25.0\n1,0.009,60.0,25.5\n")
    (folder / "command.txt").write_text(f"python -m denoise_utils.training {name}\n")


@pytest.fixture
def shipped(tmp_path, monkeypatch):
    root = tmp_path / "weights"
    ship(root, "gray_s25", 25)
    ship(root, "gray_blind", [0, 55], seed=1)
    ship(root, "colour_s25", 25, channels=3, seed=2)
    (root / "untrained").mkdir()          # a config without weights is not available
    monkeypatch.setattr(store, "WEIGHTS_DIR", str(root))
    store.clear_cache()
    yield root
    store.clear_cache()




@pytest.fixture
def ship_model():
    """``ship`` itself, for a test that adds a model of its own."""
    return ship
