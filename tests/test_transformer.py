"""§5.4: window self-attention equals its formula, stays inside its windows, and the small
Uformer denoises any size under TensorFlow and JAX alike."""

import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from denoise_utils.models import WindowAttention, multiply_adds, uformer


def _softmax(z):
    z = z - z.max(axis=-1, keepdims=True)
    return np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)


def _reference(layer, x):
    """Attention inside each window, in NumPy, from the layer's weights."""
    qkv, qkv_b, proj, proj_b, position = (np.asarray(w, np.float64) for w in layer.get_weights())
    n, h, w, c = x.shape
    s, k = layer.window, layer.heads
    d = c // k
    out = np.empty((n, h, w, c))
    for b in range(n):
        for i in range(0, h, s):
            for j in range(0, w, s):
                t = x[b, i:i + s, j:j + s].reshape(s * s, c) @ qkv + qkv_b
                q, key, v = t[:, :c], t[:, c:2 * c], t[:, 2 * c:]
                heads = [_softmax(q[:, m * d:(m + 1) * d] @ key[:, m * d:(m + 1) * d].T / np.sqrt(d)
                                  + position[m]) @ v[:, m * d:(m + 1) * d] for m in range(k)]
                out[b, i:i + s, j:j + s] = (np.concatenate(heads, axis=1) @ proj + proj_b).reshape(s, s, c)
    return out


def test_window_attention_is_its_formula_and_stays_in_its_windows():
    rng = np.random.default_rng(0)
    layer = WindowAttention(heads=2, window=4)
    x = rng.standard_normal((2, 8, 12, 6)).astype(np.float32)
    layer(x)
    layer.set_weights([rng.standard_normal(w.shape).astype(np.float32) * 0.3 for w in layer.get_weights()])
    np.testing.assert_allclose(np.asarray(layer(x)), _reference(layer, x.astype(np.float64)), atol=1e-4)
    poked = x.copy()
    poked[0, 1, 1] += 1.0                                  # inside the window at rows 0-3, columns 0-3
    changed = np.abs(np.asarray(layer(poked)) - np.asarray(layer(x))).max(axis=-1)[0] > 1e-6
    assert changed[:4, :4].all() and not changed[4:].any() and not changed[:, 4:].any()
    with pytest.raises(ValueError, match="do not split into 4 heads"):
        WindowAttention(heads=4, window=4)(x)


def test_uformer_starts_as_the_identity_and_counts_its_work():
    net = uformer(filters=(8, 16), blocks=(1, 1), heads=(1, 2), window=4)
    x = np.random.default_rng(1).random((1, 16, 24, 1)).astype(np.float32)
    np.testing.assert_allclose(np.asarray(net(x)), x, atol=1e-6)    # the noise estimate starts at 0
    per_pixel = multiply_adds(net, size=32)
    attention = [layer for layer in net.layers if isinstance(layer, WindowAttention)]
    assert len(attention) == 3 and per_pixel > sum(layer.multiply_adds(8) for layer in attention[:1])
    with pytest.raises(ValueError, match="one entry per level"):
        uformer(filters=(8, 16), blocks=(1,), heads=(1, 2))


_BACKEND = """
import json, numpy as np
from denoise_utils.models import uformer
net = uformer(filters=(8, 16), blocks=(1, 1), heads=(1, 2), window=4)
rng = np.random.default_rng(0)
net.set_weights([rng.standard_normal(w.shape).astype("float32") * 0.1 for w in net.get_weights()])
x = rng.random((1, 16, 24, 1)).astype("float32")
print(json.dumps(np.asarray(net(x)).ravel()[:50].tolist()))
"""


def test_uformer_gives_the_same_numbers_under_tensorflow_and_jax():
    if importlib.util.find_spec("jax") is None:
        pytest.skip("JAX is not installed")
    outs = []
    for backend in ("tensorflow", "jax"):
        env = {**os.environ, "KERAS_BACKEND": backend, "CUDA_VISIBLE_DEVICES": ""}
        done = subprocess.run([sys.executable, "-c", _BACKEND], env=env, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        outs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    np.testing.assert_allclose(outs[0], outs[1], atol=1e-4)
