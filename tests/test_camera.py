"""The simulated camera of §5.1: the pipeline's pieces and the noise it makes."""
import numpy as np
import pytest

from denoise_utils import noise, psnr
from denoise_utils.noise import camera


def _photo(seed=0, size=48):
    rng = np.random.default_rng(seed)
    base = rng.random((size // 8, size // 8, 3))
    return np.kron(base, np.ones((8, 8, 1))).astype(np.float32)         # flat colour blocks


def test_srgb_curve_round_trips_and_mosaic_keeps_one_colour_per_pixel():
    x = np.linspace(0, 1, 101)
    np.testing.assert_allclose(camera.linear_to_srgb(camera.srgb_to_linear(x)), x, atol=1e-6)
    rgb = _photo()
    raw = camera.mosaic(rgb)
    assert raw.shape == rgb.shape[:2]
    assert raw[0, 0] == rgb[0, 0, 0] and raw[0, 1] == rgb[0, 1, 1] and raw[1, 1] == rgb[1, 1, 2]
    back = camera.demosaic(raw)
    assert back.shape == rgb.shape
    # inside a flat block every missing colour is interpolated from equal neighbours
    np.testing.assert_allclose(back[4::8, 4::8], rgb[4::8, 4::8], atol=1e-6)


def test_camera_noise_is_signal_dependent_and_the_target_differs_by_noise_only():
    rng = np.random.default_rng(0)
    cam = dict(camera.random_camera(1), jpeg=None, shot=4e-3, read=1e-6)
    dark = np.full((64, 64, 3), 0.1, np.float32)
    bright = np.full((64, 64, 3), 0.8, np.float32)
    spread = {}
    for name, im in (("dark", dark), ("bright", bright)):
        noisy, target = camera.add_camera_noise(im, seed=rng, camera=cam, return_clean=True)
        assert noisy.dtype == np.float32 and noisy.shape == im.shape
        assert 0 <= noisy.min() and noisy.max() <= 1
        spread[name] = (noisy - target)[8:-8, 8:-8].std()
        assert psnr(im, target) > 40                        # flat: the pipeline alone is lossless
    # in linear light the noise grows with the signal; the sRGB curve compresses the bright end,
    # so on screen the noise is larger in the dark (as in real photos)
    assert spread["dark"] > spread["bright"] > 0
    # neighbouring pixels share noise through demosaicking: correlated, unlike white noise
    noisy, target = camera.add_camera_noise(bright, seed=rng, camera=cam, return_clean=True)
    n = (noisy - target)[8:-8, 8:-8, 1]
    corr = np.corrcoef(n[:, :-1].ravel(), n[:, 1:].ravel())[0, 1]
    assert corr > 0.2


def test_camera_noise_repeats_with_its_seed_and_refuses_gray():
    a = camera.add_camera_noise(_photo(), seed=5)
    np.testing.assert_array_equal(a, camera.add_camera_noise(_photo(), seed=5))
    pairs = noise.noise_fn("camera")(np.stack([_photo(), _photo(1)]), np.random.default_rng(0))
    assert len(pairs) == 2 and pairs[0].shape == pairs[1].shape == (2, 48, 48, 3)
    with pytest.raises(ValueError, match="colour"):
        camera.add_camera_noise(np.zeros((8, 8), np.float32))


def test_the_bayer_phase_shifts_the_mosaic():
    im = _photo()
    cam = dict(camera.random_camera(2), jpeg=None)
    shifted = camera.add_camera_noise(im, seed=0, camera=dict(cam, phase=(0, 1)), return_clean=True)[1]
    cropped = camera.add_camera_noise(im[:, 1:], seed=0, camera=dict(cam, phase=(0, 0)), return_clean=True)[1]
    assert shifted.shape == im.shape
    np.testing.assert_allclose(shifted[1:-1, 2:-1], cropped[1:-1, 1:-1], atol=1e-6)
    assert not np.allclose(shifted, camera.add_camera_noise(im, seed=0, camera=dict(cam, phase=(0, 0)),
                                                            return_clean=True)[1], atol=1e-3)
    phases = {camera.random_camera(s)["phase"] for s in range(40)}
    assert phases == {(0, 0), (0, 1), (1, 0), (1, 1)}


def test_the_wide_camera_reduces_colour_noise_so_channels_correlate_positively():
    """§5.1 (III): colour noise reduction leaves mostly luminance noise, shared by R, G and B;
    without it the colour matrix makes the channels' noise anti-correlated."""
    flat = np.full((96, 96, 3), 0.5, np.float32)
    base = dict(camera.random_camera(0), shot=4e-3, read=1e-5, jpeg=None,
                ccm=np.linalg.inv(0.5 * np.eye(3) + 0.5 / 3))        # a strong colour matrix

    def red_green(**extra):
        noisy, target = camera.add_camera_noise(flat, seed=1, camera=dict(base, **extra), return_clean=True)
        n = (noisy - target)[8:-8, 8:-8]
        return np.corrcoef(n[..., 0].ravel(), n[..., 1].ravel())[0, 1]

    assert red_green() < 0 < red_green(chroma=2.0)
    # sharpening makes the luminance noise stronger; the plain draw never has either step
    sharp = camera.add_camera_noise(flat, seed=1, camera=dict(base, sharpen=1.0), return_clean=True)
    plain = camera.add_camera_noise(flat, seed=1, camera=base, return_clean=True)
    luminance = lambda pair: np.std((pair[0] - pair[1]) @ camera.YCBCR[0])   # noqa: E731
    assert luminance(sharp) > 1.2 * luminance(plain)
    assert "chroma" not in camera.random_camera(3) and "chroma" in camera.random_camera(3, wide=True)


def test_the_wide_draw_reaches_weaker_noise_and_lower_jpeg_quality():
    plain = [camera.random_camera(s) for s in range(300)]
    wide = [camera.random_camera(s, wide=True) for s in range(300)]
    assert min(c["shot"] for c in wide) < 1e-4 <= min(c["shot"] for c in plain)
    assert min(c["jpeg"] or 100 for c in wide) < 75 <= min(c["jpeg"] or 100 for c in plain)
    assert np.mean([c["sharpen"] > 0 for c in wide]) > 0.3
    pairs = noise.noise_fn("camera", wide=True)(np.stack([_photo(), _photo(1)]), np.random.default_rng(0))
    assert pairs[0].shape == (2, 48, 48, 3)
