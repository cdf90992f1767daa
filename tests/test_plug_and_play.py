"""§5.5 groundwork: blur with reflected borders, the Wiener filter and plug-and-play HQS."""

import numpy as np
import pytest

from denoise_utils import metrics
from denoise_utils import plug_and_play as pp


def _image():
    yy, xx = np.mgrid[0:64, 0:80] / 64.0
    return (0.5 + 0.3 * np.sin(6 * xx) * np.cos(4 * yy)).astype(np.float32)


def test_blur_keeps_borders_and_brightness():
    k = pp.gaussian_kernel(1.6, 25)
    assert k.shape == (25, 25) and k.sum() == pytest.approx(1.0)
    flat = np.full((30, 40), 0.7, np.float32)
    np.testing.assert_allclose(pp.blur(flat, k), flat, atol=1e-6)      # no dark wrap-around border
    ramp = np.tile(np.linspace(0, 1, 40, dtype=np.float32), (30, 1))
    assert abs(pp.blur(ramp, k)[:, 0].mean() - ramp[:, 0].mean()) < 0.05  # a reflected edge, not the far side
    with pytest.raises(ValueError, match="sum to 1"):
        pp.blur(flat, np.ones((3, 3)))
    with pytest.raises(ValueError, match="odd sides"):
        pp.blur(flat, np.ones((2, 2)) / 4)


def test_wiener_undoes_a_noise_free_blur_and_hqs_with_no_prior_is_wiener():
    x, k = _image(), pp.gaussian_kernel(1.0, 9)
    y = pp.blur(x, k)
    restored = pp.wiener(y, k, 1e-6)
    assert metrics.psnr(x, restored) > metrics.psnr(x, y) + 10
    # with a "denoiser" that changes nothing and one step, HQS's data step from the blurred image
    # itself is a Wiener-like filter with a prior pulling towards y
    out = pp.deblur(y, k, 1.0, denoiser=lambda img, level: img, iterations=1, start=1.0, lam=1e-4)
    assert metrics.psnr(x, out) > metrics.psnr(x, y) + 5


def test_deblur_calls_the_denoiser_with_falling_levels_and_keeps_shape():
    x, k = np.stack([_image()] * 3, axis=-1), pp.gaussian_kernel(1.6, 13)
    seen = []

    def spy(img, level):
        seen.append((img.shape, level))
        return img

    out = pp.deblur(pp.blur(x, k), k, 2.55, denoiser=spy, iterations=5)
    assert out.shape == x.shape and out.dtype == np.float32
    levels = [level for _, level in seen]
    assert len(levels) == 5 and levels[0] == pytest.approx(49) and levels[-1] == pytest.approx(2.55)
    assert all(a > b for a, b in zip(levels, levels[1:]))
    with pytest.raises(ValueError, match="iterations"):
        pp.deblur(x, k, 2.55, iterations=0)


def test_inpaint_keeps_known_pixels_and_fills_the_rest():
    x = _image()
    mask = np.random.default_rng(0).random(x.shape) < 0.4          # 60 % missing
    holes = np.where(mask, x, 0.0).astype(np.float32)
    seen = []

    def smooth(img, level):                                         # a stand-in prior: a blur
        from scipy.ndimage import gaussian_filter

        seen.append(level)
        return gaussian_filter(img, 1.0)

    out = pp.inpaint(holes, mask, denoiser=smooth, iterations=6)
    assert out.shape == x.shape and out.dtype == np.float32
    np.testing.assert_array_equal(out[mask], holes[mask])            # exact pixels stay exact
    assert metrics.psnr(x, out) > metrics.psnr(x, pp.fill(holes, mask)) > metrics.psnr(x, holes) + 10
    assert len(seen) == 6 and seen[0] == pytest.approx(50) and seen[-1] == pytest.approx(2)
    colour = np.stack([x] * 3, -1)
    cmask = np.stack([mask] * 3, -1)
    assert pp.inpaint(colour, cmask, denoiser=smooth, iterations=2).shape == colour.shape
    with pytest.raises(ValueError, match="boolean array"):
        pp.inpaint(holes, mask.astype(int))
    with pytest.raises(ValueError, match="no pixel"):
        pp.inpaint(holes, np.zeros_like(mask))


def test_prior_refuses_unknown_models_and_nearest_follows_the_level():
    with pytest.raises(ValueError, match="nearest"):
        pp.prior("no_such_model")
    nearest = pp.prior("nearest")
    rng = np.random.default_rng(0)
    x = _image()
    for sigma in (15, 50):
        noisy = (x + sigma / 255 * rng.standard_normal(x.shape)).astype(np.float32)
        assert metrics.psnr(x, nearest(noisy, sigma)) > metrics.psnr(x, noisy) + 5


