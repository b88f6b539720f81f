"""Instances of every registered resampler, configured for the shared checks."""

from __future__ import annotations

from equipoise.resample import RESAMPLERS, BaseResampler

# Resamplers whose constructor needs arguments that generic numeric data cannot supply
# (SMOTENC needs categorical columns); they have their own suites.
NEEDS_OWN_SUITE = {"smotenc"}


def registered_names() -> list[str]:
    return [name for name in RESAMPLERS.names() if name not in NEEDS_OWN_SUITE]


def build(name: str, **params) -> BaseResampler:
    cls = RESAMPLERS.get(name)
    sampler = cls(**params)
    if "random_state" in sampler.get_params() and "random_state" not in params:
        sampler.set_params(random_state=0)
    return sampler


def family(sampler: BaseResampler) -> str:
    """'over' (exact over-samplers), 'adaptive' (ADASYN: rounded per row, like imbalanced-learn),
    'combine', 'under' or 'clean'."""
    kind = sampler._sampling_type
    name = type(sampler).__name__
    if kind == "over-sampling":
        if name in {"SMOTETomek", "SMOTEENN"}:
            return "combine"
        return "adaptive" if name == "ADASYN" else "over"
    return "under" if kind == "under-sampling" else "clean"
