"""The book's statements in words about the shipped models and times (the model zoo page and
the user guide), held to the repo.

The leaderboard's PSNR and SSIM are recomputed in test_leaderboard.py; this file checks what
the pages say *about* the models (hardware, minutes, which were stopped early, which were
validated on a test set, what ``du.denoise`` picks, how long a photo takes) against their
configs, logs, ``command.txt`` and the code, so a sentence fails here when it stops being true.
No data and no network needed.
"""

import pathlib
import re

import numpy as np
import pytest

from denoise_utils import leaderboard, pretrained
from denoise_utils.zoo import store

ROOT = pathlib.Path(__file__).resolve().parents[1]
PAGES = "\n".join((ROOT / "book" / f"{name}.md").read_text(encoding="utf-8") for name in ("model_zoo", "user_guide"))
TEXT = " ".join(PAGES.split())           # the prose with its line breaks folded
SHIPPED = set(pretrained.available())
NUMBERS = {"three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8}


def _sentence(start, end="."):
    """The pages' text from ``start`` to the next ``end``."""
    assert start in TEXT, f"the model zoo page and user guide no longer say {start!r}"
    return TEXT.split(start, 1)[1].split(end, 1)[0]


def _names(text):
    return set(re.findall(r"`([a-z0-9_]+)`", text)) & set(SHIPPED)


def _command(name):
    return pathlib.Path(pretrained.path(name, "command.txt")).read_text(encoding="utf-8")


def _rows():
    return {(r["model"].strip("`"), r["σ"]): r for r in leaderboard.zoo_rows(ROOT / "book" / "model_zoo.md")}


def test_every_row_has_its_models_family_parameters_and_minutes():
    rows = [r for (name, _), r in _rows().items() if name in SHIPPED]
    assert {r["model"].strip("`") for r in rows} == set(SHIPPED)
    for r in rows:
        name = r["model"].strip("`")
        assert r["family"] == pretrained.info(name)["family"], name
        assert r["parameters"] == f"{pretrained.load(name).count_params():,}", name
        assert r["training minutes"] == leaderboard.model_minutes_cell(name), name


def test_the_gpu_models_are_the_five_of_section_5_2():
    said = re.search(r"marked `\(GPU\)` \(the (\w+) §5\.2 models, trained side by side, and the start "
                     r"of `(\w+)`'s chain\)", TEXT)
    assert said, "the model zoo page no longer says which minutes are GPU minutes"
    gpu = {n for n in SHIPPED if pretrained.info(n).get("device") == "gpu"}
    assert len(gpu) == NUMBERS[said.group(1)]
    for name in gpu:
        assert "H200" in _command(name) and "§5.2" in _command(name), name
        assert "side by side" in pretrained.info(name)["description"], name
    mixed = {n for n in SHIPPED - gpu if pretrained.minutes(n, total=True, device="gpu")}
    assert mixed == {said.group(2)}
    notebook = (ROOT / "chapters" / "05_2_less_data_less_compute.ipynb").read_text()
    assert all(f"{n}" in notebook for n in gpu)


def test_the_models_trained_on_one_core_and_the_intermediates():
    one_core = _names(TEXT.split("trained on one of the CPU's cores")[0].rsplit(". ", 1)[1])
    assert one_core == {n for n in SHIPPED if "one core" in _command(n) and "taskset -c 1" in _command(n)}
    stopped = _names(_sentence("beside other work;", "are intermediates"))
    assert stopped, "the model zoo page names no intermediate"
    for name in SHIPPED:
        cfg, log = pretrained.info(name), pretrained.log(name)
        says = f"stopped after epoch {cfg['epochs']}" in _command(name) and "intermediate" in cfg["description"]
        assert says == (name in stopped), name
        if says:
            assert len(log) == cfg["epochs"], name


def test_the_later_models_without_a_time_are_the_ones_named():
    named = _names(_sentence("closely: compare the U-Nets).", "were added later"))
    blank = {name for (name, _), r in _rows().items() if name in SHIPPED and r["ms / megapixel"] == "–"}
    assert named == blank and len(named) == NUMBERS[_sentence("with the ms / megapixel of ", " ")]


def test_the_colour_routes_row_without_a_time_is_the_one_said():
    said = "So is the colour route's on the colour photos: its row was measured again with `--route --no-timing`"
    row = _rows()[(leaderboard.COLOUR_ROUTE, "25")]
    assert (said in TEXT) == (row["ms / megapixel"] == "–")
    # "which moved its (R−B)/2 channel from the blind model to `unet_gray_level`"
    level = float(25 * np.linalg.norm(pretrained.OPPONENT[1]))
    assert pretrained.choose(1, level) == "unet_gray_level" and "to `unet_gray_level`" in TEXT


def test_the_models_validated_on_a_test_set_are_the_ones_named():
    named = _names(_sentence('The models marked `"selected_on_test": true` in their configs', "were trained"))
    assert named == {n for n in SHIPPED if pretrained.info(n).get("selected_on_test")}
    for name in named:
        cfg = pretrained.info(name)
        assert (cfg["val_set"], cfg["channels"]) in {("set12", 1), ("samples", 3)}, name
        assert cfg.get("val_limit") == (4 if cfg["channels"] == 1 else 2), name
    for name in set(SHIPPED) - named:                       # the rest validate on held-out images
        assert pretrained.info(name)["val_set"] in {"train400", "cbsd432"}, name


def test_what_du_denoise_picks_is_what_the_readme_says():
    said = _sentence("`du.denoise` on a gray image with a known σ uses", "above 60 it refuses")
    assert "python -m denoise_utils leaderboard --choice" in said and "scikit-image's six gray ones" in said
    fixed = re.search(r"`(\w+)`, `(\w+)` and `(\w+)` at (\d+), (\d+) and (\d+)", said)
    for name, sigma in zip(fixed.groups()[:3], fixed.groups()[3:]):
        assert pretrained.choose(1, float(sigma)) == name
        assert pretrained.choose(1, float(sigma) * 1.04) == name            # within 5 %
    level = re.search(r"at any other σ up to (\d+) `(\w+)`, the model told the level", said)
    top, told = float(level.group(1)), level.group(2)
    assert pretrained.info(told)["takes_level"] and pretrained.info(told)["sigma"][1] == top
    for sigma in (5.0, 10.0, 20.0, 40.0, 55.0, top):
        assert pretrained.choose(1, sigma) == told, sigma
    with pytest.raises(ValueError):
        pretrained.choose(1, top + 1)
    # the user guide's table says the same in short
    assert f"one trained for it at {', '.join(fixed.groups()[3:5])} and {fixed.group(6)}, the model told the level elsewhere" in TEXT
    blind = re.search(r"with `sigma=None`, the blind model `(\w+)`", said).group(1)
    assert pretrained.choose(1, None) == blind and pretrained.info(blind)["blind"]
    top_blind = pretrained.info(blind)["sigma"][1]
    assert f"the blind model copes with any level up to {top_blind:.0f}" in TEXT
    # "On those photos the model told the level scores above the blind model at every level"
    assert "the model told the level scores above the blind model at every level of the table" in TEXT
    table = store.read_choice()["psnr"]
    assert all(scores[told] > scores[blind] for scores in table.values() if blind in scores)
    said = re.search(r"A camera photo \(`noise=\"camera\"`\) goes to `(\w+)`, told one level per channel by "
                     r"the estimator shipped with `(\w+)`; a phone photo \(`noise=\"phone\"`\) to `(\w+)`, told a "
                     r"level map that the estimator shipped with `(\w+)` finds", TEXT)
    camera_model, camera_owner, phone_model, phone_owner = said.groups()
    assert pretrained.choose(3, None, "camera") == camera_model
    assert pretrained.choose(3, None, "phone") == phone_model
    cam, phone = pretrained.info(camera_model), pretrained.info(phone_model)
    assert cam["takes_level"] and not cam["level_map"] and cam["level_from"] == camera_owner
    assert phone["takes_level"] and phone["level_map"] and phone["level_from"] == phone_owner
    assert phone["noise_params"].get("phone") and not cam["noise_params"].get("phone")
    for owner in (camera_owner, phone_owner):
        assert pathlib.Path(pretrained.path(owner, "estimator.weights.h5")).is_file()


def test_the_gan_is_its_twin_fine_tuned_and_scores_below_it():
    said = re.search(r"`(\w+)` \(family `gan`\) is the U-Net `(\w+)` fine-tuned against a discriminator", TEXT)
    gan, twin = said.groups()
    cfg = pretrained.info(gan)
    assert cfg["family"] == "gan" and cfg["init"] == twin and cfg.get("adversarial")
    rows = _rows()
    for column in ("PSNR (dB)", "SSIM"):
        assert float(rows[(gan, "25")][column]) < float(rows[(twin, "25")][column])


def test_no_full_size_dncnn_is_shipped():
    assert "Zhang et al.'s full-size DnCNN-S needs GPU training and is not shipped yet" in TEXT
    for name in SHIPPED:
        cfg = pretrained.info(name)
        assert not (cfg["model"] == "dncnn" and cfg["model_kwargs"].get("depth", 17) >= 17), name
    stand_ins = [pretrained.choose(1, s) for s in (15.0, 25.0, 50.0, None)]
    assert all(pretrained.info(n)["model"] == "unet" and pretrained.info(n).get("device") != "gpu"
               for n in stand_ins)


@pytest.mark.parametrize("noise", ["camera", "phone", "gaussian"])
def test_the_photo_times_are_the_recorded_ones(noise):
    """The user guide quotes what ``scripts/time_photo.py --record`` measured, to the second."""
    t = pretrained.photo_time(noise)
    assert (t["height"], t["width"]) == (3000, 4000) and t["cpus"] == 2
    quoted = {"camera": r"takes (\d+) s with `noise=\"camera\"`",
              "phone": r"and (\d+) s with `noise=\"phone\"`",
              "gaussian": r"runs three gray passes and takes (\d+) s"}[noise]
    assert int(re.search(quoted, TEXT).group(1)) == round(t["seconds"])
