"""``fit``, the notebooks' quick training (§3.1, §4.4): a model, images, a number of steps."""

import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ..noise import as_noise
from .targets import target_noise

if TYPE_CHECKING:
    import keras
    import numpy as np

#: training steps per call into compiled code under XLA (Keras's ``steps_per_execution``):
#: the same updates on the same batches, with less overhead per step
STEPS_PER_CALL = 10


def fit(model: "keras.Model", images: "dict | Sequence[np.ndarray]", steps: int, *,
        sigma: float | tuple[float, float] = 25, patch_size: int = 40, batch_size: int = 16,
        optimizer: "str | keras.optimizers.Optimizer" = "adam", lr: float = 1e-3,
        loss: str | Callable = "mse", epochs: int = 1, seed: int = 0, val: dict | None = None,
        multiple: int = 1, noise: str | Callable = "gaussian",
        target: str = "clean") -> "keras.callbacks.History":
    """Compile ``model`` and train it on ``steps`` batches of fresh noisy patches (§3.1, §4.4).

    The notebooks' quick training (the shipped models train with ``python -m
    denoise_utils.training``).

    Parameters
    ----------
    model : keras.Model
        An image-to-image model.
    images : dict or sequence of ndarray
        Training images in [0, 1]; patches are cut at random, flipped and rotated.
    steps : int
        Batches to train on.
    sigma : float or (float, float), optional
        The noise level on the 0-255 scale, or a range drawn per patch.
    patch_size, batch_size : int, optional
        The patches' side and how many make a batch.
    optimizer : {"adam", "sgd"} or keras.optimizers.Optimizer, optional
        A Keras optimizer ignores ``lr``.
    lr : float, optional
        The learning rate.
    loss : str or callable, optional
        Any Keras loss.
    epochs : int, optional
        The steps are split into this many epochs, so the History has that many points.
    seed : int, optional
        Fixes the patches and the noise.
    val : dict, optional
        Images held out of training: the History also gets ``val_psnr`` after each epoch, at
        ``sigma`` (25 for a range), the model run by ``apply_model(..., multiple=multiple)``.
    multiple : int, optional
        The sides the model needs for validation (§4.2).
    noise : str or callable, optional
        Another kind of noise than Gaussian, by name (:data:`noise.NOISES`) or as a function
        ``(clean, rng)``, for training and validation alike, e.g. impulses (§5.1); it gets a
        batch of patches or one image.
    target : {"clean", "noise2noise", "blind_spot"}, optional
        The last two train without clean images (§5.2; the loss is then chosen for you),
        validated on Gaussian noise at ``sigma`` against clean images.

    Returns
    -------
    keras.callbacks.History
        With a ``seconds`` attribute: the training wall time, validation excluded.
    """
    import keras

    from ..data import PatchDataset
    from ..metrics import evaluate
    from ..models import apply_model

    if isinstance(optimizer, str):
        makers = {"adam": keras.optimizers.Adam, "sgd": keras.optimizers.SGD}
        if optimizer not in makers:
            raise ValueError(f"optimizer must be one of {sorted(makers)} or a Keras optimizer")
        optimizer = makers[optimizer](lr)
    gaussian = isinstance(noise, str) and noise == "gaussian"
    train_noise = as_noise(noise, sigma)
    if target != "clean":

        if not gaussian:
            raise ValueError("give a noise other than Gaussian or a target other than 'clean', not both")
        train_noise, loss = target_noise(target, sigma)
    _compile(model, optimizer, loss, xla=target == "clean" and isinstance(loss, str))
    data = PatchDataset(images, patch_size=patch_size, batch_size=batch_size,
                        steps=max(steps // epochs, 1), sigma=sigma, seed=seed, noise=train_noise)
    # validation: Gaussian noise at sigma (25 for a range), else the training noise itself
    val_sigma = 25 if isinstance(sigma, (tuple, list)) else sigma
    val_noise = None if gaussian else as_noise(noise, sigma)
    spent = []

    class Validate(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            start = time.perf_counter()
            logs["val_psnr"] = evaluate(lambda y: apply_model(model, y, multiple=multiple), val,
                                        val_sigma if gaussian else None, seed=seed, noise=val_noise).psnr
            spent.append(time.perf_counter() - start)

    start = time.perf_counter()
    history = model.fit(data, epochs=epochs, verbose=0, callbacks=[Validate()] if val else [])
    history.seconds = time.perf_counter() - start - sum(spent)
    return history


def _compile(model, optimizer, loss, *, xla):
    """Compile for training; under TensorFlow with ``xla``, the training steps by XLA,
    ``STEPS_PER_CALL`` to a call (faster on a CPU, the same updates; JAX compiles them anyway).
    Prediction stays uncompiled: XLA would compile again for every new image size."""
    import keras

    if not xla or keras.backend.backend() != "tensorflow":
        model.compile(optimizer=optimizer, loss=loss)
        return
    model.compile(optimizer=optimizer, loss=loss, jit_compile=True, steps_per_execution=STEPS_PER_CALL)
    model.make_train_function()
    model.jit_compile = False
