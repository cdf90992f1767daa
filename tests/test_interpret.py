"""§5.3: equivalent filters, their size, shape and direction, spectra, and the pixel picker."""

import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from denoise_utils import interpret

_LINEAR = """
import json, keras, numpy as np
from denoise_utils import interpret
x = keras.Input((None, None, 1))
conv = keras.layers.Conv2D(1, 3, padding="same")
model = keras.Model(x, conv(x))
kernel = np.arange(9, dtype="float32").reshape(3, 3, 1, 1) / 36
conv.set_weights([kernel, np.array([0.25], "float32")])
image = np.random.default_rng(0).random((12, 10)).astype("float32")
w, offset = interpret.equivalent_filter(model, image, (5, 4))
print(json.dumps({"window": w[4:7, 3:6].tolist(), "rest": float(np.abs(w).sum() - np.abs(w[4:7, 3:6]).sum()),
                  "offset": offset}))
"""


@pytest.mark.parametrize("backend", ["tensorflow", "jax"])
def test_equivalent_filter_of_a_convolution_is_its_kernel(backend):
    """A linear layer's Jacobian row is its kernel around the pixel; the offset its bias."""
    if importlib.util.find_spec(backend) is None:
        pytest.skip(f"{backend} is not installed")
    env = {**os.environ, "KERAS_BACKEND": backend, "CUDA_VISIBLE_DEVICES": ""}
    done = subprocess.run([sys.executable, "-c", _LINEAR], env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    np.testing.assert_allclose(out["window"], np.arange(9).reshape(3, 3) / 36, atol=1e-6)
    assert out["rest"] < 1e-6
    assert out["offset"] == pytest.approx(0.25, abs=1e-5)


def test_equivalent_filter_refuses_bad_input():
    import keras

    model = keras.Sequential([keras.Input((None, None, 1)), keras.layers.Conv2D(1, 3, padding="same")])
    with pytest.raises(ValueError, match="gray"):
        interpret.equivalent_filter(model, np.zeros((8, 8, 3)), (1, 1))
    with pytest.raises(ValueError, match="outside"):
        interpret.equivalent_filter(model, np.zeros((8, 8)), (8, 1))


def test_support_shape_and_direction_of_filters():
    rows, cols = np.indices((31, 31)) - 15
    round_blob = np.exp(-(rows ** 2 + cols ** 2) / 50.0)
    line = np.exp(-(rows ** 2) / 2.0 - cols ** 2 / 60.0)           # long along the columns
    spike = np.zeros((31, 31))
    spike[15, 15] = 1.0
    assert interpret.filter_support(spike) == 1
    assert interpret.filter_support(round_blob) > 20 * interpret.filter_support(spike)
    assert interpret.filter_anisotropy(round_blob) == pytest.approx(1.0, abs=1e-6)
    assert interpret.filter_anisotropy(line) > 4
    assert abs(interpret.filter_axis(line)[1]) == pytest.approx(1.0, abs=1e-6)


def test_pick_pixels_finds_flat_edge_and_texture():
    image = np.full((160, 160), 0.3)
    image[:, 80:] = 0.7                                              # one vertical edge
    rows, cols = np.indices((40, 40))
    image[100:140, 20:60] = 0.5 + 0.4 * np.sin(rows / 1.5) * np.sin(cols / 1.5)   # a checker texture
    picked = interpret.pick_pixels(image)
    assert abs(picked["edge"][1] - 80) <= 2
    assert 100 <= picked["texture"][0] < 140 and 20 <= picked["texture"][1] < 60
    flat = picked["flat"]
    assert abs(flat[1] - 80) > 10 and not (90 <= flat[0] < 150 and 10 <= flat[1] < 70)
    with pytest.raises(ValueError, match="larger"):
        interpret.pick_pixels(np.zeros((50, 50)))
