"""How the σ-scaled parameters in denoise_utils/classical.py were chosen.

A small grid search on six Train400 images (never a test image) at σ = 15, 25, 50;
it prints the best factor per method and σ. Run:

    DENOISE_DATA_DIR=../shared/data python scripts/calibrate_classical.py
"""

import numpy as np
from skimage import restoration

import denoise_utils as du

images = list(du.load_dataset("train400", fallback=False).values())[::50][:6]
GRIDS = {
    "non-local means h/σ": ([0.6, 0.8, 1.0, 1.2], lambda y, s, k: restoration.denoise_nl_means(
        y, h=k * s, sigma=s, patch_size=5, patch_distance=6, fast_mode=True)),
    "total variation weight/σ": ([1.5, 2, 2.5, 3, 4], lambda y, s, k: restoration.denoise_tv_chambolle(
        y, weight=k * s)),
    "bilateral sigma_color/σ": ([1, 1.5, 2, 3], lambda y, s, k: restoration.denoise_bilateral(
        y - min(0, y.min()), sigma_color=k * s, sigma_spatial=2) + min(0, y.min())),
}
for sigma in (15, 25, 50):
    noisy = [du.add_gaussian_noise(x, sigma, seed=i) for i, x in enumerate(images)]
    for name, (grid, fn) in GRIDS.items():
        scores = {k: np.mean([du.psnr(x, np.clip(fn(y, sigma / 255, k), 0, 1))
                              for x, y in zip(images, noisy)]) for k in grid}
        best = max(scores, key=scores.get)
        print(f"σ={sigma:2d} {name:26s} best {best:<4} ({scores[best]:.2f} dB)  "
              + "  ".join(f"{k}: {v:.2f}" for k, v in scores.items()))
