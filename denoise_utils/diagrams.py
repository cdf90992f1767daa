"""Architecture diagrams drawn from the models themselves (§2, §4), so a drawing cannot drift
from the code: :func:`draw_model` reads a Keras model's layers and how they connect.

Each box is a layer (or a run of identical layers, "× n"); a box's height on the page is its
resolution: one step down each time a strided convolution halves the image, one step up at
each transposed convolution, so a U-Net is drawn as a U. Arrows that skip ahead are the
model's skip connections. :func:`draw_chain` draws a fixed sequence of named stages, such as a
camera's processing (§5.1).
"""

import textwrap
from collections.abc import Iterable
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

if TYPE_CHECKING:
    import keras

COLOURS = {"conv": "#cfe2f3", "down": "#f9cb9c", "up": "#b6d7a8", "merge": "#eeeeee",
           "recurrent": "#f4cccc", "attention": "#d9d2e9", "io": "#fff2cc", "model": "#f4cccc"}


def _describe(layer):
    """(label, kind, level change) of one Keras layer."""
    import keras

    L = keras.layers
    name = type(layer).__name__
    act = getattr(getattr(layer, "activation", None), "__name__", "linear")
    act = "" if act == "linear" else f" {act}".replace("relu", "ReLU").replace("sigmoid", "sigmoid")
    if isinstance(layer, L.InputLayer):
        return textwrap.fill(layer.name.replace("_", " "), 12), "io", 0
    if isinstance(layer, L.Conv2DTranspose):
        k = layer.kernel_size[0]
        return f"up-conv {k}×{k}\n{layer.filters}{act}", "up", -int(np.log2(layer.strides[0]))
    if isinstance(layer, (L.Conv2D, L.DepthwiseConv2D)):
        k, s = layer.kernel_size[0], layer.strides[0]
        what = "depthwise " if isinstance(layer, L.DepthwiseConv2D) else ""
        width = "" if isinstance(layer, L.DepthwiseConv2D) else f"\n{layer.filters}"
        if s > 1:
            return f"{what}conv {k}×{k} /{s}{width}{act}", "down", int(np.log2(s))
        return f"{what}conv {k}×{k}{width}{act}", "conv", 0
    if isinstance(layer, keras.Model):
        shared = "\n(same weights)" if len(layer._inbound_nodes) > 1 else ""
        return f"{layer.name}{shared}", "model", 0
    labels = {"Add": ("+", "merge"), "Subtract": ("input −\nestimate", "merge"),
              "Concatenate": ("stack\nchannels", "merge"), "BatchNormalization": ("BN", "conv"),
              "LayerNormalization": ("LN", "conv"), "Activation": (act.strip() or "act", "conv"),
              "ReLU": ("ReLU", "conv"), "LeakyReLU": ("LeakyReLU", "conv"), "Permute": ("transpose", "merge"),
              "Dense": (f"dense {getattr(layer, 'units', '')}", "conv"),
              "MaxPooling2D": ("max-pool /2", "down"), "UpSampling2D": ("upsample ×2", "up")}
    if name == "ScanLines":
        return f"GRU sweep\n{layer.name.replace('_sweep', 's')}, {layer.units}×2", "recurrent", 0
    if name == "WindowAttention":
        return "window\nattention", "attention", 0
    if name == "PixelUnshuffle":
        return "pixel\nunshuffle", "down", 1
    label, kind = labels.get(name, (name, "conv"))
    step = {"MaxPooling2D": 1, "UpSampling2D": -1}.get(name, 0)
    return label, kind, step


def _graph(model):
    """Vertices (one per call of a layer or operation) in order, and edges between them."""
    vertices, index = [], {}

    def visit(node):
        if id(node) in index:
            return index[id(node)]
        parents = [visit(p) for p in node.parent_nodes]
        op = node.operation
        index[id(node)] = len(vertices)
        vertices.append((op, parents))
        return index[id(node)]

    for out in model.outputs:
        visit(out._keras_history.operation._inbound_nodes[out._keras_history.node_index])
    return vertices


def _simplify(vertices):
    """Boxes (label, kind, level, parents): slices and activations folded into their source,
    and runs of identical boxes in a chain merged into one "× n"."""
    import keras

    boxes, where = [], {}
    for i, (op, parents) in enumerate(vertices):
        parents = sorted({where[p] for p in parents})
        if not isinstance(op, keras.layers.Layer) or (
                isinstance(op, (keras.layers.Activation, keras.layers.ReLU, keras.layers.LeakyReLU,
                                keras.layers.BatchNormalization))
                and len(parents) == 1):
            if len(parents) == 1:                         # a slice or an activation: fold it in
                where[i] = parents[0]
                if isinstance(op, keras.layers.Layer):
                    label, kind, level, ps, n = boxes[parents[0]]
                    extra = _describe(op)[0]
                    last = label.split("\n")[-1]
                    joined = f"{label} {extra}" if "\n" in label and len(last) + len(extra) < 12 else f"{label}\n{extra}"
                    boxes[parents[0]] = (joined, kind, level, ps, n)
                continue
        label, kind, step = _describe(op)
        level = max((boxes[p][2] for p in parents), default=0)
        level = level + max(step, 0) if step >= 0 else level + step
        boxes.append((label, kind, level, parents, 1))
        where[i] = len(boxes) - 1
    # merge runs: a box whose only parent is the previous, identical box, used by nothing else
    used = {}
    for b in boxes:
        for p in b[3]:
            used[p] = used.get(p, 0) + 1
    merged, remap = [], {}
    for i, (label, kind, level, parents, n) in enumerate(boxes):
        parents = [remap[p] for p in parents]
        last = merged[-1] if merged else None
        if (last and parents == [len(merged) - 1] and last[0] == label and last[2] == level
                and used.get(i - 1, 0) == 1):
            merged[-1] = (label, kind, level, last[3], last[4] + 1)
        else:
            merged.append((label, kind, level, parents, n))
        remap[i] = len(merged) - 1
    return merged


