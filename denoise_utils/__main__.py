"""Command line: ``python -m denoise_utils denoise IN OUT [--sigma S] [--model NAME]`` (§4.1).

Reads PNG, JPEG or TIFF (gray or colour), writes the denoised image in the format
OUT's suffix names, never overwrites IN (nor an existing OUT without
``--overwrite``), and answers bad input with one line and exit status 2; ``--ensemble``
averages over the 8 flips and rotations (slower, a little better).
``python -m denoise_utils models`` lists the shipped models;
``python -m denoise_utils evaluate [--model NAME] [--dataset set12] [--sigma 25] [--ensemble]``
scores one (default: what ``denoise`` picks) on a data set (noise from fixed seeds, as in
the book's tables).
"""

import argparse
import os
import sys


def _sigma(text):
    if text.lower() in ("blind", "none"):
        return None
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"sigma must be a number or 'blind', got {text!r}")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m denoise_utils",
                                     description="Denoise images with the book's shipped models.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("denoise", help="denoise one image file")
    run.add_argument("input", help="a PNG, JPEG or TIFF file")
    run.add_argument("output", help="where to write the result (.png, .jpg or .tif)")
    run.add_argument("--sigma", type=_sigma, default=25.0,
                     help="noise level on the 0-255 scale, or 'blind' (default: 25)")
    run.add_argument("--model", help="a shipped model by name (see: models)")
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
    args = parser.parse_args(argv)
    try:
        from . import pretrained

        if args.command == "models":
            for name in pretrained.available():
                cfg = pretrained.info(name)
                print(f"{name}: {cfg.get('description', '')}")
            return 0
        if args.command == "evaluate":
            return _evaluate(args)
        from .data import load_image, save_image

        if os.path.exists(args.output) and os.path.samefile(args.input, args.output):
            raise FileExistsError("the output would overwrite the input; choose another name")
        image = load_image(args.input)
        result = pretrained.denoise(image, sigma=args.sigma, model=args.model, ensemble=args.ensemble)
        save_image(args.output, result, overwrite=args.overwrite)
        print(f"wrote {args.output}")
        return 0
    except (OSError, ValueError, TypeError, RuntimeError) as err:  # RuntimeError: data not found
        print(f"error: {err}", file=sys.stderr)
        return 2


def _evaluate(args):
    from . import pretrained
    from .data import load_dataset
    from .metrics import evaluate

    gray = None if args.model is None else pretrained.info(args.model)["channels"] == 1
    images = load_dataset(args.dataset, as_gray=gray, fallback=False)
    pretrained.denoise(next(iter(images.values())), sigma=args.sigma, model=args.model)  # warm-up
    ev = evaluate(lambda y: pretrained.denoise(y, sigma=args.sigma, model=args.model,
                                               ensemble=args.ensemble),
                  images, args.sigma, seed=args.seed)
    extra = ", self-ensemble" if args.ensemble else ""
    print(f"{args.model or 'du.denoise'} on {args.dataset} ({images.source}), "
          f"sigma={args.sigma:g}, seed={args.seed}{extra}")
    print(f"{'image':>8} {'noisy dB':>9} {'PSNR dB':>8} {'SSIM':>7} {'seconds':>8}")
    for r in ev.per_image:
        print(f"{r['name']:>8} {r['noisy_psnr']:9.2f} {r['psnr']:8.2f} {r['ssim']:7.4f} {r['seconds']:8.3f}")
    print(f"{'mean':>8} {ev.noisy_psnr:9.2f} {ev.psnr:8.2f} {ev.ssim:7.4f} {ev.seconds:8.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
