"""The deep-learning frameworks the course teaches: the one list everything uses."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Framework:
    key: str           # cell tag, file suffix, sphinx-design sync id
    label: str         # tab label shown to readers
    distribution: str  # pip distribution whose version keys the cache


FRAMEWORKS: tuple[Framework, ...] = (
    Framework("mxnet", "MXNet", "mxnet"),
    Framework("pytorch", "PyTorch", "torch"),
    Framework("tensorflow", "TensorFlow", "tensorflow-cpu"),
)
FRAMEWORK_KEYS: tuple[str, ...] = tuple(f.key for f in FRAMEWORKS)
BY_KEY: dict[str, Framework] = {f.key: f for f in FRAMEWORKS}
