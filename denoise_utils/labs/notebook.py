"""A chapter notebook's exercises (book/instructor_guide): the headings, solutions and check
cells found, and the student copy made from them."""

import copy
import re

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
HEADING = re.compile(r"^#+ (?:Exercise|练习) (\d+(?:\.\d+)+)[:.：]?\s*(.*)$", re.M)
ANSWER = "**Your answer:** *(write it here)*\n"


def cell_text(cell: dict) -> str:
    """A notebook cell's source as one string.

    Parameters
    ----------
    cell : dict
        An nbformat 4 cell; its ``source`` a string or a list of lines.

    Returns
    -------
    str
        The source.
    """
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def stub_solution(code: str, number: str, title: str) -> str:
    """Replace each solution block of ``code`` with a NotImplementedError stub.

    Parameters
    ----------
    code : str
        A code cell's source; each solution stands between ``### BEGIN SOLUTION`` and
        ``### END SOLUTION`` lines.
    number, title : str
        The exercise's number and title, for the stub's message.

    Returns
    -------
    str
        The code with each block replaced by ``raise NotImplementedError("Exercise N: title")``
        at the block's indentation.
    """
    out, inside = [], False
    for line in code.split("\n"):
        if line.strip() == BEGIN:
            indent = line[:len(line) - len(line.lstrip())]
            out.append(f'{indent}raise NotImplementedError("Exercise {number}: {title}")')
            inside = True
        elif line.strip() == END:
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError(f"exercise {number}: {BEGIN} without {END}")
    return "\n".join(out)


def student_copy(notebook: dict) -> dict:
    """The student copy of a source ``notebook``: no solutions, no outputs.

    Parameters
    ----------
    notebook : dict
        A chapter notebook, a dict in nbformat 4; left as it is.

    Returns
    -------
    dict
        The copy, marked ``student_copy`` in its metadata.
    """
    nb = copy.deepcopy(notebook)
    nb.setdefault("metadata", {})["student_copy"] = True  # build overwrites only these
    number, title = None, ""
    for cell in nb["cells"]:
        src, tags = cell_text(cell), cell.get("metadata", {}).get("tags", [])
        if cell["cell_type"] == "markdown":
            found = HEADING.findall(src)
            if found:
                number, title = found[-1]
            if "solution" in tags:
                cell["source"] = ANSWER
                cell["metadata"].pop("tags")
            continue
        if cell["cell_type"] != "code":
            continue
        cell["outputs"], cell["execution_count"] = [], None
        if BEGIN in src:
            if number is None:
                raise ValueError(f"a solution before any '### Exercise N: title' heading:\n{src[:200]}")
            cell["source"] = stub_solution(src, number, title.strip())
            cell["metadata"]["tags"] = [t for t in tags if t != "hide-input"]
        elif "labs.check(" in src:  # a runner goes on past an unfinished exercise
            checked = re.findall(r"labs\.check\(\s*[\"']([\d.]+)", src)
            if checked != [number]:
                raise ValueError(f"the check cell {src.strip()!r} stands under the heading of "
                                 f"exercise {number}")
            cell["metadata"]["tags"] = sorted(set(tags) | {"raises-exception"})
        if not cell["metadata"].get("tags"):
            cell["metadata"].pop("tags", None)
    return nb


def exercises(notebook: dict) -> list[tuple[str | None, str | None, str]]:
    """(number, code, check) of each coding exercise of ``notebook``, in order.

    Parameters
    ----------
    notebook : dict
        A notebook, an nbformat 4 dict.

    Returns
    -------
    list of tuple
        ``(number, code, check)``: the number of the heading above, the code cell before the
        check cell (None where there is none) and the check cell's source.
    """
    out, number, code = [], None, None
    for cell in notebook["cells"]:
        src = cell_text(cell)
        if cell["cell_type"] == "markdown":
            found = HEADING.findall(src)
            number = found[-1][0] if found else number
        elif "labs.check(" in src:
            out.append((number, code, src))
        elif cell["cell_type"] == "code":
            code = src
    return out
