"""denoise_utils: the helper package of *Deep Learning for Image Denoising*.

It grows with the book; each function's docstring names the section that teaches it.
Images are float32 in [0, 1], shape (H, W) or (H, W, 3); noise levels σ are on the
0-255 scale.
"""

import logging
import os

# TensorFlow's C++ start-up chatter would fill every notebook's first cell; users can override.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# ... and its Python warnings (e.g. "retracing", when images of several sizes are denoised).
logging.getLogger("tensorflow").setLevel(logging.ERROR)

from . import article, classical, config, data, metrics, models, noise, plotting, pretrained  # noqa: E402
from .config import get_budget, pick, set_budget, set_seed  # noqa: E402
from .data import load_dataset, load_image, sample_images, save_image  # noqa: E402
from .metrics import evaluate, per_image_table, psnr, results_table, ssim  # noqa: E402
from .noise import add_gaussian_noise, add_noise  # noqa: E402
from .pretrained import denoise  # noqa: E402

__version__ = "0.1.0"
