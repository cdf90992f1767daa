#!/usr/bin/env bash
# The whole test suite (.ci/run: unit tests and every notebook) under Colab's versions:
# Python 3.13, TensorFlow 2.20, Keras 3.13, in a Debian 13 chroot made by debootstrap.
# Needs root, debootstrap, and Debian's and PyPI's servers. Tests a fresh clone of HEAD.
#   sudo scripts/colab_versions_check.sh [DATA_DIR]     (DATA_DIR defaults to ../shared/data)
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
DATA=$(cd "${1:-$REPO/../shared/data}" && pwd)
ROOT=${CHROOT:-/opt/colab-chroot}
if [ ! -x "$ROOT/usr/bin/python3.13" ]; then
    debootstrap --variant=minbase \
        --include=python3.13,python3.13-venv,python3-pip,ca-certificates,make,git \
        trixie "$ROOT" http://deb.debian.org/debian
fi
cp /etc/resolv.conf "$ROOT/etc/"
mountpoint -q "$ROOT/proc" || mount -t proc proc "$ROOT/proc"
mkdir -p "$ROOT/data"
if ! mountpoint -q "$ROOT/data"; then
    mount --bind "$DATA" "$ROOT/data" && mount -o remount,bind,ro "$ROOT/data"
fi
rm -rf "$ROOT/book" && git clone -q "$REPO" "$ROOT/book"
printf 'tensorflow==2.20.*\nkeras==3.13.*\n' > "$ROOT/colab-versions.txt"
chroot "$ROOT" bash -c 'cd /book && export PIP_CONSTRAINT=/colab-versions.txt &&
    make setup PYTHON=python3.13 &&
    .venv/bin/python -c "import sys, tensorflow, keras; print(sys.version.split()[0], tensorflow.__version__, keras.__version__)" &&
    DENOISE_DATA_DIR=/data bash .ci/run'
