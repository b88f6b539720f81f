"""The default models of a comparison: an MLP for tables, a small CNN for images.

Both are deliberately small: a comparison trains one model per recipe, fold and seed, so the
point is a fair, quick yardstick, not the best possible network. Pass your own
``model_factory(n_features, n_classes) -> nn.Module`` to :func:`~equipoise.compare.compare` for
anything else.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from ..exceptions import InvalidParameterError

__all__ = ["MLP", "SmallCNN", "default_model_factory", "mlp_hidden_size", "replace_head"]


def mlp_hidden_size(n_features: int) -> int:
    """Hidden width of the default MLP: :math:`\\mathrm{clip}(2d, 32, 256)` for ``d`` features.

    Examples
    --------
    >>> mlp_hidden_size(20), mlp_hidden_size(3), mlp_hidden_size(1000)
    (40, 32, 256)
    """
    return int(min(max(2 * n_features, 32), 256))


class MLP(nn.Module):
    """Two hidden ReLU layers with dropout, then a linear head (``self.head``).

    Parameters
    ----------
    n_features : int
    n_classes : int
    hidden : int, optional
        Width of both hidden layers; default :func:`mlp_hidden_size`.
    dropout : float, default=0.1

    Examples
    --------
    >>> import torch
    >>> MLP(5, 3)(torch.zeros(4, 5)).shape
    torch.Size([4, 3])
    """

    def __init__(
        self, n_features: int, n_classes: int, hidden: int | None = None, dropout: float = 0.1
    ) -> None:
        super().__init__()
        hidden = mlp_hidden_size(n_features) if hidden is None else hidden
        self.body = nn.Sequential(
            nn.Linear(n_features, hidden),
            nn.ReLU(),
            nn.Dropout(dropout),
            nn.Linear(hidden, hidden),
            nn.ReLU(),
            nn.Dropout(dropout),
        )
        self.head: nn.Module = nn.Linear(hidden, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(x))


class SmallCNN(nn.Module):
    """Two conv blocks (16 and 32 channels, 3x3, ReLU, max-pool), pooling to a 4 x 4 grid,
    linear head.

    Input of shape ``(N, channels, H, W)``; works for any ``H, W >= 4``. Pooling to 4 x 4
    rather than to one value per channel keeps where in the image the features are: on
    mnist-lt-100, plain cross-entropy for 40 epochs of compare's budget reaches 0.88 balanced
    accuracy on the balanced test split against 0.32 with global pooling (0.74 against 0.65 on
    digits-lt-100).

    Examples
    --------
    >>> import torch
    >>> SmallCNN(1, 10)(torch.zeros(2, 1, 28, 28)).shape
    torch.Size([2, 10])
    """

    def __init__(self, in_channels: int, n_classes: int, dropout: float = 0.1) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(in_channels, 16, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.AdaptiveAvgPool2d(4),
            nn.Flatten(),
            nn.Dropout(dropout),
        )
        self.head: nn.Module = nn.Linear(32 * 4 * 4, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(x))


def default_model_factory(input_shape: tuple[int, ...], n_classes: int) -> nn.Module:
    """The default network for one sample of shape ``input_shape``.

    ``(d,)`` gives an :class:`MLP`; ``(channels, H, W)`` a :class:`SmallCNN`.
    """
    if len(input_shape) == 1:
        return MLP(int(input_shape[0]), n_classes)
    if len(input_shape) == 3:
        return SmallCNN(int(input_shape[0]), n_classes)
    raise InvalidParameterError(
        f"The default models take tables (n_samples, n_features) or images (n_samples, channels, "
        f"height, width); got samples of shape {tuple(input_shape)}. Pass model_factory=..."
    )


def replace_head(model: nn.Module, make_head: Any) -> nn.Module:
    """Swap the last ``nn.Linear`` of ``model`` for ``make_head(in_features, out_features)``.

    Used for recipes that need a cosine (:class:`~equipoise.losses.NormedLinear`) head on a
    model built by the default or a user factory.

    Raises
    ------
    InvalidParameterError
        When the model has no ``nn.Linear`` layer to replace.
    """
    last_name = None
    for name, module in model.named_modules():
        if isinstance(module, nn.Linear):
            last_name = name
    if last_name is None:
        raise InvalidParameterError(
            f"This recipe needs a cosine (NormedLinear) output layer, but the model "
            f"{type(model).__name__} has no nn.Linear layer to replace; end it with nn.Linear."
        )
    parent_name, _, attr = last_name.rpartition(".")
    parent = model.get_submodule(parent_name) if parent_name else model
    old = parent.get_submodule(attr)  # also a Sequential's "0", "1", ...
    assert isinstance(old, nn.Linear)  # the last nn.Linear found above
    new = make_head(old.in_features, old.out_features)
    setattr(parent, attr, new)  # nn.Module.__setattr__ replaces a child by name, digits too
    return model
