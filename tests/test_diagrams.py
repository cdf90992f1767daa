"""Architecture diagrams drawn from the models (§2, §4): what they show is what the model is."""

import matplotlib

matplotlib.use("Agg")
import pytest  # noqa: E402

from denoise_utils import diagrams  # noqa: E402
from denoise_utils.models import dncnn, recurrent_unet, unet  # noqa: E402


def _boxes(model):
    return diagrams._simplify(diagrams._graph(model))


def test_dncnn_is_a_flat_chain_with_its_middle_layers_counted():
    boxes = _boxes(dncnn(depth=17))
    labels = [b[0] for b in boxes]
    assert [b[4] for b in boxes] == [1, 1, 15, 1, 1]                    # input, first, 15 alike, last, output
    assert "BN" in labels[2] and "ReLU" in labels[2] and {b[2] for b in boxes} == {0}
    assert boxes[-1][3] == [0, 3]                                        # input minus the estimated noise


def test_a_unet_is_drawn_as_a_u_with_its_skips():
    boxes = _boxes(unet(filters=(8, 16, 32), blocks=2))
    levels = [b[2] for b in boxes]
    assert max(levels) == 2 and levels[0] == 0 and levels[-1] == 0      # down twice, back up
    adds = [i for i, b in enumerate(boxes) if b[0] == "+"]
    assert len(adds) == 2 and all(i - min(boxes[i][3]) > 1 for i in adds)  # each add has a skip into it


def test_the_recurrent_unet_shows_its_shared_cell_once_per_step():
    boxes = _boxes(recurrent_unet(filters=(8, 16), blocks=1, state=4, steps=3))
    cells = [b for b in boxes if "same weights" in b[0]]
    assert len(cells) == 3


def test_draw_functions_return_figures_and_refuse_what_they_cannot_draw():
    from denoise_utils.noise import camera

    assert diagrams.draw_model(unet(filters=(8, 16))).axes
    assert diagrams.draw_chain(camera.STAGES).axes
    with pytest.raises(TypeError, match="functional model"):
        diagrams.draw_model("unet")
    with pytest.raises(ValueError, match="no stages"):
        diagrams.draw_chain([])
