import numpy as np
import pytest

from denoise_utils import classical, data, metrics, noise


@pytest.fixture(scope="module")
def camera():
    return data.sample_images(names=["camera"])["camera"][128:256, 128:256]


@pytest.mark.parametrize("name", list(classical.baselines(include_bm3d=False)))
def test_each_baseline_beats_noisy_input(camera, name):
    fn = classical.baselines(include_bm3d=False)[name]
    noisy = noise.add_gaussian_noise(camera, 25, seed=0)
    out = fn(noisy, 25)
    assert out.shape == camera.shape and out.dtype == np.float32
    assert 0 <= out.min() and out.max() <= 1
    assert metrics.psnr(camera, out) > metrics.psnr(camera, noisy) + 2


def test_colour_and_channel_axis(camera):
    rgb = np.stack([camera] * 3, -1)
    noisy = noise.add_gaussian_noise(rgb, 25, seed=0)
    for fn in classical.baselines(include_bm3d=False).values():
        assert fn(noisy, 25).shape == rgb.shape
        assert fn(noisy[..., :1], 25).shape == rgb[..., :1].shape
    with pytest.raises(ValueError, match="channel_axis"):
        classical.total_variation(camera, 25, channel_axis=-1)


@pytest.mark.skipif(not classical.bm3d_available(), reason="optional bm3d not installed")
def test_bm3d_is_the_strongest(camera):
    noisy = noise.add_gaussian_noise(camera, 25, seed=0)
    scores = {k: metrics.psnr(camera, f(noisy, 25)) for k, f in classical.baselines().items()}
    assert max(scores, key=scores.get) == "BM3D"


def test_bm3d_missing_is_explained(monkeypatch, camera):
    monkeypatch.setattr(classical, "bm3d_available", lambda: False)
    assert "BM3D" not in classical.baselines()
    with pytest.raises(ImportError, match="pip install bm3d"):
        classical.bm3d(camera, 25)


def test_a_missing_bm3d_is_said_once(monkeypatch, capsys):
    """No wheel, or not installed: the page that leaves BM3D out says why, once."""
    import builtins

    real_import = builtins.__import__

    def no_bm3d(name, *args, **kwargs):
        if name == "bm3d":
            raise ImportError("No module named 'bm3d'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_bm3d)
    monkeypatch.setattr(classical, "_SAID", [])
    assert not classical.bm3d_available() and not classical.bm3d_available()
    out = capsys.readouterr().out
    assert out.count("BM3D is left out") == 1 and "pip install bm3d" in out


@pytest.mark.parametrize("sigma", [0, -5, "high"])
def test_bad_sigma(camera, sigma):
    with pytest.raises((TypeError, ValueError), match="sigma"):
        classical.nl_means(camera, sigma)


@pytest.mark.skipif(not classical.bm3d_available(), reason="optional bm3d not installed")
def test_bm3d_filters_an_input_once_and_keeps_the_result_on_disk(camera, monkeypatch, tmp_path):
    import bm3d

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    noisy = noise.add_gaussian_noise(camera[:48, :40], 25, seed=0)
    monkeypatch.delenv("DENOISE_BM3D_CACHE", raising=False)
    classical.bm3d(noisy, 25)
    assert not list(tmp_path.rglob("*.npy"))                # off unless asked for: BM3D is timed
    monkeypatch.setenv("DENOISE_BM3D_CACHE", "1")
    first = classical.bm3d(noisy, 25)
    assert len(list(tmp_path.rglob("*.npy"))) == 1
    monkeypatch.setattr(bm3d, "bm3d", lambda *a, **k: pytest.fail("filtered the same input again"))
    np.testing.assert_array_equal(classical.bm3d(noisy, 25), first)
    with pytest.raises(pytest.fail.Exception):          # another sigma is another input
        classical.bm3d(noisy, 15)
    monkeypatch.setenv("DENOISE_BM3D_CACHE", "0")
    with pytest.raises(pytest.fail.Exception):          # the cache can be turned off
        classical.bm3d(noisy, 25)
