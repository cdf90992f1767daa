"""The checks of chapter 4.3's exercises (see ``labs``)."""

import numpy as np

from ..registry import exercise
from .common import close
from .common import gettext as _


@exercise("4.3.1", "the discriminator's accuracy",
          "A real sample is classified right when D > 0.5, a generated one when D < 0.5; "
          "average over all samples of both kinds.",
          mistake=lambda r, f: float(np.mean(r > 0.5)),
          why="the accuracy on the real samples only")
def _acc(fn):
    real, fake = np.array([0.9, 0.4, 0.7, 0.6]), np.array([0.2, 0.8])
    close(fn(real, fake), 4 / 6, "accuracy(d_real, d_fake)")


@exercise("4.3.2", "the relativistic discriminator",
          "RaGAN: the logit for a real sample is c(real) - mean(c(fake)), for a fake one "
          "c(fake) - mean(c(real)).",
          mistake=lambda cr, cf: (cr - cf, cf - cr) if len(cr) == len(cf) else (cr - cf.max(), cf - cr.max()),
          why="each sample against one other, not against the other kind's mean")
def _ragan(fn):
    cr, cf = np.array([2.0, 1.0, 0.0]), np.array([-1.0, 0.5])
    real, fake = fn(cr, cf)
    close(real, cr - cf.mean(), _("ragan_logits(...)[0] (real)"))
    close(fake, cf - cr.mean(), _("ragan_logits(...)[1] (fake)"))


def _hf_share(image, cut=0.25):
    power = np.abs(np.fft.fft2(image - image.mean())) ** 2
    fy, fx = np.meshgrid(np.fft.fftfreq(image.shape[0]), np.fft.fftfreq(image.shape[1]), indexing="ij")
    return float(power[np.hypot(fy, fx) > cut].sum() / power.sum())


@exercise("4.3.3", "high-frequency power",
          "Subtract the mean, take |FFT|², build each frequency's radius from np.fft.fftfreq "
          "of both axes, and divide the power above the cut by the total.",
          mistake=lambda im, cut: float(np.mean(np.abs(np.fft.fft2(im)) > cut)),
          why="a share of large coefficients instead of the power above a frequency")
def _hf(fn):
    rng = np.random.default_rng(0)
    smooth = np.outer(np.sin(np.arange(32) / 5), np.cos(np.arange(40) / 7))
    for image in (smooth, smooth + 0.3 * rng.standard_normal((32, 40)), rng.random((32, 40))):
        close(fn(image, 0.25), _hf_share(image, 0.25), "high_frequency_share(image, 0.25)")
