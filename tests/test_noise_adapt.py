"""§5.1's fixes for noise that is not white Gaussian: Anscombe, sub-sampling, switching median."""

import numpy as np
import pytest

import denoise_utils as du
from denoise_utils import classical, noise
from denoise_utils.noise import adapt


@pytest.fixture(scope="module")
def camera():
    return du.sample_images(names=["camera"])["camera"][128:256, 128:256]


@pytest.mark.parametrize("lam", [0.5, 1.0, 3.0, 10.0, 50.0])
def test_exact_inverse_is_unbiased_and_the_algebraic_one_is_not(lam):
    rng = np.random.default_rng(0)
    mean_transform = adapt.anscombe(rng.poisson(lam, 400_000)).mean()
    assert adapt.inverse_anscombe(mean_transform) == pytest.approx(lam, rel=0.02, abs=0.01)
    if lam <= 3:   # the algebraic inverse misses by a lot where counts are small
        assert adapt.inverse_anscombe(mean_transform, exact=False) < 0.95 * lam


def test_anscombe_stabilises_the_variance():
    rng = np.random.default_rng(0)
    stds = [adapt.anscombe(rng.poisson(lam, 100_000)).std() for lam in (5, 20, 100)]
    np.testing.assert_allclose(stds, 1.0, atol=0.05)


def test_denoise_poisson_beats_the_noisy_image_and_checks_peak(camera):
    noisy = noise.add_poisson_noise(camera, peak=5, seed=0)
    out = adapt.denoise_poisson(noisy, 5, classical.total_variation)
    assert out.shape == camera.shape and out.dtype == np.float32
    assert du.psnr(camera, out) > du.psnr(camera, noisy) + 5
    with pytest.raises(ValueError, match="peak"):
        adapt.denoise_poisson(noisy, 0, classical.total_variation)


def test_correlated_noise_has_the_asked_std_and_is_correlated():
    flat = np.full((256, 256), 0.5, np.float32)
    n = noise.add_correlated_noise(flat, 20, seed=0) - 0.5
    assert n.std() * 255 == pytest.approx(20, rel=0.03)
    neighbour = np.corrcoef(n[:, :-1].ravel(), n[:, 1:].ravel())[0, 1]
    white = noise.add_gaussian_noise(flat, 20, seed=0) - 0.5
    assert neighbour > 0.5 > abs(np.corrcoef(white[:, :-1].ravel(), white[:, 1:].ravel())[0, 1]) + 0.45
    rgb = noise.add_correlated_noise(np.full((32, 32, 3), 0.5, np.float32), 20, seed=0)
    assert rgb.shape == (32, 32, 3)
    with pytest.raises(ValueError, match="kernel"):
        noise.add_correlated_noise(flat, 20, kernel=np.zeros((3, 3)))


def test_subsampling_whitens_correlated_noise_and_puts_pixels_back():
    flat = np.full((128, 128), 0.5, np.float32)
    n = noise.add_correlated_noise(flat, 20, kernel=np.ones((1, 2)), seed=0) - 0.5
    sub = n[:, 0::2]
    assert abs(np.corrcoef(sub[:, :-1].ravel(), sub[:, 1:].ravel())[0, 1]) < 0.05
    calls = []
    out = adapt.denoise_subsampled(flat + n, 20, lambda y, s: calls.append(y.shape) or y)
    np.testing.assert_array_equal(out, flat + n)
    assert calls == [(64, 64)] * 4
    with pytest.raises(ValueError, match="stride"):
        adapt.denoise_subsampled(flat, 20, lambda y, s: y, stride=0)


def test_switching_median_keeps_clean_pixels_and_beats_the_plain_median(camera):
    noisy = noise.add_salt_pepper_noise(camera, 0.2, seed=0)
    hit = noisy != camera
    out = adapt.switching_median(noisy)
    np.testing.assert_array_equal(out[~hit & (camera > 0) & (camera < 1)],
                                  camera[~hit & (camera > 0) & (camera < 1)])
    plain = adapt.switching_median(noisy, everywhere=True)
    assert du.psnr(camera, out) > du.psnr(camera, plain) > du.psnr(camera, noisy) + 5
