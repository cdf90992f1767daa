"""The checkers of the book's exercises, one section per chapter (see ``labs``).

Each takes the student's answer (a function), calls it on cases of its own, and raises an
``AssertionError`` saying what was expected and what was found.
"""

import time

import numpy as np

from ..inference import dihedral, tiles
from ..interpret import filter_support
from ..noise import add_gaussian_noise
from ..pretrained import OPPONENT
from .registry import exercise


def _close(found, expected, what, rtol=1e-4, atol=1e-6):
    found = np.asarray(found, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    assert found.shape == expected.shape, f"{what}: expected shape {expected.shape}, found {found.shape}"
    if not np.allclose(found, expected, rtol=rtol, atol=atol):
        i = np.unravel_index(np.argmax(np.abs(found - expected)), found.shape) if found.shape else ()
        raise AssertionError(f"{what}: expected {expected[i]:.6g}, found {found[i]:.6g}"
                             + (f" at index {tuple(int(j) for j in i)}" if i else ""))


def _images(seed=0, shape=(24, 32)):
    rng = np.random.default_rng(seed)
    return [rng.random(shape).astype(np.float32) for _ in range(3)]


# ---- chapter 1 -------------------------------------------------------------------------

@exercise("1.1", "PSNR", "PSNR = 10 log10(peak² / MSE) with peak 1 for images in [0, 1].")
def _psnr(fn):
    from ..metrics import psnr
    a, b, _ = _images(1)
    for clean, est in ((a, b), (a, np.clip(a + 0.01, 0, 1)), (a * 0.5, a * 0.5 + 0.05)):
        _close(fn(clean, est), psnr(clean, est), "psnr(clean, estimate)")


@exercise("1.2", "Gaussian noise on the 0-255 scale",
          "σ is on the 0-255 scale, the image in [0, 1]: the noise's standard deviation is "
          "σ / 255; don't clip; draw from np.random.default_rng(seed).")
def _noise(fn):
    clean = np.full((200, 200), 0.5, np.float32)
    noisy = np.asarray(fn(clean, 25, 0))
    assert noisy.shape == clean.shape, f"expected shape {clean.shape}, found {noisy.shape}"
    std = float(np.std(noisy - clean))
    assert abs(std - 25 / 255) < 0.005, f"noise standard deviation: expected {25 / 255:.4f}, found {std:.4f}"
    edge = np.asarray(fn(np.zeros((100, 100), np.float32), 25, 0))
    assert edge.min() < 0, "no value below 0 on a black image: the noise was clipped"
    np.testing.assert_array_equal(np.asarray(fn(clean, 25, 3)), np.asarray(fn(clean, 25, 3)),
                                  err_msg="the same seed gave different noise")
    assert not np.array_equal(np.asarray(fn(clean, 25, 3)), np.asarray(fn(clean, 25, 4))), \
        "two seeds gave the same noise"


@exercise("1.3", "choose a filter on a held-out image",
          "Denoise the held-out image with each width, score each with PSNR against its "
          "clean version, return the width that scores highest.")
def _choose(fn):
    from skimage.filters import gaussian

    from ..metrics import psnr
    rng = np.random.default_rng(0)
    clean = gaussian(rng.random((64, 64)), 3).astype(np.float32)
    clean = (clean - clean.min()) / (clean.max() - clean.min())
    widths = [0.5, 1.0, 2.0, 4.0]
    for sigma in (10, 50):
        noisy = add_gaussian_noise(clean, sigma, seed=1)
        best = max(widths, key=lambda w: psnr(clean, gaussian(noisy, w)))
        found = fn(clean, noisy, widths)
        assert found == best, f"at σ = {sigma}: expected width {best}, found {found}"


# ---- chapter 2 -------------------------------------------------------------------------

@exercise("2.1", "parameters of a convolution",
          "A k×k convolution from c_in to c_out channels has one k×k×c_in kernel per output "
          "channel, plus one bias per output channel.")
def _params(fn):
    for k, c_in, c_out in ((3, 1, 64), (3, 64, 64), (5, 3, 16), (1, 8, 2)):
        expected = k * k * c_in * c_out + c_out
        assert fn(k, c_in, c_out) == expected, \
            f"count_params({k}, {c_in}, {c_out}): expected {expected}, found {fn(k, c_in, c_out)}"


@exercise("2.3", "a residual CNN denoiser",
          "The network predicts the noise; the model returns the noisy input minus that "
          "prediction (keras.layers.Subtract), same size as its input (padding='same').")
def _residual(fn):
    import keras
    model = fn(3, 8)
    assert isinstance(model, keras.Model), f"expected a keras.Model, found {type(model).__name__}"
    x = np.random.default_rng(0).random((2, 20, 28, 1)).astype(np.float32)
    out = np.asarray(model(x))
    assert out.shape == x.shape, f"output shape: expected {x.shape}, found {out.shape}"
    convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    assert len(convs) == 3, f"expected 3 convolutions, found {len(convs)}"
    last = convs[-1]
    last.set_weights([np.zeros_like(w) for w in last.get_weights()])
    _close(np.asarray(model(x)), x, "with its last convolution zeroed, the model's output "
           "(a residual model returns its input)")


@exercise("2.2", "receptive field",
          "Each k×k convolution (stride 1) widens what one output pixel sees by k - 1 pixels.")
def _field(fn):
    for depth, k in ((1, 3), (17, 3), (5, 5), (20, 3)):
        expected = depth * (k - 1) + 1
        assert fn(depth, k) == expected, \
            f"receptive_field({depth}, {k}): expected {expected}, found {fn(depth, k)}"


# ---- chapter 3.1 -----------------------------------------------------------------------

def _correlate_same(image, kernel):
    from scipy.signal import correlate2d
    return correlate2d(image, kernel, mode="same", boundary="fill")


@exercise("3.1.1", "a 2-D convolution as Keras computes it",
          "Keras's Conv2D is a cross-correlation: the kernel is not flipped. 'same' padding "
          "adds k // 2 zeros on each side.")
def _conv(fn):
    rng = np.random.default_rng(0)
    image = rng.random((9, 11))
    for kernel in (rng.standard_normal((3, 3)), rng.standard_normal((5, 5))):
        _close(fn(image, kernel), _correlate_same(image, kernel), "conv2d(image, kernel)")


@exercise("3.1.2", "batch normalisation in training",
          "Normalise each channel (last axis) with the mean and variance over every other axis "
          "of the batch (the biased variance), then scale by gamma and shift by beta; eps "
          "goes inside the square root.")
def _bn(fn):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 5, 6, 3)) * 3 + 2
    gamma, beta = np.array([1.0, 2.0, 0.5]), np.array([0.0, -1.0, 3.0])
    mean, var = x.mean(axis=(0, 1, 2)), x.var(axis=(0, 1, 2))
    _close(fn(x, gamma, beta, 1e-3), gamma * (x - mean) / np.sqrt(var + 1e-3) + beta,
           "batch_norm(x, gamma, beta, eps)")


