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


def test_the_phone_draws_sidds_noise_and_a_phones_processing():
    phones = [camera.random_phone(seed) for seed in range(200)]
    shots = np.array([p["shot"] for p in phones])
    assert camera.PHONE_SHOT[0] <= shots.min() and shots.max() <= camera.PHONE_SHOT[1]
    # read noise on SIDD's line in base-10 logs, within a few of its scatter
    resid = np.log10([p["read"] for p in phones]) - (camera.PHONE_READ_LINE[0] * np.log10(shots)
                                                   + camera.PHONE_READ_LINE[1])
    assert abs(resid.mean()) < 0.05 and 0.15 < resid.std() < 0.25
    assert all(80 <= p["jpeg"] <= 95 and p["chroma"] >= 1.0 and 0.5 <= p["shading"] <= 2.0 for p in phones)
    assert 0.1 < np.mean([p["luma"] == 0 for p in phones]) < 0.3
    a, b = camera.random_camera(3, phone=True), camera.random_phone(3)
    assert a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a if k != "frame")
    # a phone's noise is stronger than a camera's at the same light: SIDD's range starts above Brooks's
    assert camera.PHONE_SHOT[0] > 1e-4 and camera.PHONE_SHOT[1] > 1.2e-2


def test_a_phones_noise_follows_the_frame_and_the_light():
    flat = np.full((96, 96, 3), 0.4, np.float32)
    cam = dict(camera.random_phone(0), jpeg=None, chroma=0.0, sharpen=0.0, luma=0.0, tone=0.0,
               shading=2.0, frame=(1.0, (0.0, 0.0)))
    noisy, target = camera.add_camera_noise(flat, seed=1, camera=cam, return_clean=True)
    assert psnr(flat, target) > 40                          # the gains undo themselves without noise
    d = noisy - target
    assert d[:16, :16].std() > 1.4 * d[40:56, 40:56].std()  # corners: gain 3 on a third of the light
    # local tone mapping: the shadows of a dark-and-bright image are lifted, and their noise with them
    half = np.concatenate([np.full((96, 48, 3), 0.08), np.full((96, 48, 3), 0.8)], axis=1).astype(np.float32)
    for tone in (0.0, 0.4):
        cam.update(shading=0.0, tone=tone)
        noisy, target = camera.add_camera_noise(half, seed=2, camera=cam, return_clean=True)
        assert psnr(half[:, 4:40], target[:, 4:40]) > 40 and psnr(half[:, 56:], target[:, 56:]) > 40
        if tone:
            assert (noisy - target)[:, 4:24].std() > 1.5 * lifted_before
        lifted_before = (noisy - target)[:, 4:24].std()
    assert np.allclose(camera.shading_gain((8, 8), 1.0, (1.0, (0.0, 0.0)))[[0, -1], [0, -1]], 1.0 + 49 / 64)


def test_no_phones_in_the_mix_draws_the_same_noise_as_before():
    clean = np.stack([_photo(s, size=32) for s in range(3)])
    before = noise.noise_fn("camera", wide=True)(clean, np.random.default_rng(5))
    again = noise.noise_fn("camera", wide=True, phone=0.0)(clean, np.random.default_rng(5))
    rng = np.random.default_rng(5)
    direct = [camera.add_camera_noise(p, seed=rng, return_clean=True, wide=True) for p in clean]
    np.testing.assert_array_equal(before[0], again[0])
    np.testing.assert_array_equal(before[0], np.stack([p[0] for p in direct]))
    mixed = noise.noise_fn("camera", wide=True, phone=1.0)(clean, np.random.default_rng(5))
    assert not np.array_equal(mixed[0], before[0])
