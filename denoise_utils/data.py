"""Images in, images out, and the patches that training eats (§1, §4.1).

* :func:`load_image` / :func:`save_image` (from :mod:`.files`): any file as float32 in
  [0, 1], and back, safely.
* :func:`sample_images`: scikit-image's bundled photographs, always offline.
* :func:`load_dataset`: benchmark and training sets by name, from ``$DENOISE_DATA_DIR``,
  else fetched with pooch (checked by SHA-256), else a clearly announced fallback.
* :class:`PatchDataset`: random crops, flips/rotations and fresh noise every batch, fed
  straight to ``keras.Model.fit`` without holding every patch in memory.
"""

import os
import sys
import warnings
from typing import Callable, Sequence

try:
    import keras
except ModuleNotFoundError as err:      # Keras, or its backend, is not installed
    from ._checks import no_backend
    raise no_backend(err) from None
import numpy as np

from ._checks import as_float_image
from .config import data_dir as data_folder
from .inference import dihedral
from .noise import as_noise
from .files import IMAGE_SUFFIXES, load_image, save_image  # noqa: F401  (du.data.load_image)


# ----------------------------------------------------------------- bundled images
GRAY_SAMPLES = ("camera", "moon", "coins", "brick", "grass", "gravel")
COLOR_SAMPLES = ("astronaut", "chelsea", "coffee", "rocket")


def sample_images(gray: bool = True, names: Sequence[str] | None = None) -> dict[str, np.ndarray]:
    """scikit-image's bundled photographs as float32 in [0, 1], keyed by name (§1).

    They ship inside scikit-image, so they work offline; they are the fallback when
    a benchmark set cannot be fetched.

    Parameters
    ----------
    gray : bool, optional
        ``gray=True`` gives the gray ones (``GRAY_SAMPLES``), else the colour ones
        (``COLOR_SAMPLES``).
    names : sequence of str or None, optional
        These images instead, by name (from either list).

    Returns
    -------
    dict
        Float32 images in [0, 1] by name.
    """
    import skimage.data

    names = names or (GRAY_SAMPLES if gray else COLOR_SAMPLES)
    out = {}
    for name in names:
        if name not in GRAY_SAMPLES + COLOR_SAMPLES:
            raise ValueError(f"unknown sample image {name!r}; choose from "
                             f"{GRAY_SAMPLES + COLOR_SAMPLES}")
        out[name] = as_float_image(getattr(skimage.data, name)(), name=name)
    return out


#: the side of the stand-ins for a missing data set: Set12's usual size, so a chapter run
#: without the data costs about what it costs with it (the bundled photos are up to 640 px)
FALLBACK_SIDE = 256


