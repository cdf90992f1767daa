"""Type stub for ``denoise_utils``: the names its ``__getattr__`` loads on first use, for
editors and type checkers (tests/test_structure.py keeps it equal to ``__all__``)."""

from . import (
    article as article,
    book as book,
    classical as classical,
    config as config,
    data as data,
    diagrams as diagrams,
    diffusion as diffusion,
    files as files,
    inference as inference,
    interpret as interpret,
    labs as labs,
    leaderboard as leaderboard,
    metrics as metrics,
    models as models,
    noise as noise,
    plotting as plotting,
    plug_and_play as plug_and_play,
    pretrained as pretrained,
    published as published,
    training as training,
    zoo as zoo,
)
from .book import check_claim as check_claim, data_state as data_state, glue as glue
from .config import (
    get_budget as get_budget,
    pick as pick,
    set_budget as set_budget,
    set_seed as set_seed,
)
from .data import load_dataset as load_dataset, sample_images as sample_images
from .files import load_image as load_image, save_image as save_image
from .metrics import (
    evaluate as evaluate,
    per_image_table as per_image_table,
    psnr as psnr,
    results_table as results_table,
    ssim as ssim,
)
from .noise import add_gaussian_noise as add_gaussian_noise, add_noise as add_noise
from .plug_and_play import deblur as deblur
from .pretrained import denoise as denoise, estimate_level as estimate_level

__version__: str
__all__: list[str]
