"""python -m denoise_utils.labs build|check: the student copies (see ``labs``)."""

from . import main

main()
