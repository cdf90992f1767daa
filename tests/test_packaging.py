"""The package as a user gets it (issue 36): the wheel builds offline without a setuptools
warning, holds every shipped model and both licences, and once installed in a fresh venv,
imported from there (not from this checkout), answers ``--version`` and denoises a file."""

import glob
import os
import re
import shutil
import subprocess
import sys
import zipfile
from importlib import metadata

import numpy as np
import pytest

from denoise_utils import __version__, files

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
#: setuptools' own warnings (SetuptoolsWarning, SetuptoolsDeprecationWarning, build_py's
#: "_Warning: Package ... would be ignored"): a class name ending in "Warning". pip's
#: "WARNING:" lines and distutils' "warning: ... byte-compiling is disabled" are not these.
SETUPTOOLS_WARNING = re.compile(r"\w*Warning\b|would be ignored")
#: what pip says when it cannot fetch setuptools for an isolated build
NO_FETCH = re.compile(r"No matching distribution found|Could not find a version that satisfies|"
                      r"NetworkBlocked|NewConnectionError|Network is unreachable|"
                      r"Temporary failure in name resolution")


def _setuptools_version():
    try:
        return tuple(int(p) for p in re.findall(r"\d+", metadata.version("setuptools"))[:2])
    except metadata.PackageNotFoundError:
        return None


def _source(tmp):
    """A copy of what the build reads, so that it writes build/ and *.egg-info there."""
    src = os.path.join(tmp, "src")
    shutil.copytree(os.path.join(ROOT, "denoise_utils"), os.path.join(src, "denoise_utils"),
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ["pyproject.toml", "README.md"] + sorted(
            os.path.basename(p) for p in glob.glob(os.path.join(ROOT, "LICENSE*"))):
        shutil.copy(os.path.join(ROOT, name), src)
    return src


def _foreign(path):
    """Whether ``path`` (of sys.path) may serve the fresh venv: a site-packages folder
    (this venv's, or one that a .pth line of it adds) without a denoise_utils of its own."""
    return os.path.basename(os.path.normpath(path)) in ("site-packages", "dist-packages") and \
        not os.path.exists(os.path.join(path, "denoise_utils"))


def _build(tmp, env):
    """Build the wheel offline: with this venv's setuptools when it is new enough (the SPDX
    ``license`` needs 77), else in pip's isolated build environment if pip finds a newer
    setuptools without the network (the test suite blocks it: tests/nonet); if not, skip.
    Returns the wheel's path and everything the build printed."""
    out = os.path.join(tmp, "dist")
    src = _source(tmp)
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-v", "-w", out, src]
    version = _setuptools_version()
    isolated = version is None or version < (77,)
    if not isolated:
        command.insert(5, "--no-build-isolation")
    env = {**env, "PIP_RETRIES": "0", "PIP_DEFAULT_TIMEOUT": "15"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp, timeout=600,
                          check=False)
    log = done.stdout + done.stderr
    shutil.rmtree(src)                                   # 80 MB of weights, twice with build/
    if done.returncode != 0 and isolated and NO_FETCH.search(log):
        pytest.skip(f"pip wheel cannot run offline here: this venv's setuptools "
                    f"({'none' if version is None else '.'.join(map(str, version))}) is older "
                    "than 77 and pip cannot fetch a newer one (pip install 'setuptools>=77')")
    assert done.returncode == 0, log[-3000:]
    wheels = glob.glob(os.path.join(out, "denoise_utils-*.whl"))
    assert len(wheels) == 1, os.listdir(out)
    return wheels[0], log


def test_the_wheel_installs_in_a_fresh_venv_and_denoises(tmp_path):
    tmp = str(tmp_path)
    # the test suite's network guard (tests/nonet) stays on PYTHONPATH; this checkout does not
    path = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep)
            if p and os.path.realpath(p) != os.path.realpath(ROOT)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(path)}
    wheel, log = _build(tmp, env)
    warned = [line.strip() for line in log.splitlines() if SETUPTOOLS_WARNING.search(line)]
    assert not warned, "the build warned:\n" + "\n".join(warned[:10])

    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        meta = z.read(f"denoise_utils-{__version__}.dist-info/METADATA").decode()
    shipped = glob.glob(os.path.join(ROOT, "denoise_utils", "weights", "*", "model.weights.h5"))
    assert shipped
    missing = [p for p in shipped if os.path.relpath(p, ROOT).replace(os.sep, "/") not in names]
    assert not missing, f"not in the wheel: {missing}"
    assert {"denoise_utils/registry.txt", "denoise_utils/photo_timings.json", "denoise_utils/weights/choice.json"} <= names
    for licence in glob.glob(os.path.join(ROOT, "LICENSE*")):
        assert f"denoise_utils-{__version__}.dist-info/licenses/{os.path.basename(licence)}" in names
    assert f"\nVersion: {__version__}\n" in meta and "\nLicense-Expression: MIT\n" in meta

    # a fresh venv; its dependencies (Keras, TensorFlow, ...) come from this process's
    # site-packages by .pth lines: plain paths, so the .pth files there (the editable
    # install's finder, which would import this checkout) are not run
    venv = os.path.join(tmp, "venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True, timeout=120)
    python, bin_dir = os.path.join(venv, "bin", "python"), os.path.join(venv, "bin")
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True, timeout=60).stdout.strip()
    ours = [p for p in sys.path if p and os.path.isdir(p) and _foreign(p)]
    with open(os.path.join(site, "_outer_venv.pth"), "w", encoding="utf-8") as fh:
        fh.write("".join(f"{p}\n" for p in dict.fromkeys(ours)))
    done = subprocess.run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps",
                           "--no-index", "--force-reinstall", "--quiet", wheel],
                          capture_output=True, text=True, env=env, cwd=tmp, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr

    work = os.path.join(tmp, "work")                    # not this checkout: no ./denoise_utils
    os.mkdir(work)
    where = subprocess.run([python, "-c", "import denoise_utils; print(denoise_utils.__file__)"],
                           capture_output=True, text=True, env=env, cwd=work, timeout=120, check=False)
    assert where.returncode == 0, where.stderr
    imported = os.path.realpath(where.stdout.strip())
    assert imported == os.path.join(os.path.realpath(site), "denoise_utils", "__init__.py"), imported

    command = os.path.join(bin_dir, "denoise-utils")
    done = subprocess.run([command, "--version"], capture_output=True, text=True, env=env, cwd=work,
                          timeout=120, check=False)
    assert done.returncode == 0 and done.stdout.strip() == f"denoise_utils {__version__}", done.stderr

    rng = np.random.default_rng(0)
    files.save_image(os.path.join(work, "in.png"), rng.random((24, 32)).astype(np.float32))
    done = subprocess.run([command, "denoise", "in.png", "out.png", "--sigma", "25"],
                          capture_output=True, text=True, env=env, cwd=work, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "wrote out.png"
    assert files.load_image(os.path.join(work, "out.png")).shape == (24, 32)
    for big in ("venv", "dist"):                         # pytest keeps the last runs' tmp_path
        shutil.rmtree(os.path.join(tmp, big))
