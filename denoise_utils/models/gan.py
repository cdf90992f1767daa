"""The GAN family's own network (§3.3, §4.3): a PatchGAN critic. Its generators are the
other families' denoisers; the game itself, the adversarial training step, is in
:mod:`denoise_utils.training.adversarial`."""

from collections.abc import Sequence

import keras


def patch_discriminator(channels: int = 1, filters: Sequence[int] = (32, 64, 128)) -> keras.Model:
    """A PatchGAN discriminator (Isola et al., 2017) for (noisy, candidate) pairs (§4.3).

    Input: the noisy image and a candidate clean image stacked on the channel axis,
    (N, H, W, 2 * channels). Each stride-2 4x4 convolution halves the size; the output
    is a map of real/fake logits, one per overlapping patch, so the critic judges
    texture, not the layout of the whole image. Any image size works.

    Parameters
    ----------
    channels : int, optional
        The channels of each of the two images.
    filters : sequence of int, optional
        The widths of the stride-2 4x4 convolutions, one each (LeakyReLU after each).

    Returns
    -------
    keras.Model
        ``patch_discriminator``: (N, H, W, 2 * channels) to a map of logits, (N, h, w, 1).
    """
    layers = keras.layers
    x = keras.Input((None, None, 2 * channels), name="noisy_and_candidate")
    h = x
    for width in filters:
        h = layers.Conv2D(width, 4, strides=2, padding="same")(h)
        h = layers.LeakyReLU(0.2)(h)
    return keras.Model(x, layers.Conv2D(1, 4, padding="same", name="logits")(h),
                       name="patch_discriminator")