@exercise("3.1.3", "the gradient of the MSE",
          "d/dŷ of mean((ŷ - y)²) is 2 (ŷ - y) / N, with N the number of elements.")
def _grad(fn):
    rng = np.random.default_rng(0)
    pred, target = rng.random((3, 4, 5)), rng.random((3, 4, 5))
    _close(fn(pred, target), 2 * (pred - target) / pred.size, "mse_gradient(pred, target)")


# ---- chapter 4.1 -----------------------------------------------------------------------

@exercise("4.1.1", "patches for training",
          "Slide a size×size window with the given stride over rows and columns; stack the "
          "windows, row by row, into an array of shape (N, size, size).")
def _patches(fn):
    image = np.arange(10 * 13, dtype=np.float32).reshape(10, 13)
    size, stride = 4, 3
    expected = np.stack([image[r:r + size, c:c + size] for r in range(0, 10 - size + 1, stride)
                         for c in range(0, 13 - size + 1, stride)])
    _close(fn(image, size, stride), expected, "patches(image, 4, 3)")


def _dihedral(x):
    return [dihedral(x, k) for k in range(8)]


@exercise("4.1.2", "the eight flips and rotations",
          "Four rotations (np.rot90 with k = 0..3) of the patch and of its mirror image "
          "(patch[:, ::-1]); k = 0 leaves the patch as it is.")
def _augment(fn):
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    outs = [np.asarray(fn(x, k)) for k in range(8)]
    _close(outs[0], x, "augment(x, 0)")
    keys = {o.tobytes() + bytes(o.shape) for o in outs}
    want = {o.tobytes() + bytes(o.shape) for o in _dihedral(x)}
    assert keys == want, (f"expected the 8 distinct flips and rotations; found {len(keys)} "
                          f"distinct arrays, {len(keys & want)} of them flips or rotations")


@exercise("4.1.3", "self-ensemble",
          "Transform the image (k = 0..7), denoise, undo the transform on the output (rotate "
          "back, then unflip), and average the 8 results.")
def _ensemble(fn):
    x = np.random.default_rng(0).random((6, 6)).astype(np.float32)

    def lopsided(y):  # a "denoiser" that treats directions differently
        return 0.5 * y + 0.5 * np.roll(y, 1, axis=1)

    expected = np.mean([dihedral(lopsided(t), k, inverse=True) for k, t in enumerate(_dihedral(x))], axis=0)
    _close(fn(lopsided, x), expected, "self_ensemble(denoiser, noisy)")


# ---- chapter 3.2 -----------------------------------------------------------------------

@exercise("3.2.1", "one step of a recurrent network",
          "h^t = tanh(W x^t + U h^(t-1) + b): W maps the input, U the old state; matrix "
          "products (@), then the non-linearity.")
