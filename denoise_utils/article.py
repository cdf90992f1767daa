"""The source article's four models, kept as printed so the book can run them (§2, §4).

None of them denoises, and that is why they are here: the chapters run each one and
show what goes wrong. Changes from the printed code are only those needed to run
on Keras 3 (an ``Input`` layer instead of ``input_shape=``, the ``LeakyReLU``
import the article forgot) and, in the generator, ``Reshape((4, 4, 16))`` where the
article's ``(4, 4, 8)`` cannot hold the 256 values of the layer before it.

* :func:`cnn_model` (§4.1) ends in ``Dense(10, softmax)``: ten class scores, not an image.
* :func:`rnn_model` (§4.2) feeds a 32×32×3 image to an LSTM that wants (time, features);
  it does not even build; :func:`rnn_model_rows` reads rows as steps and does.
* :func:`gan_generator` (§4.3) turns a random 100-vector into a picture and never sees
  the noisy image; its output is 32×32×3 in [-1, 1].
* :func:`autoencoder_model` (§4.4) reshapes to 32×32×3 and then upsamples three times
  to 256×256×32.
"""

import keras
from keras import layers, models


def cnn_model() -> keras.Sequential:
    """The article's §4.1 "CNN denoiser": a CIFAR-style 10-class classifier.

    Returns
    -------
    keras.Sequential
        (N, 32, 32, 3) to (N, 10) softmax class scores.
    """
    model = models.Sequential()
    model.add(keras.Input(shape=(32, 32, 3)))
    model.add(layers.Conv2D(32, (3, 3), activation="relu"))
    model.add(layers.MaxPooling2D((2, 2)))
    model.add(layers.Conv2D(64, (3, 3), activation="relu"))
    model.add(layers.MaxPooling2D((2, 2)))
    model.add(layers.Conv2D(64, (3, 3), activation="relu"))
    model.add(layers.Flatten())
    model.add(layers.Dense(64, activation="relu"))
    model.add(layers.Dense(10, activation="softmax"))
    return model


def rnn_model() -> keras.Sequential:
    """The article's §4.2 "RNN denoiser": an LSTM classifier fed a 4-D image batch.

    Returns
    -------
    keras.Sequential
        What the article meant to return: as printed, the model does not build.

    Raises
    ------
    ValueError
        Always: the LSTM wants (time, features), not a 4-D image batch.
    """
    model = models.Sequential()
    model.add(keras.Input(shape=(32, 32, 3)))
    model.add(layers.LSTM(64, activation="relu"))
    model.add(layers.Dense(64, activation="relu"))
    model.add(layers.Dense(10, activation="softmax"))
    return model


def rnn_model_rows() -> keras.Sequential:
    """The article's §4.2 model with the smallest change that builds (§3.2, §4.2).

    Each of the 32 rows of a 32×32×3 image is one step of 96 numbers.

    Returns
    -------
    keras.Sequential
        Input (N, 32, 96); output (N, 10) softmax class scores.
    """
    model = models.Sequential()
    model.add(keras.Input(shape=(32, 32 * 3)))
    model.add(layers.LSTM(64, activation="relu"))
    model.add(layers.Dense(64, activation="relu"))
    model.add(layers.Dense(10, activation="softmax"))
    return model


def gan_generator() -> keras.Sequential:
    """The article's §4.3 generator: noise vector in, 32×32×3 picture out.

    Returns
    -------
    keras.Sequential
        (N, 100) to (N, 32, 32, 3) in [-1, 1].
    """
    model = models.Sequential()
    model.add(keras.Input(shape=(100,)))
    model.add(layers.Dense(256))
    model.add(layers.LeakyReLU(0.2))
    model.add(layers.Reshape((4, 4, 16)))  # printed as (4, 4, 8), which cannot hold 256 values
    model.add(layers.Conv2DTranspose(128, (4, 4), strides=(2, 2), padding="same"))
    model.add(layers.LeakyReLU(0.2))
    model.add(layers.Conv2DTranspose(64, (4, 4), strides=(2, 2), padding="same"))
    model.add(layers.LeakyReLU(0.2))
    model.add(layers.Conv2DTranspose(3, (3, 3), strides=(2, 2), padding="same",
                                     activation="tanh"))
    return model


def gan_discriminator(input_shape: tuple[int, ...] = (32, 32, 3)) -> keras.Sequential:
    """The article's §4.3 discriminator: one real/fake logit per image.

    Parameters
    ----------
    input_shape : tuple of int, optional
        The images' shape, (H, W, C).

    Returns
    -------
    keras.Sequential
        (N, H, W, C) to (N, 1) logits.
    """
    model = models.Sequential()
    model.add(keras.Input(shape=input_shape))
    model.add(layers.Conv2D(64, (3, 3), strides=(2, 2), padding="same"))
    model.add(layers.LeakyReLU(0.2))
    model.add(layers.Conv2D(128, (3, 3), strides=(2, 2), padding="same"))
    model.add(layers.LeakyReLU(0.2))
    model.add(layers.Flatten())
    model.add(layers.Dense(1))
    return model


def autoencoder_model() -> keras.Sequential:
    """The article's §4.4 autoencoder, whose output is 256×256×32, not 32×32×3.

    Returns
    -------
    keras.Sequential
        (N, 32, 32, 3) to (N, 256, 256, 32).
    """
    model = models.Sequential()
    model.add(keras.Input(shape=(32, 32, 3)))
    model.add(layers.Conv2D(32, (3, 3), activation="relu"))
    model.add(layers.MaxPooling2D((2, 2)))
    model.add(layers.Conv2D(64, (3, 3), activation="relu"))
    model.add(layers.MaxPooling2D((2, 2)))
    model.add(layers.Conv2D(64, (3, 3), activation="relu"))
    model.add(layers.Flatten())
    model.add(layers.Dense(64, activation="relu"))
    model.add(layers.Dense(32 * 32 * 3, activation="sigmoid"))
    model.add(layers.Reshape((32, 32, 3)))
    model.add(layers.Conv2DTranspose(64, (3, 3), strides=(2, 2), padding="same", activation="relu"))
    model.add(layers.Conv2DTranspose(64, (3, 3), strides=(2, 2), padding="same", activation="relu"))
    model.add(layers.Conv2DTranspose(32, (3, 3), strides=(2, 2), padding="same", activation="relu"))
    return model
