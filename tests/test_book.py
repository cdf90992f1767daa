"""du.glue and du.check_claim: how chapters quote numbers and check claims."""

import pytest

import denoise_utils as du
from denoise_utils import book


def test_check_asserts_what_the_text_says(capsys):
    du.check_claim(True, "a true claim")
    du.check_claim(lambda: 2 > 1, "a claim computed late")
    with pytest.raises(AssertionError, match="the text claims: 1 > 2"):
        du.check_claim(1 > 2, "1 > 2")


def test_a_claim_without_its_data_is_reported_not_passed(tmp_path, monkeypatch, capsys):
    log = tmp_path / "skipped.txt"
    monkeypatch.setenv("DENOISE_SKIPPED_LOG", str(log))
    monkeypatch.delenv("DENOISE_STRICT", raising=False)
    called = []
    du.check_claim(lambda: called.append(1), "needs Set12", needs=False)
    assert not called                                   # not even evaluated
    assert "NOT CHECKED" in capsys.readouterr().out
    assert log.read_text() == "needs Set12\n"
    monkeypatch.setenv("DENOISE_STRICT", "1")
    with pytest.raises(AssertionError, match="cannot check"):
        du.check_claim(True, "needs Set12", needs=False)


def test_glue_returns_the_value_and_reaches_myst_nb(monkeypatch):
    import myst_nb

    seen = {}
    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display: seen.update({name: value}))
    assert du.glue("gain", 1.25) == 1.25
    assert seen == {"gain": 1.25}
    import numpy as np

    du.glue("numpy", np.float64(2.5)), du.glue("count", np.int64(3))
    assert type(seen["numpy"]) is float and type(seen["count"]) is int   # repr "2.5", not np.float64(2.5)


def test_data_state_says_what_is_real(capsys):
    real = du.data.ImageSet({"a": 0}, "set12", "/data/set12")
    fake = du.data.ImageSet({"b": 0}, "set12", "scikit-image (fallback)")
    assert book.data_state(set12=real) is True
    assert book.data_state(set12=fake) is False
    assert "NOT CHECKED" in capsys.readouterr().out
