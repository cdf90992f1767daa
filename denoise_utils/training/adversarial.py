"""Adversarial training (§3.3, §4.3): a denoiser against a critic, under TensorFlow and JAX alike."""

import csv
import os
import time

import keras
import numpy as np

from .optim import learning_rate, out_of_time, save_state

LOSSES = ("ns", "saturating", "ragan")


def adversarial_losses(d_real, d_fake, loss="ns"):
    """Discriminator and generator losses from the critic's logits on real and fake (§3.3).

    ``loss``: ``"ns"`` the non-saturating loss of Goodfellow et al. (2014), the generator
    maximising log D(G); ``"saturating"`` the minimax one, the generator minimising
    log(1 - D(G)); ``"ragan"`` the relativistic average loss (Jolicoeur-Martineau, 2019;
    ESRGAN). Returns ``(d_loss, g_loss)``, scalars.
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


class AdversarialTrainer:
    """Trains a denoiser ``generator`` against a ``discriminator`` of (noisy, output) pairs (§4.3).

    The generator's loss is ``pixel`` (``"mse"`` or ``"l1"``) plus ``weight`` times the
    adversarial loss; the discriminator learns to tell (noisy, clean) from
    (noisy, generator output). With ``conditional=False`` and ``pixel=None`` it is a
    plain GAN (§3.3): the generator's input is a random code, the critic sees samples
    alone, and the only loss is the adversarial one. Both take one Adam step per batch
    from the same forward pass. :meth:`train_step` runs a compiled step under TensorFlow
    (``tf.GradientTape``) or JAX (``stateless_call`` and ``stateless_apply``) and
    returns floats: ``pixel``, ``adversarial``, ``d_loss``, ``d_real`` and ``d_fake``
    (the fractions of real and fake patches the critic classes correctly).
    """

    def __init__(self, generator, discriminator, weight=1e-3, loss="ns", pixel="mse",
                 lr=1e-4, d_lr=None, conditional=True):
        if loss not in LOSSES:
            raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}")
        if pixel not in ("mse", "l1", None):
            raise ValueError(f"pixel must be 'mse', 'l1' or None, got {pixel!r}")
        self.generator, self.discriminator = generator, discriminator
        self.weight, self.loss, self.pixel = float(weight), loss, pixel
        self.conditional = conditional
        self.g_opt = keras.optimizers.Adam(lr, beta_1=0.5)
        self.d_opt = keras.optimizers.Adam(lr if d_lr is None else d_lr, beta_1=0.5)
        self.g_opt.build(generator.trainable_variables)
        self.d_opt.build(discriminator.trainable_variables)
        self._step = None

    @property
    def learning_rate(self):
        return float(keras.ops.convert_to_numpy(self.g_opt.learning_rate))

    @learning_rate.setter
    def learning_rate(self, lr):
        """Sets both optimizers' rates, keeping their ratio."""
        ratio = float(keras.ops.convert_to_numpy(self.d_opt.learning_rate)) / self.learning_rate
        self.g_opt.learning_rate = lr
        self.d_opt.learning_rate = lr * ratio

    def _losses(self, clean, fake, d_real, d_fake):
        ops = keras.ops
        if self.pixel is None:
            pixel = ops.zeros(())
        else:
            err = fake - clean
            pixel = ops.mean(err * err) if self.pixel == "mse" else ops.mean(ops.abs(err))
        d_loss, adv = adversarial_losses(d_real, d_fake, self.loss)
        acc = (ops.mean(ops.cast(d_real > 0, "float32")), ops.mean(ops.cast(d_fake < 0, "float32")))
        return pixel, adv, d_loss, acc

    def _pairs(self, noisy, clean, fake):
        if not self.conditional:
            return clean, fake
        ops = keras.ops
        return ops.concatenate([noisy, clean], -1), ops.concatenate([noisy, fake], -1)

    def _tf_step(self):
        import tensorflow as tf

        G, D = self.generator, self.discriminator

        @tf.function(reduce_retracing=True)
        def step(noisy, clean):
            with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
                fake = G(noisy, training=True)
                real_pair, fake_pair = self._pairs(noisy, clean, fake)
                d_real, d_fake = D(real_pair, training=True), D(fake_pair, training=True)
                pixel, adv, d_loss, acc = self._losses(clean, fake, d_real, d_fake)
                g_loss = pixel + self.weight * adv
            self.g_opt.apply(g_tape.gradient(g_loss, G.trainable_variables), G.trainable_variables)
            self.d_opt.apply(d_tape.gradient(d_loss, D.trainable_variables), D.trainable_variables)
            return pixel, adv, d_loss, acc[0], acc[1]

        return step

    def _jax_step(self):
        import jax

        G, D = self.generator, self.discriminator

        def forward(g_tv, g_ntv, d_tv, d_ntv, noisy, clean):
            fake, g_ntv = G.stateless_call(g_tv, g_ntv, noisy, training=True)
            real_pair, fake_pair = self._pairs(noisy, clean, fake)
            d_real, d_ntv = D.stateless_call(d_tv, d_ntv, real_pair, training=True)
            d_fake, d_ntv = D.stateless_call(d_tv, d_ntv, fake_pair, training=True)
            return self._losses(clean, fake, d_real, d_fake), (g_ntv, d_ntv)

        def g_loss(g_tv, g_ntv, d_tv, d_ntv, noisy, clean):
            (pixel, adv, d_loss, acc), ntv = forward(g_tv, g_ntv, d_tv, d_ntv, noisy, clean)
            return pixel + self.weight * adv, (pixel, adv, d_loss, acc, ntv)

        def d_loss(d_tv, g_tv, g_ntv, d_ntv, noisy, clean):
            return forward(g_tv, g_ntv, d_tv, d_ntv, noisy, clean)[0][2]

        @jax.jit
        def step(state, noisy, clean):
            g_tv, g_ntv, g_ov, d_tv, d_ntv, d_ov = state
            g_grads, (pixel, adv, dl, acc, (g_ntv2, d_ntv2)) = jax.grad(g_loss, has_aux=True)(
                g_tv, g_ntv, d_tv, d_ntv, noisy, clean)
            d_grads = jax.grad(d_loss)(d_tv, g_tv, g_ntv, d_ntv, noisy, clean)
            g_tv, g_ov = self.g_opt.stateless_apply(g_ov, g_grads, g_tv)
            d_tv, d_ov = self.d_opt.stateless_apply(d_ov, d_grads, d_tv)
            return (g_tv, g_ntv2, g_ov, d_tv, d_ntv2, d_ov), (pixel, adv, dl, acc[0], acc[1])

        groups = [G.trainable_variables, G.non_trainable_variables, self.g_opt.variables,
                  D.trainable_variables, D.non_trainable_variables, self.d_opt.variables]

        def run(noisy, clean):
            state = tuple([v.value for v in group] for group in groups)
            state, out = step(state, noisy, clean)
            for group, values in zip(groups, state):
                for var, value in zip(group, values):
                    var.assign(value)
            return out

        return run

    def train_step(self, noisy, clean):
        """One step on a batch of (noisy, clean) float32 arrays; returns the losses as floats."""
        if self._step is None:
            backend = keras.backend.backend()
            if backend not in ("tensorflow", "jax"):
                raise RuntimeError(f"adversarial training runs under TensorFlow or JAX, not {backend}")
            self._step = self._tf_step() if backend == "tensorflow" else self._jax_step()
        out = self._step(np.asarray(noisy, np.float32), np.asarray(clean, np.float32))
        names = ("pixel", "adversarial", "d_loss", "d_real", "d_fake")
        return {k: float(keras.ops.convert_to_numpy(v)) for k, v in zip(names, out)}

    def save(self, folder):
        """Write both networks' weights and both optimizers' state into ``folder``."""
        self.generator.save_weights(os.path.join(folder, "generator.weights.h5"))
        self.discriminator.save_weights(os.path.join(folder, "discriminator.weights.h5"))
        np.savez(os.path.join(folder, "optimizers.npz"),
                 *[keras.ops.convert_to_numpy(v) for v in self.g_opt.variables + self.d_opt.variables])

    def load(self, folder):
        """Restore what :meth:`save` wrote, to resume training."""
        self.generator.load_weights(os.path.join(folder, "generator.weights.h5"))
        self.discriminator.load_weights(os.path.join(folder, "discriminator.weights.h5"))
        with np.load(os.path.join(folder, "optimizers.npz")) as saved:
            values = [saved[f"arr_{i}"] for i in range(len(saved.files))]
        variables = self.g_opt.variables + self.d_opt.variables
        if len(values) != len(variables):
            raise ValueError(f"{folder}: saved optimizer state does not fit these networks")
        for var, value in zip(variables, values):
            var.assign(value)


