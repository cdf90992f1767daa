"""Stands in for the optional ``bm3d`` package in ``make test-nodata``, whose kernels find this
folder first on PYTHONPATH: the no-data run is also the run of a reader who installed the
package alone (``pip install .``, no ``[bm3d]`` extra), so every chapter's "without BM3D" path
runs to the end there. BM3D itself runs in ``make test``, with the data."""

raise ImportError("bm3d is hidden for the no-data run (tests/without_bm3d)")
