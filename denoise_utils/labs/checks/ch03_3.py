"""The checks of chapter 3.3's exercises (see ``labs``)."""

import numpy as np

from ..registry import exercise
from .common import close


@exercise("3.3.1", "the optimal discriminator",
          "For a fixed generator, D*(x) = p_data(x) / (p_data(x) + p_g(x)).",
          mistake=lambda p, q: q / (p + q),
          why="the generator's density on top")
def _dstar(fn):
    p, q = np.array([0.1, 0.5, 0.2, 0.0]), np.array([0.3, 0.5, 0.0, 0.2])
    close(fn(p, q), p / (p + q), "optimal_discriminator(p_data, p_g)")


@exercise("3.3.2", "the generator's two losses",
          "Saturating: the generator minimises mean(log(1 - D(G(z)))). Non-saturating ('ns'): "
          "it minimises -mean(log D(G(z))).",
          mistake=lambda d, kind: np.mean(np.log(1 - d)),
          why="one loss whatever kind is asked")
def _gloss(fn):
    d = np.array([0.01, 0.2, 0.6])
    close(fn(d, "saturating"), np.mean(np.log(1 - d)), "generator_loss(d, 'saturating')")
    close(fn(d, "ns"), -np.mean(np.log(d)), "generator_loss(d, 'ns')")


@exercise("3.3.3", "the Jensen-Shannon divergence",
          "JS(p, q) = KL(p‖m)/2 + KL(q‖m)/2 with m = (p + q)/2, natural logarithms, and "
          "0 log 0 = 0.",
          mistake=lambda p, q: float(np.sum(p[p > 0] * np.log(p[p > 0] / ((p + q) / 2)[p > 0]))),
          why="one Kullback-Leibler divergence instead of the mean of both")
def _js(fn):
    def kl(a, b):
        nz = a > 0
        return float(np.sum(a[nz] * np.log(a[nz] / b[nz])))
    for p, q in (([0.5, 0.5, 0.0], [0.0, 0.5, 0.5]), ([0.2, 0.3, 0.5], [0.2, 0.3, 0.5]),
                 ([1.0, 0.0, 0.0], [0.0, 0.0, 1.0]), ([0.7, 0.2, 0.1], [0.1, 0.3, 0.6])):
        p, q = np.array(p), np.array(q)
        m = (p + q) / 2
        close(fn(p, q), kl(p, m) / 2 + kl(q, m) / 2, f"js(p={p.tolist()}, q={q.tolist()})")
