"""The command line as people expect it: --version, the console command, a missing backend
named in one line, --out-dir created when missing (issue 36), and data sets fetched from
pinned commits (issue 28)."""

import importlib.util
import os
import re
import subprocess
import sys

import numpy as np
import pytest

from denoise_utils import __main__ as cli
from denoise_utils import __version__, data, files

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_version(capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"denoise_utils {__version__}"


def test_the_console_command_is_declared_and_runs():
    with open(os.path.join(ROOT, "pyproject.toml"), encoding="utf-8") as fh:
        text = fh.read()                                   # (tomllib is newer than Python 3.10)
    assert '[project.scripts]\ndenoise-utils = "denoise_utils.__main__:run"\n' in text
    command = os.path.join(os.path.dirname(sys.executable), "denoise-utils")
    if not os.path.isfile(command):
        pytest.skip("the package is not installed with its console command here")
    done = subprocess.run([command, "--version"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == f"denoise_utils {__version__}"


@pytest.mark.skipif(importlib.util.find_spec("torch") is not None, reason="torch is installed")
def test_a_missing_backend_is_one_line_with_the_install_command(tmp_path):
    files.save_image(str(tmp_path / "in.png"), np.full((16, 16), 0.5, np.float32))
    env = {**os.environ, "KERAS_BACKEND": "torch"}           # a backend that is not installed
    done = subprocess.run([sys.executable, "-m", "denoise_utils", "denoise", str(tmp_path / "in.png"),
                           str(tmp_path / "out.png")], capture_output=True, text=True, env=env, timeout=300)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1, done.stderr
    assert "'torch' is not installed" in lines[0] and 'pip install "denoise-utils[tensorflow]"' in lines[0]
    assert not (tmp_path / "out.png").exists()
    library = subprocess.run([sys.executable, "-c", "import numpy, denoise_utils as du; "
                              "du.denoise(numpy.zeros((8, 8), 'float32'))"],
                             capture_output=True, text=True, env=env, timeout=300)
    assert 'ModuleNotFoundError: Keras cannot run' in library.stderr.strip().splitlines()[-1]


def test_a_missing_out_dir_is_created_and_a_file_in_its_place_refused(tmp_path, capsys):
    files.save_image(str(tmp_path / "in.png"), np.full((24, 32), 0.5, np.float32))
    out = tmp_path / "new" / "results"                  # folders above it are created too
    assert cli.main(["denoise", str(tmp_path / "gone.png"), "--out-dir", str(out)]) == 2
    assert "gone.png" in capsys.readouterr().err
    assert not (tmp_path / "new").exists()               # a refusal creates nothing
    assert cli.main(["denoise", str(tmp_path / "in.png"), "--out-dir", str(out), "--sigma", "25"]) == 0
    assert capsys.readouterr().out.strip() == f"wrote {out / 'in.png'}"
    assert files.load_image(str(out / "in.png")).shape == (24, 32)
    (tmp_path / "taken").write_text("a file where the folder would be")
    assert cli.main(["denoise", str(tmp_path / "in.png"), "--out-dir", str(tmp_path / "taken")]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "'" + str(tmp_path / "taken") + "' is a file, not a folder" in lines[0]


def test_downloads_are_pinned_to_commits():
    for name, spec in data.DATASETS.items():
        if spec["url"] and "github" in spec["url"]:
            commit = re.search(r"/cszn/\w+/([0-9a-f]{40})/", spec["url"])
            assert commit, f"{name}: {spec['url']} follows a branch, not a commit"
    assert data.DATASETS["set12"]["url"].split("/")[5] == "e93b27812d3ff523a3a79d19e5e50d233d7a8d0a"
    assert data.DATASETS["rni6"]["url"].split("/")[5] == "e787f46df2f374ff3591186706229cb9a0591fea"
