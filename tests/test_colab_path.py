"""The Colab path, offline: what a chapter's install cell installs is the book's package at the
ref its badge opens, and it works (issue 28). pip clones this repository itself (git+file)
at that ref, so no network is needed; the dependencies are the test environment's own."""

import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from denoise_utils import labs

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _git(*args):
    return subprocess.run(["git", "-C", ROOT, *args], capture_output=True, text=True)


@pytest.mark.skipif(shutil.which("git") is None or _git("rev-parse").returncode != 0,
                    reason="needs git and this repository's history")
def test_the_install_cell_installs_the_package_at_the_badges_ref(tmp_path):
    url, ref = labs.repository(os.path.join(ROOT, "_config.yml"))
    with open(os.path.join(ROOT, "chapters", "01_background.ipynb"), encoding="utf-8") as fh:
        cells = ["".join(c["source"]) for c in json.load(fh)["cells"]]
    assert f'"denoise-utils @ git+{url}@{ref}"' in next(c for c in cells if "%pip install" in c)  # what a reader runs
    assert f"/blob/{ref}/labs/" in cells[0]                        # the badge it came from
    # the same requirement, with this repository in place of GitHub's copy of it
    if _git("rev-parse", "--verify", "--quiet", ref).returncode != 0:
        pytest.fail(f"the badges' ref {ref!r} does not exist in this repository")
    site = tmp_path / "site"
    pip = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                          "--no-build-isolation", "--disable-pip-version-check", "--target", str(site),
                          f"denoise-utils @ git+file://{ROOT}@{ref}"], capture_output=True, text=True)
    assert pip.returncode == 0, pip.stderr[-2000:]
    shipped = sorted(re.findall(r"denoise_utils/weights/([^/]+)/model\.weights\.h5",
                                _git("ls-tree", "-r", "--name-only", ref).stdout))
    probe = ("import sys, numpy as np, denoise_utils as du; from denoise_utils import pretrained;"
             "print(du.__file__); print(','.join(pretrained.available()));"
             "x = du.sample_images(gray=True)['camera'][:64, :64];"
             "y = du.add_gaussian_noise(x, 25, seed=0);"
             "print(du.psnr(x, du.denoise(y, sigma=25)) > du.psnr(x, y) + 3)")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")]))
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    where, models, denoises = out.stdout.strip().splitlines()[-3:]
    assert where.startswith(str(site))                             # the installed copy, not the repo
    assert models.split(",") == shipped and denoises == "True"
