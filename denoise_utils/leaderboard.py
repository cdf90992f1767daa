"""One table of every shipped model, measured the same way (§4.1; the model zoo's table).

``python -m denoise_utils leaderboard --markdown`` prints it; the book's model zoo page
(``book/model_zoo.md``) holds its output verbatim and a test recomputes the quality columns,
so the page cannot drift from the
weights. Gray models are scored on Set12 at the σ they were trained for, colour models and ``du.denoise``'s colour route on scikit-image's four
colour photos at σ = 25 (models trained on a range of levels, blind or told the level, at
σ = 15, 25 and 50); noise from fixed seeds, as everywhere in the book. Models trained
on another kind of noise are scored on that kind's real-noise set (``noise.NOISES[kind].real_set``:
NAM-CC15 for a camera's noise; σ column: ``real``), beside the colour route with blind gray
models and the noisy input.
"""

import pathlib
import statistics
import time
from collections.abc import Sequence

from . import pretrained
from .metrics import evaluate
from .noise import get

BLIND_SIGMAS = (15, 25, 50)
COLOUR_ROUTE = "du.denoise (colour route)"
#: the classical rows: (name, family label); BM3D is CBM3D on colour photos
CLASSICAL = (("noisy input", "–"), ("non-local means", "classical"), ("BM3D", "classical"))


def entries(names: Sequence[str] | None = None, classical: bool = False,
            route: bool | None = None) -> list[tuple[str, str, float | None]]:
    """(model, data set, σ) for each row of the leaderboard (§4.1).

    Parameters
    ----------
    names : sequence of str, optional
        Shipped models (default: every shipped model).
    classical : bool, optional
        Add the noisy input, non-local means and BM3D at each level (BM3D where its optional
        package is installed: the methods of :func:`classical.baselines`).
    route : bool, optional
        Add the colour route (by default only with every model).

    Returns
    -------
    list of tuple
        ``(model, data set, σ)``; σ is None on a real-noise set.
    """
    from . import classical as methods

    everything = names is None if route is None else route
    names = pretrained.available() if names is None else names
    out = []
    real_sets = []
    for name in names:
        cfg = pretrained.info(name)
        real_set = get(cfg["noise"]).real_set
        if real_set:
            out.append((name, real_set, None))
            real_sets.append(real_set)
            continue
        dataset = "set12" if cfg["channels"] == 1 else "samples"
        sigmas = BLIND_SIGMAS if isinstance(cfg["sigma"], list) else (cfg["sigma"],)
        out += [(name, dataset, float(s)) for s in sigmas]
    real_sets = sorted(set(real_sets))
    if everything:
        out.append((COLOUR_ROUTE, "samples", 25.0))
        # what the Gaussian models do with real noise: blind, σ = None
        out += [(COLOUR_ROUTE, real_set, None) for real_set in real_sets]
    if classical:
        installed = methods.baselines()  # BM3D only where its package is
        kept = [name for name, _ in CLASSICAL if name == "noisy input" or name in installed]
        out += [(name, "set12", float(s)) for name in kept for s in BLIND_SIGMAS]
        out += [(name, "samples", 25.0) for name in kept]
        out += [("noisy input", real_set, None) for real_set in real_sets]
    return out


def _denoiser(name, sigma, ensemble=False):
    from . import classical

    if name == "noisy input":
        return lambda y: y
    if name in ("non-local means", "BM3D"):
        fn = classical.nl_means if name == "non-local means" else classical.bm3d
        return lambda y: fn(y, sigma)
    model = None if name == COLOUR_ROUTE else name
    kind = "gaussian" if model is None else pretrained.info(model)["noise"]
    if kind != "gaussian":
        return lambda y: pretrained.denoise(y, model=model, noise=kind, ensemble=ensemble)
    blind = model is not None and pretrained.info(model)["blind"]
    return lambda y: pretrained.denoise(y, sigma=None if blind else sigma, model=model,
                                        ensemble=ensemble)


