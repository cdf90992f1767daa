import numpy as np
import pytest

from denoise_utils import metrics


@pytest.fixture
def img():
    return np.random.default_rng(0).random((48, 48)).astype(np.float32)


def test_psnr_matches_definition(img):
    est = img + 0.1
    assert metrics.psnr(img, est) == pytest.approx(20.0, abs=1e-3)  # 10 log10(1 / 0.01)
    assert metrics.psnr(img, img) == np.inf


def test_ssim_bounds_and_colour(img):
    assert metrics.ssim(img, img) == pytest.approx(1.0)
    n = np.random.default_rng(1).normal(0, 1, img.shape)
    assert metrics.ssim(img, img + 0.4 * n) < metrics.ssim(img, img + 0.1 * n) < 0.99
    rgb = np.stack([img] * 3, -1)
    assert metrics.ssim(rgb, rgb) == pytest.approx(1.0)
    assert metrics.psnr(img[..., None], img[..., None] + 0.1) == pytest.approx(20.0, abs=1e-3)


def test_metric_errors(img):
    with pytest.raises(ValueError, match="differ in shape"):
        metrics.psnr(img, img[:10])
    with pytest.raises(ValueError, match="clean"):
        metrics.psnr(img * 3, img)
    with pytest.raises(ValueError, match="NaN"):
        metrics.ssim(img, img * np.nan)


def test_evaluate_identity_and_seed(img):
    images = {"a": img, "b": img[::-1]}
    ident = metrics.evaluate(lambda y: y, images, sigma=25, seed=0)
    # the identity "denoiser" scores the noisy input: about 20.2 dB at sigma = 25
    assert ident.psnr == pytest.approx(ident.noisy_psnr)
    assert 19.5 < ident.psnr < 21
    assert [r["name"] for r in ident.per_image] == ["a", "b"]
    again = metrics.evaluate(lambda y: y, images, sigma=25, seed=0)
    assert again.psnr == ident.psnr
    other = metrics.evaluate(lambda y: y, images, sigma=25, seed=1)
    assert other.psnr != ident.psnr


def test_evaluate_passes_sigma_and_keeps_images(img):
    seen = []

    def den(noisy, sigma):
        seen.append(sigma)
        return np.clip(noisy, 0, 1)

    ev = metrics.evaluate(den, [img], sigma=15, keep_images=True)
    assert seen == [15.0] and ev.psnr > ev.noisy_psnr
    assert set(ev.images["image00"]) == {"clean", "noisy", "denoised"}


def test_evaluate_errors(img):
    with pytest.raises(TypeError, match="callable"):
        metrics.evaluate("bm3d", [img], 25)
    with pytest.raises(ValueError, match="empty"):
        metrics.evaluate(lambda y: y, [], 25)
    with pytest.raises(ValueError, match="returned shape"):
        metrics.evaluate(lambda y: y[:5], [img], 25)


def test_results_table(img):
    ev = metrics.evaluate(lambda y: y, [img], 25)
    flat = metrics.results_table({"noisy": ev})
    assert flat.splitlines()[0].startswith("| method | PSNR (dB)")
    assert f"{ev.psnr:.2f}" in flat
    nested = metrics.results_table({"noisy": {25: ev}}, columns=("psnr",))
    assert "σ=25 PSNR (dB)" in nested and f"{ev.psnr:.2f}" in nested


def test_per_image_table(img):
    a = metrics.evaluate(lambda y: y, {"x": img, "y": img[::-1]}, 25)
    b = metrics.evaluate(lambda y: np.clip(y, 0.1, 0.9), {"x": img, "y": img[::-1]}, 25)
    table = metrics.per_image_table({"noisy": a, "clipped": b})
    lines = table.splitlines()
    assert lines[0] == "| image | noisy | clipped |" and len(lines) == 4
    assert lines[2] == f"| x | {a.per_image[0]['psnr']:.2f} | {b.per_image[0]['psnr']:.2f} |"
    other = metrics.evaluate(lambda y: y, {"z": img}, 25)
    with pytest.raises(ValueError, match="same images"):
        metrics.per_image_table({"noisy": a, "other": other})


