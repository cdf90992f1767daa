"""§5.2: training targets without clean images, the fusion of a blind-spot prediction, SURE."""

import json

import numpy as np
import pytest
from scipy.ndimage import gaussian_filter

from denoise_utils import inference, metrics
from denoise_utils.training import targets
from denoise_utils import training


def test_noise2noise_pairs_are_independent_noisy_copies():
    clean = np.full((64, 16, 16, 1), 0.5, np.float32)
    a, b = targets.noise2noise_pairs(clean, np.random.default_rng(0), sigma=25)
    na, nb = (a - clean).ravel(), (b - clean).ravel()
    assert abs(na.std() * 255 - 25) < 0.5 and abs(nb.std() * 255 - 25) < 0.5
    assert abs(np.corrcoef(na, nb)[0, 1]) < 0.02


def test_blind_spot_pairs_hide_each_target_pixel():
    rng = np.random.default_rng(0)
    noisy = rng.random((8, 32, 32, 1)).astype(np.float32)
    masked, target = targets.blind_spot_pairs(noisy, np.random.default_rng(1), fraction=1 / 16, radius=2)
    assert target.shape == (8, 32, 32, 2)
    np.testing.assert_array_equal(target[..., :1], noisy)
    mask = target[..., 1] == 1
    assert 0.5 / 16 < mask.mean() <= 1 / 16
    assert np.all(masked[..., 0][mask] != noisy[..., 0][mask])        # each picked pixel replaced
    np.testing.assert_array_equal(masked[..., 0][~mask], noisy[..., 0][~mask])
    with pytest.raises(ValueError, match="patches"):
        targets.blind_spot_pairs(noisy[0], rng)
    with pytest.raises(ValueError, match="fraction"):
        targets.blind_spot_pairs(noisy, rng, fraction=0)


def test_masked_mse_looks_at_masked_pixels_only():
    target = np.zeros((1, 4, 4, 2), np.float32)
    target[0, 0, 0, 1] = 1.0                                         # one masked pixel
    pred = np.ones((1, 4, 4, 1), np.float32)
    pred[0, 0, 0, 0] = 0.5
    assert float(targets.masked_mse(target, pred)) == pytest.approx(0.25)


def test_target_noise_names_the_choices():
    assert targets.target_noise("clean", 25) == (None, "mse")
    with pytest.raises(ValueError, match="noise2noise"):
        targets.target_noise("n2n", 25)
    with pytest.raises(ValueError, match="teacher"):
        targets.target_noise("teacher", 25, teacher="no_such_model")


def test_a_self_supervised_target_needs_gaussian_noise(tmp_path):
    cfg = {"model": "unet", "family": "autoencoder", "train_set": "cbsd432", "noise": "camera", "target": "noise2noise"}
    path = tmp_path / "config.json"
    path.write_text(json.dumps(cfg))
    with pytest.raises(ValueError, match="Gaussian"):
        training.load_config(str(path))


def test_fuse_noisy_weighs_the_pixel_by_the_local_prior():
    rng = np.random.default_rng(0)
    flat = np.full((64, 64), 0.5)
    noisy = flat + 25 / 255 * rng.standard_normal(flat.shape)
    # on a flat area a perfect prediction gets (almost) all the weight ...
    assert np.abs(inference.fuse_noisy(noisy, flat, 25) - flat).mean() < 0.2 * np.abs(noisy - flat).mean()
    # ... and a useless one (far off the data everywhere) gives the noisy pixel almost all of it
    far = inference.fuse_noisy(noisy, np.zeros_like(flat), 25)
    assert 0.95 < np.median(far / noisy) < 1
    with pytest.raises(ValueError, match="shape"):
        inference.fuse_noisy(noisy, flat[:10], 25)


def test_sure_matches_the_true_mse_without_the_clean_image():
    rng = np.random.default_rng(0)
    clean = gaussian_filter(rng.random((128, 128)), 3)
    clean = (clean - clean.min()) / np.ptp(clean)
    noisy = clean + 25 / 255 * np.random.default_rng(7).standard_normal(clean.shape)
    for denoiser in (lambda y: gaussian_filter(y, 1.5), lambda y: np.clip(gaussian_filter(y, 0.7), 0, 1)):
        true = np.mean((denoiser(noisy) - clean) ** 2)
        assert metrics.sure(denoiser, noisy, 25, seed=7) == pytest.approx(true, rel=0.1)
    # the identity: SURE is the noise variance (up to the one probe's spread, about 2 %)
    assert metrics.sure(lambda y: y, noisy, 25) == pytest.approx((25 / 255) ** 2, rel=0.07)


def test_level_mse_weighs_each_patch_by_its_noise_level():
    """§5.5: an error proportional to the level costs the same at every level."""
    from denoise_utils.training.targets import level_mse, with_level_map

    rng = np.random.default_rng(0)
    (noisy, level), target = with_level_map(np.full((4, 8, 8, 1), 0.5, np.float32), rng, sigma=(5, 50))
    assert noisy.shape == level.shape == (4, 8, 8, 1) and target.shape == (4, 8, 8, 2)
    s = level[:, 0, 0, 0] * 255
    assert np.all((s >= 5) & (s <= 50)) and np.ptp(s) > 5                 # a level per patch
    np.testing.assert_allclose(target[..., 1:], level)
    for sigma in (5, 50):
        lv = np.full((1, 8, 8, 1), sigma / 255, np.float32)
        clean = np.zeros((1, 8, 8, 1), np.float32)
        pred = clean + 0.1 * lv                                             # an error a tenth of the level
        loss = float(np.asarray(level_mse(np.concatenate([clean, lv], -1), pred)))
        np.testing.assert_allclose(loss, 0.01 * 25 ** 2 * sigma ** 2 / (sigma ** 2 + 1) / 255 ** 2, rtol=1e-4)