def draw_model(model: "keras.Model", *, ax: plt.Axes | None = None, title: str | None = None,
               width: float = 1.25) -> plt.Figure:
    """A block diagram of a Keras functional ``model``, read from its layers (§2, §4).

    Boxes left to right in the order data flows, each at the height of its resolution (a
    strided convolution steps down, a transposed one up); "× n" marks n identical layers in a
    row; curved arrows are connections that skip ahead (U-Net skips, the residual
    subtraction). A network inside the network (the recurrent U-Net's cell) is one box, drawn
    once per call.

    Parameters
    ----------
    model : keras.Model
        A Keras functional model.
    ax : matplotlib.axes.Axes, optional
        Where to draw (default: a new figure sized to the diagram).
    title : str, optional
        The title (default: the model's name and its number of parameters).
    width : float, optional
        The horizontal space of one box, in axis units.

    Returns
    -------
    matplotlib.figure.Figure
        The Figure.
    """
    import keras

    if not isinstance(model, keras.Model) or not hasattr(model, "outputs"):
        raise TypeError(f"draw_model needs a Keras functional model, got {type(model).__name__}")
    boxes = _simplify(_graph(model))
    n = len(boxes)
    if ax is None:
        depth = max(b[2] for b in boxes) - min(b[2] for b in boxes)
        fig, ax = plt.subplots(figsize=(max(6.0, width * n * 0.8), 2.2 + 0.9 * depth))
    fig = ax.figure
    xs = np.arange(n) * width
    for i, (label, kind, level, parents, count) in enumerate(boxes):
        text = label + (f"\n× {count}" if count > 1 else "")
        ax.add_patch(FancyBboxPatch((xs[i] - 0.45 * width, -level - 0.35), 0.9 * width, 0.7,
                                    boxstyle="round,pad=0.02", fc=COLOURS.get(kind, "#eeeeee"), ec="#555555"))
        ax.text(xs[i], -level, text, ha="center", va="center", fontsize=6.5)
        for p in parents:
            if i - p > 1:                   # a skip: over the boxes between, top to top
                start, end = (xs[p], -boxes[p][2] + 0.35), (xs[i], -level + 0.35)
                style, colour = "arc3,rad=-0.2", "#1f4e79"
            else:
                start, end = (xs[p] + 0.45 * width, -boxes[p][2]), (xs[i] - 0.45 * width, -level)
                style, colour = "arc3,rad=0", "#555555"
            ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=8, lw=0.9,
                                         color=colour, connectionstyle=style))
    levels = [b[2] for b in boxes]
    reach = max([(i - p) * width * 0.12 for i, b in enumerate(boxes) for p in b[3] if i - p > 1], default=0)
    ax.set_xlim(-width, xs[-1] + width)
    ax.set_ylim(-max(levels) - 0.9, -min(levels) + 0.6 + reach)
    ax.set_axis_off()
    ax.set_title(title or f"{model.name}: {model.count_params():,} parameters", fontsize=9)
    return fig


def draw_chain(stages: Iterable[str], *, ax: plt.Axes | None = None, title: str | None = None,
               kinds: Iterable[str] | None = None) -> plt.Figure:
    """A left-to-right chain of named ``stages``, e.g. a camera's processing (§5.1).

    Parameters
    ----------
    stages : iterable of str
        The boxes' labels, in order.
    ax : matplotlib.axes.Axes, optional
        Where to draw (default: a new figure).
    title : str, optional
        The title (default: none).
    kinds : iterable of str, optional
        Colours them (keys of ``COLOURS``; default: all ``"conv"``).

    Returns
    -------
    matplotlib.figure.Figure
        The Figure.
    """
    stages = list(stages)
    if not stages:
        raise ValueError("no stages to draw")
    if ax is None:
        fig, ax = plt.subplots(figsize=(max(6.0, 1.5 * len(stages)), 1.5))
    kinds = list(kinds) if kinds is not None else ["conv"] * len(stages)
    for i, (stage, kind) in enumerate(zip(stages, kinds)):
        ax.add_patch(FancyBboxPatch((1.5 * i - 0.6, -0.4), 1.2, 0.8, boxstyle="round,pad=0.02",
                                    fc=COLOURS.get(kind, "#eeeeee"), ec="#555555"))
        ax.text(1.5 * i, 0, stage, ha="center", va="center", fontsize=7)
        if i:
            ax.add_patch(FancyArrowPatch((1.5 * i - 0.9, 0), (1.5 * i - 0.6, 0), arrowstyle="-|>",
                                         mutation_scale=8, color="#555555"))
    ax.set_xlim(-0.9, 1.5 * len(stages) - 0.6)
    ax.set_ylim(-0.7, 0.7)
    ax.set_axis_off()
    if title:
        ax.set_title(title, fontsize=9)
    return ax.figure
