import numpy as np
import pytest

from denoise_utils import config


def test_budget_switch(monkeypatch):
    monkeypatch.delenv("DENOISE_BUDGET", raising=False)
    config.set_budget(None)
    assert config.get_budget() == "quick" and config.pick(1, 2) == 1
    monkeypatch.setenv("DENOISE_BUDGET", "full")
    assert config.pick(1, 2) == 2
    assert config.set_budget("quick") == "quick" and config.pick(1, 2) == 1
    config.set_budget(None)
    monkeypatch.setenv("DENOISE_BUDGET", "huge")
    with pytest.raises(ValueError, match="DENOISE_BUDGET"):
        config.get_budget()
    with pytest.raises(ValueError, match="budget"):
        config.set_budget("huge")


def test_data_dir(monkeypatch, tmp_path):
    monkeypatch.delenv("DENOISE_DATA_DIR", raising=False)
    assert config.data_dir() is None
    monkeypatch.setenv("DENOISE_DATA_DIR", str(tmp_path))
    assert config.data_dir() == str(tmp_path)
    monkeypatch.setenv("DENOISE_DATA_DIR", str(tmp_path / "typo"))
    with pytest.raises(FileNotFoundError, match="typo"):
        config.data_dir()


def test_set_seed_repeats():
    import keras

    config.set_seed(7)
    a = np.random.rand(3), keras.random.normal((3,))
    config.set_seed(7)
    b = np.random.rand(3), keras.random.normal((3,))
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_allclose(np.asarray(a[1]), np.asarray(b[1]))
    for bad in (-1, 1.5, "3", True):
        with pytest.raises(ValueError, match="seed"):
            config.set_seed(bad)


def test_tensorflow_python_warnings_are_silenced():
    """Retracing warnings would clutter the chapters' outputs; importing keras must not undo it."""
    import logging

    import keras  # noqa: F401

    import denoise_utils  # noqa: F401

    assert logging.getLogger("tensorflow").getEffectiveLevel() >= logging.ERROR