def test_with_measured_level_tells_each_patch_its_noise_per_channel():
    """§5.1: camera noise has no level parameter; each patch is told the level it has."""
    from denoise_utils.training.targets import level_mse, with_measured_level

    def noise(clean, rng):                       # a different level per channel, target = clean
        return clean + np.float32([0.02, 0.05, 0.1]) * rng.standard_normal(clean.shape).astype(np.float32), clean

    (noisy, level), target = with_measured_level(noise)(np.full((3, 32, 32, 3), 0.5, np.float32),
                                                        np.random.default_rng(0))
    assert level.shape == noisy.shape and target.shape == (3, 32, 32, 6)
    np.testing.assert_allclose(level[:, 0, 0], [[0.02, 0.05, 0.1]] * 3, rtol=0.1)
    np.testing.assert_allclose(level[:, 0, 0], np.std(noisy - 0.5, axis=(1, 2)), rtol=1e-5)
    # level_mse weighs by the mean of the channels' levels
    lv = np.full((1, 4, 4, 3), 0.1, np.float32)
    lv[..., 0] = 0.0
    clean = np.zeros((1, 4, 4, 3), np.float32)
    loss = float(np.asarray(level_mse(np.concatenate([clean, lv], -1), clean + 0.01)))
    mean = 0.2 / 3
    np.testing.assert_allclose(loss, 1e-4 * (25 / 255) ** 2 / (mean ** 2 + (1 / 255) ** 2), rtol=1e-4)


def test_with_estimated_level_tells_the_estimate_and_weighs_by_the_measured_level():
    from denoise_utils.training.targets import with_estimated_level

    class Halves:                                # an "estimator" that answers half of each patch's std
        def predict_on_batch(self, noisy):
            return np.log(0.5 * np.std(noisy - 0.5, axis=(1, 2)))

    def noise(clean, rng):
        return clean + 0.04 * rng.standard_normal(clean.shape).astype(np.float32), clean

    (noisy, told), target = with_estimated_level(noise, Halves())(np.full((2, 32, 32, 3), 0.5, np.float32),
                                                                 np.random.default_rng(0))
    assert told.shape == noisy.shape and target.shape == (2, 32, 32, 6)
    np.testing.assert_allclose(told[:, 0, 0], 0.02, rtol=0.1)            # the estimate, as input
    np.testing.assert_allclose(target[:, 0, 0, 3:], 0.04, rtol=0.1)      # the measured level, for the loss


def test_a_level_map_follows_the_noise_from_pixel_to_pixel():
    """§5.1 (III): with ``spread`` each pixel is told its own level, not the patch's."""
    from denoise_utils.training.targets import with_measured_level

    ramp = np.linspace(0.01, 0.1, 64, dtype=np.float32)[None, None, :, None]   # weak left, strong right

    def noise(clean, rng):
        return clean + ramp * rng.standard_normal(clean.shape).astype(np.float32), clean

    clean = np.full((4, 64, 64, 3), 0.5, np.float32)
    (noisy, level), _ = with_measured_level(noise, spread=4)(clean, np.random.default_rng(0))
    left, right = level[:, 8:56, 8:16].mean(), level[:, 8:56, 48:56].mean()
    np.testing.assert_allclose([left, right], [ramp[..., 12, 0].item(), ramp[..., 52, 0].item()], rtol=0.15)
    (_, flat), _ = with_measured_level(noise)(clean, np.random.default_rng(0))
    assert np.ptp(flat[0, ..., 0]) == 0                     # without it: one level per patch


def test_the_map_estimator_gives_a_level_at_every_pixel_and_tiles_seamlessly():
    from denoise_utils.models import level_estimator
    from denoise_utils.training.level import log_level_map_pairs

    pooled, local = level_estimator(channels=3, filters=8), level_estimator(channels=3, filters=8, map=True)
    local.set_weights(pooled.get_weights())                 # the same layers, the same weights
    x = np.random.default_rng(0).random((1, 32, 48, 3)).astype(np.float32)
    cells = np.asarray(local.predict_on_batch(x))
    assert cells.shape == (1, 8, 12, 3)
    np.testing.assert_allclose(cells.mean(axis=(1, 2)), np.asarray(pooled.predict_on_batch(x)), rtol=1e-4, atol=1e-5)
    photo = np.random.default_rng(1).random((150, 130, 3)).astype(np.float32)
    whole = inference.level_map_by_estimator(local, photo)
    assert whole.shape == photo.shape and whole.dtype == np.float32 and 0 <= whole.min() and whole.max() <= 255
    np.testing.assert_allclose(inference.level_map_by_estimator(local, photo, tile=64), whole, rtol=1e-3, atol=1e-3)

    def noise(clean, rng):
        return clean + 0.04 * rng.standard_normal(clean.shape).astype(np.float32), clean

    noisy, logs = log_level_map_pairs(noise, 4)(np.full((2, 32, 32, 3), 0.5, np.float32), np.random.default_rng(0))
    assert logs.shape == (2, 8, 8, 3)
    np.testing.assert_allclose(np.exp(logs).mean(), 0.04, rtol=0.1)


def test_tiles_carry_extra_channels_through_to_a_denoiser_that_returns_fewer():
    x = np.random.default_rng(0).random((40, 50, 6)).astype(np.float32)
    out = inference.tiled(lambda w: w[..., :3] * w[..., 3:], x, tile=16, margin=8)
    np.testing.assert_allclose(out, x[..., :3] * x[..., 3:], rtol=1e-6)
