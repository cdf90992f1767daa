"""Adversarial training (§3.3, §4.3): a denoiser against a critic, under TensorFlow and JAX alike."""

import os
from collections.abc import Callable, Sequence
from typing import Any

import keras
import numpy as np

from .optim import ScaledAdamW

LOSSES = ("ns", "saturating", "ragan")


def adversarial_losses(d_real: Any, d_fake: Any, loss: str = "ns") -> tuple[Any, Any]:
    """Discriminator and generator losses from the critic's logits on real and fake (§3.3).

    Parameters
    ----------
    d_real, d_fake : tensor or ndarray
        The critic's logits on real and on fake samples (any shape).
    loss : {"ns", "saturating", "ragan"}, optional
        ``"ns"`` the non-saturating loss of Goodfellow et al. (2014), the generator
        maximising log D(G); ``"saturating"`` the minimax one, the generator minimising
        log(1 - D(G)); ``"ragan"`` the relativistic average loss (Jolicoeur-Martineau, 2019;
        ESRGAN).

    Returns
    -------
    d_loss, g_loss : tensor
        Scalars of the Keras backend.
    """
    ops = keras.ops
    sp = ops.softplus               # -log(sigmoid(-z)) = softplus(z)
    if loss == "ragan":
        real = d_real - ops.mean(d_fake)
        fake = d_fake - ops.mean(d_real)
        return (ops.mean(sp(-real)) + ops.mean(sp(fake)),
                ops.mean(sp(real)) + ops.mean(sp(-fake)))
    d_loss = ops.mean(sp(-d_real)) + ops.mean(sp(d_fake))
    if loss == "ns":
        return d_loss, ops.mean(sp(-d_fake))
    if loss == "saturating":
        return d_loss, -ops.mean(sp(d_fake))
    raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}")


NAMES = ("pixel", "adversarial", "d_loss", "d_real", "d_fake")


