"""The Fashion-MNIST loader shown in book/cnn/lenet.md reads IDX files correctly.

The loader lives in the book (a shared code cell tagged ``fashion-mnist-loader``),
so the test takes its source from there: what readers copy is what is tested.
"""
import gzip
import re
import struct
from pathlib import Path

import jupytext
import numpy as np
import pytest

from bookbuild.frameworks import FRAMEWORK_KEYS

LENET_MD = Path(__file__).resolve().parents[2] / "book" / "cnn" / "lenet.md"
TAG = "fashion-mnist-loader"
# Letters that only occur in Vietnamese text (not in an English message).
VIETNAMESE = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]",
                        re.IGNORECASE)


@pytest.fixture(scope="module")
def load_fashion_mnist():
    notebook = jupytext.read(LENET_MD)
    cells = [c for c in notebook.cells
             if c.cell_type == "code" and TAG in c.metadata.get("tags", [])]
    assert len(cells) == 1, f"expected exactly one cell tagged {TAG}, found {len(cells)}"
    tags = cells[0].metadata["tags"]
    assert not set(FRAMEWORK_KEYS) & set(tags), \
        "the loader cell must be shared (no framework tag)"
    namespace = {"__name__": "fashion_mnist_loader_cell"}
    exec(compile(cells[0].source, f"{LENET_MD}:{TAG}", "exec"), namespace)
    return namespace["load_fashion_mnist"]


def idx_bytes(array, magic):
    """Encode a uint8 array in IDX format (big-endian header)."""
    array = np.asarray(array, dtype=np.uint8)
    header = struct.pack(">I", magic) + b"".join(struct.pack(">I", d) for d in array.shape)
    return header + array.tobytes()


def write_set(root, prefix, images, labels, compress, image_magic=0x803, label_magic=0x801):
    files = {f"{prefix}-images-idx3-ubyte": idx_bytes(images, image_magic),
             f"{prefix}-labels-idx1-ubyte": idx_bytes(labels, label_magic)}
    for name, payload in files.items():
        if compress:
            (root / (name + ".gz")).write_bytes(gzip.compress(payload))
        else:
            (root / name).write_bytes(payload)


def known_images(n, seed):
    """n distinct 28x28 images covering the whole 0..255 range, and their labels."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    images[0, 0, 0], images[0, 0, 1], images[-1, -1, -1] = 0, 255, 200
    labels = rng.permutation(10)[:n].astype(np.uint8)
    return images, labels


@pytest.mark.parametrize("compress", [True, False], ids=["gzip", "plain"])
def test_loader_returns_exact_arrays(load_fashion_mnist, tmp_path, compress):
    train_images, train_labels = known_images(5, seed=1)
    test_images, test_labels = known_images(3, seed=2)
    write_set(tmp_path, "train", train_images, train_labels, compress)
    write_set(tmp_path, "t10k", test_images, test_labels, compress)

    for kind, images, labels in [("train", train_images, train_labels),
                                 ("test", test_images, test_labels)]:
        got_images, got_labels = load_fashion_mnist(str(tmp_path), kind)
        assert isinstance(got_images, np.ndarray) and isinstance(got_labels, np.ndarray)
        assert got_images.dtype == np.uint8
        assert got_labels.dtype == np.int64
        assert got_images.shape == images.shape
        assert got_labels.shape == (len(labels),)
        np.testing.assert_array_equal(got_images, images)
        np.testing.assert_array_equal(got_labels, labels.astype(np.int64))


def test_default_kind_is_train(load_fashion_mnist, tmp_path):
    train_images, train_labels = known_images(5, seed=3)
    write_set(tmp_path, "train", train_images, train_labels, compress=True)
    got_images, got_labels = load_fashion_mnist(tmp_path)
    np.testing.assert_array_equal(got_images, train_images)
    np.testing.assert_array_equal(got_labels, train_labels)


@pytest.mark.parametrize("compress", [True, False], ids=["gzip", "plain"])
@pytest.mark.parametrize("which", ["images", "labels"])
def test_bad_magic_number_raises_vietnamese_error(load_fashion_mnist, tmp_path,
                                                  compress, which):
    images, labels = known_images(5, seed=4)
    magics = {"image_magic": 0x803, "label_magic": 0x801}
    # A classic mistake: the image file has the label magic number, or vice versa.
    magics["image_magic" if which == "images" else "label_magic"] = (
        0x801 if which == "images" else 0x803)
    write_set(tmp_path, "train", images, labels, compress, **magics)
    with pytest.raises(Exception) as excinfo:
        load_fashion_mnist(str(tmp_path), "train")
    message = str(excinfo.value)
    assert VIETNAMESE.search(message), f"error message is not Vietnamese: {message!r}"
    assert "magic" in message.lower() or "nhận dạng" in message, message


def test_missing_files_raise_vietnamese_error(load_fashion_mnist, tmp_path):
    with pytest.raises(FileNotFoundError) as excinfo:
        load_fashion_mnist(str(tmp_path), "test")
    message = str(excinfo.value)
    assert VIETNAMESE.search(message), f"error message is not Vietnamese: {message!r}"
    assert "t10k-images-idx3-ubyte" in message


def test_truncated_file_raises_vietnamese_error(load_fashion_mnist, tmp_path):
    images, labels = known_images(5, seed=5)
    write_set(tmp_path, "train", images, labels, compress=False)
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(Exception) as excinfo:
        load_fashion_mnist(str(tmp_path), "train")
    assert VIETNAMESE.search(str(excinfo.value)), str(excinfo.value)
