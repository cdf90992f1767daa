import keras
import numpy as np
import pytest

from denoise_utils.models import ScanLines, apply_model, receptive_field


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


@pytest.mark.parametrize("builder, kwargs", [
    ("dncnn", dict(depth=4, filters=8)),
    ("fast_dncnn", dict(depth=4, filters=8)),
    ("dncnn", dict(depth=3, filters=4, channels=3, batch_norm=False)),
    ("unet", dict(filters=(4, 8, 8))),
    ("unet", dict(filters=(4, 8), channels=3)),
    ("sweep_denoiser", dict(features=4, units=2)),
])
def test_builders_start_as_identity_and_take_any_size(builder, kwargs):
    from denoise_utils.models import BUILDERS

    model = BUILDERS[builder](**kwargs)
    kwargs.setdefault("filters", (0, 0))
    channels = kwargs.get("channels", 1)
    x = np.random.default_rng(0).random((1, 16, 24, channels)).astype(np.float32)
    np.testing.assert_allclose(np.asarray(model(x)), x, atol=1e-6)   # zero-initialised last layer
    odd = np.random.default_rng(1).random((19, 27) if channels == 1 else (19, 27, 3)).astype(np.float32)
    multiple = 2 ** (len(kwargs["filters"]) - 1) if builder == "unet" else 2   # sweeps: down=2
    assert apply_model(model, odd, multiple=multiple).shape == odd.shape


def test_pixel_unshuffle_roundtrip():
    from denoise_utils.models import PixelUnshuffle

    x = np.arange(2 * 4 * 6 * 3, dtype=np.float32).reshape(2, 4, 6, 3)
    down = PixelUnshuffle(2)(x)
    assert tuple(down.shape) == (2, 2, 3, 12)
    # the channel order of tf.nn.space_to_depth, which the shipped fast DnCNN was trained with
    block = x[1, 2:4, 4:6].reshape(-1)
    np.testing.assert_array_equal(np.asarray(down)[1, 1, 2], block)
    np.testing.assert_array_equal(np.asarray(PixelUnshuffle(2, inverse=True)(down)), x)
    assert PixelUnshuffle(2).compute_output_shape((None, None, 8, 3)) == (None, None, 4, 12)


def test_dncnn_direct_is_not_residual():
    from denoise_utils.models import dncnn

    direct = dncnn(depth=3, filters=4, residual=False)
    x = np.random.default_rng(0).random((1, 8, 8, 1)).astype(np.float32)
    assert "denoised" not in [layer.name for layer in direct.layers]
    assert not np.allclose(np.asarray(direct(x)), x, atol=1e-3)


def test_unet_variants():
    """Without skips the U-Net is a plain encoder-decoder; code= squeezes its bottleneck."""
    from denoise_utils.models import unet

    full = unet(filters=(4, 8, 16))
    plain = unet(filters=(4, 8, 16), skips=False)
    squeezed = unet(filters=(4, 8, 16), skips=False, code=2)
    skips_only = unet(filters=(4, 8, 16), residual=False)
    assert full.count_params() == plain.count_params() == skips_only.count_params()
    assert squeezed.get_layer("code").output.shape[-1] == 2
    x = np.random.default_rng(0).random((1, 16, 16, 1)).astype(np.float32)
    np.testing.assert_allclose(np.asarray(full(x)), x, atol=1e-6)      # residual: starts as identity
    for net in (plain, skips_only):                                     # no residual: must learn it
        assert not np.allclose(np.asarray(net(x)), x, atol=1e-3)


def test_dense_autoencoder_shapes_and_patchwise():
    from denoise_utils.models import apply_patchwise, dense_autoencoder

    assert dense_autoencoder(channels=3).output_shape == (None, 32, 32, 3)
    with pytest.raises(ValueError, match="32x32"):
        dense_autoencoder(patch=28)
    x = keras.Input((32, 32, 1))
    copy = keras.Model(x, keras.layers.Identity()(x))
    img = np.random.default_rng(0).random((45, 70)).astype(np.float32)
    np.testing.assert_allclose(apply_patchwise(copy, img, stride=8), img, atol=1e-6)
    small = img[:20, :25]                                   # smaller than one patch: padded
    np.testing.assert_allclose(apply_patchwise(copy, small), small, atol=1e-6)