def test_du_deblur_with_the_shipped_prior_beats_the_best_wiener_filter():
    """§5.5: du.deblur's default prior is the shipped U-Net told the level; on a photo the
    project never trained on it beats the Wiener filter at its best, gray and colour alike."""
    import denoise_utils as du
    from denoise_utils import pretrained

    assert pp.prior().model == "unet_gray_level" and pretrained.info("unet_gray_level")["takes_level"]
    x = du.sample_images(gray=True)["camera"][128:320, 160:352]
    k = pp.gaussian_kernel(1.6, 25)
    y = pp.blur(x, k) + np.float32(2.55 / 255) * np.random.default_rng(0).standard_normal(x.shape, dtype=np.float32)
    best = max(metrics.psnr(x, pp.wiener(y, k, r)) for r in np.geomspace(1e-4, 1e-1, 13))
    out = du.deblur(y, k, 2.55)
    assert out.shape == x.shape and metrics.psnr(x, out) > best + 0.5
    colour = du.sample_images(gray=False)["astronaut"][:96, :112]
    assert du.deblur(pp.blur(colour, k), k, 2.55, iterations=2).shape == colour.shape


def test_the_schedule_is_data_and_the_blur_and_mask_are_operators():
    """deepinv's parts without its weight: the schedule a function returns, the blur and the
    mask as operators with apply and prox (§5.5), one HQS loop for both."""
    levels, mus = pp.hqs_schedule(49, 5, 8, sigma=5, lam=0.23)
    np.testing.assert_allclose(levels, np.geomspace(49, 5, 8))
    np.testing.assert_allclose(mus, 0.23 * (5 / levels) ** 2)
    x, k = _image(), pp.gaussian_kernel(1.0, 9)
    y = pp.blur(x, k)
    op = pp.BlurOperator(k, y)
    np.testing.assert_allclose(op.apply(x), y)
    wiener = op.crop(op.prox(np.zeros_like(op.start()), 0.01))      # z = 0: the Wiener filter
    np.testing.assert_allclose(np.clip(wiener, 0, 1), pp.wiener(y, k, 0.01), atol=1e-6)
    mask = np.random.default_rng(0).random(x.shape) > 0.5
    m = pp.MaskOperator(mask, x)
    z = np.full(x.shape, 0.5)
    np.testing.assert_allclose(m.prox(z, 1.0), np.where(mask, (x + 0.5) / 2, 0.5))
    assert (m.apply(x)[~mask] == 0).all()
    same = lambda im, s: im  # noqa: E731
    given = pp.deblur(y, k, 5, denoiser=same, levels=levels)
    np.testing.assert_array_equal(given, pp.deblur(y, k, 5, denoiser=same))
    with pytest.raises(ValueError, match="levels must be"):
        pp.inpaint(x, mask, denoiser=same, levels=[5, -1])


def test_the_prior_is_a_denoiser_of_the_books_contract(shipped):
    """One contract: a denoiser is called as (image, sigma), 0-255 scale; evaluate takes it."""
    from denoise_utils.metrics import evaluate

    fn = pp.prior("nearest")
    ev = evaluate(fn, [_image()], 25)
    assert np.isfinite(ev.psnr)


def test_a_callback_sees_every_iteration_and_the_last_is_the_result():
    """``deblur(..., callback=)`` shows the real loop: one call per level, the images cropped to
    the photo's size, and the last prior step is what ``deblur`` returns (§5.5's iterates)."""
    x, k = _image(), pp.gaussian_kernel(1.6, 25)
    y = pp.blur(x, k) + np.random.default_rng(0).normal(0, 2 / 255, x.shape).astype(np.float32)
    seen = []
    smooth = lambda image, level: image * 0.9 + 0.05  # noqa: E731
    out = pp.deblur(y, k, 2.0, denoiser=smooth, iterations=5,
                    callback=lambda level, xk, zk: seen.append((level, xk, zk)))
    assert [s for s, _, _ in seen] == pytest.approx(list(pp.hqs_schedule(49.0, 2.0, 5, sigma=2.0)[0]))
    assert all(xk.shape == zk.shape == x.shape for _, xk, zk in seen)
    np.testing.assert_allclose(np.clip(seen[-1][2], 0, 1), out, atol=1e-6)
