import keras
import numpy as np
import pytest

from denoise_utils.models import ScanLines, apply_model


def _identity(channels):
    x = keras.Input((None, None, channels))
    return keras.Model(x, keras.layers.Identity()(x))


def test_apply_model_keeps_shape_and_clips():
    gray = np.random.default_rng(0).random((17, 23)).astype(np.float32)
    out = apply_model(_identity(1), gray + 0.5)
    assert out.shape == gray.shape and out.dtype == np.float32 and out.max() <= 1
    rgb = np.random.default_rng(0).random((9, 11, 3)).astype(np.float32)
    np.testing.assert_allclose(apply_model(_identity(3), rgb), rgb, atol=1e-6)
    assert apply_model(_identity(1), gray + 0.5, clip=False).max() > 1


def test_apply_model_errors():
    with pytest.raises(ValueError, match="3-channel"):
        apply_model(_identity(3), np.zeros((8, 8), np.float32))
    with pytest.raises(ValueError, match="NaN"):
        apply_model(_identity(1), np.full((8, 8), np.nan, np.float32))


def test_scan_lines_mixes_along_rows_only():
    x = keras.Input((None, None, 1))
    model = keras.Model(x, ScanLines(4)(x))
    base = np.zeros((1, 5, 7, 1), np.float32)
    poked = base.copy()
    poked[0, 2, 0, 0] = 1.0                 # change the first pixel of row 2
    diff = np.abs(np.asarray(model(poked)) - np.asarray(model(base))).sum(axis=-1)[0]
    assert diff.shape == (5, 7)
    assert diff[2, -1] > 0                  # ... the far end of row 2 notices
    assert np.all(diff[[0, 1, 3, 4]] == 0)  # ... other rows do not
    assert model.output_shape == (None, None, None, 8)
    assert ScanLines.from_config(ScanLines(4).get_config()).units == 4
