"""The leaderboard command, and the model zoo page's table that is its output."""

import pathlib

import numpy as np
import pytest

import denoise_utils as du
from denoise_utils import __main__ as cli
from denoise_utils import leaderboard, pretrained
from denoise_utils.zoo import store

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _zoo_rows():
    rows = leaderboard.zoo_rows(ROOT / "book" / "model_zoo.md")
    assert rows, "the model zoo page has no generated leaderboard table"
    return rows


def test_measure_covers_every_model_and_formats(shipped):
    rng = np.random.default_rng(0)
    gray = {f"{i:02d}": rng.random((24, 20)).astype(np.float32) for i in range(2)}
    colour = {"c": rng.random((16, 16, 3)).astype(np.float32)}
    rows = leaderboard.measure(datasets={"set12": gray, "samples": colour}, classical=True)
    models = [r["model"] for r in rows]
    assert set(pretrained.available()) | {leaderboard.COLOUR_ROUTE} <= set(models)
    assert models.count("gray_blind") == 3                  # blind: at σ = 15, 25 and 50
    assert models.count("BM3D") == 4 and models.count("noisy input") == 4
    parsed = leaderboard.parse(leaderboard.markdown(rows))
    assert [r["model"] for r in parsed] == [f"`{m}`" for m in models]
    shipped_rows = [r for r in parsed if r["model"].strip("`") in pretrained.available()]
    assert all(r["×8 PSNR"] != "–" and r["ms / megapixel"] != "–" and r["parameters"] != "–"
               for r in shipped_rows)
    noisy = [r for r in parsed if r["model"] == "`noisy input`"]
    assert all(r["×8 PSNR"] == "–" and r["ms / megapixel"] == "–" for r in noisy)


def test_leaderboard_command(shipped, tmp_path, monkeypatch, capsys):
    folder = tmp_path / "set12"
    folder.mkdir()
    for i in range(12):
        du.save_image(folder / f"{i + 1:02d}.png", np.full((16, 20), 0.3 + 0.02 * i, np.float32))
    monkeypatch.setenv("DENOISE_DATA_DIR", str(tmp_path))
    assert cli.main(["leaderboard", "--markdown", "--no-timing", "--no-ensemble",
                     "--model", "gray_s25"]) == 0
    rows = leaderboard.parse(capsys.readouterr().out)
    assert [(r["model"], r["test set"], r["σ"]) for r in rows] == [("`gray_s25`", "set12", "25")]


def test_leaderboard_command_route_alone(shipped, capsys):
    assert cli.main(["leaderboard", "--markdown", "--no-timing", "--no-ensemble", "--route"]) == 0
    rows = leaderboard.parse(capsys.readouterr().out)
    assert [(r["model"], r["test set"], r["σ"]) for r in rows] == [(f"`{leaderboard.COLOUR_ROUTE}`", "samples", "25")]


def test_the_readme_lists_every_shipped_model():
    listed = {r["model"].strip("`") for r in _zoo_rows()}
    assert set(pretrained.available()) <= listed, set(pretrained.available()) - listed
    assert "python -m denoise_utils leaderboard --markdown --classical" in (ROOT / "book" / "model_zoo.md").read_text()


def test_the_readme_table_is_what_the_weights_score():
    """PSNR and SSIM of every shipped model, recomputed (without ×8 and timing, which CI
    cannot afford), must equal the model zoo page's cells to the printed digit."""
    try:
        du.load_dataset("set12", fallback=False)
    except RuntimeError:
        pytest.skip("needs Set12 in DENOISE_DATA_DIR")
    zoo = {(r["model"].strip("`"), r["test set"], r["σ"]): r for r in _zoo_rows()}
    for row in leaderboard.measure(ensemble=False, timing=False):
        key = (row["model"], row["dataset"], "real" if row["sigma"] is None else f"{row['sigma']:g}")
        assert key in zoo, f"the model zoo page lacks {key}"
        assert zoo[key]["PSNR (dB)"] == f"{row['psnr']:.2f}", key
        assert zoo[key]["SSIM"] == f"{row['ssim']:.4f}", key


def test_zoo_rows_reads_the_generated_block_or_nothing(tmp_path):
    assert leaderboard.zoo_rows(tmp_path / "missing.md") == []
    (tmp_path / "R.md").write_text("no table")
    with pytest.raises(ValueError, match="leaderboard block"):
        leaderboard.zoo_rows(tmp_path / "R.md")
    assert leaderboard.zoo_rows() == _zoo_rows()


def test_the_choice_table_covers_every_candidate_and_is_what_the_photos_measure():
    """``weights/choice.json``, what ``du.denoise`` chooses gray models by (issue 38): every level
    of the grid, every model that accepts it (a model shipped since must be measured), the
    best of each chosen, and one level measured again to the printed digit."""
    table = store.read_choice()
    assert set(table["psnr"]) == {f"{s:g}" for s in leaderboard.CHOICE_SIGMAS}
    assert table["images"] == sorted(du.sample_images(gray=True))
    for sigma, scores in table["psnr"].items():
        assert set(scores) == set(pretrained.candidates(1, float(sigma))), sigma
        assert pretrained.choose(1, float(sigma)) == max(scores, key=scores.get), sigma
    again = leaderboard.choice_table(sigmas=(20,))["psnr"]["20"]
    assert {k: round(v, 2) for k, v in again.items()} == {k: round(v, 2) for k, v in table["psnr"]["20"].items()}


def test_the_classical_rows_leave_bm3d_out_without_its_package(monkeypatch):
    """A reader who installed the package alone (no bm3d) gets the other classical rows (§4.5)."""
    from denoise_utils import classical

    rows = lambda: {name for name, _, _ in leaderboard.entries([], classical=True)}
    assert rows() == {"noisy input", "non-local means", "BM3D"}
    monkeypatch.setattr(classical, "bm3d_available", lambda: False)
    assert rows() == {"noisy input", "non-local means"}