def test_perception_measures_see_blur_and_noise():
    from skimage.filters import gaussian

    from denoise_utils import metrics, sample_images

    clean = [im[:128, :128] for im in list(sample_images().values())[:3]]
    rng = np.random.default_rng(0)
    blurred = [gaussian(im, 1.5) for im in clean]
    noisy = [np.clip(im + 0.1 * rng.standard_normal(im.shape), 0, 1) for im in clean]
    swd = {k: metrics.sliced_wasserstein(clean, v) for k, v in
           (("same", clean), ("blurred", blurred), ("noisy", noisy))}
    assert swd["same"] == 0 and swd["blurred"] > 10 and swd["noisy"] > 10
    # the same statistics in other places: a distribution distance does not care
    flipped = [im[:, ::-1] for im in clean]
    assert metrics.sliced_wasserstein(clean, flipped) < swd["blurred"] / 3
    for c, b, n in zip(clean, blurred, noisy):
        assert metrics.high_frequency_ratio(c, c) == pytest.approx(1.0)
        assert metrics.high_frequency_ratio(c, b) < 0.2 < 1 < metrics.high_frequency_ratio(c, n)
        assert metrics.gradient_distance(c, c) == 0
        moved = np.roll(c, 1, axis=1)             # same gradients, one pixel over
        assert metrics.gradient_distance(c, moved) * 3 < min(metrics.gradient_distance(c, b),
                                                            metrics.gradient_distance(c, n))
    f, p = metrics.radial_power_spectrum(clean[0], bins=32)
    assert f.shape == p.shape == (32,) and 0 < f[0] < f[-1] < 0.5
    assert p[:4].mean() > 100 * p[-4:].mean()          # natural images: power falls with frequency


def test_perception_measure_errors():
    from denoise_utils import metrics

    a = np.zeros((32, 32), np.float32)
    with pytest.raises(ValueError, match="same shapes"):
        metrics.sliced_wasserstein([a], [a[:16]])
    with pytest.raises(ValueError, match="too small"):
        metrics.sliced_wasserstein([a[:8, :8]], [a[:8, :8]])
    with pytest.raises(ValueError, match="no power"):
        metrics.high_frequency_ratio(a, a)
    with pytest.raises(ValueError, match="255"):
        metrics.gradient_distance(a + 200, a)


def test_perception_scores_bundle_the_three():
    from denoise_utils import metrics, sample_images

    clean = [im[:96, :96] for im in list(sample_images().values())[:2]]
    rng = np.random.default_rng(1)
    noisy = [np.clip(im + 0.1 * rng.standard_normal(im.shape), 0, 1) for im in clean]
    scores = metrics.perception_scores(clean, noisy)
    assert scores["swd"] == metrics.sliced_wasserstein(clean, noisy)
    assert scores["hf_ratio"] == pytest.approx(np.mean([metrics.high_frequency_ratio(c, n)
                                                        for c, n in zip(clean, noisy)]))
    assert scores["gradient_distance"] > 0
    assert metrics.perception_scores(clean, clean) == dict(swd=0.0, hf_ratio=1.0, gradient_distance=0.0)


def test_radial_spectrum_is_flat_for_white_noise_and_not_for_smooth_images():
    from scipy.ndimage import gaussian_filter

    from denoise_utils import metrics

    noise = np.random.default_rng(0).standard_normal((256, 256))
    freq, power = metrics.radial_power_spectrum(noise, bins=16, window=False)
    assert freq[0] > 0 and freq[-1] < 0.5
    assert power.min() > 0.6 * power.max()        # each ring: an average of many |F|², noisy
    _, smooth = metrics.radial_power_spectrum(gaussian_filter(noise, 2), bins=16, window=False)
    assert smooth[0] > 100 * smooth[-1]
