"""denoise_utils: the helper package of *Deep Learning for Image Denoising*.

It grows with the book; each function's docstring names the section that teaches it.
Images are float32 in [0, 1], shape (H, W) or (H, W, 3); noise levels σ are on the
0-255 scale.
"""

import importlib
import logging
import os

# TensorFlow's C++ start-up chatter would fill every notebook's first cell; users can override.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# ... and its Python warnings (e.g. "retracing", when images of several sizes are denoised).
logging.getLogger("tensorflow").setLevel(logging.ERROR)

__version__ = "0.1.0"

#: the modules, and the names ``du.NAME`` gives from them. Both load on first use, so
#: ``import denoise_utils`` is quick and imports Keras (and TensorFlow) only when needed.
_MODULES = ("article", "book", "classical", "config", "data", "diagrams", "diffusion", "files", "inference",
            "interpret", "labs", "leaderboard", "metrics", "models", "noise", "plotting", "plug_and_play",
            "pretrained", "published", "training", "zoo")
_NAMES = {
    "book": ("check_claim", "data_state", "glue"),
    "config": ("get_budget", "pick", "set_budget", "set_seed"),
    "data": ("load_dataset", "sample_images"),
    "files": ("load_image", "save_image"),
    "metrics": ("evaluate", "per_image_table", "psnr", "results_table", "ssim"),
    "noise": ("add_gaussian_noise", "add_noise"),
    "plug_and_play": ("deblur",),
    "pretrained": ("denoise", "estimate_level"),
}
_WHERE = {name: module for module, names in _NAMES.items() for name in names}
__all__ = sorted(_MODULES + tuple(_WHERE))


def __getattr__(name):
    if name in _MODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in _WHERE:
        return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module 'denoise_utils' has no attribute {name!r}")


def __dir__():
    return __all__
