"""The package a maintainer can hold in their head (issue 36): its modules import one another
as a tree, an import inside a function only defers a heavy library, no module reaches for
another's private names, and no function is longer than a screen."""

import ast
import collections
import os

import pytest

PACKAGE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "denoise_utils")
#: what an import inside a function may defer: libraries slow to import, or optional ones
HEAVY = {"keras", "tensorflow", "jax", "torch", "matplotlib", "skimage", "scipy", "h5py", "bm3d", "PIL",
         "imageio", "pooch", "nbformat", "nbclient", "tifffile", "IPython", "myst_nb"}
LONGEST = 80


def _modules():
    found = {}
    for folder, _, files in os.walk(PACKAGE):
        for file in files:
            if file.endswith(".py"):
                path = os.path.join(folder, file)
                name = os.path.relpath(path, os.path.dirname(PACKAGE))[:-3].replace(os.sep, ".")
                found[name[:-len(".__init__")] if name.endswith(".__init__") else name] = path
    return found


MODULES = _modules()
TREES = {name: ast.parse(open(path, encoding="utf-8").read()) for name, path in MODULES.items()}


def _targets(module, node):
    """The modules an import statement in ``module`` names (a package's submodule where it is one)."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    package = module if MODULES[module].endswith("__init__.py") else module.rsplit(".", 1)[0]
    if node.level:
        base = package.split(".")[:len(package.split(".")) - node.level + 1]
        target = ".".join(base + ([node.module] if node.module else []))
    else:
        target = node.module
    return [f"{target}.{a.name}" if f"{target}.{a.name}" in MODULES else target for a in node.names]


def _imports(module):
    """(target, inside a function, line) of every import of ``module``."""
    tree, out = TREES[module], []

    def visit(node, inside):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue                                  # names for type hints, never imported
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                out.extend((t, inside, child.lineno, child) for t in _targets(module, child))
            visit(child, inside or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)))

    visit(tree, False)
    return out


def _internal(target):
    return target.split(".")[0] == "denoise_utils"


def _heavy(module, seen=None):
    """Whether importing ``module`` imports a heavy library at its top level (or its package's)."""
    seen = set() if seen is None else seen
    if module in seen or module not in MODULES:
        return False
    seen.add(module)
    parents = [".".join(module.split(".")[:i]) for i in range(2, len(module.split(".")))]
    for target, inside, _, _ in _imports(module):
        if inside:
            continue
        if (not _internal(target) and target.split(".")[0] in HEAVY) or (_internal(target) and _heavy(target, seen)):
            return True
    return any(_heavy(p, seen) for p in parents)


def test_the_modules_import_one_another_as_a_tree():
    """Imports inside functions count: a tidy-up moving one to the top must not make a cycle."""
    edges = {m: {t for t, _, _, _ in _imports(m) if _internal(t) and t in MODULES and t != m} for m in MODULES}
    state, cycles = {}, []

    def visit(m, path):
        state[m] = "open"
        for t in sorted(edges[m]):
            if state.get(t) == "open":
                cycles.append(path[path.index(t):] + [t])
            elif t not in state:
                visit(t, path + [t])
        state[m] = "done"

    for m in sorted(MODULES):
        if m not in state:
            visit(m, [m])
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_an_import_inside_a_function_defers_a_heavy_library():
    light = sorted({(m, t, line) for m in MODULES for t, inside, line, _ in _imports(m)
                    if inside and (t.split(".")[0] not in HEAVY if not _internal(t) else not _heavy(t))})
    assert not light, f"move these imports to the top of their module: {light}"


def test_no_module_imports_another_modules_private_names():
    private = [(m, node.module, a.name) for m in MODULES for _, _, _, node in _imports(m)
               if isinstance(node, ast.ImportFrom) for a in node.names
               if a.name.startswith("_") and not a.name.startswith("__")]
    assert not private, private


def _code_lines(node):
    """A function's lines without its docstring (numpydoc sections are documentation, not code)."""
    body = node.body
    first = body[1] if len(body) > 1 and isinstance(body[0], ast.Expr) \
        and isinstance(getattr(body[0], "value", None), ast.Constant) and isinstance(body[0].value.value, str) \
        else None
    doc = (body[0].end_lineno - body[0].lineno + 1) if first is not None else 0
    return node.end_lineno - node.lineno + 1 - doc


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_function_is_longer_than_a_screen(module):
    long = [(node.name, _code_lines(node)) for node in ast.walk(TREES[module])
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and _code_lines(node) > LONGEST]
    assert not long, f"{module}: functions over {LONGEST} lines of code: {long}"


def test_the_type_stub_names_what_the_package_loads_lazily():
    """denoise_utils/__init__.pyi gives editors the names ``du.NAME`` loads on first use."""
    import denoise_utils

    stub = ast.parse(open(os.path.join(PACKAGE, "__init__.pyi"), encoding="utf-8").read())
    named = {a.asname or a.name for node in stub.body if isinstance(node, ast.ImportFrom) for a in node.names}
    assert named == set(denoise_utils.__all__)
    for node in stub.body:
        if isinstance(node, ast.ImportFrom) and node.module:
            assert all(denoise_utils._WHERE[a.name] == node.module for a in node.names), node.module


def _public_functions():
    """(module, name, node) of every public function and public class's method of the package."""
    for module, tree in TREES.items():
        if any(part.startswith("_") for part in module.split(".")[1:]):
            continue
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                yield module, node.name, node
            elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                for fn in node.body:
                    if isinstance(fn, ast.FunctionDef) and (fn.name == "__init__" or not fn.name.startswith("_")):
                        yield module, f"{node.name}.{fn.name}", fn


def test_public_functions_take_their_options_after_a_star():
    """Data positionally, options keyword-only (scikit-image's ``restoration`` style): a public
    function with four or more parameters keeps at most one optional parameter positional
    (``add_poisson_noise(image, peak)``, a layer's first size), the rest after ``*``."""
    loose = []
    for module, name, fn in _public_functions():
        args = [a for a in fn.args.posonlyargs + fn.args.args if a.arg not in ("self", "cls")]
        if len(args) + len(fn.args.kwonlyargs) < 4:
            continue
        optional = args[len(args) - len(fn.args.defaults):] if fn.args.defaults else []
        if len(optional) > 1:
            loose.append(f"{module}.{name}: {[a.arg for a in optional]}")
    assert not loose, "options that should be keyword-only:\n" + "\n".join(loose)


def test_a_hint_admits_none_where_none_is_the_default():
    """``model: str = None`` lies to a type checker: where a parameter's default is ``None``,
    its hint says ``X | None``."""
    wrong = []
    for module, name, fn in _public_functions():
        positional = fn.args.posonlyargs + fn.args.args
        defaults = dict(zip([a.arg for a in positional][::-1], fn.args.defaults[::-1]))
        defaults.update({a.arg: d for a, d in zip(fn.args.kwonlyargs, fn.args.kw_defaults) if d is not None})
        for a in positional + fn.args.kwonlyargs:
            d = defaults.get(a.arg)
            if (a.annotation is not None and isinstance(d, ast.Constant) and d.value is None
                    and "None" not in ast.unparse(a.annotation)):
                wrong.append(f"{module}.{name}({a.arg}: {ast.unparse(a.annotation)} = None)")
    assert not wrong, wrong


#: the functions the chapters call most, documented as scikit-image's ``restoration`` is
NUMPYDOC = ("pretrained.denoise", "metrics.evaluate", "metrics.psnr", "metrics.ssim",
            "noise.synthetic.add_gaussian_noise", "data.load_dataset", "training.quick.fit",
            "models.apply_model", "config.pick", "plug_and_play.deblur", "plug_and_play.inpaint",
            "diffusion.sample",
            "pretrained.photo_time", "pretrained.choose", "pretrained.estimate_level",
            "inference.dihedral", "inference.self_ensemble", "inference.tiled", "inference.report",
            "inference.fuse_noisy", "inference.level_by_crops", "metrics.results_table",
            "metrics.per_image_table", "metrics.sliced_wasserstein",
            "metrics.radial_power_spectrum", "metrics.high_frequency_ratio",
            "metrics.gradient_distance", "metrics.perception_scores", "metrics.sure",
            "data.sample_images", "data.load_pairs", "noise.synthetic.add_poisson_noise",
            "noise.synthetic.add_salt_pepper_noise", "noise.synthetic.add_speckle_noise",
            "noise.synthetic.add_correlated_noise", "noise.camera.srgb_to_linear",
            "noise.camera.linear_to_srgb", "noise.camera.mosaic", "noise.camera.demosaic",
            "noise.camera.random_camera", "noise.camera.finish", "noise.camera.add_camera_noise",
            "noise.adapt.anscombe", "noise.adapt.inverse_anscombe", "noise.adapt.denoise_poisson",
            "noise.adapt.denoise_subsampled", "noise.adapt.switching_median", "noise.get",
            "classical.nl_means", "classical.total_variation", "classical.wavelet",
            "classical.bilateral", "classical.bm3d", "classical.baselines", "plotting.show_images",
            "plotting.compare", "plotting.plot_history", "plotting.plot_training_log",
            "published.result", "published.source", "config.set_budget", "config.data_dir",
            "config.set_seed", "book.glue", "book.check_claim", "files.check_input",
            "files.load_image", "files.read_metadata", "files.check_output", "files.save_image",
            "models.takes_level", "models.level_map", "models.multiply_adds",
            "models.apply_patchwise", "models.receptive_field", "models.build_model",
            "models.autoencoder.unet_body", "models.autoencoder.unet",
            "models.autoencoder.dense_autoencoder", "models.cnn.dncnn", "models.cnn.fast_dncnn",
            "models.cnn.level_estimator", "models.gan.patch_discriminator",
            "models.rnn.sweep_denoiser", "models.rnn.recurrent_unet", "models.transformer.uformer",
            "models.transformer.hybrid_unet", "models.transformer.swin_blocks",
            "models.transformer.unet_weights_into", "models.transformer.without_branches",
            "training.adversarial.adversarial_losses", "training.adversarial.make_trainer",
            "training.adversarial.adversarial_validation", "training.level.quantile_loss",
            "training.level.log_level_pairs", "training.level.validate",
            "training.level.train_estimator", "training.optim.learning_rate",
            "training.optim.out_of_time", "training.optim.fit_run", "training.optim.start_run",
            "training.optim.save_state", "training.optim.optimizer",
            "training.pipeline.load_config", "training.pipeline.train", "training.pipeline.main",
            "training.targets.noise2noise_pairs", "training.targets.blind_spot_pairs",
            "training.targets.with_level_map", "training.targets.measured_level",
            "training.targets.with_measured_level", "training.targets.with_estimated_level",
            "training.targets.level_mse", "training.targets.masked_mse",
            "training.targets.target_noise", "training.targets.training_pairs",
            "plug_and_play.gaussian_kernel", "plug_and_play.blur", "plug_and_play.hqs_schedule",
            "plug_and_play.hqs", "plug_and_play.wiener", "plug_and_play.prior",
            "plug_and_play.fill", "diffusion.score", "diffusion.schedule",
            "interpret.equivalent_filter", "interpret.filter_support",
            "interpret.filter_anisotropy", "interpret.filter_axis", "interpret.pick_pixels",
            "leaderboard.entries", "leaderboard.measure", "leaderboard.minutes_cell",
            "leaderboard.model_minutes_cell", "leaderboard.markdown", "leaderboard.parse",
            "leaderboard.zoo_rows", "zoo.schema.read_config", "zoo.store.path", "zoo.store.info",
            "zoo.store.find", "zoo.store.log", "zoo.store.minutes", "zoo.store.to_float16",
            "zoo.store.ship", "zoo.store.load", "zoo.store.estimator_owner",
            "zoo.store.load_estimator", "diagrams.draw_model", "diagrams.draw_chain",
            "article.gan_discriminator", "labs.timings_table", "labs.build", "labs.repository",
            "labs.links", "labs.main", "labs.grading.grade", "labs.grading.gradebook",
            "labs.notebook.cell_text", "labs.notebook.stub_solution", "labs.notebook.student_copy",
            "labs.notebook.exercises", "labs.registry.exercise", "labs.registry.check")


@pytest.mark.parametrize("name", NUMPYDOC)
def test_the_most_used_functions_have_numpydoc_sections(name):
    import importlib
    import inspect

    module, func = name.rsplit(".", 1)
    fn = getattr(importlib.import_module(f"denoise_utils.{module}"), func)
    doc = inspect.getdoc(fn)
    assert "Parameters\n----------" in doc and "Returns\n-------" in doc, name
    documented = {p.strip() for line in doc.split("Parameters\n----------")[1].split("Returns")[0].splitlines()
                  if line and not line.startswith(" ") for p in line.split(":")[0].split(",")}
    assert set(inspect.signature(fn).parameters) <= documented, (name, set(inspect.signature(fn).parameters) - documented)
