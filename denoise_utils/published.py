"""Published results the book compares against, each with its source (§1, §4.1).

The one place such figures are typed: chapters read them with :func:`result` and
quote them through ``du.glue``, so a typo cannot hide in prose. Mean PSNR in dB on
additive white Gaussian noise of level σ (0-255 scale), or on real camera noise (σ None).
"""

#: (method, data set, sigma) -> (PSNR dB, source)
RESULTS = {
    ("BM3D", "set12", 15): (32.37, "Zhang et al. (2017), DnCNN paper, Table III"),
    ("BM3D", "set12", 25): (29.97, "Zhang et al. (2017), DnCNN paper, Table III"),
    ("BM3D", "set12", 50): (26.72, "Zhang et al. (2017), DnCNN paper, Table III"),
    ("DnCNN-S", "set12", 15): (32.86, "Zhang et al. (2017), DnCNN paper, Table III"),
    ("DnCNN-S", "set12", 25): (30.44, "Zhang et al. (2017), DnCNN paper, Table III"),
    ("DnCNN-S", "set12", 50): (27.18, "Zhang et al. (2017), DnCNN paper, Table III"),
    ("BM3D", "bsd68", 25): (28.57, "Zhang et al. (2017), DnCNN paper, Table II"),
    ("DnCNN-S", "bsd68", 25): (29.23, "Zhang et al. (2017), DnCNN paper, Table II"),
    ("NLRN", "bsd68", 25): (29.41, "Liu et al. (2018), NLRN paper, Table 2"),
    ("N3Net", "set12", 25): (30.55, "Plötz & Roth (2018), N3Net paper, Set12 results"),
    ("NLRN", "set12", 25): (30.80, "Liu et al. (2018), NLRN paper, Set12 results"),
    ("SwinIR", "set12", 25): (31.01, "Liang et al. (2021), SwinIR paper, Table 5 (grayscale denoising)"),
    ("DRUNet", "set12", 25): (30.94, "Zhang et al. (2021), DPIR paper, grayscale denoising on Set12, as "
                                      "the SwinIR paper's Table 5 quotes it (33.25 / 30.94 / 27.90 at 15 / 25 / 50)"),
    ("CC", "nam_cc15", None): (36.88, "Nam et al. (2016), the CC method's own outputs for the 15 crops, "
                                      "published with them (csjunxu/MCWNNM-ICCV2017, "
                                      "Real_ccnoise_denoised_part), scored against the references"),
    ("CBDNet", "nam_cc15", None): (36.44, "Guo et al. (2019), CBDNet paper, results on Nam et al.'s 15 "
                                          "crops (CC), trained on a simulated camera and real pairs"),
    ("DnCNN+", "nam_cc15", None): (35.40, "Guo et al. (2019), CBDNet paper, the same table"),
    ("MCWNNM", "nam_cc15", None): (37.71, "Xu et al. (2017), MCWNNM paper, real-noise results on the 15 crops"),
    ("TWSC", "nam_cc15", None): (37.81, "Xu et al. (2018), TWSC paper, results on the 15 crops"),
}


def _key(method, dataset, sigma):
    return (method, str(dataset).lower(), None if sigma is None else int(sigma))


def result(method: str, dataset: str, sigma: float | None) -> float:
    """The published mean PSNR (dB) of ``method`` on ``dataset`` at noise level ``sigma``.

    Parameters
    ----------
    method : str
        The method as ``RESULTS`` names it (``"BM3D"``, ``"DnCNN-S"``, ...).
    dataset : str
        The data set (``"set12"``, ``"bsd68"``, ``"nam_cc15"``; any case).
    sigma : float or None
        The noise level on the 0-255 scale (taken as an int), or None for real camera
        noise.

    Returns
    -------
    float
        The mean PSNR in dB.

    Raises
    ------
    KeyError
        When no such result is recorded (the message lists the known ones).
    """
    key = _key(method, dataset, sigma)
    if key not in RESULTS:
        known = sorted({f"{m} on {d} at σ={s}" for m, d, s in RESULTS})
        raise KeyError(f"no published result for {method} on {dataset} at σ={sigma}; "
                       f"known: {', '.join(known)}")
    return RESULTS[key][0]


def source(method: str, dataset: str, sigma: float | None) -> str:
    """Where the figure of :func:`result` comes from.

    Parameters
    ----------
    method, dataset : str
        As for :func:`result`.
    sigma : float or None
        As for :func:`result`.

    Returns
    -------
    str
        The source in words: the paper and its table, or where the figure was measured.
    """
    result(method, dataset, sigma)
    return RESULTS[_key(method, dataset, sigma)][1]


#: (method, what) -> (number, source): published facts about a method other than its scores
FACTS = {
    ("SwinIR", "parameters"): (12.0e6, "Liang et al. (2021), SwinIR paper, its denoising results: "
                                       "'SwinIR only has 12.0M parameters, whereas DRUNet has 32.7M parameters'"),
    ("DRUNet", "parameters"): (32.7e6, "Liang et al. (2021), SwinIR paper, the same sentence"),
    ("SwinIR", "training images"): (8594, "Liang et al. (2021), SwinIR's denoising training set as its code's "
                                          "README lists it (JingyunLiang/SwinIR): DIV2K (800), Flickr2K (2650), "
                                          "BSD500 (400) and WED (4744)"),
}


def fact(method: str, what: str) -> float:
    """A published fact about ``method`` other than a score, e.g. its parameter count (§5.4).

    Parameters
    ----------
    method : str
        The method as ``FACTS`` names it (``"SwinIR"``, ...).
    what : str
        ``"parameters"`` or ``"training images"``.

    Returns
    -------
    float
        The number.

    Raises
    ------
    KeyError
        When no such fact is recorded (the message lists the known ones).
    """
    if (method, what) not in FACTS:
        raise KeyError(f"no published {what} of {method}; known: {', '.join(f'{m} {w}' for m, w in FACTS)}")
    return FACTS[(method, what)][0]
