"""denoise_utils: the helper package of *Deep Learning for Image Denoising*.

It grows with the book; each function's docstring names the section that teaches it.
Images are float32 in [0, 1], shape (H, W) or (H, W, 3); noise levels σ are on the
0-255 scale.
"""

from . import article, classical, config, data, metrics, models, noise, plotting
from .config import get_budget, pick, set_budget, set_seed
from .data import load_dataset, load_image, sample_images, save_image
from .metrics import evaluate, psnr, results_table, ssim
from .noise import add_gaussian_noise, add_noise

__version__ = "0.1.0"
