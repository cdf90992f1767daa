"""The article's models are kept to be shown wrong; these tests pin down how."""

import pytest

from denoise_utils import article


def test_cnn_is_a_classifier():
    assert article.cnn_model().output_shape == (None, 10)


def test_rnn_does_not_build():
    with pytest.raises(ValueError, match="expected ndim=3, found ndim=4"):
        article.rnn_model()


def test_gan_never_sees_a_noisy_image():
    assert article.gan_generator().input_shape == (None, 100)
    assert article.gan_discriminator().output_shape == (None, 1)


def test_autoencoder_output_shape_is_wrong():
    assert article.autoencoder_model().output_shape == (None, 256, 256, 32)
