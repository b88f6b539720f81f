"""One epoch's draw: class first, then a row within the class.

Drawing the class with ``torch.multinomial`` over ``k`` classes and the row with a uniform
index into that class's slice of the class-sorted row list costs O(num_samples) and never
builds an ``n``-long weight vector, so it works for any number of rows (``torch.multinomial``,
and hence ``WeightedRandomSampler``, refuses more than 2**24 categories).
"""

from __future__ import annotations

import numpy as np
import torch

from ._labels import ClassIndex

__all__ = ["draw_indices", "shuffle_within_classes"]


def shuffle_within_classes(index: ClassIndex, generator: torch.Generator) -> torch.Tensor:
    """Rows grouped by class (same offsets as ``index.order``), in random order within each class.

    A global ``randperm`` followed by a stable sort on the class codes: O(n) for fewer than
    65,536 classes (numpy radix-sorts uint16 keys).
    """
    perm = torch.randperm(index.n_samples, generator=generator).numpy()
    codes = index.codes.numpy()[perm]
    key = codes.astype(np.uint16) if index.n_classes <= 2**16 else codes
    return torch.from_numpy(perm[np.argsort(key, kind="stable")])


# Elementwise work is done in numpy on zero-copy views of the torch tensors: torch's small
# multi-threaded kernels (gathers, casts) pay a thread start-up cost per call that, on a busy
# machine, made them 10-100x slower than numpy here. The random numbers still come from the
# epoch's torch.Generator, so the draw is a function of (seed, epoch) only.


def _with_replacement(
    index: ClassIndex, probs: torch.Tensor, num_samples: int, generator: torch.Generator
) -> torch.Tensor:
    cls = torch.multinomial(probs, num_samples, replacement=True, generator=generator).numpy()
    u = torch.rand(num_samples, dtype=torch.float64, generator=generator).numpy()
    counts, offsets = index.counts.numpy(), index.offsets.numpy()
    # position = offset_c + floor(u * n_c); the minimum guards float rounding at u ~ 1.
    within = np.multiply(u, counts.astype(np.float64)[cls], out=u).astype(np.int64)
    np.minimum(within, (counts - 1)[cls], out=within)
    within += offsets[cls]
    return torch.from_numpy(index.order.numpy()[within])


def _without_replacement(
    index: ClassIndex, probs: torch.Tensor, num_samples: int, generator: torch.Generator
) -> torch.Tensor:
    # Per-class totals m_c ~ Multinomial(num_samples, probs), the same class-level law as with
    # replacement. Class c then uses each of its n_c rows floor(m_c / n_c) times plus a random
    # subset of (m_c mod n_c) rows once more: no row repeats until all rows of its class are used.
    cls = torch.multinomial(probs, num_samples, replacement=True, generator=generator).numpy()
    counts, offsets = index.counts.numpy(), index.offsets.numpy()
    m = np.bincount(cls, minlength=index.n_classes)
    full, rest = m // counts, m % counts
    rows = shuffle_within_classes(index, generator).numpy()
    sorted_codes = np.repeat(np.arange(index.n_classes), counts)
    rank = np.arange(index.n_samples) - offsets[sorted_codes]
    multiplicity = full[sorted_codes] + (rank < rest[sorted_codes])
    items = np.repeat(rows, multiplicity)
    return torch.from_numpy(items[torch.randperm(num_samples, generator=generator).numpy()])


def draw_indices(
    index: ClassIndex,
    probs: torch.Tensor,
    num_samples: int,
    *,
    replacement: bool,
    generator: torch.Generator,
) -> torch.Tensor:
    """Draw ``num_samples`` row indices (int64 tensor) with class probabilities ``probs``.

    Parameters
    ----------
    index : ClassIndex
    probs : torch.Tensor of float64, shape (n_classes,)
        Probability of drawing each class; the row within a class is uniform.
    num_samples : int
    replacement : bool
        False: rows of a class are used without replacement until the class is exhausted, then
        reused evenly (each row floor(m_c/n_c) or ceil(m_c/n_c) times).
    generator : torch.Generator
        The epoch's generator; consumed.
    """
    draw = _with_replacement if replacement else _without_replacement
    return draw(index, probs, num_samples, generator)
