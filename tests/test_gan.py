"""The adversarial pieces of §3.3/§4.3: losses, critic, training step (TensorFlow and JAX)."""
import importlib.util
import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest

from denoise_utils.models import unet
from denoise_utils.models.gan import patch_discriminator
from denoise_utils.training.adversarial import AdversarialTrainer, adversarial_losses


def _sp(z):
    return np.log1p(np.exp(z))


def test_losses_match_their_formulas():
    d_real = np.array([[2.0, -1.0]], np.float32)
    d_fake = np.array([[0.5, -3.0]], np.float32)
    d, g = (float(v) for v in adversarial_losses(d_real, d_fake, "ns"))
    # D: -log sigmoid(real) - log(1 - sigmoid(fake));  G: -log sigmoid(fake)
    assert d == pytest.approx(_sp(-d_real).mean() + _sp(d_fake).mean(), rel=1e-5)
    assert g == pytest.approx(_sp(-d_fake).mean(), rel=1e-5)
    _, g_sat = (float(v) for v in adversarial_losses(d_real, d_fake, "saturating"))
    assert g_sat == pytest.approx(np.log(1 - 1 / (1 + np.exp(-d_fake))).mean(), rel=1e-5)
    d_ra, g_ra = (float(v) for v in adversarial_losses(d_real, d_fake, "ragan"))
    real, fake = d_real - d_fake.mean(), d_fake - d_real.mean()
    assert d_ra == pytest.approx(_sp(-real).mean() + _sp(fake).mean(), rel=1e-5)
    assert g_ra == pytest.approx(_sp(real).mean() + _sp(-fake).mean(), rel=1e-5)
    with pytest.raises(ValueError, match="loss must be one of"):
        adversarial_losses(d_real, d_fake, "wgan")


def test_patch_discriminator_judges_patches():
    D = patch_discriminator(channels=1, filters=(4, 8))
    out = np.asarray(D(np.zeros((2, 32, 48, 2), np.float32)))
    assert out.shape == (2, 8, 12, 1)                    # one logit per patch, any size


def _pairs(seed=0, n=4, size=16):
    rng = np.random.default_rng(seed)
    clean = np.repeat(np.repeat(rng.random((n, size // 4, size // 4, 1)), 4, 1), 4, 2)
    noisy = clean + 0.1 * rng.standard_normal(clean.shape)
    return noisy.astype(np.float32), clean.astype(np.float32)


def _trainer(**kw):
    keras.utils.set_random_seed(0)
    return AdversarialTrainer(unet(filters=(4, 8), blocks=1), patch_discriminator(filters=(4, 8)),
                              lr=1e-3, **kw)


def test_train_step_learns_and_checkpoints_resume_exactly(tmp_path):
    trainer = _trainer(weight=0.01)
    noisy, clean = _pairs()
    first = trainer.step(noisy, clean)
    assert set(first) == {"pixel", "adversarial", "d_loss", "d_real", "d_fake"}
    assert 0 <= first["d_real"] <= 1 and 0 <= first["d_fake"] <= 1
    for _ in range(30):
        last = trainer.step(noisy, clean)
    assert last["pixel"] < first["pixel"]                  # the denoiser learns
    assert last["d_loss"] < first["d_loss"]                # and so does the critic
    trainer.save_checkpoint(tmp_path)
    again = _trainer(weight=0.01)
    again.load_checkpoint(tmp_path)
    np.testing.assert_allclose(list(again.step(noisy, clean).values()),
                               list(trainer.step(noisy, clean).values()), rtol=1e-4)
    trainer.learning_rate = 1e-4
    assert trainer.learning_rate == pytest.approx(1e-4)
    with pytest.raises(ValueError, match="pixel"):
        _trainer(pixel="ssim")


_JAX_SCRIPT = """
import json, sys
import numpy as np
sys.path.insert(0, {tests!r})
from test_gan import _pairs, _trainer
import keras
assert keras.backend.backend() == {backend!r}
trainer = _trainer(weight=0.01, loss="ragan")
trainer.generator.load_weights({g!r})
trainer.discriminator.load_weights({d!r})
noisy, clean = _pairs()
print(json.dumps([trainer.step(noisy, clean) for _ in range(3)]))
"""


@pytest.mark.skipif(importlib.util.find_spec("jax") is None, reason="JAX is not installed")
def test_jax_step_equals_tensorflow_step(tmp_path):
    """The same three steps from the same weights give the same losses under both backends."""
    trainer = _trainer()
    g, d = str(tmp_path / "g.weights.h5"), str(tmp_path / "d.weights.h5")
    trainer.generator.save_weights(g)
    trainer.discriminator.save_weights(d)
    runs = {}
    for backend in ("tensorflow", "jax"):
        script = _JAX_SCRIPT.format(tests=os.path.dirname(__file__), backend=backend, g=g, d=d)
        env = {**os.environ, "KERAS_BACKEND": backend, "CUDA_VISIBLE_DEVICES": ""}
        done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        runs[backend] = json.loads(done.stdout.strip().splitlines()[-1])
    for tf_step, jax_step in zip(runs["tensorflow"], runs["jax"]):
        for key in ("pixel", "adversarial", "d_loss"):
            assert jax_step[key] == pytest.approx(tf_step[key], rel=2e-3), key
    assert runs["jax"][2]["pixel"] != runs["jax"][0]["pixel"]     # the steps did update


def test_plain_gan_mode_learns_the_optimal_critic():
    """§3.3: with a frozen generator (lr 0) the critic approaches p_data / (p_data + p_g)."""
    keras.utils.set_random_seed(0)
    gen = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    gen.set_weights([np.array([[1.0]], np.float32), np.array([2.0], np.float32)])   # N(2, 1)
    critic = keras.Sequential([keras.Input((1,)), keras.layers.Dense(16, activation="relu"),
                               keras.layers.Dense(1)])
    trainer = AdversarialTrainer(gen, critic, weight=1.0, pixel=None, conditional=False,
                                 lr=0.0, d_lr=3e-3)
    rng = np.random.default_rng(0)
    for _ in range(600):
        out = trainer.step(rng.standard_normal((256, 1)), rng.standard_normal((256, 1)))
    assert out["pixel"] == 0
    np.testing.assert_allclose(gen.get_weights()[1], [2.0])            # lr 0: G unchanged
    x = np.array([[-1.0], [1.0], [3.0]], np.float32)
    d = 1 / (1 + np.exp(-np.asarray(critic(x)).ravel()))
    d_star = 1 / (1 + np.exp(-((x - 2) ** 2 - x**2).ravel() / 2))      # N(0,1) vs N(2,1)
    np.testing.assert_allclose(d, d_star, atol=0.08)
