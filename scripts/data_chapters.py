"""The chapters whose run depends on the data (``make test-nodata`` runs only these).

A chapter that never loads a data set (``load_dataset``, ``load_pairs``, ``data_state``, the
data folder) runs the same with and without the data: step 1 of CI has already executed it under
the same network guard, so running it again in the no-data pass would test nothing new (issue 36).

    python scripts/data_chapters.py    # prints their paths, one per line
"""

import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = re.compile(r"load_dataset|load_pairs|data_state|DENOISE_DATA_DIR|data_dir|du\.data\b|REAL_SET12")


def data_chapters(chapters=os.path.join(ROOT, "chapters")):
    """Paths (relative to the repository) of the notebooks whose code touches the data."""
    found = []
    for name in sorted(os.listdir(chapters)):
        if name.endswith(".ipynb"):
            with open(os.path.join(chapters, name), encoding="utf-8") as fh:
                nb = json.load(fh)
            code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
            if DATA.search(code):
                found.append(os.path.join("chapters", name))
    return found


if __name__ == "__main__":
    paths = data_chapters()
    if not paths:
        sys.exit("no chapter touches the data: check scripts/data_chapters.py")
    print("\n".join(paths))
