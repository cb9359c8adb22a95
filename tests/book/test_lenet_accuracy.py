"""LeNet in book/cnn/lenet.md really learns, in each framework's executed notebook.

Uses the session fixture ``built_book`` (tests/conftest.py), which builds the book
once and returns each framework's executed notebook.

Bound: on the build machine (CPU, 20 epochs, fixed seeds) the three frameworks
reached a test accuracy between 0.93 and 0.97 on the 360 held-out digits (MXNet
0.9583, PyTorch 0.9639, TensorFlow 0.9306-0.9417 depending on thread count and
oneDNN settings); chance level is 0.10. Requiring more
than 0.85 leaves a margin of about 30 test images for other hardware (GPU kernels,
other BLAS, other thread counts) while still failing a network that does not
really train (wrong labels, broken preprocessing, a learning rate that diverges).
"""
import re
import unicodedata

import pytest

from bookbuild.frameworks import FRAMEWORK_KEYS as FRAMEWORKS
MIN_ACCURACY = 0.85
ACCURACY_LINE = re.compile(r"^Độ chính xác trên tập kiểm tra: (\d+(?:\.\d+)?)\s*$",
                           re.MULTILINE)


def output_text(notebook):
    """All text the notebook printed or displayed, NFC-normalised."""
    parts = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stdout":
                text = output.get("text", "")
            elif output.get("output_type") in ("execute_result", "display_data"):
                text = output.get("data", {}).get("text/plain", "")
            else:
                continue
            parts.append("".join(text) if isinstance(text, list) else text)
    return unicodedata.normalize("NFC", "\n".join(parts))


@pytest.mark.book
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_lenet_test_accuracy_well_above_chance(built_book, framework):
    notebook = built_book.notebook("cnn/lenet", framework)
    matches = ACCURACY_LINE.findall(output_text(notebook))
    assert len(matches) == 1, (
        f"{framework}: expected exactly one line 'Độ chính xác trên tập kiểm tra: X' "
        f"in the executed notebook, found {len(matches)}")
    accuracy = float(matches[0])
    assert 0.0 <= accuracy <= 1.0, f"{framework}: accuracy {accuracy} is not in [0, 1]"
    assert accuracy > MIN_ACCURACY, (
        f"{framework}: LeNet test accuracy {accuracy:.4f} <= {MIN_ACCURACY} "
        "(chance level is 0.10)")
