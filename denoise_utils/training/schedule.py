"""The training schedule (§4.1): the learning rate by epoch or by time spent, and the
progress saved beside each checkpoint so a run resumes where it stopped."""

import json
import math
import os


def learning_rate(cfg, state, epoch):
    """The rate for ``epoch``: cosine over the ``minutes`` budget, or tenfold drops at milestones."""
    if cfg["minutes"]:
        frac = min(state["seconds"] / (60 * cfg["minutes"]), 1.0)
        return cfg["lr"] * (0.01 + 0.99 * 0.5 * (1 + math.cos(math.pi * frac)))
    return cfg["lr"] * 0.1 ** sum(epoch >= m for m in cfg["lr_milestones"])


def out_of_time(cfg, state):
    """Whether the ``minutes`` budget (if any) is spent."""
    return bool(cfg["minutes"]) and state["seconds"] >= 60 * cfg["minutes"]


def save_state(out, state):
    """Write the run's progress (epochs and seconds done) beside its checkpoint."""
    with open(os.path.join(out, "state.json"), "w") as fh:
        json.dump(state, fh)
