"""How long a phone photo takes on this machine (§5.1; the user guide quotes it).

    python scripts/time_photo.py [--megapixels 12] [--noise camera|phone|gaussian] [--tile N] [--record]

Makes a colour photo of the given size (scikit-image's astronaut, enlarged, with camera
noise, or a phone's for ``--noise phone``), denoises it once with ``du.denoise`` as a reader would (its default tiles, a
progress bar on stderr) and prints the wall time. ``--record`` also writes it into
``denoise_utils/photo_timings.json`` (``pretrained.photo_time`` reads it; the user guide and
the FAQ quote it, and ``tests/test_statements.py`` holds the guide to it).
"""

import argparse
import datetime
import json
import os
import platform
import time

import numpy as np


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megapixels", type=float, default=12.0)
    parser.add_argument("--noise", choices=("camera", "phone", "gaussian"), default="camera")
    parser.add_argument("--tile", type=int, default=None, help="du.denoise's tile (default: its own)")
    parser.add_argument("--record", action="store_true", help="write the time to photo_timings.json")
    args = parser.parse_args(argv)
    if args.record and (args.tile or args.megapixels != 12.0):
        raise SystemExit("error: --record keeps the default photo (12 megapixels) and tile")

    from skimage.transform import resize

    import denoise_utils as du

    h = int(round(np.sqrt(args.megapixels * 1e6 * 3 / 4)))      # a 4:3 photo, e.g. 3000 x 4000
    w = int(round(h * 4 / 3))
    photo = resize(du.sample_images(gray=False, names=["astronaut"])["astronaut"], (h, w), order=1)
    photo = du.noise.camera.add_camera_noise(photo.astype(np.float32), seed=0, phone=args.noise == "phone")
    kwargs = dict(noise=args.noise) if args.noise != "gaussian" else dict(sigma=None)
    if args.tile:
        kwargs["tile"] = args.tile
    du.denoise(photo[:256, :256], **kwargs)                        # load the model once
    start = time.perf_counter()
    du.denoise(photo, progress=True, **kwargs)
    seconds = time.perf_counter() - start
    print(f"{h} x {w} ({h * w / 1e6:.1f} megapixels), noise={args.noise!r}: "
          f"{seconds:.0f} s ({seconds / 60:.1f} minutes)")
    if args.record:
        record = du.pretrained.PHOTO_TIMINGS
        times = {}
        if os.path.exists(record):
            with open(record) as fh:
                times = json.load(fh)
        times[args.noise] = dict(seconds=round(seconds, 1), height=h, width=w,
                                 cpus=os.cpu_count(), machine=platform.processor() or platform.machine(),
                                 date=datetime.date.today().isoformat())
        with open(record, "w") as fh:
            json.dump(times, fh, indent=1, sort_keys=True)
            fh.write("\n")


if __name__ == "__main__":
    main()
