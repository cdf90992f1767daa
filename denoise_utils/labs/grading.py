"""Grading a class (book/instructor_guide): each submission in a kernel of its own.

A student's code may loop forever, crash the interpreter or call ``sys.exit``; none of that
may stop the grading of the others. :func:`grade` runs a notebook's exercise cells and their
checks in a fresh Jupyter kernel (nbclient), each cell under a time limit; a cell that times
out or kills the kernel fails that exercise alone, and the kernel is restarted (with the
earlier exercises' code run again) for the next. :func:`gradebook` writes one CSV row per
submission.
"""

import csv
import os

from .notebook import exercises

#: what the exercises may use without importing it, as in the chapters
SETUP = "import numpy as np\nimport denoise_utils as du\n"
KERAS = "import keras\nfrom keras import layers\n"


def _reason(err, timeout):
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    if isinstance(err, CellTimeoutError):
        return f"timed out after {timeout:g} s"
    if isinstance(err, DeadKernelError):
        return "the kernel died (the code crashed or exited Python)"
    if isinstance(err, CellExecutionError) and err.ename == "KeyboardInterrupt":
        return f"timed out after {timeout:g} s (interrupted)"   # interrupt_on_timeout stopped it
    if isinstance(err, CellExecutionError):
        first = (str(err.evalue).splitlines() or [""])[0]
        return f"{err.ename}: {first}".rstrip(": ")
    return f"{type(err).__name__}: {err}"


def grade(notebook: dict, timeout: float = 60) -> list[tuple[str, bool, str]]:
    """Run each exercise of a student's notebook and its check in a kernel of its own.

    Parameters
    ----------
    notebook : dict
        A student's notebook, an nbformat 4 dict.
    timeout : float, optional
        Seconds per cell.

    Returns
    -------
    list of tuple
        ``(number, passed, message)`` for each exercise.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    found = exercises(notebook)
    setup = SETUP + (KERAS if any("keras" in c or "layers" in c for _, c, _ in found) else "")
    cells = [nbformat.v4.new_code_cell(setup)]
    for _, code, check in found:
        cells += [nbformat.v4.new_code_cell(code or ""), nbformat.v4.new_code_cell(check)]
    nb = nbformat.v4.new_notebook(cells=cells)
    results, fatal = [], set()
    while len(results) < len(found):             # a fresh kernel after a timeout or a crash
        # no interrupt on a timeout (a loop may ignore it): the kernel is shut down at once
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=False,
                                shutdown_kernel="immediate")
        with client.setup_kernel():
            client.execute_cell(nb.cells[0], 0)
            for i in range(len(results)):        # the earlier exercises' code, for what it defines
                if i in fatal:                   # (not the code that hung or crashed)
                    continue
                try:
                    client.execute_cell(nb.cells[1 + 2 * i], 1 + 2 * i)
                except Exception:  # noqa: BLE001  it failed before: already marked
                    pass
            for i in range(len(results), len(found)):
                try:
                    client.execute_cell(nb.cells[1 + 2 * i], 1 + 2 * i)   # the student's code
                    client.execute_cell(nb.cells[2 + 2 * i], 2 + 2 * i)   # its check
                    results.append((found[i][0], True, "correct"))
                except Exception as err:  # noqa: BLE001  anything a student's code may raise
                    results.append((found[i][0], False, _reason(err, timeout)))
                    if isinstance(err, (CellTimeoutError, DeadKernelError)):
                        fatal.add(i)
                        break
    return results


def gradebook(results: dict[str, list[tuple[str, bool, str]]], path: str) -> None:
    """Write a class's results to a CSV file: one row per submission.

    Each row is named by its file, with one column per exercise (1 passed, 0 failed, empty:
    not in it), and the total.

    Parameters
    ----------
    results : dict
        ``{submission: grade() results}``, by the submission's path.
    path : str
        The CSV file. Refuses to overwrite an existing file that is not a gradebook
        (``ValueError``).

    Returns
    -------
    None
    """
    numbers = []
    for rows in results.values():
        numbers += [n for n, _, _ in rows if n not in numbers]
    numbers.sort(key=lambda n: [int(p) for p in n.split(".")])
    if os.path.exists(path):
        with open(path, encoding="utf-8", newline="") as fh:
            if not fh.readline().startswith("submission,"):
                raise ValueError(f"{path} exists and is not a gradebook; choose another file")
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["submission"] + numbers + ["passed", "of"])
        for name, rows in results.items():
            passed = {n: ok for n, ok, _ in rows}
            writer.writerow([os.path.basename(name)] + [int(passed[n]) if n in passed else "" for n in numbers]
                            + [sum(passed.values()), len(passed)])
