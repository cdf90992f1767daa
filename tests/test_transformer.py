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


def _random_layer(seed, shape, heads=2, window=4):
    """A WindowAttention built on an input of ``shape`` with random weights, and that input."""
    rng = np.random.default_rng(seed)
    layer = WindowAttention(heads=heads, window=window)
    x = rng.standard_normal(shape).astype(np.float32)
    layer(x)
    layer.set_weights([rng.standard_normal(w.shape).astype(np.float32) * 0.3 for w in layer.get_weights()])
    return layer, x


def test_window_attention_is_its_formula_and_stays_in_its_windows():
    layer, x = _random_layer(0, (2, 8, 12, 6))
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


def test_shifted_windows_keep_pixels_from_opposite_borders_apart():
    """Swin's mask: after the cyclic roll, a window that wraps round the border holds pixels
    from two or four parts of the image, and attention between parts is masked out."""
    from denoise_utils.models.transformer import _shift_mask

    mask = np.asarray(_shift_mask(8, 8, 4, 2))           # 2 x 2 windows of 4 x 4, shifted by 2
    allowed = (mask == 0).sum(axis=(1, 2))
    np.testing.assert_array_equal(allowed, [16 * 16, 2 * 8 * 8, 2 * 8 * 8, 4 * 4 * 4])


def test_a_shifted_block_attends_across_the_plain_windows_and_not_round_the_border():
    from denoise_utils.models import SwinBlock

    rng = np.random.default_rng(0)
    block = SwinBlock(heads=2, window=4, shift=2, expand=1)
    x = rng.standard_normal((1, 8, 8, 4)).astype(np.float32)
    block(x)
    block.set_weights([rng.standard_normal(w.shape).astype(np.float32) * 0.3 for w in block.get_weights()])
    attend = lambda z: np.asarray(block.attention(z))  # noqa: E731
    poked = x.copy()
    poked[0, 3, 3, 0] += 1.0                           # in the shifted window of rows and columns 2-5
    changed = np.abs(attend(poked) - attend(x)).max(axis=-1)[0] > 1e-6
    assert changed[2:6, 2:6].all() and changed.sum() == 16
    poked = x.copy()
    poked[0, 0, 0, 0] += 1.0                           # the corner: rolled beside the far corners, masked
    changed = np.abs(attend(poked) - attend(x)).max(axis=-1)[0] > 1e-6
    assert changed[0, 0] and not changed[7, 7] and not changed[0, 7] and changed.sum() == 4


def test_position_bias_is_shared_by_offset_and_attention_permutes_with_its_tokens():
    """The relative bias depends only on the offset between query and key (Swin), and without
    it attention is permutation-equivariant: permuting the tokens permutes the outputs."""
    from denoise_utils.models import SwinBlock
    from denoise_utils.models.transformer import _attend

    block = SwinBlock(heads=1, window=3)
    block(np.zeros((1, 3, 3, 4), np.float32))
    block.bias_table.assign(np.arange(25, dtype=np.float32)[:, None])
    bias = np.asarray(block.position_bias())[0]
    rows, cols = np.divmod(np.arange(9), 3)
    for i in range(9):
        for j in range(9):
            assert bias[i, j] == (rows[i] - rows[j] + 2) * 5 + (cols[i] - cols[j] + 2)
    rng = np.random.default_rng(1)
    qkv = rng.standard_normal((1, 9, 12)).astype(np.float32)
    order = rng.permutation(9)
    plain = np.asarray(_attend(qkv, 2, np.zeros((2, 9, 9), np.float32)))
    np.testing.assert_allclose(np.asarray(_attend(qkv[:, order], 2, np.zeros((2, 9, 9), np.float32))),
                               plain[:, order], atol=1e-5)


def test_the_hybrid_starts_as_its_unet_and_with_its_branches_zeroed_is_its_unet():
    from denoise_utils.models import hybrid_unet, swin_blocks, unet, unet_weights_into, without_branches

    rng = np.random.default_rng(2)
    cnn = unet(filters=(4, 8, 16))
    cnn.set_weights([rng.standard_normal(w.shape).astype(np.float32) * 0.2 for w in cnn.get_weights()])
    hybrid = hybrid_unet(filters=(4, 8, 16), levels=(1, 2), window=4, head_dim=4)
    pretrained = unet_weights_into(hybrid, cnn)
    assert len(pretrained) == len(cnn.weights) and len(swin_blocks(hybrid)) == 6
    x = rng.random((1, 16, 32, 1)).astype(np.float32)
    np.testing.assert_array_equal(np.asarray(hybrid(x)), np.asarray(cnn(x)))
    for block in swin_blocks(hybrid):                   # trained blocks: the output moves
        for layer in (block.proj, block.ff_out):
            layer.set_weights([rng.standard_normal(w.shape).astype(np.float32) * 0.2 for w in layer.get_weights()])
    assert np.abs(np.asarray(hybrid(x)) - np.asarray(cnn(x))).max() > 1e-3
    np.testing.assert_allclose(np.asarray(without_branches(hybrid)(x)), np.asarray(cnn(x)), atol=1e-6)
    some = without_branches(hybrid, feed_forward=False)
    assert np.abs(np.asarray(some(x)) - np.asarray(cnn(x))).max() > 1e-3
    assert multiply_adds(hybrid, size=32) > multiply_adds(cnn, size=32)
    with pytest.raises(ValueError, match="does not fit"):
        unet_weights_into(hybrid, unet(filters=(4, 8, 32)))
    with pytest.raises(ValueError, match="levels must lie"):
        hybrid_unet(filters=(4, 8, 16), levels=(3,))


def test_the_attention_map_is_the_weights_the_layer_averages_with():
    """§5.4: ``attention_map`` gives the softmax weights the layer applies, window by window."""
    layer, x = _random_layer(3, (1, 8, 4, 6))
    a = layer.attention_map(x)
    assert a.shape == (2, 2, 16, 16)                       # 2 windows, 2 heads, 16 x 16 tokens
    np.testing.assert_allclose(a.sum(axis=-1), 1.0, rtol=1e-5)
    qkv, qkv_b, proj, proj_b, _ = (np.asarray(w, np.float64) for w in layer.get_weights())
    t = x[0, 4:8].reshape(16, 6).astype(np.float64) @ qkv + qkv_b          # the second window
    v = t[:, 12:]
    heads = np.concatenate([a[1, m] @ v[:, 3 * m:3 * (m + 1)] for m in range(2)], axis=1)
    np.testing.assert_allclose(heads @ proj + proj_b, np.asarray(layer(x))[0, 4:8].reshape(16, 6), atol=1e-4)


def test_multiply_adds_by_layer_adds_up_to_the_total():
    net = uformer(filters=(8, 16), blocks=(1, 1), heads=(1, 2), window=4)
    parts = multiply_adds(net, size=32, by_layer=True)
    assert abs(sum(parts.values()) - multiply_adds(net, size=32)) < 1e-6
    attention = {layer.name for layer in net.layers if isinstance(layer, WindowAttention)}
    assert attention <= set(parts) and all(parts[n] > 0 for n in attention)
