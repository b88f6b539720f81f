"""Losses for imbalanced regression: weighted MSE/L1/Huber, Balanced MSE (BMC, GAI) and FDS.

- **Weighted losses** take one weight per row, e.g. :func:`equipoise.weights.lds_weights` or
  :func:`equipoise.weights.dense_weights` (``output="tensor"``): :math:`\\ell = \\sum_i w_i\\,
  \\rho(\\hat y_i - y_i) / N` for ``reduction='mean'`` (the reference code's ``weighted_mse_loss``
  averages :math:`w_i \\rho` over rows), with :math:`\\rho` the square, the absolute value or
  Huber's function (:math:`\\tfrac12 r^2` for :math:`|r| \\le \\delta`, else
  :math:`\\delta(|r| - \\tfrac12\\delta)`, as ``torch.nn.HuberLoss``).
- **Balanced MSE** (Ren et al., CVPR 2022) fixes the label-distribution shift of MSE by
  subtracting the log of the training label density convolved with the noise,
  :math:`-\\log \\mathcal N(y; \\hat y, \\sigma^2) + \\log \\int p_\\text{train}(y')\\,\\mathcal N(y';
  \\hat y, \\sigma^2)\\,dy'`. *BMC* (batch-based Monte-Carlo) estimates the integral with the
  batch's targets, which makes it a cross-entropy over the batch:

  .. math:: \\ell_i = -\\log \\frac{\\exp(-(\\hat y_i - y_i)^2 / 2\\sigma^2)}
     {\\sum_{j=1}^{B} \\exp(-(\\hat y_i - y_j)^2 / 2\\sigma^2)} \\cdot 2\\sigma^2

  (the factor :math:`2\\sigma^2`, detached, keeps the gradient on MSE's scale, as in the
  authors' code). *GAI* takes a Gaussian mixture :math:`\\sum_k \\pi_k \\mathcal N(\\mu_k, v_k)`
  fitted to the training targets, for which the integral is closed-form:

  .. math:: \\ell_i = \\Big[\\frac{(\\hat y_i - y_i)^2}{2\\sigma^2} + \\tfrac12\\log\\sigma^2
     + \\log\\sum_k \\pi_k\\, (v_k + \\sigma^2)^{-1/2}
     \\exp\\Big(-\\frac{(\\hat y_i - \\mu_k)^2}{2 (v_k + \\sigma^2)}\\Big)\\Big] \\cdot 2\\sigma^2

  The noise :math:`\\sigma` is a learnable parameter by default (initial value 1.0, as in the
  paper's code); give it its own optimizer parameter group.
- **FDS** (feature-distribution smoothing; Yang et al., ICML 2021): per target bin, running
  mean and variance of the network's last features (momentum 0.9), smoothed across
  neighbouring bins with a kernel (Gaussian, size 5, sigma 2, normalised to sum 1, reflected at
  the ends) once per epoch; during training, features of bin :math:`b` are calibrated
  :math:`z \\mapsto (z - \\mu_b) \\sqrt{\\mathrm{clip}(\\tilde\\sigma^2_b / \\sigma^2_b, 0.1, 10)} + \\tilde\\mu_b`.

References
----------
.. [1] J. Ren, M. Zhang, C. Yu and Z. Liu, "Balanced MSE for Imbalanced Visual Regression",
   CVPR 2022.
.. [2] Y. Yang, K. Zha, Y.-C. Chen, H. Wang and D. Katabi, "Delving into Deep Imbalanced
   Regression", ICML 2021.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .._validation import Interval, Options, validate_params
from ..exceptions import InvalidInputError, InvalidParameterError

__all__ = [
    "weighted_mse_loss",
    "weighted_l1_loss",
    "weighted_huber_loss",
    "bmc_loss",
    "gai_loss",
    "WeightedMSELoss",
    "WeightedL1Loss",
    "WeightedHuberLoss",
    "BMCLoss",
    "GAILoss",
    "FeatureDistributionSmoothing",
]

_REDUCTION = {"reduction": [Options(("none", "mean", "sum"))]}


def _column(t: torch.Tensor, name: str, owner: str) -> torch.Tensor:
    if not isinstance(t, torch.Tensor):
        raise InvalidInputError(f"{owner} needs a torch.Tensor {name}; got {type(t).__name__}.")
    if t.ndim == 2 and t.shape[1] == 1:
        return t[:, 0]
    if t.ndim != 1:
        raise InvalidInputError(
            f"{owner} needs {name} of shape (N,) or (N, 1); got {tuple(t.shape)}. One target per row."
        )
    return t


def _pair(
    input: torch.Tensor, target: torch.Tensor, owner: str
) -> tuple[torch.Tensor, torch.Tensor]:
    pred, tgt = _column(input, "input", owner), _column(target, "target", owner)
    if pred.shape != tgt.shape:
        raise InvalidInputError(
            f"{owner} needs input and target with one value per row each; got {tuple(input.shape)} and {tuple(target.shape)}."
        )
    return pred, tgt.to(pred.dtype)


def _reduce(loss: torch.Tensor, reduction: str) -> torch.Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _weighted(rho: torch.Tensor, weight: torch.Tensor | None, owner: str) -> torch.Tensor:
    if weight is None:
        return rho
    w = _column(torch.as_tensor(weight, device=rho.device), "weight", owner).to(rho.dtype)
    if w.shape != rho.shape:
        raise InvalidInputError(
            f"{owner} needs one weight per row ({rho.shape[0]}); got {tuple(w.shape)}."
        )
    return rho * w


def weighted_mse_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    weight: torch.Tensor | None = None,
    *,
    reduction: str = "mean",
) -> torch.Tensor:
    """:math:`w_i (\\hat y_i - y_i)^2`, reduced ('mean' averages over rows, as the LDS reference code).

    Parameters
    ----------
    input, target : torch.Tensor of shape (N,) or (N, 1)
    weight : torch.Tensor of shape (N,) or (N, 1), optional
        Per-row weights (LDS, DenseWeight); None: plain MSE.
    reduction : {'none', 'mean', 'sum'}, default='mean'

    Returns
    -------
    torch.Tensor
    """
    validate_params("weighted_mse_loss", {"reduction": reduction}, _REDUCTION)
    pred, tgt = _pair(input, target, "weighted_mse_loss")
    return _reduce(_weighted((pred - tgt) ** 2, weight, "weighted_mse_loss"), reduction)


def weighted_l1_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    weight: torch.Tensor | None = None,
    *,
    reduction: str = "mean",
) -> torch.Tensor:
    """:math:`w_i |\\hat y_i - y_i|`, reduced.

    Parameters
    ----------
    input, target, weight, reduction
        As in :func:`weighted_mse_loss`.

    Returns
    -------
    torch.Tensor
    """
    validate_params("weighted_l1_loss", {"reduction": reduction}, _REDUCTION)
    pred, tgt = _pair(input, target, "weighted_l1_loss")
    return _reduce(_weighted((pred - tgt).abs(), weight, "weighted_l1_loss"), reduction)


def weighted_huber_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    weight: torch.Tensor | None = None,
    *,
    delta: float = 1.0,
    reduction: str = "mean",
) -> torch.Tensor:
    """:math:`w_i\\, \\mathrm{huber}_\\delta(\\hat y_i - y_i)` (``torch.nn.HuberLoss``'s definition), reduced.

    Parameters
    ----------
    input, target, weight, reduction
        As in :func:`weighted_mse_loss`.
    delta : float, default=1.0

    Returns
    -------
    torch.Tensor
    """
    validate_params(
        "weighted_huber_loss",
        {"reduction": reduction, "delta": delta},
        {**_REDUCTION, "delta": [Interval(float, 0, None, closed="neither")]},
    )
    pred, tgt = _pair(input, target, "weighted_huber_loss")
    rho = F.huber_loss(pred, tgt, reduction="none", delta=delta)
    return _reduce(_weighted(rho, weight, "weighted_huber_loss"), reduction)


def _noise_var(noise_var: Any, like: torch.Tensor, owner: str) -> torch.Tensor:
    v = torch.as_tensor(noise_var, dtype=like.dtype, device=like.device)
    if v.numel() != 1:
        raise InvalidParameterError(
            f"The 'noise_var' parameter of {owner} must be a scalar; got shape {tuple(v.shape)}."
        )
    return v.reshape(())


def bmc_loss(
    input: torch.Tensor, target: torch.Tensor, noise_var: Any, *, reduction: str = "mean"
) -> torch.Tensor:
    """Balanced MSE, batch-based Monte-Carlo form (Ren et al. 2022); formula in the module docstring.

    Parameters
    ----------
    input, target : torch.Tensor of shape (N,) or (N, 1)
    noise_var : float or 0-d tensor
        :math:`\\sigma^2` (a tensor with gradient to learn it).
    reduction : {'none', 'mean', 'sum'}, default='mean'

    Returns
    -------
    torch.Tensor

    Examples
    --------
    >>> import torch
    >>> float(bmc_loss(torch.tensor([1.0]), torch.tensor([3.0]), 1.0))  # one row: softmax of one logit
    0.0
    """
    validate_params("bmc_loss", {"reduction": reduction}, _REDUCTION)
    pred, tgt = _pair(input, target, "bmc_loss")
    var = _noise_var(noise_var, pred, "bmc_loss")
    logits = -((pred[:, None] - tgt[None, :]) ** 2) / (2 * var)
    ce = F.cross_entropy(logits, torch.arange(len(pred), device=pred.device), reduction="none")
    return _reduce(ce * (2 * var).detach(), reduction)


def gai_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    noise_var: Any,
    *,
    means: Any,
    variances: Any,
    weights: Any,
    reduction: str = "mean",
) -> torch.Tensor:
    """Balanced MSE with a Gaussian-mixture prior of the training targets (GAI; Ren et al. 2022).

    Parameters
    ----------
    input, target : torch.Tensor of shape (N,) or (N, 1)
    noise_var : float or 0-d tensor
    means, variances, weights : array-like of shape (K,)
        The mixture (``sklearn.mixture.GaussianMixture`` fitted on the training targets:
        ``means_``, ``covariances_``, ``weights_``; :meth:`GAILoss.from_targets` does it).
    reduction : {'none', 'mean', 'sum'}, default='mean'

    Returns
    -------
    torch.Tensor
    """
    validate_params("gai_loss", {"reduction": reduction}, _REDUCTION)
    pred, tgt = _pair(input, target, "gai_loss")
    var = _noise_var(noise_var, pred, "gai_loss")
    mu, v, pi = (
        torch.as_tensor(
            np.asarray(a, dtype=np.float64).ravel() if not isinstance(a, torch.Tensor) else a,
            dtype=pred.dtype,
            device=pred.device,
        ).reshape(1, -1)
        for a in (means, variances, weights)
    )
    if not (mu.shape == v.shape == pi.shape):
        raise InvalidParameterError(
            "The mixture of gai_loss needs means, variances and weights of the same length."
        )
    mse_term = (pred - tgt) ** 2 / (2 * var) + 0.5 * torch.log(var)
    total = v + var
    log_terms = -0.5 * torch.log(total) - 0.5 * (pred[:, None] - mu) ** 2 / total + torch.log(pi)
    loss = mse_term + torch.logsumexp(log_terms, dim=1)
    return _reduce(loss * (2 * var).detach(), reduction)


class _WeightedLoss(nn.Module):
    def __init__(self, *, reduction: str = "mean") -> None:
        super().__init__()
        validate_params(type(self).__name__, {"reduction": reduction}, _REDUCTION)
        self.reduction = reduction


class WeightedMSELoss(_WeightedLoss):
    """Module form of :func:`weighted_mse_loss`: ``loss(input, target, weight=None)``.

    Parameters
    ----------
    reduction : {'none', 'mean', 'sum'}, default='mean'

    Examples
    --------
    >>> import torch
    >>> loss = WeightedMSELoss()
    >>> float(loss(torch.tensor([1.0, 2.0]), torch.tensor([0.0, 0.0]), torch.tensor([1.0, 0.5])))
    1.5
    """

    def forward(
        self, input: torch.Tensor, target: torch.Tensor, weight: torch.Tensor | None = None
    ) -> torch.Tensor:
        return weighted_mse_loss(input, target, weight, reduction=self.reduction)


class WeightedL1Loss(_WeightedLoss):
    """Module form of :func:`weighted_l1_loss`.

    Parameters
    ----------
    reduction : {'none', 'mean', 'sum'}, default='mean'
    """

    def forward(
        self, input: torch.Tensor, target: torch.Tensor, weight: torch.Tensor | None = None
    ) -> torch.Tensor:
        return weighted_l1_loss(input, target, weight, reduction=self.reduction)


class WeightedHuberLoss(_WeightedLoss):
    """Module form of :func:`weighted_huber_loss`.

    Parameters
    ----------
    delta : float, default=1.0
    reduction : {'none', 'mean', 'sum'}, default='mean'
    """

    def __init__(self, *, delta: float = 1.0, reduction: str = "mean") -> None:
        super().__init__(reduction=reduction)
        validate_params(
            "WeightedHuberLoss",
            {"delta": delta},
            {"delta": [Interval(float, 0, None, closed="neither")]},
        )
        self.delta = float(delta)

    def forward(
        self, input: torch.Tensor, target: torch.Tensor, weight: torch.Tensor | None = None
    ) -> torch.Tensor:
        return weighted_huber_loss(
            input, target, weight, delta=self.delta, reduction=self.reduction
        )


class _BalancedMSE(nn.Module):
    noise_sigma: torch.Tensor

    def __init__(self, init_noise_sigma: float, learnable: bool, reduction: str) -> None:
        super().__init__()
        owner = type(self).__name__
        validate_params(
            owner,
            {"init_noise_sigma": init_noise_sigma, "learnable": learnable, "reduction": reduction},
            {
                "init_noise_sigma": [Interval(float, 0, None, closed="neither")],
                "learnable": ["boolean"],
                **_REDUCTION,
            },
        )
        sigma = torch.tensor(float(init_noise_sigma))
        if learnable:
            self.noise_sigma = nn.Parameter(sigma)
        else:
            self.register_buffer("noise_sigma", sigma)
        self.reduction = reduction

    @property
    def noise_var(self) -> torch.Tensor:
        return self.noise_sigma**2


class BMCLoss(_BalancedMSE):
    """Module form of :func:`bmc_loss` with a learnable (or fixed) noise :math:`\\sigma`.

    Parameters
    ----------
    init_noise_sigma : float, default=1.0
        Initial :math:`\\sigma` (the authors' default), in target units.
    learnable : bool, default=True
        Learn :math:`\\sigma` (an ``nn.Parameter``; the authors use its own learning rate) or keep it fixed (a buffer).
    reduction : {'none', 'mean', 'sum'}, default='mean'

    Examples
    --------
    >>> import torch
    >>> loss = BMCLoss(init_noise_sigma=1.0)
    >>> out = loss(torch.tensor([0.0, 1.0]), torch.tensor([0.0, 1.0]))
    >>> out.backward(); loss.noise_sigma.grad is not None
    True
    """

    def __init__(
        self, init_noise_sigma: float = 1.0, *, learnable: bool = True, reduction: str = "mean"
    ) -> None:
        super().__init__(init_noise_sigma, learnable, reduction)

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return bmc_loss(input, target, self.noise_var, reduction=self.reduction)


class GAILoss(_BalancedMSE):
    """Module form of :func:`gai_loss`: the mixture is stored as buffers.

    Parameters
    ----------
    means, variances, weights : array-like of shape (K,)
    init_noise_sigma : float, default=1.0
    learnable : bool, default=True
    reduction : {'none', 'mean', 'sum'}, default='mean'
    """

    means: torch.Tensor
    variances: torch.Tensor
    weights: torch.Tensor

    def __init__(
        self,
        means: Any,
        variances: Any,
        weights: Any,
        init_noise_sigma: float = 1.0,
        *,
        learnable: bool = True,
        reduction: str = "mean",
    ) -> None:
        super().__init__(init_noise_sigma, learnable, reduction)
        arrays = [np.asarray(a, dtype=np.float64).ravel() for a in (means, variances, weights)]
        if (
            len({len(a) for a in arrays}) != 1
            or len(arrays[0]) == 0
            or np.any(arrays[1] <= 0)
            or np.any(arrays[2] <= 0)
            or not all(np.all(np.isfinite(a)) for a in arrays)
        ):
            raise InvalidParameterError(
                "GAILoss needs finite means, positive variances and positive weights of one length K >= 1; "
                f"got lengths {[len(a) for a in arrays]}."
            )
        self.register_buffer("means", torch.as_tensor(arrays[0], dtype=torch.float32))
        self.register_buffer("variances", torch.as_tensor(arrays[1], dtype=torch.float32))
        self.register_buffer(
            "weights", torch.as_tensor(arrays[2] / arrays[2].sum(), dtype=torch.float32)
        )

    @classmethod
    def from_targets(
        cls, y: Any, n_components: int = 8, *, random_state: Any = 0, **params: Any
    ) -> GAILoss:
        """Fit a ``GaussianMixture`` of ``n_components`` to the training targets and build the loss.

        Parameters
        ----------
        y : array-like of shape (n_samples,)
        n_components : int, default=8
            The paper fits 8 components offline (its GAI ``gmm`` file).
        random_state : int, default=0
        **params
            ``init_noise_sigma``, ``learnable``, ``reduction``.

        Returns
        -------
        GAILoss
        """
        from sklearn.mixture import GaussianMixture

        from .._validation import check_continuous_target

        values = check_continuous_target(y, owner="GAILoss.from_targets").reshape(-1, 1)
        gmm = GaussianMixture(
            n_components=min(n_components, len(np.unique(values))), random_state=random_state
        )
        gmm.fit(values)
        return cls(gmm.means_.ravel(), gmm.covariances_.ravel(), gmm.weights_.ravel(), **params)

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return gai_loss(
            input,
            target,
            self.noise_var,
            means=self.means,
            variances=self.variances,
            weights=self.weights,
            reduction=self.reduction,
        )


class FeatureDistributionSmoothing(nn.Module):
    """Feature-distribution smoothing (FDS; Yang et al. 2021) for a network's last features.

    Call :meth:`forward` (``smooth``) on the features in the training forward pass, and after
    each epoch :meth:`update_running_stats` with that epoch's features (detached) and targets,
    then :meth:`update_last_epoch_stats` with the next epoch number. At evaluation (``eval()``)
    features pass through unchanged.

    Parameters
    ----------
    feature_dim : int
    bin_edges : array-like of shape (n_bins + 1,)
        Target bins (e.g. ``equipoise._target_profile.target_bins(y_train, bin_width=1)``);
        targets outside go to the first/last bin.
    start_update : int, default=0
        First epoch whose statistics are tracked.
    start_smooth : int, default=1
        First epoch whose features are calibrated.
    kernel : {'gaussian', 'triang', 'laplace'}, default='gaussian'
    kernel_size : int, default=5
    sigma : float, default=2.0
    momentum : float or None, default=0.9
        Running-statistics momentum; None: a cumulative average.

    Examples
    --------
    >>> import torch
    >>> fds = FeatureDistributionSmoothing(4, bin_edges=[0.0, 1.0, 2.0, 3.0])
    >>> z, y = torch.randn(32, 4), torch.rand(32) * 3
    >>> fds.update_running_stats(z, y, epoch=0); fds.update_last_epoch_stats(epoch=1)
    >>> fds(z, y, epoch=1).shape
    torch.Size([32, 4])
    """

    edges: torch.Tensor
    kernel_window: torch.Tensor
    epoch: torch.Tensor
    running_mean: torch.Tensor
    running_var: torch.Tensor
    running_mean_last_epoch: torch.Tensor
    running_var_last_epoch: torch.Tensor
    smoothed_mean_last_epoch: torch.Tensor
    smoothed_var_last_epoch: torch.Tensor
    num_samples_tracked: torch.Tensor

    def __init__(
        self,
        feature_dim: int,
        bin_edges: Any,
        *,
        start_update: int = 0,
        start_smooth: int = 1,
        kernel: str = "gaussian",
        kernel_size: int = 5,
        sigma: float = 2.0,
        momentum: float | None = 0.9,
    ) -> None:
        super().__init__()
        owner = "FeatureDistributionSmoothing"
        validate_params(
            owner,
            {
                "feature_dim": feature_dim,
                "start_update": start_update,
                "start_smooth": start_smooth,
                "momentum": momentum,
            },
            {
                "feature_dim": [Interval(int, 1, None, closed="left")],
                "start_update": [Interval(int, 0, None, closed="left")],
                "start_smooth": [Interval(int, 0, None, closed="left")],
                "momentum": [Interval(float, 0, 1, closed="left"), None],
            },
        )
        edges = np.asarray(bin_edges, dtype=np.float64).ravel()
        if len(edges) < 2 or not np.all(np.isfinite(edges)) or np.any(np.diff(edges) <= 0):
            raise InvalidParameterError(
                f"The 'bin_edges' parameter of {owner} must be at least two increasing finite edges; got {bin_edges!r}."
            )
        from .._regression_weights import lds_kernel_window

        window = lds_kernel_window(kernel, kernel_size, sigma)  # type: ignore[arg-type]
        self.feature_dim, self.start_update, self.start_smooth, self.momentum = (
            feature_dim,
            start_update,
            start_smooth,
            momentum,
        )
        self.half_width = (kernel_size - 1) // 2
        n_bins = len(edges) - 1
        if self.half_width >= n_bins:
            raise InvalidParameterError(
                f"FeatureDistributionSmoothing needs more bins ({n_bins}) than half its kernel ({self.half_width}); use "
                "more bins or a smaller kernel_size."
            )
        self.register_buffer("edges", torch.as_tensor(edges[1:-1]))
        self.register_buffer(
            "kernel_window", torch.as_tensor(window / window.sum(), dtype=torch.float32)
        )
        self.register_buffer("epoch", torch.zeros((), dtype=torch.long) + start_update)
        for name, fill in (
            ("running_mean", 0.0),
            ("running_var", 1.0),
            ("running_mean_last_epoch", 0.0),
            ("running_var_last_epoch", 1.0),
            ("smoothed_mean_last_epoch", 0.0),
            ("smoothed_var_last_epoch", 1.0),
        ):
            self.register_buffer(name, torch.full((n_bins, feature_dim), fill))
        self.register_buffer("num_samples_tracked", torch.zeros(n_bins))

    def bins_of(self, target: torch.Tensor) -> torch.Tensor:
        """Bin index of each target (clamped to the first/last bin)."""
        t = (
            _column(target, "target", "FeatureDistributionSmoothing")
            .detach()
            .to(self.edges.device, torch.float64)
        )
        return torch.bucketize(t, self.edges, right=True)

    def _smooth(self, stats: torch.Tensor) -> torch.Tensor:
        padded = F.pad(
            stats.T.unsqueeze(1), (self.half_width, self.half_width), mode="reflect"
        )  # (d, 1, n_bins + 2 half)
        return F.conv1d(padded, self.kernel_window.to(stats.dtype).view(1, 1, -1)).squeeze(1).T

    def update_last_epoch_stats(self, epoch: int) -> None:
        """At the start of epoch ``epoch``: freeze last epoch's statistics and smooth them."""
        if epoch == int(self.epoch) + 1:
            self.epoch += 1
            self.running_mean_last_epoch.copy_(self.running_mean)
            self.running_var_last_epoch.copy_(self.running_var)
            self.smoothed_mean_last_epoch.copy_(self._smooth(self.running_mean))
            self.smoothed_var_last_epoch.copy_(self._smooth(self.running_var))

    @torch.no_grad()
    def update_running_stats(
        self, features: torch.Tensor, target: torch.Tensor, epoch: int
    ) -> None:
        """Fold one epoch's features (N, feature_dim) into the per-bin running mean and variance."""
        if epoch < int(self.epoch):
            return
        if features.ndim != 2 or features.shape[1] != self.feature_dim:
            raise InvalidInputError(
                f"FeatureDistributionSmoothing needs features of shape (N, {self.feature_dim}); got {tuple(features.shape)}."
            )
        bins = self.bins_of(target)
        for b in torch.unique(bins).tolist():
            feats = features[bins == b].to(self.running_mean.dtype)
            n = feats.shape[0]
            mean = feats.mean(0)
            var = feats.var(0, unbiased=n > 1)
            self.num_samples_tracked[b] += n
            factor = (
                self.momentum
                if self.momentum is not None
                else 1 - n / float(self.num_samples_tracked[b])
            )
            if epoch == self.start_update:
                factor = 0.0
            self.running_mean[b] = (1 - factor) * mean + factor * self.running_mean[b]
            self.running_var[b] = (1 - factor) * var + factor * self.running_var[b]

    def forward(self, features: torch.Tensor, target: torch.Tensor, epoch: int) -> torch.Tensor:
        """Calibrate ``features`` of each bin to the smoothed statistics (training, epoch >= start_smooth)."""
        if not self.training or epoch < self.start_smooth:
            return features
        bins = self.bins_of(target).to(features.device)
        out = features.clone()
        for b in torch.unique(bins).tolist():
            mask = bins == b
            m1, v1 = (
                self.running_mean_last_epoch[b].to(features.dtype),
                self.running_var_last_epoch[b].to(features.dtype),
            )
            m2, v2 = (
                self.smoothed_mean_last_epoch[b].to(features.dtype),
                self.smoothed_var_last_epoch[b].to(features.dtype),
            )
            if float(v1.sum()) < 1e-10:
                continue
            valid = v1 != 0
            factor = torch.ones_like(v1)
            factor[valid] = torch.clamp(v2[valid] / v1[valid], 0.1, 10.0)
            shift_from = torch.where(valid, m1, torch.zeros_like(m1))
            shift_to = torch.where(valid, m2, torch.zeros_like(m2))
            out[mask] = (features[mask] - shift_from) * torch.sqrt(factor) + shift_to
        return out
