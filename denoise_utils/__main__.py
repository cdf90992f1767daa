"""Command line: ``denoise-utils denoise IN OUT [--sigma S] [--model NAME]``, or
``python -m denoise_utils ...`` (§4.1); ``--version`` names the package's version.

Reads PNG, JPEG, TIFF or BMP (gray or colour, upright by its EXIF orientation), writes the
denoised image in the format OUT's suffix names, never overwrites IN (nor an existing OUT
without ``--overwrite``), and checks everything it can (input, output, model, σ) before
it denoises. A refusal is one line on stderr and exit status 2; TensorFlow's own log
lines are kept off the terminal (``--verbose`` shows them). ``--ensemble`` averages over
the 8 flips and rotations (slower, a little better).
``--noise camera`` is for a camera's own noise in a colour photo (no ``--sigma``), ``--noise
phone`` for a phone's.
``python -m denoise_utils models`` lists the shipped models (without loading TensorFlow);
``python -m denoise_utils evaluate [--model NAME] [--dataset set12] [--sigma 25] [--ensemble]``
scores one (default: what ``denoise`` picks) on a data set (noise from fixed seeds, as in
the book's tables); ``python -m denoise_utils leaderboard --markdown`` scores them all (the
model zoo's table).
"""

import argparse
import json
import os
import sys
import time
import warnings