def _rnn_step(fn):
    rng = np.random.default_rng(0)
    w, u, b = rng.standard_normal((4, 2)), rng.standard_normal((4, 4)), rng.standard_normal(4)
    h, x = rng.standard_normal(4), rng.standard_normal(2)
    try:
        found = fn(h, x, w, u, b)
    except ValueError as err:             # W @ h: the chapter's W maps the input, not the state
        raise AssertionError(f"rnn_step(h, x, W, U, b) with a 2-number input and a 4-number state: "
                             f"expected W (4 x 2) to multiply x and U (4 x 4) to multiply h; found "
                             f"an error ({err})") from None
    _close(found, np.tanh(w @ x + u @ h + b), "rnn_step(h, x, W, U, b)")


@exercise("3.2.2", "the gradient through many steps",
          "For h^t = U h^(t-1), dh^T/dh^0 is U multiplied by itself T times "
          "(np.linalg.matrix_power); its size is the spectral norm, np.linalg.norm(..., 2).")
def _bptt(fn):
    rng = np.random.default_rng(1)
    q, _ = np.linalg.qr(rng.standard_normal((5, 5)))
    for scale in (0.8, 1.2):
        # not symmetric: ||U||^T and |largest eigenvalue|^T are not the answer
        t = np.diag([1.0, 0.9, 0.7, 0.5, 0.3]) + np.triu(np.full((5, 5), 0.3), 1)
        u = scale * q @ t @ q.T
        for steps in (1, 10, 30):
            _close(fn(u, steps), np.linalg.norm(np.linalg.matrix_power(u, steps), 2),
                   f"gradient_norm(U, {steps}) at scale {scale}", rtol=1e-6)


@exercise("3.2.3", "an image as sequences",
          "Rows: each of the N·H rows is a sequence of W pixels. Columns: swap the height and "
          "width axes first (np.transpose), then do the same.")
def _as_sequences(fn):
    x = np.arange(2 * 3 * 4 * 1, dtype=np.float32).reshape(2, 3, 4, 1)
    _close(fn(x, "rows"), x.reshape(6, 4, 1), "as_sequences(x, 'rows')")
    _close(fn(x, "columns"), x.transpose(0, 2, 1, 3).reshape(8, 3, 1), "as_sequences(x, 'columns')")


# ---- chapter 3.3 -----------------------------------------------------------------------

@exercise("3.3.1", "the optimal discriminator",
          "For a fixed generator, D*(x) = p_data(x) / (p_data(x) + p_g(x)).")
def _dstar(fn):
    p, q = np.array([0.1, 0.5, 0.2, 0.0]), np.array([0.3, 0.5, 0.0, 0.2])
    _close(fn(p, q), p / (p + q), "optimal_discriminator(p_data, p_g)")


@exercise("3.3.2", "the generator's two losses",
          "Saturating: the generator minimises mean(log(1 - D(G(z)))). Non-saturating ('ns'): "
          "it minimises -mean(log D(G(z))).")
def _gloss(fn):
    d = np.array([0.01, 0.2, 0.6])
    _close(fn(d, "saturating"), np.mean(np.log(1 - d)), "generator_loss(d, 'saturating')")
    _close(fn(d, "ns"), -np.mean(np.log(d)), "generator_loss(d, 'ns')")


@exercise("3.3.3", "the Jensen-Shannon divergence",
          "JS(p, q) = KL(p‖m)/2 + KL(q‖m)/2 with m = (p + q)/2, natural logarithms, and "
          "0 log 0 = 0.")
def _js(fn):
    def kl(a, b):
        nz = a > 0
        return float(np.sum(a[nz] * np.log(a[nz] / b[nz])))
    for p, q in (([0.5, 0.5, 0.0], [0.0, 0.5, 0.5]), ([0.2, 0.3, 0.5], [0.2, 0.3, 0.5]),
                 ([1.0, 0.0, 0.0], [0.0, 0.0, 1.0]), ([0.7, 0.2, 0.1], [0.1, 0.3, 0.6])):
        p, q = np.array(p), np.array(q)
        m = (p + q) / 2
        _close(fn(p, q), kl(p, m) / 2 + kl(q, m) / 2, f"js(p={p.tolist()}, q={q.tolist()})")


# ---- chapter 3.4 -----------------------------------------------------------------------

@exercise("3.4.1", "PCA, the optimal linear encoder",
          "Centre the rows of X (subtract the mean), take the SVD, and return the first k right "
          "singular vectors as the columns of a (d, k) matrix.")
def _pca(fn):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((200, 6)) @ np.diag([3, 2, 1, 0.5, 0.2, 0.1]) + 5.0
    _, _, vt = np.linalg.svd(x - x.mean(0), full_matrices=False)
    want = vt[:2].T
    found = np.asarray(fn(x, 2), np.float64)
    assert found.shape == want.shape, f"expected shape {want.shape}, found {found.shape}"
    _close(found @ found.T, want @ want.T, "the projection V Vᵀ onto your k directions", atol=1e-6)


@exercise("3.4.2", "the best linear denoiser's gain",
          "Along a principal direction of variance λ, the best linear estimate from a "
          "noisy value keeps the fraction λ / (λ + σ²).")