class AdversarialTrainer(keras.Model):
    """A denoiser against a critic, as a Keras model whose ``fit`` plays the game (§4.3).

    A denoiser ``generator`` against a ``discriminator`` of (noisy, output) pairs.
    The generator's loss is ``pixel`` (``"mse"`` or ``"l1"``) plus ``weight`` times the
    adversarial loss; the discriminator learns to tell (noisy, clean) from
    (noisy, generator output). With ``conditional=False`` and ``pixel=None`` it is a
    plain GAN (§3.3): the generator's input is a random code, the critic sees samples
    alone, and the only loss is the adversarial one. Both networks take an Adam step
    (β₁ = 0.5) per batch from the same forward pass, the generator at ``lr`` and the critic at
    ``d_lr`` (one optimizer, :class:`.optim.ScaledAdamW`, whose per-variable Adam is the two
    Adams). ``train_step`` is overridden per backend, as the Keras guides show: TensorFlow
    (``tf.GradientTape``) and JAX (``stateless_call`` and ``stateless_apply``), so ``fit``, its
    callbacks and the one training loop (:func:`.optim.fit_run`) work under both. The logs are
    the epoch's means of ``pixel``, ``adversarial``, ``d_loss``, ``d_real`` and ``d_fake`` (the
    fractions of real and fake patches the critic classes correctly); :meth:`step` takes one
    step outside ``fit`` and returns them as floats.

    Parameters
    ----------
    generator : keras.Model
        The denoiser (with ``conditional=False``: a generator of samples from a random code).
    discriminator : keras.Model
        The critic, of (noisy, output) pairs stacked on the channel axis (with
        ``conditional=False``: of samples alone); it gives logits.
    weight : float, optional
        The adversarial loss's weight in the generator's loss.
    loss : {"ns", "saturating", "ragan"}, optional
        The game's loss (:func:`adversarial_losses`).
    pixel : {"mse", "l1", None}, optional
        The generator's pixel loss; None: none.
    lr : float, optional
        The generator's learning rate (0: the generator is frozen).
    d_lr : float, optional
        The critic's learning rate (default: ``lr``).
    conditional : bool, optional
        The critic sees the noisy image with the output.
    **kwargs
        Keras ``Model`` arguments (``name``, ...).
    """

    def __init__(self, generator: keras.Model, discriminator: keras.Model, *, weight: float = 1e-3,
                 loss: str = "ns", pixel: str | None = "mse", lr: float = 1e-4,
                 d_lr: float | None = None, conditional: bool = True, **kwargs) -> None:
        super().__init__(**kwargs)
        if loss not in LOSSES:
            raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}")
        if pixel not in ("mse", "l1", None):
            raise ValueError(f"pixel must be 'mse', 'l1' or None, got {pixel!r}")
        self.generator, self.discriminator = generator, discriminator
        self.adversarial_weight, self.game_loss, self.pixel = float(weight), loss, pixel
        self.conditional = conditional
        self.trackers = [keras.metrics.Mean(name=name) for name in NAMES]
        d_lr = lr if d_lr is None else d_lr
        g_paths = [v.path for v in generator.trainable_variables]
        d_paths = [v.path for v in discriminator.trainable_variables]
        if set(g_paths) & set(d_paths):
            raise ValueError("the generator and the critic share variable names; build them in one session")
        # one optimizer: the generator at lr, the critic at d_lr (or, with lr 0, the critic's rate and a frozen generator)
        base, scaled, scale = (lr, d_paths, d_lr / lr) if lr > 0 else (d_lr, g_paths, 0.0)
        self.compile(optimizer=ScaledAdamW(base, beta_1=0.5, weight_decay=0.0, slow=scaled, slow_scale=scale),
                     jit_compile=False)
        self.optimizer.build(generator.trainable_variables + discriminator.trainable_variables)
        self._step = None

    @property
    def metrics(self):
        return self.trackers

    def call(self, inputs, training=False):
        return self.generator(inputs, training=training)

    @property
    def learning_rate(self) -> float:
        """The generator's rate (the critic's keeps its ratio to it)."""
        base = float(keras.ops.convert_to_numpy(self.optimizer.learning_rate))
        return base * (self.optimizer.slow_scale if self.optimizer.slow and self._generator_scaled() else 1.0)

    @learning_rate.setter
    def learning_rate(self, lr: float) -> None:
        """Sets both networks' rates, keeping their ratio."""
        if self._generator_scaled():
            raise ValueError("the generator is frozen (lr 0): its rate cannot be set")
        self.optimizer.learning_rate = lr

    def _generator_scaled(self):
        return bool(self.optimizer.slow) and self.optimizer.slow[0] in {v.path for v in self.generator.trainable_variables}

    def _game_losses(self, clean, fake, d_real, d_fake):
        ops = keras.ops
        if self.pixel is None:
            pixel = ops.zeros(())
        else:
            err = fake - clean
            pixel = ops.mean(err * err) if self.pixel == "mse" else ops.mean(ops.abs(err))
        d_loss, adv = adversarial_losses(d_real, d_fake, self.game_loss)
        acc = (ops.mean(ops.cast(d_real > 0, "float32")), ops.mean(ops.cast(d_fake < 0, "float32")))
        return pixel, adv, d_loss, acc

    def _critic_inputs(self, noisy, clean, fake):
        if not self.conditional:
            return clean, fake
        ops = keras.ops
        return ops.concatenate([noisy, clean], -1), ops.concatenate([noisy, fake], -1)

    def train_step(self, *args):
        """One step of the game inside ``fit``: ``(data)`` under TensorFlow, ``(state, data)``
        under JAX (returning the new state)."""
        backend = keras.backend.backend()
        if backend == "tensorflow":
            return self._tf_train_step(*args)
        if backend == "jax":
            return self._jax_train_step(*args)
        raise RuntimeError(f"adversarial training runs under TensorFlow or JAX, not {backend}")

    def _tf_game(self, noisy, clean):
        """One step of both networks under TensorFlow; the batch's five numbers."""
        import tensorflow as tf

        G, D = self.generator, self.discriminator
        with tf.GradientTape(persistent=True) as tape:
            fake = G(noisy, training=True)
            real_pair, fake_pair = self._critic_inputs(noisy, clean, fake)
            d_real, d_fake = D(real_pair, training=True), D(fake_pair, training=True)
            pixel, adv, d_loss, acc = self._game_losses(clean, fake, d_real, d_fake)
            g_loss = pixel + self.adversarial_weight * adv
        variables = G.trainable_variables + D.trainable_variables
        grads = tape.gradient(g_loss, G.trainable_variables) + tape.gradient(d_loss, D.trainable_variables)
        del tape
        self.optimizer.apply(grads, variables)
        return (pixel, adv, d_loss) + acc

    def _tf_train_step(self, data):
        for tracker, value in zip(self.trackers, self._tf_game(data[0], data[1])):   # (x, y[, weights])
            tracker.update_state(value)
        return {t.name: t.result() for t in self.trackers}

    def _jax_game(self, trainable, non_trainable, optimizer_vars, noisy, clean):
        """One step of both networks under JAX, statelessly: the batch's five numbers and the
        new trainable, non-trainable and optimizer variables."""
        import jax

        G, D = self.generator, self.discriminator
        ng, ngn = len(G.trainable_variables), len(G.non_trainable_variables)
        g_tv, d_tv, g_ntv, d_ntv = trainable[:ng], trainable[ng:], non_trainable[:ngn], non_trainable[ngn:]

        def forward(g_tv, d_tv):
            fake, g_new = G.stateless_call(g_tv, g_ntv, noisy, training=True)
            real_pair, fake_pair = self._critic_inputs(noisy, clean, fake)
            d_real, d_new = D.stateless_call(d_tv, d_ntv, real_pair, training=True)
            d_fake, d_new = D.stateless_call(d_tv, d_new, fake_pair, training=True)
            return self._game_losses(clean, fake, d_real, d_fake), list(g_new) + list(d_new)

        def g_objective(g_tv):
            (pixel, adv, d_loss, acc), new = forward(g_tv, d_tv)
            return pixel + self.adversarial_weight * adv, ((pixel, adv, d_loss) + acc, new)

        g_grads, (values, non_trainable) = jax.grad(g_objective, has_aux=True)(g_tv)
        d_grads = jax.grad(lambda d_tv: forward(g_tv, d_tv)[0][2])(d_tv)
        trainable, optimizer_vars = self.optimizer.stateless_apply(
            optimizer_vars, list(g_grads) + list(d_grads), trainable)
        return values, trainable, non_trainable, optimizer_vars

    def _jax_train_step(self, state, data):
        trainable, non_trainable, optimizer_vars, metrics_vars = state
        values, trainable, non_trainable, optimizer_vars = self._jax_game(
            trainable, non_trainable, optimizer_vars, data[0], data[1])      # (x, y[, weights])
        logs, new_metrics, start = {}, [], 0
        for tracker, value in zip(self.trackers, values):
            own = metrics_vars[start:start + len(tracker.variables)]
            start += len(tracker.variables)
            own = tracker.stateless_update_state(own, value)
            logs[tracker.name] = tracker.stateless_result(own)
            new_metrics += list(own)
        return logs, (trainable, non_trainable, optimizer_vars, new_metrics)

    def step(self, noisy: np.ndarray, clean: np.ndarray) -> dict[str, float]:
        """One step on a batch of (noisy, clean) float32 arrays, outside ``fit``.

        The chapters' toy games take thousands. The same step as ``train_step``'s, compiled
        once: ``tf.function`` under TensorFlow, ``jax.jit`` under JAX.

        Parameters
        ----------
        noisy, clean : ndarray
            The batch: the generator's inputs and their clean targets (with
            ``conditional=False``: random codes and real samples).

        Returns
        -------
        dict of str to float
            The losses of this batch: ``pixel``, ``adversarial``, ``d_loss``, ``d_real`` and
            ``d_fake``.
        """
        if self._step is None:
            self._step = self._compiled_step()
        values = self._step(np.asarray(noisy, np.float32), np.asarray(clean, np.float32))
        return {k: float(keras.ops.convert_to_numpy(v)) for k, v in zip(NAMES, values)}

    def _compiled_step(self):
        backend = keras.backend.backend()
        if backend == "tensorflow":
            import tensorflow as tf

            return tf.function(self._tf_game, reduce_retracing=True)
        if backend != "jax":
            raise RuntimeError(f"adversarial training runs under TensorFlow or JAX, not {backend}")
        import jax

        jitted = jax.jit(self._jax_game)
        groups = (self.trainable_variables, self.non_trainable_variables, self.optimizer.variables)

        def run(noisy, clean):
            values, *state = jitted(*([v.value for v in group] for group in groups), noisy, clean)
            for group, new in zip(groups, state):
                for var, value in zip(group, new):
                    var.assign(value)
            return values

        return run

    def save_checkpoint(self, folder: str) -> None:
        """Write both networks' weights and the optimizer's state into ``folder``.

        Parameters
        ----------
        folder : str
            An existing folder.

        Returns
        -------
        None
        """
        self.generator.save_weights(os.path.join(folder, "generator.weights.h5"))
        self.discriminator.save_weights(os.path.join(folder, "discriminator.weights.h5"))
        np.savez(os.path.join(folder, "optimizer.npz"),
                 *[keras.ops.convert_to_numpy(v) for v in self.optimizer.variables])

    def load_checkpoint(self, folder: str) -> None:
        """Restore what :meth:`save_checkpoint` wrote, to resume training.

        Parameters
        ----------
        folder : str
            The folder :meth:`save_checkpoint` wrote to.

        Returns
        -------
        None
        """
        self.generator.load_weights(os.path.join(folder, "generator.weights.h5"))
        self.discriminator.load_weights(os.path.join(folder, "discriminator.weights.h5"))
        with np.load(os.path.join(folder, "optimizer.npz")) as saved:
            values = [saved[f"arr_{i}"] for i in range(len(saved.files))]
        if len(values) != len(self.optimizer.variables):
            raise ValueError(f"{folder}: saved optimizer state does not fit these networks")
        for var, value in zip(self.optimizer.variables, values):
            var.assign(value)


