import numpy as np
import pytest

from denoise_utils import noise


@pytest.fixture
def gray():
    return np.random.default_rng(1).random((64, 48)).astype(np.float32)


def test_gaussian_level_and_seed(gray):
    y = noise.add_gaussian_noise(gray, 25, seed=3)
    assert y.dtype == np.float32 and y.shape == gray.shape
    assert np.std(y - gray) == pytest.approx(25 / 255, rel=0.05)
    np.testing.assert_array_equal(y, noise.add_gaussian_noise(gray, 25, seed=3))
    assert not np.array_equal(y, noise.add_gaussian_noise(gray, 25, seed=4))


def test_gaussian_not_clipped_unless_asked(gray):
    y = noise.add_gaussian_noise(gray, 50, seed=0)
    assert y.min() < 0 and y.max() > 1
    c = noise.add_gaussian_noise(gray, 50, seed=0, clip=True)
    assert c.min() >= 0 and c.max() <= 1


def test_poisson_variance_follows_brightness():
    flat = np.full((200, 200), 0.5, np.float32)
    y = noise.add_poisson_noise(flat, peak=20, seed=0)
    assert y.min() >= 0
    assert np.var(y) == pytest.approx(0.5 / 20, rel=0.1)
    assert noise.add_poisson_noise(np.zeros((8, 8), np.float32), peak=5, seed=0).max() == 0


def test_salt_pepper_amount_and_channels():
    rgb = np.full((100, 100, 3), 0.5, np.float32)
    y = noise.add_salt_pepper_noise(rgb, amount=0.1, seed=0)
    changed = np.any(y != 0.5, axis=-1)
    assert changed.mean() == pytest.approx(0.1, abs=0.02)
    # a hit pixel is all-white or all-black, never a coloured speck
    assert set(np.unique(y[changed])) <= {0.0, 1.0}
    assert np.all(y[changed].min(axis=-1) == y[changed].max(axis=-1))


def test_speckle_scales_with_intensity():
    img = np.concatenate([np.full((100, 50), 0.1), np.full((100, 50), 0.9)], 1).astype(np.float32)
    y = noise.add_speckle_noise(img, sigma=25, seed=0)
    assert np.std(y[:, 50:] - 0.9) > 5 * np.std(y[:, :50] - 0.1)


def test_add_noise_dispatch(gray):
    np.testing.assert_array_equal(noise.add_noise(gray, "gaussian", seed=1, sigma=10),
                                  noise.add_gaussian_noise(gray, 10, seed=1))
    with pytest.raises(ValueError, match="unknown noise"):
        noise.add_noise(gray, "pink")


def test_uint8_input_is_scaled():
    img = np.full((10, 10), 255, np.uint8)
    assert noise.add_gaussian_noise(img, 0, seed=0).max() == pytest.approx(1.0)


@pytest.mark.parametrize("bad, match", [
    (np.zeros((4, 4), np.int32), "dtype"),
    (np.full((4, 4), 2.0, np.float32), "expected \\[0, 1\\]"),
    (np.full((4, 4), np.nan, np.float32), "NaN"),
    (np.zeros((4, 4, 4), np.float32), "channels"),
    (np.zeros(4, np.float32), "shape"),
    ("a string", "numpy array|dtype"),
])
def test_bad_images(bad, match):
    with pytest.raises((TypeError, ValueError), match=match):
        noise.add_gaussian_noise(bad, 25)


@pytest.mark.parametrize("kwargs", [dict(sigma=-1), dict(sigma=300), dict(sigma="x"),
                                    dict(sigma=np.inf)])
def test_bad_sigma(gray, kwargs):
    with pytest.raises((TypeError, ValueError), match="sigma"):
        noise.add_gaussian_noise(gray, **kwargs)


def test_bad_parameters(gray):
    with pytest.raises(ValueError, match="peak"):
        noise.add_poisson_noise(gray, peak=0)
    with pytest.raises(ValueError, match="amount"):
        noise.add_salt_pepper_noise(gray, amount=1.5)
    with pytest.raises(TypeError, match="seed"):
        noise.add_gaussian_noise(gray, 25, seed="abc")
