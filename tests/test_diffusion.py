"""§5.5: Tweedie's formula and the reverse-diffusion sampler, checked where the answer is known."""

import numpy as np
import pytest

from denoise_utils import diffusion

MU, TAU = 0.4, 0.1          # a Gaussian prior N(MU, TAU²) on [0, 1] values: every answer in closed form


def exact(y, level):
    """E[x | y] for the Gaussian prior at noise ``level`` (0-255 scale)."""
    s2 = (level / 255) ** 2
    return (TAU ** 2 * np.asarray(y, np.float64) + s2 * MU) / (TAU ** 2 + s2)


def test_tweedie_turns_the_exact_denoiser_into_the_exact_score():
    y = np.linspace(-0.5, 1.5, 41)
    for level in (5, 25, 100):
        s2 = (level / 255) ** 2
        np.testing.assert_allclose(diffusion.score(exact, y, level), -(y - MU) / (TAU ** 2 + s2), atol=1e-9)


def test_sampling_from_a_noisy_image_draws_from_the_posterior_as_steps_grow():
    rng = np.random.default_rng(0)
    sigma = 30.0
    s = sigma / 255
    x = MU + TAU * rng.standard_normal(200_000)
    y = x + s * rng.standard_normal(x.shape)
    post_mean, post_var = exact(y, sigma), TAU ** 2 * s ** 2 / (TAU ** 2 + s ** 2)
    spread = []
    for steps in (10, 50, 200):
        draws = diffusion.sample(exact, y, sigma, steps=steps, seed=1).astype(np.float64)
        assert abs(np.mean(draws - post_mean)) < 1e-3
        spread.append(np.var(draws - post_mean) / post_var)
    # each step plugs in the denoiser's mean for the clean image, so draws are a little too
    # concentrated; the shortfall shrinks as the steps get smaller
    assert spread[0] < spread[1] < spread[2] < 1 and spread[2] > 0.95, spread
    # a draw's error is twice the posterior mean's: the price of a sharp sample (§4.3, §5.5)
    assert np.mean((draws - x) ** 2) == pytest.approx(2 * np.mean((post_mean - x) ** 2), rel=0.03)


def test_sampling_from_pure_noise_draws_from_the_prior_and_a_seed_repeats():
    rng = np.random.default_rng(0)
    start = MU + np.sqrt(TAU ** 2 + 1.0) * rng.standard_normal(100_000)    # level 255: std 1
    draws = diffusion.sample(exact, start, 255, steps=200, seed=2)
    assert np.mean(draws) == pytest.approx(MU, abs=2e-3) and np.std(draws) == pytest.approx(TAU, rel=0.03)
    np.testing.assert_array_equal(draws, diffusion.sample(exact, start, 255, steps=200, seed=2))


def test_schedule_falls_to_zero_and_refuses_bad_levels():
    levels = diffusion.schedule(50, 1, 5)
    assert levels[0] == 50 and levels[-2] == pytest.approx(1) and levels[-1] == 0 and len(levels) == 6
    assert np.all(np.diff(levels) < 0)
    with pytest.raises(ValueError, match="stop"):
        diffusion.schedule(5, 10)
    with pytest.raises(ValueError, match="steps"):
        diffusion.schedule(5, 1, 0)
    with pytest.raises(ValueError, match="255"):
        diffusion.sample(exact, np.zeros(3), 300)


def test_sample_takes_its_levels_as_data():
    from denoise_utils import diffusion

    rng = np.random.default_rng(0)
    start = rng.standard_normal((8, 8)).astype(np.float32)
    den = lambda x, s: 0.5 * x  # noqa: E731
    levels = diffusion.schedule(25, 0.5, 5)
    np.testing.assert_array_equal(diffusion.sample(den, start, 25, steps=5, seed=1),
                                  diffusion.sample(den, start, 25, levels=levels[:-1], seed=1))
    with pytest.raises(ValueError, match="levels must fall"):
        diffusion.sample(den, start, 25, levels=[25, 30])


def test_a_callback_sees_every_step_of_the_sampler():
    seen = []
    out = diffusion.sample(lambda x, s: 0.5 * x, np.zeros(5), 20.0, steps=6, seed=0,
                           callback=lambda s, x, x0: seen.append((s, x, x0)))
    assert [s for s, _, _ in seen] == pytest.approx(list(diffusion.schedule(20.0, 0.5, 6)[:-1]))
    np.testing.assert_allclose(seen[-1][1], out)          # the last step returns x̂
    np.testing.assert_allclose(seen[-1][2], out)
