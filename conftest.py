"""Test-suite settings shared by the unit tests and the notebooks that nbval runs."""

import importlib.util
import os

_NONET = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tests", "nonet")


def pytest_configure(config):
    # Every process started from here on (nbval's kernels too) imports the network
    # guard in tests/nonet/sitecustomize.py, never fetches data sets, and draws
    # figures headless.
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (_NONET, os.environ.get("PYTHONPATH")) if p)
    os.environ["DENOISE_OFFLINE"] = "1"
    os.environ.setdefault("MPLBACKEND", "Agg")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    # ... and so does this process.
    spec = importlib.util.spec_from_file_location(
        "denoise_nonet", os.path.join(_NONET, "sitecustomize.py"))
    spec.loader.exec_module(importlib.util.module_from_spec(spec))
