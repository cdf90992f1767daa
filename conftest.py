"""Test-suite settings shared by the unit tests and the notebooks that nbval runs."""

import importlib.util
import json
import os
import tempfile

_NONET = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tests", "nonet")


def pytest_configure(config):
    # Every process started from here on (nbval's kernels too) imports the network
    # guard in tests/nonet/sitecustomize.py and never fetches data sets.
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (_NONET, os.environ.get("PYTHONPATH")) if p)
    os.environ["DENOISE_OFFLINE"] = "1"
    # claims a notebook could not check for want of data are written here (du.check_claim);
    # pytest-xdist's workers inherit the main process's file, whose summary reports them
    if not _worker(config):
        fd, log = tempfile.mkstemp(prefix="denoise-skipped-", suffix=".txt")
        os.close(fd)
        os.environ["DENOISE_SKIPPED_LOG"] = log
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    # This process draws headless. The kernels keep IPython's inline backend (no MPLBACKEND
    # here), so their figures are outputs that the book built from this run shows.
    import matplotlib

    matplotlib.use("Agg")
    # ... and this process imports the network guard too.
    spec = importlib.util.spec_from_file_location(
        "denoise_nonet", os.path.join(_NONET, "sitecustomize.py"))
    spec.loader.exec_module(importlib.util.module_from_spec(spec))


def _worker(config):
    """Whether this process is one of pytest-xdist's workers (``-n``), not the main one."""
    return hasattr(config, "workerinput")


def pytest_terminal_summary(terminalreporter):
    """Say how many of the book's claims went unchecked for want of data, and which."""
    log = os.environ.get("DENOISE_SKIPPED_LOG")
    if not log or not os.path.exists(log):
        return
    with open(log, encoding="utf-8") as fh:
        claims = [line.strip() for line in fh if line.strip()]
    os.remove(log)
    if claims:
        terminalreporter.section("claims not checked", sep="=")
        terminalreporter.write_line(
            f"{len(claims)} claims of the book were NOT CHECKED: their data is missing "
            "(set DENOISE_DATA_DIR to a folder with set12/, train400/, ...; see the user guide)")
        for claim in claims:
            terminalreporter.write_line(f"  - {claim}")


#: unit-test files that take as long as a chapter (seconds on the 2-core CI machine): they start
#: among the notebooks instead of last, where one would end the run alone
SLOW_TEST_FILES = {"test_leaderboard.py": 280}  # re-scores every shipped model on whole sets


def pytest_collection_modifyitems(config, items):
    """Run the notebooks first, the slowest first by book/timings.json (and the unit-test
    files of ``SLOW_TEST_FILES`` among them), then the unit tests: with ``-n`` (make test) the
    long files start at once instead of ending the run alone. A file's own items keep their
    order (a notebook's cells run in sequence)."""
    path = os.path.join(str(config.rootpath), "book", "timings.json")
    try:
        with open(path, encoding="utf-8") as fh:
            seconds = json.load(fh)["seconds"]
    except (OSError, ValueError, KeyError):
        seconds = {}
    seconds = {**seconds, **SLOW_TEST_FILES}

    def rank(item):
        name = os.path.basename(str(item.fspath))
        return (0, -seconds.get(name, 0)) if name.endswith(".ipynb") or name in seconds else (1, 0)

    items.sort(key=rank)


_SECONDS = {}


def pytest_runtest_logreport(report):
    """Add up each notebook's time (kernel start and every cell) for DENOISE_TIMINGS."""
    path = report.nodeid.split("::")[0]
    if path.endswith(".ipynb"):
        name = os.path.basename(path)
        _SECONDS[name] = _SECONDS.get(name, 0.0) + report.duration


_EXECUTED = {}


def _quiet(source):
    """Whether Jupyter shows no result for a cell: its last token is ';' (IPython's rule; nbval
    runs cells in a way that skips it, so the kept outputs would show what a reader never sees)."""
    import io
    import tokenize

    skip = (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.ENDMARKER, tokenize.INDENT, tokenize.DEDENT)
    try:
        tokens = [t for t in tokenize.generate_tokens(io.StringIO(source).readline) if t.type not in skip]
    except (tokenize.TokenError, SyntaxError):
        return False
    return bool(tokens) and tokens[-1].string == ";"


def pytest_runtest_teardown(item):
    """With DENOISE_EXECUTED=DIR, keep each notebook cell's outputs as nbval ran it, so the
    book can be built from this run instead of executing every notebook again (.ci/run)."""
    cell, outputs = getattr(item, "cell", None), getattr(item, "test_outputs", None)
    if not os.environ.get("DENOISE_EXECUTED") or cell is None or outputs is None:
        return
    nb = _EXECUTED.setdefault(str(item.parent.fspath), item.parent.nb)
    count = 1 + max([c.get("execution_count") or 0 for c in nb.cells if c.cell_type == "code"])
    cell.execution_count = count
    quiet = _quiet(cell.source)
    cell.outputs = [dict(o, execution_count=count) if o.get("output_type") == "execute_result"
                    else dict(o) for o in outputs
                    if not (quiet and o.get("output_type") == "execute_result")]


def _write_executed(folder, root):
    import nbformat

    for path, nb in _EXECUTED.items():
        dest = os.path.join(folder, os.path.relpath(path, root))
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        nbformat.write(nbformat.from_dict(nb), dest)


def pytest_sessionfinish(session):
    """With DENOISE_TIMINGS=FILE, write {notebook: seconds} there (the instructor guide's table);
    with DENOISE_EXECUTED=DIR, the executed notebooks there (under their paths in the repo)."""
    if os.environ.get("DENOISE_EXECUTED") and _EXECUTED:
        _write_executed(os.environ["DENOISE_EXECUTED"], str(session.config.rootpath))
    path = os.environ.get("DENOISE_TIMINGS")
    if path and _SECONDS and not _worker(session.config):
        from denoise_utils.config import get_budget

        with open(path, "w", encoding="utf-8") as fh:
            json.dump({"budget": get_budget(), "machine": _machine(session.config),
                       "seconds": {k: round(v) for k, v in sorted(_SECONDS.items())}}, fh, indent=1)
            fh.write("\n")


def _machine(config):
    """'2-core CPU', or with an NVIDIA GPU '16-core CPU, NVIDIA H100 80GB HBM3', the backend,
    and how many notebooks ran at once (pytest-xdist's ``-n``: each then took longer)."""
    import shutil
    import subprocess

    gpus = []
    if shutil.which("nvidia-smi"):
        try:
            gpus = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True,
                                  timeout=30).stdout.splitlines()
        except (OSError, subprocess.SubprocessError):
            pass
    machine = f"{os.cpu_count()}-core CPU"
    if gpus:
        machine += ", " + gpus[0].split(": ", 1)[-1].split(" (UUID")[0]
    machine += f", Keras on {os.environ.get('KERAS_BACKEND', 'tensorflow')}"
    workers = getattr(config.option, "numprocesses", None)
    return machine + (f", {workers} notebooks at a time" if isinstance(workers, int) and workers > 1 else "")