def make_trainer(cfg, model):
    from ..models.gan import patch_discriminator

    adv = dict(cfg["adversarial"])
    unknown = set(adv) - {"weight", "loss", "pixel", "d_lr", "discriminator"}
    if unknown:
        raise ValueError(f"adversarial: unknown keys {sorted(unknown)}")
    critic = patch_discriminator(model.input_shape[-1], **adv.pop("discriminator", {}))
    return AdversarialTrainer(model, critic, lr=cfg["lr"], **adv)


def fit_adversarial(cfg, trainer, data, out, state, val, val_sigma, verbose, val_noise=None):
    """The epochs of adversarial training: the same log, checkpoints and budget as ``fit``'s."""

    from ..metrics import evaluate, sliced_wasserstein
    from ..models import apply_model

    log_path = os.path.join(out, "log.csv")
    for epoch in range(state["epoch"], cfg["epochs"]):
        start = time.perf_counter()
        trainer.learning_rate = learning_rate(cfg, state, epoch)
        sums = {}
        for i in range(len(data)):
            for k, v in trainer.train_step(*data[i]).items():
                sums[k] = sums.get(k, 0.0) + v / len(data)
        data.on_epoch_end()
        state["seconds"] += time.perf_counter() - start
        state["epoch"] = epoch + 1
        ev = evaluate(lambda y: apply_model(trainer.generator, y, multiple=cfg["multiple"]),
                      val, val_sigma, seed=0, keep_images=True, noise=val_noise)
        kept = ev.images.values()
        row = {"epoch": epoch, **sums, "val_psnr": ev.psnr,
               "val_swd": sliced_wasserstein([k["clean"] for k in kept], [k["denoised"] for k in kept]),
               "learning_rate": trainer.learning_rate, "seconds": state["seconds"]}
        new = not os.path.isfile(log_path)
        with open(log_path, "a", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(row))
            if new:
                writer.writeheader()
            writer.writerow(row)
        trainer.save(out)
        save_state(out, state)
        if verbose:
            print(" ".join(f"{k}={v:.4g}" for k, v in row.items()), flush=True)
        if out_of_time(cfg, state):
            break
