"""A chapter notebook's exercises (book/instructor_guide): the headings, solutions and check
cells found, and the student copy made from them."""

import copy
import re

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
HEADING = re.compile(r"^#+ Exercise (\d+(?:\.\d+)+)[:.]?\s*(.*)$", re.M)
ANSWER = "**Your answer:** *(write it here)*\n"


def cell_text(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def stub_solution(code, number, title):
    """Replace each solution block of ``code`` with a NotImplementedError stub."""
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


def student_copy(notebook):
    """The student copy of a source ``notebook`` (a dict in nbformat 4): no solutions, no outputs."""
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


def exercises(notebook):
    """(number, code, check) of each coding exercise of ``notebook`` (nbformat 4 dict), in order."""
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