def test_receptive_field():
    from denoise_utils.models import dncnn, receptive_field, unet

    assert receptive_field(dncnn(depth=3, filters=4)) == 7               # 2 * depth + 1
    assert receptive_field(dncnn(depth=5, filters=4, batch_norm=False)) == 11
    assert receptive_field(unet(filters=(4, 8), blocks=1), size=64) > 7


def test_sweep_denoiser_sees_the_whole_image_and_takes_its_down_factor():
    from denoise_utils.models import sweep_denoiser

    net = sweep_denoiser(features=4, units=2)
    assert receptive_field(net, size=40) == 40          # every pixel reaches every other
    quarter = sweep_denoiser(features=4, units=2, down=4)
    x = np.random.default_rng(0).random((1, 16, 16, 1)).astype(np.float32)
    assert np.asarray(quarter(x)).shape == x.shape
    # only the shrinking and growing kernels change: 4x4 instead of 2x2, 4 -> 4 channels
    assert quarter.count_params() - net.count_params() == 2 * (4 * 4 - 2 * 2) * 4 * 4


def test_recurrent_unet_weights_do_not_depend_on_steps():
    from denoise_utils.models import recurrent_unet

    kw = dict(filters=(4, 8), blocks=1, state=2)
    three, five = recurrent_unet(steps=3, **kw), recurrent_unet(steps=5, **kw)
    assert three.count_params() == five.count_params()
    five.set_weights(three.get_weights())
    x = np.random.default_rng(0).random((1, 8, 8, 1)).astype(np.float32)
    # step t of a longer run is the estimate of a run of t steps with the same weights
    steps = keras.Model(five.input, [five.get_layer(f"estimate{t}").output for t in (1, 2, 3)])
    np.testing.assert_allclose(np.asarray(steps(x)[2]), np.asarray(three(x)), atol=1e-6)


def test_multiply_adds_counts_convolutions_per_pixel():
    """§5.2: a 3x3 conv 1->8 then a stride-2 conv 8->4 and its transposed twin back."""
    import keras

    from denoise_utils.models import multiply_adds

    x = keras.Input((None, None, 1))
    a = keras.layers.Conv2D(8, 3, padding="same")(x)
    b = keras.layers.Conv2D(4, 3, strides=2, padding="same")(a)
    c = keras.layers.Conv2DTranspose(1, 2, strides=2)(b)
    model = keras.Model(x, keras.layers.Add()([x, c]))
    assert multiply_adds(model) == 9 * 8 + 9 * 8 * 4 / 4 + 4 * 4 * 1 / 4
    inner = keras.Model(x, c)                                      # a model inside a model, called twice
    y = keras.Input((None, None, 1))
    twice = keras.Model(y, inner(inner(y)))
    assert multiply_adds(twice) == 2 * multiply_adds(inner)
    with pytest.raises(ValueError, match="cannot count"):
        multiply_adds(keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Dense(2)]))


def test_a_unet_told_the_noise_level_takes_a_map():
    """§5.5: the level map is a second input; apply_model builds it from sigma and refuses none."""
    from denoise_utils.models import apply_model, level_map, takes_level, unet

    model = unet(filters=(4, 8), blocks=1, noise_map=1)
    assert takes_level(model) and not takes_level(unet(filters=(4, 8), blocks=1))
    y = np.random.default_rng(0).random((10, 13)).astype(np.float32)
    np.testing.assert_allclose(apply_model(model, y, multiple=2, sigma=25), y, atol=1e-6)  # starts as the identity
    with pytest.raises(ValueError, match="pass sigma"):
        apply_model(model, y, multiple=2)
    m = level_map(np.full((10, 13), 51.0), (10, 13))
    assert m.shape == (10, 13, 1) and np.allclose(m, 0.2)
    with pytest.raises(ValueError, match="does not fit"):
        level_map(np.ones((4, 4)), (10, 13))
    with pytest.raises(ValueError, match="0-255"):
        level_map(-1, (10, 13))
    from denoise_utils.models import multiply_adds

    assert multiply_adds(model) > 0 and receptive_field(model, size=64) > 1