def _stand_ins(gray):
    """:func:`sample_images`, each cut to its central ``FALLBACK_SIDE`` square (or less)."""
    out = {}
    for name, im in sample_images(gray=gray).items():
        i, j = (max(0, (n - FALLBACK_SIDE) // 2) for n in im.shape[:2])
        out[name] = np.ascontiguousarray(im[i:i + FALLBACK_SIDE, j:j + FALLBACK_SIDE])
    return out


# ----------------------------------------------------------------------- datasets
def _names(fmt, n):
    return [fmt % i for i in range(1, n + 1)]


# SHA-256 of each file. Set12: the copy in DnCNN's repository (Zhang et al., 2017);
# Kodak24: the lossless PNGs of the Kodak PhotoCD set as distributed at r0k.us.
_SET12_SHA256 = (
    "079229e13faff0a262a9d3eb9a7fa60868203f9b8545de6fb75aadf6fbca4296",
    "576b2b3b6ff4d7e6c8ddccb0df645774f9b986c81219c28e16ba1935990a0b29",
    "92de94d7b8ef9e645546821150eff5c765d0d29666f9bc7d20b61063f35c3305",
    "839fb4770a5a71ab80f18b04a3521b7464451bb3d3e3c6555d538247599fe843",
    "1707ee6fd18fe7d55a1ac7a2cc8818b1e5d5c4a1d6974d8cd4acc9e0f11025fc",
    "02d125470b396b2c63fa428e65920a88e721d5558c54a5c0d25075c934bd0469",
    "83d42aae735bde17c8e92e5c2544b07dd4ff2b77caaa64f5d3bcc34668f79597",
    "f07124a0b4bb493660210c209070aa9c9187e9e085a9f026a51a2b9f57e25f15",
    "764b8a2748cc7ad381cccc047c5e512cb528c197ba86adb83aa339e8932e66c0",
    "18bea4de1634456f5791d16301863fc974401d144cd6afb86f09a6be4620fe54",
    "a8791afbd2af4f977f30c3a9a72a50204264440c27b1f4bb282a085eb680abe1",
    "f6acd12953db8c1f5a0dda53fef4233be37a61702cd22d5be742cf7c039021f2",
)
_KODAK_SHA256 = (
    "a56e27cbf5f843c048b6af1d6e090760e9c92fadba88b7dee0205918a37523bd",
    "4f4b74a79237e311d72cad958237b5f7088d8bce1c82305ebefe1a70e3022dfd",
    "e25ca1ff2f0c0cb5fdfd5f9b0a0bb21ac4c3de3c84a67f35b09a85d3306249db",
    "e3b946107c5d3441c022f678d0c3caf1e224d81b1604ba840a4f88e562de61aa",
    "10349e963c5c813d327852f82c1795fa4148d69fedffc4c589bee458e3ac3d53",
    "363510303b715d4cbc384e1ce227e466b613a09e1b71ae985882bf8e7fbd9b18",
    "b77d3f006f42414bb242222e0482e750c0fb9e5ee8d4bed2f6f11c5605fe54a4",
    "ba23983c76b4832ee0e8af0592664756841a16779acd69f792e268fb6d13d6e7",
    "6a4361c2fc194feb4edaa9f9a4a0620fb9943e460ac7fdf037fb0f6dd6607a7d",
    "9dfb70f5867c29ff9ed6313683f19b3d867849e40fbc0c4c54a4a89df341cf23",
    "7936814b58b5387fce2e4e2488b4ec830dadd95fa9520f358ddb30990b50f2b6",
    "d78c37c2f04f23761ed2367dd77e2db584ddd4c3950833fecf89f199a8126980",
    "bc34a3ce58dea09dce1704c997171602de90cb34d0c8503a988b77f473d39b08",
    "55a94550ff18f3246c4074fd32b77b0c74447c26b6ad274d564d999c0450ba6e",
    "7538cbb80cb9103606c48b806eae57d56c885c7f90b9b3be70a41160f9cbb683",
    "a89c7268ccd4718ba424a99fc4643c572cf692ca6eae887185ceb4e9f11d2e54",
    "37afcc89fbdcb76d9518e04b2fc011027e2f4cd14b3b2f83cefd721641a47c5b",
    "1a9258c365988961d87a0598725b609139c303ad48a5aad6c503c3b1a87849aa",
    "b7450b264b1b0a411390d8931b112c27905a992520fc90569dc4b920aa32bbdc",
    "3b46c71e3b92a563820ba32936be8330c586c41f938efd94be938386aae4328a",
    "ac958597c82073f6bb65129c68f72b651db5b9efd82e11547d07350214bc268b",
    "1cee58eb1f2d9c7ebb254d208a03c783ce6cf2c4d8c2cf45e235dd23b4ce1b29",
    "e3111a2fd4da24af15d6459ef9eacfe54106b38e27b4a21821b75c3f5d2d5baf",
    "1071c68372cc5a01435c2c225a5cf7d4bb803846ec08bb6b3d6721b156d7cb96",
)

def _registry(name):
    """File names and SHA-256 hashes of ``name`` from ``registry.txt`` (shipped with the package)."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "registry.txt")
    with open(path, encoding="utf-8") as fh:
        rows = [line.split() for line in fh if line.strip() and not line.startswith("#")]
    rows = [(f, h) for n, f, h in rows if n == name]
    return [f for f, _ in rows], [h for _, h in rows]


_TRAIN400_FILES, _TRAIN400_SHA256 = _registry("train400")
_RNI6_FILES, _RNI6_SHA256 = _registry("rni6")

#: the commits of the authors' repositories the files are fetched from: a moved branch cannot
#: change them (their SHA-256 hashes are checked as well)
DNCNN_COMMIT = "e93b27812d3ff523a3a79d19e5e50d233d7a8d0a"
FFDNET_COMMIT = "e787f46df2f374ff3591186706229cb9a0591fea"

#: name -> gray?, file names, download base URL and hashes (``None``: local only), and
#: ``count``, the number of images of the whole set (a local folder with fewer is announced).
#: Train400 is DnCNN's training set (Zhang et al., 2017) and RNI6 FFDNet's real noisy photos
#: (Zhang et al., 2018), both from their authors' repositories.
DATASETS = {
    "set12": dict(gray=True, files=_names("%02d.png", 12), sha256=_SET12_SHA256,
                  url=f"https://raw.githubusercontent.com/cszn/DnCNN/{DNCNN_COMMIT}/testsets/Set12/"),
    "kodak24": dict(gray=False, files=_names("kodim%02d.png", 24), sha256=_KODAK_SHA256,
                    url="https://r0k.us/graphics/kodak/kodak/"),
    "bsd68": dict(gray=True, files=None, sha256=None, url=None, count=68),
    "cbsd68": dict(gray=False, files=None, sha256=None, url=None, count=68),
    "train400": dict(gray=True, files=_TRAIN400_FILES, sha256=_TRAIN400_SHA256,
                     url=f"https://raw.githubusercontent.com/cszn/DnCNN/{DNCNN_COMMIT}/TrainingCodes/"
                         "DnCNN_TrainingCodes_v1.0/data/Train400/"),
    "cbsd432": dict(gray=False, files=None, sha256=None, url=None, count=432),
    "rni6": dict(gray=True, files=_RNI6_FILES, sha256=_RNI6_SHA256,
                 url=f"https://raw.githubusercontent.com/cszn/FFDNet/{FFDNET_COMMIT}/testsets/RNI6/"),
    "samples": dict(gray=False, files=None, sha256=None, url=None),  # scikit-image's own
}
for _spec in DATASETS.values():
    _spec.setdefault("count", len(_spec["files"]) if _spec["files"] else None)


#: training sets keep every ``HOLDOUT_EVERY``-th image (by sorted file name) out of training,
#: for validation: 16 of Train400's 400, 17 of CBSD432's 432 (``load_dataset(..., split=)``)
HOLDOUT_EVERY = 25
SPLIT_SETS = ("train400", "cbsd432")


def _split(images, split):
    keep = {"train": lambda i: (i + 1) % HOLDOUT_EVERY != 0,
            "val": lambda i: (i + 1) % HOLDOUT_EVERY == 0}[split]
    return {k: v for i, (k, v) in enumerate(sorted(images.items())) if keep(i)}


class ImageSet(dict):
    """A dict of name -> float32 image that also records where it came from.

    Parameters
    ----------
    images : dict
        The images by name.
    name : str
        The data set's name (a key of ``DATASETS`` or ``PAIR_SETS``).
    source : str
        Where it came from: the local folder or download cache, or scikit-image.
    missing : int, optional
        For a local folder: how many images of the whole set it lacks.
    """

    def __init__(self, images: dict, name: str, source: str, *, missing: int = 0) -> None:
        super().__init__(images)
        self.name, self.source, self.missing = name, source, missing

    def __repr__(self):
        return f"ImageSet({self.name!r}, {len(self)} images, source={self.origin!r})"

    @property
    def origin(self) -> str:
        """Where the set came from, in words that hold on any machine.

        Returns
        -------
        str
            The data folder's sub-folder, the download cache, or scikit-image (``source`` is
            the local path).
        """
        root = data_folder()
        if root and os.path.abspath(self.source).startswith(root + os.sep):
            return f"the data folder's {os.path.relpath(self.source, root)}/"
        return "the download cache" if os.path.isabs(self.source) else self.source


def _offline():
    return os.environ.get("DENOISE_OFFLINE", "").strip().lower() in ("1", "true", "yes")


def _read_folder(folder, spec, as_gray):
    """The images of a local folder, and how many of the whole set are missing (announced)."""
    files = spec["files"]
    if files is None:
        files = sorted(f for f in os.listdir(folder) if f.lower().endswith(IMAGE_SUFFIXES))
    present = [f for f in files if os.path.isfile(os.path.join(folder, f))]
    if not present:
        raise FileNotFoundError(f"{folder!r} holds none of the expected image files")
    missing = (spec["count"] or len(present)) - len(present)
    if missing > 0:
        which = sorted(set(files) - set(present)) if spec["files"] else []
        names = f" (missing: {', '.join(which[:4])}{', ...' if len(which) > 4 else ''})" if which else ""
        warnings.warn(f"{folder!r} holds {len(present)} of the {spec['count']} images of the "
                      f"set{names}: results on it are not comparable with the published ones",
                      stacklevel=3)
    return {os.path.splitext(f)[0]: load_image(os.path.join(folder, f), as_gray=as_gray)
            for f in present}, max(missing, 0)


def _fetch(name, spec, as_gray):
    import pooch


    cache = pooch.os_cache("denoise_utils") / name
    images = {}
    files = list(zip(spec["files"], spec["sha256"]))
    fetched = 0
    for done, (fname, digest) in enumerate(files, 1):
        fetched += not (cache / fname).is_file()
        path = pooch.retrieve(spec["url"] + fname, known_hash=f"sha256:{digest}",
                              fname=fname, path=cache, progressbar=False)
        if fetched:                        # progress, one line redrawn (Train400 is 400 files)
            print(f"\rfetching {name}: {done}/{len(files)} files into {cache}",
                  end="\n" if done == len(files) else "", file=sys.stderr, flush=True)
        images[os.path.splitext(fname)[0]] = load_image(path, as_gray=as_gray)
    return images, str(cache)


def load_dataset(name: str, *, as_gray: bool | None = None, limit: int | None = None,
                 fallback: bool = True, split: str | None = None,
                 data_dir: str | os.PathLike | None = None) -> ImageSet:
    """Load a data set by name as an :class:`ImageSet` (§1).

    Looks in ``$DENOISE_DATA_DIR/<name>/`` first; else downloads the pinned files
    with pooch (each checked by SHA-256) into the user cache; else, offline or when a
    download fails, warns and returns stand-ins from :func:`sample_images`.

    Parameters
    ----------
    name : str
        One of ``DATASETS`` (``"set12"``, ``"train400"``, ...).
    as_gray : bool or None, optional
        Default: the set's own kind.
    limit : int or None, optional
        Keep the first *n* images.
    fallback : bool, optional
        False raises instead of returning stand-ins.
    split : {"train", "val"} or None, optional
        For a training set (``SPLIT_SETS``): without its held-out images, or only them. Models
        are validated on those, never on a test set (§4.1).
    data_dir : str or os.PathLike or None, optional
        The data folder, instead of ``$DENOISE_DATA_DIR``.

    Returns
    -------
    ImageSet
        A dict of float32 images in [0, 1] by name, which says where they came from.
    """
    key = str(name).lower()
    if key not in DATASETS:
        raise ValueError(f"unknown data set {name!r}; choose one of {sorted(DATASETS)}")
    spec = DATASETS[key]
    as_gray = spec["gray"] if as_gray is None else bool(as_gray)
    if limit is not None and (not isinstance(limit, int) or limit < 1):
        raise ValueError(f"limit must be a positive int, got {limit!r}")
    if split is not None and (split not in ("train", "val") or key not in SPLIT_SETS):
        raise ValueError(f"split={split!r}: only the training sets {SPLIT_SETS} have "
                         "splits, 'train' and 'val'")
    root = data_folder(data_dir)
    local = os.path.join(root, key) if root else None
    images = source = None
    problem, missing = None, 0
    if key == "samples":
        images, source = sample_images(gray=as_gray), "scikit-image"
    elif local and os.path.isdir(local):
        (images, missing), source = _read_folder(local, spec, as_gray), local
    elif spec["url"] is None:
        problem = (f"{key} is not downloadable here; put its images in "
                   f"$DENOISE_DATA_DIR/{key}/")
    elif _offline():
        problem = f"{key} cannot be fetched: DENOISE_OFFLINE is set"
    else:
        try:
            images, source = _fetch(key, spec, as_gray)
        except Exception as err:  # no network, a moved file, a hash mismatch
            problem = f"fetching {key} failed ({type(err).__name__}: {err})"
    if images is None:
        if not fallback:
            raise RuntimeError(problem)
        warnings.warn(f"{problem}. Using scikit-image's bundled images instead, so the "
                      "numbers will not match the published ones.", stacklevel=2)
        images, source = _stand_ins(as_gray), "scikit-image (fallback)"
    if split is not None and not source.endswith("(fallback)"):
        images = _split(images, split)
        if not images:
            raise ValueError(f"{key} at {source!r} has no {split!r} images: it holds too few "
                             f"(every {HOLDOUT_EVERY}th is held out)")
    if limit is not None:
        images = dict(list(images.items())[:limit])
    return ImageSet(images, key, source, missing=missing)


#: real noisy photos with clean references, local only: ``<name>/noisy/`` and ``<name>/clean/``
#: with the same file names. NAM-CC15: 15 crops (512x512) of Nam et al. (CVPR 2016), the clean
#: one the mean of ~500 shots of the same static scene.
PAIR_SETS = {"nam_cc15": dict(gray=False, files=None, count=15)}


def load_pairs(name: str = "nam_cc15", limit: int | None = None, *,
               data_dir: str | os.PathLike | None = None) -> tuple[ImageSet, ImageSet]:
    """Real camera noise with references (§5.1).

    These sets cannot be downloaded here, and there is no fallback: without them this
    raises, saying where to put them. For scoring only: never train or tune on a test set.

    Parameters
    ----------
    name : str, optional
        One of ``PAIR_SETS``, read from ``$DENOISE_DATA_DIR/<name>/`` (its ``noisy/`` and
        ``clean/`` folders).
    limit : int or None, optional
        Keep the first *n* images (by sorted name).
    data_dir : str or os.PathLike or None, optional
        The data folder, instead of ``$DENOISE_DATA_DIR``.

    Returns
    -------
    noisy, clean : ImageSet
        Two :class:`ImageSet` with the same names.
    """
    key = str(name).lower()
    if key not in PAIR_SETS:
        raise ValueError(f"unknown paired set {name!r}; choose one of {sorted(PAIR_SETS)}")
    if limit is not None and (not isinstance(limit, int) or limit < 1):
        raise ValueError(f"limit must be a positive int, got {limit!r}")
    root = data_folder(data_dir)
    folders = {part: os.path.join(root, key, part) if root else None for part in ("noisy", "clean")}
    if not all(f and os.path.isdir(f) for f in folders.values()):
        raise RuntimeError(f"{key} is not downloadable here; put its noisy/ and clean/ folders "
                           f"in $DENOISE_DATA_DIR/{key}/")
    spec = PAIR_SETS[key]
    sets = {part: _read_folder(folder, spec, as_gray=spec["gray"])[0] for part, folder in folders.items()}
    if set(sets["noisy"]) != set(sets["clean"]):
        raise ValueError(f"{key}: noisy/ and clean/ hold different file names")
    names = sorted(sets["clean"])[:limit]
    return tuple(ImageSet({n: sets[part][n] for n in names}, key, folders[part])
                 for part in ("noisy", "clean"))


# ------------------------------------------------------------------ training data
class PatchDataset(keras.utils.PyDataset):
    """Batches of (noisy, clean) patches cut at random from ``images`` (§4.1).

    Each batch is made when asked for, from a seed derived from (``seed``, epoch,
    batch index), so training is repeatable and nothing but the images is kept in
    memory. Arrays are (batch, patch, patch, channels).

    Parameters
    ----------
    images : dict or sequence of ndarray
        Clean images in [0, 1] (a dict's values), all gray or all colour, each at least
        ``patch_size`` on both sides.
    patch_size : int, optional
        The side of a patch.
    batch_size : int, optional
        The patches in a batch.
    steps : int, optional
        The batches in an epoch.
    sigma : float or tuple of float, optional
        A noise level on the 0-255 scale, or a ``(low, high)`` range drawn per patch for
        blind training.
    noise : str or callable, optional
        Another kind of noise by name in :data:`noise.NOISES` (it gets ``sigma`` if it takes
        one), or any function ``(clean, rng)``, which may return ``(noisy, target)`` when the
        target is not the clean patch itself (camera noise, §5.1), and whose ``noisy`` may be
        a tuple of inputs (the noisy patch and its noise-level map, §5.5).
    augment : bool, optional
        Apply a random one of the 8 flips and rotations to each patch.
    seed : int, optional
        The first part of each batch's seed.
    **kwargs
        Passed to ``keras.utils.PyDataset`` (``workers``, ``use_multiprocessing``,
        ``max_queue_size``).
    """

    def __init__(self, images: dict | Sequence[np.ndarray], *, patch_size: int = 40,
                 batch_size: int = 64, steps: int = 100,
                 sigma: float | tuple[float, float] = 25.0, noise: str | Callable = "gaussian",
                 augment: bool = True, seed: int = 0, **kwargs) -> None:
        super().__init__(**kwargs)
        if isinstance(images, dict):
            images = list(images.values())
        images = [as_float_image(im, name=f"images[{i}]") for i, im in enumerate(images)]
        if not images:
            raise ValueError("images is empty")
        images = [im[..., None] if im.ndim == 2 else im for im in images]
        channels = {im.shape[-1] for im in images}
        if len(channels) != 1:
            raise ValueError(f"images mix channel counts {sorted(channels)}; use one kind")
        small = [im.shape[:2] for im in images if min(im.shape[:2]) < patch_size]
        if small:
            raise ValueError(f"patch_size={patch_size} exceeds an image of size {small[0]}")
        for arg, val in (("patch_size", patch_size), ("batch_size", batch_size), ("steps", steps)):
            if not isinstance(val, (int, np.integer)) or val < 1:
                raise ValueError(f"{arg} must be a positive int, got {val!r}")
        self.images, self.channels = images, channels.pop()
        self.patch_size, self.batch_size, self.steps = int(patch_size), int(batch_size), int(steps)
        self.noise, self.augment, self.seed = as_noise(noise, sigma), augment, seed
        self.epoch = 0

    def __len__(self):
        return self.steps

    def on_epoch_end(self) -> None:
        """Count the epoch done, so the next one cuts other patches (Keras calls this).

        Returns
        -------
        None
        """
        self.epoch += 1

    def clean_batch(self, rng: np.random.Generator) -> np.ndarray:
        """Cut ``batch_size`` random (augmented) clean patches.

        Parameters
        ----------
        rng : numpy.random.Generator
            Draws the images, the places and the flips.

        Returns
        -------
        ndarray
            Float32, (batch_size, patch_size, patch_size, channels).
        """
        p = self.patch_size
        out = np.empty((self.batch_size, p, p, self.channels), np.float32)
        for b in range(self.batch_size):
            im = self.images[rng.integers(len(self.images))]
            i = rng.integers(im.shape[0] - p + 1)
            j = rng.integers(im.shape[1] - p + 1)
            patch = im[i:i + p, j:j + p]
            out[b] = dihedral(patch, rng.integers(8)) if self.augment else patch
        return out

    def __getitem__(self, index):
        if not 0 <= index < self.steps:
            raise IndexError(f"batch {index} out of range 0..{self.steps - 1}")
        rng = np.random.default_rng((self.seed, self.epoch, index))
        clean = self.clean_batch(rng)
        noisy = self.noise(clean, rng)
        if isinstance(noisy, tuple):        # (noisy, target): a target of its own (§5.1)
            noisy, clean = noisy
        if isinstance(noisy, tuple):        # (noisy, level map): a model told the level (§5.5)
            return tuple(np.asarray(a, np.float32) for a in noisy), np.asarray(clean, np.float32)
        return np.asarray(noisy, np.float32), np.asarray(clean, np.float32)