def _gain(fn):
    lam = np.array([4.0, 1.0, 0.25, 0.0])
    _close(fn(lam, 1.0), lam / (lam + 1.0), "wiener_gain(variances, 1.0)")
    _close(fn(lam, 0.25), lam / (lam + 0.25), "wiener_gain(variances, 0.25)")


@exercise("3.4.3", "a convolution's output size",
          "'same': ceil(n / stride). 'valid': floor((n - k) / stride) + 1.")
def _outsize(fn):
    for n, k, s, pad in ((28, 3, 1, "same"), (28, 3, 2, "same"), (27, 3, 2, "same"),
                         (28, 3, 1, "valid"), (28, 3, 2, "valid"), (32, 5, 2, "valid")):
        want = -(-n // s) if pad == "same" else (n - k) // s + 1
        assert fn(n, k, s, pad) == want, f"output_size({n}, {k}, {s}, {pad!r}): expected {want}, found {fn(n, k, s, pad)}"


# ---- chapter 4.2 -----------------------------------------------------------------------

def _recursive(x, a):
    out, h = np.empty_like(x, dtype=np.float64), np.zeros(x.shape[:-1])
    for t in range(x.shape[-1]):
        h = a * h + (1 - a) * x[..., t]
        out[..., t] = h
    return out


@exercise("4.2.1", "a linear recurrence along rows",
          "Start from h = 0 and, along the last axis, h_t = a h_(t-1) + (1 - a) x_t; keep every h_t.")
def _scan(fn):
    x = np.random.default_rng(0).random((3, 7))
    _close(fn(x, 0.6), _recursive(x, 0.6), "scan(x, 0.6)")


@exercise("4.2.2", "both directions",
          "Run the recurrence left to right, and again right to left (reverse, scan, reverse "
          "back), and average the two.")
def _twoway(fn):
    x = np.random.default_rng(1).random((2, 9))
    want = (_recursive(x, 0.5) + _recursive(x[..., ::-1], 0.5)[..., ::-1]) / 2
    _close(fn(x, 0.5), want, "two_way(x, 0.5)")


@exercise("4.2.3", "recurrence across iterations",
          "Start from the noisy image; each step calls refine(estimate, noisy) with the "
          "latest estimate; return the list of the `steps` estimates.")
def _iterate(fn):
    noisy = np.array([1.0, 0.0, 4.0])

    def refine(estimate, y):
        return 0.5 * estimate + 0.25 * y + 1.0

    found = fn(refine, noisy, 3)
    assert len(found) == 3, f"expected 3 estimates, found {len(found)}"
    est, want = noisy, []
    for _ in range(3):
        est = refine(est, noisy)
        want.append(est)
    for k in range(3):
        _close(found[k], want[k], f"estimate {k + 1}")


# ---- chapter 4.3 -----------------------------------------------------------------------

@exercise("4.3.1", "the discriminator's accuracy",
          "A real sample is classified right when D > 0.5, a generated one when D < 0.5; "
          "average over all samples of both kinds.")
def _acc(fn):
    real, fake = np.array([0.9, 0.4, 0.7, 0.6]), np.array([0.2, 0.8])
    _close(fn(real, fake), 4 / 6, "accuracy(d_real, d_fake)")


@exercise("4.3.2", "the relativistic discriminator",
          "RaGAN: the logit for a real sample is c(real) - mean(c(fake)), for a fake one "
          "c(fake) - mean(c(real)).")
def _ragan(fn):
    cr, cf = np.array([2.0, 1.0, 0.0]), np.array([-1.0, 0.5])
    real, fake = fn(cr, cf)
    _close(real, cr - cf.mean(), "ragan_logits(...)[0] (real)")
    _close(fake, cf - cr.mean(), "ragan_logits(...)[1] (fake)")


def _hf_share(image, cut=0.25):
    power = np.abs(np.fft.fft2(image - image.mean())) ** 2
    fy, fx = np.meshgrid(np.fft.fftfreq(image.shape[0]), np.fft.fftfreq(image.shape[1]), indexing="ij")
    return float(power[np.hypot(fy, fx) > cut].sum() / power.sum())


@exercise("4.3.3", "high-frequency power",
          "Subtract the mean, take |FFT|², build each frequency's radius from np.fft.fftfreq "
          "of both axes, and divide the power above the cut by the total.")
def _hf(fn):
    rng = np.random.default_rng(0)
    smooth = np.outer(np.sin(np.arange(32) / 5), np.cos(np.arange(40) / 7))
    for image in (smooth, smooth + 0.3 * rng.standard_normal((32, 40)), rng.random((32, 40))):
        _close(fn(image, 0.25), _hf_share(image, 0.25), "high_frequency_share(image, 0.25)")


# ---- chapter 4.4 -----------------------------------------------------------------------

@exercise("4.4.1", "padding to the U-Net's grid",
          "Pad the bottom and right only, with mode='symmetric', by -n % multiple pixels.")
def _pad(fn):
    x = np.arange(5 * 7, dtype=np.float32).reshape(5, 7)
    _close(fn(x, 4), np.pad(x, ((0, 3), (0, 1)), mode="symmetric"), "pad_to_multiple(x, 4)")
    _close(fn(x[:4, :4], 4), x[:4, :4], "pad_to_multiple of a 4×4 image, multiple 4")


@exercise("4.4.2", "an opponent colour space",
          "Multiply each pixel's (R, G, B) by the matrix: z = rgb @ M.T, then add 0.5 to the "
          "two colour-difference channels.")
def _opp(fn):
    rgb = np.random.default_rng(0).random((4, 5, 3))
    _close(fn(rgb), rgb @ OPPONENT.T + np.array([0, 0.5, 0.5]), "to_opponent(rgb)")


@exercise("4.4.3", "the noise level of each opponent channel",
          "A channel that is w · (R, G, B) of independent noise of level σ has level σ ‖w‖.")
def _levels(fn):
    _close(fn(25.0), 25.0 * np.linalg.norm(OPPONENT, axis=1), "opponent_sigmas(25)")


# ---- chapter 4.5 -----------------------------------------------------------------------

@exercise("4.5.1", "milliseconds per megapixel",
          "A megapixel is a million pixels: ms/MP = 1000 · seconds / (height · width / 1e6).")
def _msmp(fn):
    _close(fn(0.5, (1000, 2000)), 250.0, "ms_per_megapixel(0.5, (1000, 2000))")
    _close(fn(3.0, (512, 512)), 3000 / (512 * 512 / 1e6), "ms_per_megapixel(3.0, (512, 512))")


def _front(points):
    return sorted(i for i, (t, q) in enumerate(points)
                  if not any((t2 <= t and q2 >= q) and (t2, q2) != (t, q) for t2, q2 in points))


@exercise("4.5.2", "the Pareto front",
          "A model is on the front unless another is at least as fast and at least as good, "
          "and strictly better in one of the two.")
def _pareto(fn):
    points = [(10, 30.0), (5, 29.0), (20, 30.5), (12, 29.5), (5, 28.0), (30, 30.4)]
    found = sorted(fn(points))
    assert found == _front(points), f"expected indices {_front(points)}, found {found}"


@exercise("4.5.3", "a fair timing",
          "Call the function once to warm up (it compiles, caches, loads), then time `repeats` "
          "calls with time.perf_counter and return the median of those.")
def _timing(fn):
    calls = []

    def slow_first():
        calls.append(time.perf_counter())
        time.sleep([0.2, 0.01, 0.1, 0.01][min(len(calls), 4) - 1])

    found = fn(slow_first, 3)
    assert len(calls) == 4, f"expected 4 calls (one warm-up and 3 timed), found {len(calls)}"
    assert 0.005 < found < 0.03, (f"the timed calls took about 0.01, 0.1 and 0.01 s: expected "
                                  f"their median, about 0.01 s, found {found:.3f} s")


# ---- chapter 5.1 -----------------------------------------------------------------------

@exercise("5.1.1", "the Anscombe transform",
          "A(x) = 2 √(x + 3/8) turns Poisson counts into values of variance about 1.")
def _anscombe(fn):
    x = np.array([0.0, 1.0, 5.0, 100.0])
    _close(fn(x), 2 * np.sqrt(x + 3 / 8), "anscombe(x)")


@exercise("5.1.2", "shot noise",
          "Counts are Poisson with mean image · peak (rng.poisson); divide them by peak to come "
          "back to [0, 1]. Use np.random.default_rng(seed).")
def _shot(fn):
    clean = np.full((300, 300), 0.4)
    noisy = np.asarray(fn(clean, 10.0, 0), np.float64)
    assert noisy.shape == clean.shape, f"expected shape {clean.shape}, found {noisy.shape}"
    assert abs(noisy.mean() - 0.4) < 0.01, f"mean: expected 0.4, found {noisy.mean():.3f}"
    assert abs(noisy.var() - 0.04) < 0.004, f"variance: expected image / peak = 0.04, found {noisy.var():.4f}"
    counts = noisy * 10
    odd = counts[~np.isclose(counts, np.round(counts))]
    assert odd.size == 0, f"values × peak: expected whole photon counts, found {odd.flat[0]:.3f}"


@exercise("5.1.3", "the level of a noise that depends on the signal",
          "Camera noise has variance shot · x + read at brightness x; its level on the 0-255 "
          "scale is 255 √(shot · x + read).")
def _level(fn):
    x = np.array([0.0, 0.1, 0.5, 1.0])
    _close(fn(x, 0.01, 1e-4), 255 * np.sqrt(0.01 * x + 1e-4), "noise_level(x, 0.01, 1e-4)")


def _median_switch(noisy):
    from scipy.ndimage import median_filter
    return np.where((noisy == 0) | (noisy == 1), median_filter(noisy, size=3, mode="reflect"), noisy)


@exercise("5.1.5", "salt and pepper",
          "Draw one uniform number per pixel (np.random.default_rng(seed).random): below "
          "amount/2 the pixel becomes 0, between amount/2 and amount it becomes 1.")
def _sp(fn):
    clean = np.full((200, 200), 0.5)
    noisy = np.asarray(fn(clean, 0.1, 0), np.float64)
    share0, share1 = float(np.mean(noisy == 0)), float(np.mean(noisy == 1))
    assert abs(share0 - 0.05) < 0.01 and abs(share1 - 0.05) < 0.01, \
        f"expected 5 % of pixels at 0 and 5 % at 1, found {100 * share0:.1f} % and {100 * share1:.1f} %"
    assert np.all((noisy == 0) | (noisy == 1) | (noisy == 0.5)), "other pixels must keep their value"


@exercise("5.1.6", "a switching median",
          "Only pixels that are exactly 0 or 1 are replaced, by the median of their 3×3 "
          "neighbourhood (scipy.ndimage.median_filter(noisy, size=3)); any border mode.")
def _switch(fn):
    rng = np.random.default_rng(0)
    noisy = rng.random((20, 24))
    noisy[rng.random(noisy.shape) < 0.1] = 0.0
    noisy[rng.random(noisy.shape) < 0.1] = 1.0
    found = np.asarray(fn(noisy))
    assert found.shape == noisy.shape, f"switching_median(noisy): expected shape {noisy.shape}, found {found.shape}"
    # any border handling is accepted: the interior only
    _close(found[1:-1, 1:-1], _median_switch(noisy)[1:-1, 1:-1], "switching_median(noisy) inside the border")


@exercise("5.1.7", "correlated noise of a given level",
          "Filter white noise with the kernel divided by its Euclidean norm "
          "(np.sqrt(np.sum(kernel ** 2))), so the level stays sigma; scipy.ndimage.convolve, "
          "mode='wrap'.")
def _corr(fn):
    kernel = np.ones((3, 3))
    noise = np.asarray(fn((300, 300), 25.0, kernel, 0), np.float64)
    assert noise.shape == (300, 300), f"expected shape (300, 300), found {noise.shape}"
    assert abs(noise.std() * 255 - 25) < 1.0, f"level: expected 25, found {noise.std() * 255:.2f}"
    c = np.corrcoef(noise[:, :-1].ravel(), noise[:, 1:].ravel())[0, 1]
    assert abs(c - 2 / 3) < 0.05, f"correlation of neighbours: expected about 0.67 for a 3×3 box, found {c:.2f}"


@exercise("5.1.9", "a Bayer mosaic",
          "RGGB: red at even rows and even columns, green where row + column is odd, blue at "
          "odd rows and odd columns; one value per pixel.")
def _bayer(fn):
    rgb = np.random.default_rng(0).random((4, 6, 3))
    want = rgb[..., 1].copy()
    want[0::2, 0::2] = rgb[0::2, 0::2, 0]
    want[1::2, 1::2] = rgb[1::2, 1::2, 2]
    _close(fn(rgb), want, "mosaic(rgb)")


@exercise("5.1.11", "a reference from a burst",
          "The reference is the mean over the shots (axis 0). One shot's noise level: the "
          "standard deviation over the shots (ddof=1) at each pixel, averaged over pixels.")
def _burst(fn):
    rng = np.random.default_rng(0)
    clean = rng.random((16, 20))
    shots = clean + 0.05 * rng.standard_normal((16, 16, 20))
    mean, level = fn(shots)
    _close(mean, shots.mean(0), "burst_reference(shots)[0]")
    _close(level, shots.std(0, ddof=1).mean(), "burst_reference(shots)[1], in the shots' own units",
           rtol=0.05)


@exercise("5.1.10", "noise that depends on the colour channel",
          "Each channel c has its own variance shot[c] · x + read[c]; draw "
          "rng.standard_normal(rgb.shape) once and scale it per pixel and channel.")
def _colour_noise(fn):
    rgb = np.full((200, 200, 3), 0.5)
    shot, read = np.array([0.01, 0.004, 0.02]), np.array([1e-4, 1e-4, 4e-4])
    noisy = np.asarray(fn(rgb, shot, read, 0), np.float64)
    assert noisy.shape == rgb.shape, f"expected shape {rgb.shape}, found {noisy.shape}"
    std = (noisy - rgb).std(axis=(0, 1))
    _close(std, np.sqrt(shot * 0.5 + read), "each channel's noise standard deviation", rtol=0.05)


# ---- chapter 5.2 -----------------------------------------------------------------------

@exercise("5.2.1", "a Noise2Noise pair",
          "Two independent draws of noise on the same clean image: one generator "
          "(np.random.default_rng(seed)), two calls; σ on the 0-255 scale.")
def _n2n(fn):
    clean = np.full((200, 200), 0.5)
    a, b = (np.asarray(v, np.float64) for v in fn(clean, 25.0, 0))
    for name, v in (("input", a), ("target", b)):
        assert abs((v - clean).std() - 25 / 255) < 0.005, f"{name}'s noise: expected level 25, found {255 * (v - clean).std():.2f}"
    c = np.corrcoef((a - clean).ravel(), (b - clean).ravel())[0, 1]
    assert abs(c) < 0.05, f"correlation of the two noises: expected about 0 (independent draws), found {c:.2f}"


@exercise("5.2.2", "the loss on masked pixels",
          "Average the squared error over the pixels where mask is True only: "
          "np.sum(mask · err²) / np.sum(mask).")
def _masked(fn):
    rng = np.random.default_rng(0)
    pred, target = rng.random((6, 7)), rng.random((6, 7))
    mask = rng.random((6, 7)) < 0.2
    _close(fn(pred, target, mask), np.mean((pred - target)[mask] ** 2), "masked_mse(pred, target, mask)")


@exercise("5.2.3", "SURE for a shrinkage",
          "For f(y) = a·y with noise variance s² = (σ/255)² per pixel, SURE = mean((f(y) - y)²) "
          "- s² + 2 s² · div/N, and the divergence of a·y is a per pixel.")
def _sure(fn):
    rng = np.random.default_rng(0)
    clean = rng.random((64, 64))
    y = clean + 25 / 255 * rng.standard_normal(clean.shape)
    s2 = (25 / 255) ** 2
    for a in (0.5, 0.9):
        want = np.mean((a * y - y) ** 2) - s2 + 2 * s2 * a
        _close(fn(y, 25.0, a), want, f"sure_shrink(y, 25, {a})", rtol=1e-6)


# ---- chapter 5.3 -----------------------------------------------------------------------

@exercise("5.3.1", "is the residual white?",
          "Correlate each pixel with its right-hand neighbour: np.corrcoef of the two "
          "flattened arrays r[:, :-1] and r[:, 1:].")
def _lag(fn):
    rng = np.random.default_rng(0)
    white = rng.standard_normal((100, 100))
    smooth = white + np.roll(white, 1, axis=1)
    for r in (white, smooth):
        _close(fn(r), np.corrcoef(r[:, :-1].ravel(), r[:, 1:].ravel())[0, 1], "neighbour_correlation(r)")


@exercise("5.3.2", "an equivalent filter by finite differences",
          "Output pixel (i, j) of the denoiser, as a function of every input pixel: nudge each "
          "input pixel by eps, once, and divide the change of output (i, j) by eps.")
def _jac(fn):
    from scipy.ndimage import uniform_filter
    y = np.random.default_rng(0).random((7, 8))

    def denoiser(img):
        return uniform_filter(img, size=3, mode="constant") * 0.5 + 0.5 * img

    want = np.zeros(y.shape)
    want[1:4, 2:5] = 0.5 / 9
    want[2, 3] += 0.5
    _close(fn(denoiser, y, 2, 3), want, "equivalent_filter(denoiser, y, 2, 3)", atol=1e-4)


@exercise("5.3.3", "a filter's support",
          "Sort the squared weights from the largest down and count how many it takes to "
          "reach `share` of their sum.")
def _support(fn):
    rng = np.random.default_rng(0)
    for w in (np.eye(5), rng.standard_normal((9, 9)), np.pad(np.ones((2, 2)), 3)):
        assert fn(w, 0.9) == filter_support(w, 0.9), \
            f"support of a filter: expected {filter_support(w, 0.9)}, found {fn(w, 0.9)}"


# ---- chapter 5.4 -----------------------------------------------------------------------

@exercise("5.4.1", "attention weights",
          "Scores q @ k.T divided by sqrt(d), d = q.shape[-1]; then a softmax along the keys "
          "(axis -1): subtract each row's maximum, exponentiate, divide by the row's sum.")
def _attention_weights(fn):
    rng = np.random.default_rng(0)
    q, k = rng.standard_normal((5, 8)), rng.standard_normal((7, 8))
    scores = q @ k.T / np.sqrt(8)
    want = np.exp(scores - scores.max(axis=1, keepdims=True))
    want /= want.sum(axis=1, keepdims=True)
    found = np.asarray(fn(q, k))
    assert found.shape == (5, 7), f"attention_weights(q, k): expected shape (5, 7), found {found.shape}"
    _close(found, want, "attention_weights(q, k)")
    big = np.asarray(fn(100 * q, 100 * k))          # large scores must not overflow
    assert np.all(np.isfinite(big)), "attention_weights overflows for large scores: subtract the row maximum"


def _windows(image, s):
    h, w, c = image.shape
    return image.reshape(h // s, s, w // s, s, c).transpose(0, 2, 1, 3, 4).reshape(-1, s * s, c)


@exercise("5.4.2", "windows back into an image",
          "Undo the three steps of windows() in reverse order: reshape to (h/s, w/s, s, s, C), "
          "swap the two middle axes back, reshape to (h, w, C).")
def _merge_windows(fn):
    image = np.random.default_rng(0).random((8, 12, 3))
    for s in (2, 4):
        _close(np.asarray(fn(_windows(image, s), 8, 12, s)), image, f"merge_windows(windows(image, {s}), 8, 12, {s})")


@exercise("5.4.3", "where global attention stops fitting",
          "N = side**2 pixels give N**2 = side**4 weights: take the fourth root of memory / "
          "bytes_per_weight, and make sure side**4 weights fit while (side + 1)**4 do not.")
def _largest_side(fn):
    for memory, b in ((24 * 2 ** 30, 4), (10 ** 12, 2), (4 * 256 ** 4, 4), (4 * 256 ** 4 - 1, 4)):
        want = int(round((memory / b) ** 0.25))
        while b * want ** 4 > memory:
            want -= 1
        while b * (want + 1) ** 4 <= memory:
            want += 1
        found = fn(memory, b)
        assert found == want, f"largest_side({memory}, {b}): expected {want}, found {found}"


# ---- chapter 5.5 -------------------------------------------------------------------------

@exercise("5.5.1", "Tweedie's formula",
          "E[x | y] = y + sigma**2 * score: the noisy value moved along the score, scaled by the "
          "noise variance.")
def _posterior_mean(fn):
    y = np.linspace(-0.2, 1.2, 15)
    for sigma, mu, tau in ((0.1, 0.4, 0.2), (0.3, 0.6, 0.1)):
        score = -(y - mu) / (tau ** 2 + sigma ** 2)          # a Gaussian prior's noisy density
        want = (tau ** 2 * y + sigma ** 2 * mu) / (tau ** 2 + sigma ** 2)
        _close(np.asarray(fn(y, score, sigma)), want, f"posterior_mean(y, score, {sigma})")


@exercise("5.5.2", "the inpainting data step",
          "np.where(mask, ..., z): where the pixel is known (y + mu * z) / (1 + mu), elsewhere z.")
def _data_step(fn):
    rng = np.random.default_rng(0)
    y, z = rng.random((6, 7)), rng.random((6, 7))
    mask = rng.random((6, 7)) < 0.4
    _close(np.asarray(fn(y, mask, z)), np.where(mask, y, z), "data_step(y, mask, z)")
    _close(np.asarray(fn(y, mask, z, 0.5)), np.where(mask, (y + 0.5 * z) / 1.5, z), "data_step(y, mask, z, 0.5)")


@exercise("5.5.3", "one step of the sampler",
          "r = t / s; x_hat + r**2 * (x - x_hat) + t * sqrt(1 - r**2) * eps. At t = 0 the step "
          "returns x_hat.")
def _sampler_step(fn):
    rng = np.random.default_rng(0)
    x, x_hat, eps = rng.random(9), rng.random(9), rng.standard_normal(9)
    for s, t in ((0.4, 0.2), (0.1, 0.0)):
        r = t / s
        want = x_hat + r ** 2 * (x - x_hat) + t * np.sqrt(1 - r ** 2) * eps
        _close(np.asarray(fn(x, x_hat, s, t, eps)), want, f"sampler_step(x, x_hat, {s}, {t}, eps)")


# ---- chapter 6 -------------------------------------------------------------------------

@exercise("6.1", "which route for which photo",
          "A camera or phone photo: noise='camera' (no sigma). Gaussian noise of known level: "
          "sigma=that level. Unknown level: sigma=None.")
def _route(fn):
    cases = [((True, None), {"noise": "camera"}), ((False, 15), {"sigma": 15}), ((False, None), {"sigma": None})]
    for args, want in cases:
        found = fn(*args)
        if isinstance(found, dict) and found.get("noise") == "gaussian":   # the default, said aloud
            found = {k: v for k, v in found.items() if k != "noise"}
        assert found == want, f"route(camera={args[0]}, sigma={args[1]}): expected {want}, found {found}"


@exercise("6.2", "images to floats in [0, 1]",
          "uint8 is divided by 255, uint16 by 65535; floats are kept; the result is float32.")
def _tofloat(fn):
    for image, want in ((np.array([0, 255], np.uint8), [0, 1]), (np.array([0, 65535], np.uint16), [0, 1]),
                        (np.array([0.25, 0.5], np.float64), [0.25, 0.5])):
        found = np.asarray(fn(image))
        assert found.dtype == np.float32, f"{image.dtype} in: expected float32 out, found {found.dtype}"
        _close(found, want, f"to_float of {image.dtype}")


@exercise("6.3", "tiles with margins",
          "Cores start every `tile` pixels; each window reaches `margin` further on both sides, "
          "clipped to [0, length).")
def _tiles(fn):
    for length, tile, margin in ((10, 4, 2), (1000, 256, 48), (7, 10, 3)):
        want = list(tiles(length, tile, margin))
        found = [tuple(t) for t in fn(length, tile, margin)]
        assert found == want, f"tiles({length}, {tile}, {margin}): expected {want}, found {found}"
