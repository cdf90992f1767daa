import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from denoise_utils import plotting  # noqa: E402


@pytest.fixture
def img():
    return np.random.default_rng(0).random((32, 32)).astype(np.float32)


def test_show_images_titles(img):
    fig = plotting.show_images({"a": img, "b": np.stack([img] * 3, -1)})
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == ["a", "b"]
    with pytest.raises(ValueError, match="titles"):
        plotting.show_images([img], titles=["x", "y"])
    with pytest.raises(ValueError, match="no images"):
        plotting.show_images([])


def test_compare_reports_psnr_and_zoom(img):
    noisy = img + 0.1
    fig = plotting.compare(img, noisy, {"same": img}, zoom=(4, 4, 8, 8))
    titles = [ax.get_title() for ax in fig.axes]
    assert "20.00 dB" in titles[1] and "inf dB" in titles[2]
    assert len(fig.axes) == 6
    with pytest.raises(ValueError, match="zoom box"):
        plotting.compare(img, noisy, img, zoom=(30, 30, 8, 8))


def test_plot_history_sources(tmp_path):
    fig = plotting.plot_history({"loss": [3, 2, 1], "val_loss": [4, 3, 2]})
    assert len(fig.axes[0].lines) == 2
    log = tmp_path / "log.csv"
    log.write_text("epoch,loss,val_psnr\n0,1.0,20\n1,0.5,25\n")
    fig = plotting.plot_history(log, keys=["val_psnr"])
    np.testing.assert_array_equal(fig.axes[0].lines[0].get_ydata(), [20, 25])
    with pytest.raises(KeyError, match="val_psnr"):
        plotting.plot_history({"loss": [1]}, keys=["val_psnr"])
    with pytest.raises(ValueError, match="history"):
        plotting.plot_history({})