def _ms_per_megapixel(fn, image, repeats=3):
    """The median time of ``repeats`` runs of ``fn`` on ``image``, per megapixel. No warm-up run:
    ``measure`` calls it right after ``evaluate`` has run ``fn`` on this very image."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn(image)
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times) / (image.shape[0] * image.shape[1] / 1e6)


def measure(names: Sequence[str] | None = None, *, ensemble: bool = True, timing: bool = True,
            classical: bool = False, datasets: dict | None = None, repeats: int = 3,
            route: bool | None = None) -> list[dict]:
    """The leaderboard's rows as dicts (PSNR/SSIM, ×8, parameters, minutes, ms per megapixel).

    Parameters
    ----------
    names : sequence of str, optional
        Shipped models (default: every shipped model).
    ensemble : bool, optional
        Score each model with the ×8 ensemble of flips and rotations too (``psnr_x8``).
    timing : bool, optional
        Time each method (``ms_per_mp``).
    classical : bool, optional
        Add the noisy input, non-local means and BM3D rows.
    datasets : dict, optional
        Images by data set name (``{"set12": ..., "nam_cc15": (noisy, clean)}``) to score on
        instead of the whole sets (§4.5 on the quick budget).
    repeats : int, optional
        Timed runs of each method (the median is kept), after one warm-up run.
    route : bool, optional
        The colour route rows too (by default only with every model).

    Returns
    -------
    list of dict
        One per row of :func:`entries`: ``model``, ``family``, ``dataset``, ``sigma``,
        ``psnr``, ``ssim``, ``params``, ``minutes`` and, for a shipped model,
        ``gpu_minutes``; ``psnr_x8`` and ``ms_per_mp`` where measured.
    """
    from .data import PAIR_SETS, load_dataset, load_pairs

    datasets = datasets or {}
    families = dict(CLASSICAL)
    rows = []
    for name, dataset, sigma in entries(names, classical, route):
        if dataset not in datasets:
            datasets[dataset] = (load_pairs(dataset) if dataset in PAIR_SETS
                                 else load_dataset(dataset, fallback=False))
        images, noisy = datasets[dataset], None
        if isinstance(images, tuple):                     # real noise: (noisy, clean)
            noisy, images = images
        fn = _denoiser(name, sigma)
        ev = evaluate(fn, images, sigma, noisy=noisy)
        row = dict(model=name, dataset=dataset, sigma=sigma, psnr=ev.psnr, ssim=ev.ssim)
        if name == COLOUR_ROUTE or name in families:
            row.update(family=families.get(name, "(gray models)"), params=None, minutes=None)
        else:
            cfg = pretrained.info(name)
            row.update(family=cfg.get("family", "?"), params=pretrained.load(name).count_params(),
                       minutes=pretrained.minutes(name, total=True, device="cpu"),
                       gpu_minutes=pretrained.minutes(name, total=True, device="gpu"))
        if ensemble and name not in families:
            row["psnr_x8"] = evaluate(_denoiser(name, sigma, ensemble=True), images, sigma,
                                      noisy=noisy).psnr
        if timing and name != "noisy input":
            row["ms_per_mp"] = _ms_per_megapixel(fn, next(iter(images.values())), repeats)
        rows.append(row)
    return rows


def minutes_cell(cpu: float | None, gpu: float | None) -> str:
    """Training minutes as the table prints them (§4.1).

    Parameters
    ----------
    cpu, gpu : float or None
        Minutes on a CPU and on a GPU (None or 0: none).

    Returns
    -------
    str
        CPU minutes, GPU minutes marked so, and both where a chain ran on each
        (e.g. ``77 + 5 (GPU)``); "–" for neither.
    """
    parts = [f"{cpu:.0f}"] if cpu else []
    parts += [f"{gpu:.0f} (GPU)"] if gpu else []
    return " + ".join(parts) or "–"


def model_minutes_cell(name: str) -> str:
    """A shipped model's training minutes, its whole chain, as the tables print them.

    Parameters
    ----------
    name : str
        A shipped model.

    Returns
    -------
    str
        As :func:`minutes_cell` prints them.
    """
    return minutes_cell(*(pretrained.minutes(name, total=True, device=d) for d in ("cpu", "gpu")))


#: the levels ``choice_table`` measures (``du.denoise`` accepts gray σ up to 60)
CHOICE_SIGMAS = tuple(range(5, 65, 5))


def choice_table(images: dict | None = None, *, sigmas: Sequence[float] = CHOICE_SIGMAS) -> dict:
    """What ``du.denoise`` chooses by (§4.1): each candidate gray model's PSNR at each level.

    ``python -m denoise_utils leaderboard --choice > denoise_utils/weights/choice.json`` writes
    it; ``pretrained.choose`` then picks, among the models that accept a σ, the one that scored
    highest at the nearest level here. The photos are scikit-image's six gray ones
    (``du.sample_images``): no shipped model trained on them or was chosen on them, so they
    are held out for every candidate, as Set12 (the test set) must not be.

    Parameters
    ----------
    images : dict, optional
        Clean gray images by name (default: ``du.sample_images(gray=True)``).
    sigmas : sequence of float, optional
        The levels (0-255 scale).

    Returns
    -------
    dict
        ``images`` (their names), ``command`` and ``psnr``: {str(σ): {model: PSNR (dB)}},
        every model of ``pretrained.candidates(1, σ)``, the noise from fixed seeds.
    """
    from .data import sample_images

    images = sample_images(gray=True) if images is None else images
    psnr = {}
    for sigma in sigmas:
        psnr[f"{sigma:g}"] = {
            name: round(evaluate(_denoiser(name, float(sigma)), images, sigma).psnr, 4)
            for name in pretrained.candidates(1, float(sigma))}
    return {"images": sorted(images), "command": "python -m denoise_utils leaderboard --choice", "psnr": psnr}


def markdown(rows: Sequence[dict]) -> str:
    """The rows as a Markdown table (training minutes on a GPU marked so; the rest are CPU minutes).

    Parameters
    ----------
    rows : sequence of dict
        :func:`measure`'s rows.

    Returns
    -------
    str
        The table, one line per row after the header's two.
    """
    head = ["model", "family", "test set", "σ", "PSNR (dB)", "SSIM", "×8 PSNR",
            "parameters", "training minutes", "ms / megapixel"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = [f"`{r['model']}`", r["family"], r["dataset"],
                 "real" if r["sigma"] is None else f"{r['sigma']:g}",
                 f"{r['psnr']:.2f}", f"{r['ssim']:.4f}",
                 f"{r['psnr_x8']:.2f}" if r.get("psnr_x8") is not None else "–",
                 f"{r['params']:,}" if r.get("params") else "–",
                 minutes_cell(r.get("minutes"), r.get("gpu_minutes")),
                 f"{r['ms_per_mp']:.0f}" if r.get("ms_per_mp") is not None else "–"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def parse(table: str) -> list[dict[str, str]]:
    """Rows of a Markdown table written by :func:`markdown`, as dicts of strings.

    Parameters
    ----------
    table : str
        The table; lines that do not start with ``|`` are ignored.

    Returns
    -------
    list of dict
        One per row, by the header's column names.
    """
    lines = [line for line in table.strip().splitlines() if line.startswith("|")]
    head = [c.strip() for c in lines[0].strip("|").split("|")]
    return [dict(zip(head, (c.strip() for c in line.strip("|").split("|"))))
            for line in lines[2:]]


#: the model zoo page's generated table sits between these two lines
TABLE_MARKS = ("<!-- leaderboard:start -->", "<!-- leaderboard:end -->")


def zoo_rows(page: str | pathlib.Path | None = None) -> list[dict[str, str]]:
    """The model zoo page's table of full figures (every image of every set; §4.5).

    Parameters
    ----------
    page : str or pathlib.Path, optional
        The page (default: the checkout's ``book/model_zoo.md``).

    Returns
    -------
    list of dict
        :func:`parse` rows, or [] where there is no such page (an installed package, not a
        checkout of the book).
    """
    path = pathlib.Path(page) if page else pathlib.Path(__file__).resolve().parents[1] / "book" / "model_zoo.md"
    if not path.is_file():
        return []
    text = path.read_text(encoding="utf-8")
    start, end = TABLE_MARKS
    if start not in text or end not in text:
        raise ValueError(f"{path} has no generated leaderboard block")
    return parse(text.split(start)[1].split(end)[0])
