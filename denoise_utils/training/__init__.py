"""Training (§3.1, §4): ``fit`` for the notebooks, the config pipeline behind every shipped
model (``python -m denoise_utils.training CONFIG``), adversarial training and the
training targets that need no clean image.

* :mod:`.quick`: :func:`fit`, the notebooks' quick training: a model, images, a number of steps;
* the config a run reads: :mod:`denoise_utils.zoo.schema` (:func:`read_config`, ``DEFAULTS``);
* :mod:`.pipeline`: :func:`train`, resumable, checkpointed, shipped with ``--ship``;
* :mod:`.optim`: the optimizer (pretrained weights at a fraction of the rate, §5.4), the
  learning rate by epoch or time, and the saved progress;
* :mod:`.level`: the noise-level estimator's training (§5.1);
* :mod:`.adversarial`: a denoiser against a PatchGAN critic (§4.3), TensorFlow and JAX;
* :mod:`.targets`: Noise2Noise, blind spots and distillation (§5.2).
"""

import importlib

_WHERE = {"fit": "quick", "train": "pipeline", "load_config": "pipeline", "main": "pipeline",
          "read_config": "..zoo.schema", "DEFAULTS": "..zoo.schema"}
_MODULES = ("adversarial", "level", "optim", "pipeline", "quick", "targets")
__all__ = sorted(_WHERE) + list(_MODULES)


def __getattr__(name):
    if name in _MODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in _WHERE:
        where = _WHERE[name]
        return getattr(importlib.import_module(where if where.startswith("..") else f".{where}", __name__), name)
    raise AttributeError(f"module 'denoise_utils.training' has no attribute {name!r}")