def make_trainer(cfg: dict, model: keras.Model) -> AdversarialTrainer:
    """The :class:`AdversarialTrainer` a config's ``adversarial`` settings describe (§4.3).

    Parameters
    ----------
    cfg : dict
        A config, read (:func:`denoise_utils.zoo.schema.read_config`): its ``lr`` and its
        ``adversarial`` keys ``weight``, ``loss``, ``pixel``, ``d_lr`` and ``discriminator``
        (keyword arguments of :func:`denoise_utils.models.gan.patch_discriminator`).
    model : keras.Model
        The generator, the denoiser the config trains.

    Returns
    -------
    AdversarialTrainer
        ``model`` against a new PatchGAN critic.
    """
    from ..models.gan import patch_discriminator

    adv = dict(cfg["adversarial"])
    unknown = set(adv) - {"weight", "loss", "pixel", "d_lr", "discriminator"}
    if unknown:
        raise ValueError(f"adversarial: unknown keys {sorted(unknown)}")
    critic = patch_discriminator(model.input_shape[-1], **adv.pop("discriminator", {}))
    return AdversarialTrainer(model, critic, lr=cfg["lr"], **adv)


def adversarial_validation(cfg: dict, trainer: AdversarialTrainer,
                           val: dict[str, np.ndarray] | Sequence[np.ndarray], val_sigma: float | None,
                           *, val_noise: Callable | None = None
                           ) -> Callable[[keras.Model], dict[str, float]]:
    """``validate(model)`` for :func:`.optim.fit_run` of a GAN (§4.3).

    Parameters
    ----------
    cfg : dict
        The run's config, read: its ``multiple``.
    trainer : AdversarialTrainer
        The game; its generator is validated.
    val : dict or sequence of ndarray
        The held-out clean images.
    val_sigma : float or None
        The Gaussian noise level of validation on the 0-255 scale.
    val_noise : callable, optional
        Another noise for validation, ``(clean, rng)`` (:func:`denoise_utils.metrics.evaluate`).

    Returns
    -------
    callable
        ``validate(model)``: ``{"val_psnr": ..., "val_swd": ...}``, the generator's PSNR on the
        held-out images and the sliced Wasserstein distance of its patches to the clean ones.
    """
    from ..metrics import evaluate, sliced_wasserstein
    from ..models import apply_model

    def validate(model):
        ev = evaluate(lambda y: apply_model(trainer.generator, y, multiple=cfg["multiple"]),
                      val, val_sigma, seed=0, keep_images=True, noise=val_noise)
        kept = ev.images.values()
        return {"val_psnr": ev.psnr,
                "val_swd": sliced_wasserstein([k["clean"] for k in kept], [k["denoised"] for k in kept])}

    return validate