from . import __version__, pretrained
from ._checks import BACKENDS, check_sigma, no_backend
from .files import IMAGE_SUFFIXES, check_input, check_output, load_image, read_metadata, save_image
from .pretrained import kinds


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line too."""

    def error(self, message):
        self.exit(2, f"error: {message} (see: {self.prog} --help)\n")


def _sigma(text):
    if text.lower() in ("blind", "none"):
        return None
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"sigma must be a number or 'blind', got {text!r}")


def _parser():
    parser = _Parser(prog="python -m denoise_utils",
                     description="Denoise images with the book's shipped models.")

    parser.add_argument("--version", action="version", version=f"denoise_utils {__version__}")
    parser.add_argument("--verbose", action="store_true",
                        help="let TensorFlow's log lines and library warnings through")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("denoise", help="denoise an image file (IN OUT), or many (IN... --out-dir DIR)")
    run.add_argument("paths", nargs="+", metavar="IN [OUT]",
                     help="a PNG, JPEG, TIFF or BMP file and where to write the result (.png, "
                          ".jpg, .tif or .bmp); with --out-dir: any number of files and folders")
    run.add_argument("--out-dir", help="write each result here, under its input's name (a folder "
                     "as input: its image files)")
    run.add_argument("--quality", type=int, default=95, help="JPEG quality, 1-100 (default: 95)")
    run.add_argument("--sigma", type=_sigma, default=argparse.SUPPRESS,
                     help="noise level on the 0-255 scale, or 'blind' (default: 25)")

    run.add_argument("--noise", choices=kinds(), default="gaussian",
                     help="the kind of noise: 'camera' for a camera's own noise (a colour photo; "
                          "no --sigma), the model trained on a simulated camera; 'phone' for a phone "
                          "photo, the model that trained on simulated phones too (default: gaussian)")
    run.add_argument("--model", help="a shipped model by name (see: models)")
    run.add_argument("--strength", type=float, default=1.0,
                     help="scale the noise level a model told it is given (--noise camera: the "
                          "estimated level): below 1 gentler, above 1 stronger (0-4; default: 1)")
    run.add_argument("--overwrite", action="store_true", help="replace an existing output file")
    run.add_argument("--ensemble", action="store_true", help="self-ensemble: 8x slower, a little better")
    sub.add_parser("models", help="list the shipped models")
    score = sub.add_parser("evaluate", help="PSNR, SSIM and time per image of a shipped model "
                           "(default: the one denoise picks)")
    score.add_argument("--model", help="a shipped model by name (default: what denoise picks)")
    score.add_argument("--dataset", default="set12", help="a data set name (default: set12)")
    score.add_argument("--sigma", type=float, default=25.0, help="noise level (default: 25)")
    score.add_argument("--seed", type=int, default=0, help="noise seed (default: 0)")
    score.add_argument("--ensemble", action="store_true", help="self-ensemble: 8x slower, a little better")
    board = sub.add_parser("leaderboard", help="every shipped model on its test set: PSNR, SSIM, "
                           "x8, parameters, training minutes, ms per megapixel")
    board.add_argument("--markdown", action="store_true", help="print a Markdown table (the model zoo's)")
    board.add_argument("--no-ensemble", action="store_true", help="leave out the x8 column (8x faster)")
    board.add_argument("--no-timing", action="store_true", help="leave out the timing column")
    board.add_argument("--model", action="append", help="only this model (repeatable)")
    board.add_argument("--classical", action="store_true",
                       help="add the noisy input, non-local means and BM3D (slow)")
    board.add_argument("--route", action="store_true",
                       help="add du.denoise's colour route rows (alone: only them)")
    board.add_argument("--choice", action="store_true",
                       help="instead, print (as JSON) what du.denoise chooses gray models by: each "
                            "candidate's PSNR on held-out photos at sigma 5, 10, ..., 60")
    return parser


def main(argv=None):
    args = _parser().parse_args(argv)
    try:
        if args.command == "models":
            return _models()
        if args.command == "evaluate":
            return _evaluate(args)
        if args.command == "leaderboard":
            return _leaderboard(args)
        return _denoise(args)
    except ModuleNotFoundError as err:
        if err.name not in BACKENDS:
            raise
        print(f"error: {no_backend(err)}", file=sys.stderr)
        return 2
    except (OSError, ValueError, TypeError, RuntimeError, MemoryError) as err:
        message = str(err) if not isinstance(err, MemoryError) else "out of memory"
        print(f"error: {' '.join(message.split())}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted; nothing was written", file=sys.stderr)
        return 130
    except Exception as err:  # a bug: still one line, and --verbose shows the traceback
        if args.verbose:
            raise
        print(f"error: unexpected {type(err).__name__}: {' '.join(str(err).split())} "
              "(rerun with --verbose for the details)", file=sys.stderr)
        return 1


def _models():

    for name in pretrained.available():
        cfg = pretrained.info(name)
        sigma = (f"{cfg['noise']} noise" if cfg["noise"] != "gaussian" else
                 "blind" if cfg["blind"] else
                 "told sigma" if cfg["takes_level"] else f"sigma={cfg['sigma']:g}")
        kind = "gray" if cfg["channels"] == 1 else "colour"
        print(f"{name:22} {cfg.get('family', '?'):12} {kind:6} {sigma:9} "
              f"{cfg.get('description', '')}")
    return 0


def _jobs(args):
    """(input, output) pairs: IN OUT, or every file (and every image file of every folder)
    named, each written under its own name into --out-dir (created by :func:`_out_dir`)."""

    if args.out_dir is None:
        if len(args.paths) != 2:
            raise ValueError(f"give one input and one output file (got {len(args.paths)} paths), "
                             "or many inputs with --out-dir DIR")
        return [tuple(args.paths)]
    if os.path.lexists(args.out_dir) and not os.path.isdir(args.out_dir):
        raise FileExistsError(f"--out-dir {args.out_dir!r} is a file, not a folder "
                              "(a missing folder is created)")
    inputs = []
    for path in args.paths:
        if os.path.isdir(path):
            inputs += sorted(os.path.join(path, f) for f in os.listdir(path)
                             if f.lower().endswith(IMAGE_SUFFIXES) and not f.startswith("."))
        else:
            inputs.append(path)
    return [(path, os.path.join(args.out_dir, os.path.basename(path))) for path in inputs]


def _out_dir(folder):
    """Create --out-dir (and the folders above it) if missing, once the checks have passed."""
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as err:
        raise OSError(f"cannot create --out-dir {folder!r} ({err.strerror or err})") from None


def _denoise(args):
    """Every check that needs no TensorFlow first, then each file: read, denoise, an atomic
    write with its metadata. A file that fails is named on stderr in one line; the others go on."""

    jobs = _jobs(args)
    if not 1 <= args.quality <= 100:
        raise ValueError(f"--quality must be from 1 to 100, got {args.quality}")
    if not 0 <= args.strength <= 4:
        raise ValueError(f"--strength must be from 0 to 4, got {args.strength:g}")
    if args.model is not None:
        pretrained.info(args.model)
    given = vars(args).get("sigma", pretrained.DEFAULT_SIGMA)
    if args.noise != "gaussian" and "sigma" in vars(args):
        raise ValueError(f"--noise {args.noise} takes no --sigma: camera noise has no single level")
    if given is not None and args.noise == "gaussian":
        check_sigma(given, allow_zero=False)
    if len(jobs) == 1:                           # one file: a refusal is the whole answer
        check_input(jobs[0][0])
    if args.out_dir is not None and jobs:        # created only after the checks above
        _out_dir(args.out_dir)
    if len(jobs) == 1:
        check_output(jobs[0][1], overwrite=args.overwrite, inputs=[jobs[0][0]])
    failed = 0
    for i, (source, target) in enumerate(jobs, 1):
        start = time.perf_counter()
        try:
            check_input(source)
            check_output(target, overwrite=args.overwrite, inputs=[source])
            image, meta = load_image(source), read_metadata(source)
            result = pretrained.denoise(image, sigma=given, model=args.model, ensemble=args.ensemble,
                                        noise=args.noise, progress=sys.stderr.isatty(),
                                        strength=args.strength)
            save_image(target, result, overwrite=args.overwrite, inputs=[source], metadata=meta,
                       quality=args.quality)
        except (OSError, ValueError, TypeError, MemoryError) as err:
            if len(jobs) == 1:
                raise
            failed += 1
            message = str(err) if not isinstance(err, MemoryError) else "out of memory"
            print(f"error: {source}: {' '.join(message.split())}", file=sys.stderr, flush=True)
            continue
        if len(jobs) == 1:
            print(f"wrote {target}")
        else:
            print(f"[{i}/{len(jobs)}] wrote {target} ({time.perf_counter() - start:.1f} s)", flush=True)
    if failed:
        print(f"error: {failed} of {len(jobs)} files failed; the others were written", file=sys.stderr)
        return 2
    return 0


def _leaderboard(args):
    from . import leaderboard

    if args.choice:
        print(json.dumps(leaderboard.choice_table(), indent=1))
        return 0
    names = [] if args.route and not args.model else args.model
    rows = leaderboard.measure(names, ensemble=not args.no_ensemble, timing=not args.no_timing,
                               classical=args.classical, route=args.route or None)
    if args.markdown:
        print(leaderboard.markdown(rows))
    else:
        for r in rows:
            print(" ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                           for k, v in r.items()))
    return 0


def _evaluate(args):
    from .data import load_dataset
    from .metrics import evaluate

    gray = None if args.model is None else pretrained.info(args.model)["channels"] == 1
    images = load_dataset(args.dataset, as_gray=gray, fallback=False)
    pretrained.denoise(next(iter(images.values())), sigma=args.sigma, model=args.model)  # warm-up
    ev = evaluate(lambda y: pretrained.denoise(y, sigma=args.sigma, model=args.model,
                                               ensemble=args.ensemble),
                  images, args.sigma, seed=args.seed)
    extra = ", self-ensemble" if args.ensemble else ""
    if images.missing:
        extra += f", INCOMPLETE: {images.missing} images of the set are missing"
    print(f"{args.model or 'du.denoise'} on {args.dataset} ({images.source}), "
          f"sigma={args.sigma:g}, seed={args.seed}{extra}")
    print(f"{'image':>8} {'noisy dB':>9} {'PSNR dB':>8} {'SSIM':>7} {'seconds':>8}")
    for r in ev.per_image:
        print(f"{r['name']:>8} {r['noisy_psnr']:9.2f} {r['psnr']:8.2f} {r['ssim']:7.4f} {r['seconds']:8.3f}")
    print(f"{'mean':>8} {ev.noisy_psnr:9.2f} {ev.psnr:8.2f} {ev.ssim:7.4f} {ev.seconds:8.3f}")
    return 0


def _quiet(argv):
    """Keep native libraries' stderr (TensorFlow's C++ log) and warnings off the terminal.

    File descriptor 2 is pointed at /dev/null; Python's ``sys.stderr``, where this
    command's own messages go, keeps the real terminal.
    """
    if "--verbose" in argv:
        return
    warnings.simplefilter("ignore")
    try:
        terminal = os.dup(2)
        sys.stderr = os.fdopen(terminal, "w", buffering=1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
    except OSError:
        pass


def run():
    """The console command ``denoise-utils`` (``python -m denoise_utils``)."""
    _quiet(sys.argv[1:])
    sys.exit(main())


if __name__ == "__main__":
    run()
