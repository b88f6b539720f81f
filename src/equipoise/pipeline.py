"""A leakage-safe Pipeline: resamplers act while fitting, and only then.

:class:`Pipeline` is scikit-learn's :class:`sklearn.pipeline.Pipeline` with one more kind of
step: anything with ``fit_resample`` (every equipoise resampler, imbalanced-learn's samplers,
:class:`FunctionSampler`). While fitting, such a step replaces the training rows by its
resampled ones, and the steps after it learn from those. When predicting, transforming or
scoring, resamplers are skipped: test rows are never added, dropped or synthesised. So
``cross_validate``, ``GridSearchCV`` and every scikit-learn tool that refits a pipeline per fold
resample the training folds only, and score on untouched test folds.

Everything else is scikit-learn's: nested parameters (``smote__k_neighbors``), ``clone``,
pickling, ``set_output``, slicing, ``memory=`` caching (resamplers are cached too) and metadata
routing. Two additions: sample-aligned fit parameters (``sample_weight`` and any array with one
entry per row) follow the rows a resampler keeps, and a bare ``sample_weight=`` goes to the final
estimator.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sklearn import pipeline as _skpipeline
from sklearn.base import _fit_context, clone
from sklearn.utils import Bunch, _safe_indexing
from sklearn.utils.metadata_routing import _raise_for_params, _routing_enabled, process_routing
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted, check_memory

from ._function_sampler import FunctionSampler
from .exceptions import InvalidInputError, InvalidParameterError

__all__ = ["Pipeline", "make_pipeline", "FunctionSampler"]

_FIT_METHODS = ("fit", "fit_transform", "fit_predict", "fit_resample")


def _is_resampler(step: Any) -> bool:
    return hasattr(step, "fit_resample")


def _is_passthrough(step: Any) -> bool:
    return step is None or (isinstance(step, str) and step == "passthrough")


class Pipeline(_skpipeline.Pipeline):
    """A scikit-learn Pipeline whose resampling steps run in ``fit`` only.

    Parameters
    ----------
    steps : list of (str, estimator) tuples
        Transformers, resamplers (objects with ``fit_resample``) or ``"passthrough"``, then a
        final estimator (which may itself be a resampler, or ``"passthrough"``/None). A step may
        not be both a transformer and a resampler.
    transform_input : list of str or None, default=None
        As in scikit-learn (metadata routing only): metadata passed through the transformers
        before reaching a step. Resamplers do not transform metadata.
    memory : str, joblib.Memory or None, default=None
        Cache fitted transformers *and resamplers*: refitting on the same data with the same
        parameters loads the step and its output from the cache instead of recomputing them.
    verbose : bool, default=False
        Print the time each step took.

    Attributes
    ----------
    named_steps : Bunch
    classes_, n_features_in_, feature_names_in_
        From the steps, as in scikit-learn.

    Notes
    -----
    What runs when, with ``steps = [scaler, smote, clf]``:

    * ``fit(X, y)``: ``Xs = scaler.fit_transform(X)``, ``(Xr, yr) = smote.fit_resample(Xs, y)``,
      ``clf.fit(Xr, yr)``;
    * ``predict(X)`` (and ``predict_proba``, ``decision_function``, ``score``, ``transform``):
      ``clf.predict(scaler.transform(X))``: SMOTE is skipped.

    Fit parameters: ``fit(X, y, clf__sample_weight=w)`` (scikit-learn's spelling) or
    ``fit(X, y, sample_weight=w)`` (routed to the final step). Any parameter of a step after a
    resampler that has one entry per training row follows the resampled rows: through the
    resampler's ``resample_like`` for equipoise resamplers (kept rows keep their value, a
    synthetic row takes its *base row's* value: its weight, its group), else through its
    ``sample_indices_``; a foreign sampler that synthesises rows and has neither raises a clear
    error. ``fit_transform`` and ``fit_predict`` return the output for the *resampled* rows, as in
    imbalanced-learn.

    Differences from :class:`imblearn.pipeline.Pipeline` (0.14): the re-indexing of sample-aligned
    fit parameters and the bare ``sample_weight`` are new (imbalanced-learn passes parameters
    unchanged, so a ``sample_weight`` after an under-sampler has the wrong length); the
    scikit-learn 1.9 fit callbacks are not propagated to the steps.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.model_selection import cross_val_score
    >>> from sklearn.preprocessing import StandardScaler
    >>> from equipoise.datasets import load_example
    >>> from equipoise.resample import SMOTE
    >>> X, y = load_example()
    >>> pipe = make_pipeline(StandardScaler(), SMOTE(random_state=0), LogisticRegression())
    >>> scores = cross_val_score(pipe, X, y, cv=3, scoring="balanced_accuracy")  # no leakage
    >>> bool(scores.mean() > 0.8)
    True
    """

    steps: list[Any]

    # ------------------------------------------------------------------ steps
    def _validate_steps(self) -> None:
        if not self.steps:
            raise InvalidParameterError(
                "The pipeline is empty; pass a list of (name, estimator) steps."
            )
        names, estimators = zip(*self.steps)
        self._validate_names(names)
        self._check_estimators_are_instances(estimators)
        for name, step in self.steps[:-1]:
            if _is_passthrough(step):
                continue
            transforms = hasattr(step, "transform")
            resamples = _is_resampler(step)
            if transforms and resamples:
                raise InvalidParameterError(
                    f"Step {name!r} ({type(step).__name__}) has both transform and fit_resample: a "
                    "pipeline cannot tell whether to transform rows or to resample them at predict "
                    "time. Split it into a transformer and a resampler."
                )
            if not resamples and not (
                transforms and (hasattr(step, "fit") or hasattr(step, "fit_transform"))
            ):
                raise InvalidParameterError(
                    f"Step {name!r} ({type(step).__name__}) of the Pipeline must be a transformer "
                    "(fit and transform), a resampler (fit_resample) or 'passthrough'; only the last "
                    "step may be a plain estimator."
                )
        last = estimators[-1]
        if not _is_passthrough(last) and not hasattr(last, "fit") and not _is_resampler(last):
            raise InvalidParameterError(
                f"The last step of the Pipeline must implement fit or fit_resample, or be "
                f"'passthrough'; got {last!r}."
            )

    def _iter(
        self, with_final: bool = True, filter_passthrough: bool = True, filter_resample: bool = True
    ) -> Iterator[tuple[int, str, Any]]:
        """``(index, name, step)``; resamplers are left out unless ``filter_resample=False``.

        Every scikit-learn code path that transforms data on its way to the final step
        (predict, transform, score, ...) iterates here, so leaving resamplers out is what keeps
        them away from test data.
        """
        for idx, name, step in super()._iter(
            with_final=with_final, filter_passthrough=filter_passthrough
        ):
            if filter_resample and _is_resampler(step):
                continue
            yield idx, name, step

    # ------------------------------------------------------------------ parameters
    def _check_method_params(self, method: str, props: dict, **kwargs: Any) -> Bunch:
        if _routing_enabled():
            routed = process_routing(
                self, "fit" if method == "fit_resample" else method, **props, **kwargs
            )
            return Bunch(**{name: routed.get(name, _empty_params()) for name, _ in self.steps})
        per_step = {name: _empty_params() for name, _ in self.steps}
        final = self.steps[-1][0]
        for key, value in props.items():
            if key == "sample_weight":
                step, param = final, key
            elif "__" in key:
                step, param = key.split("__", 1)
                if step not in per_step:
                    raise InvalidParameterError(
                        f"Pipeline.{method} got the parameter {key!r} for a step named {step!r}; the "
                        f"steps are {list(per_step)}. Use stepname__parameter."
                    )
            else:
                raise InvalidParameterError(
                    f"Pipeline.{method} does not accept the {key!r} parameter. Pass parameters to a "
                    "step as stepname__parameter (e.g. logisticregression__sample_weight=w), or "
                    "sample_weight=w for the final step."
                )
            for fit_method in _FIT_METHODS:
                per_step[step][fit_method][param] = value
        return Bunch(**per_step)

    # ------------------------------------------------------------------ fitting
    def _fit(
        self, X: Any, y: Any = None, routed_params: Any = None, raw_params: Any = None, **_: Any
    ):
        """Fit every step but the last; return the data and targets the last step learns from."""
        self.steps = list(self.steps)
        self._validate_steps()
        memory = check_memory(self.memory)
        caching = not (hasattr(memory, "location") and memory.location is None)
        fit_transform_one = memory.cache(_fit_transform_one)
        fit_resample_one = memory.cache(_fit_resample_one)
        _check_sample_weight_lengths(routed_params, _n_rows(X), [name for name, _ in self.steps])
        for step_idx, name, step in self._iter(
            with_final=False, filter_passthrough=False, filter_resample=False
        ):
            if _is_passthrough(step):
                with _elapsed(self._log_message(step_idx)):
                    continue
            step = clone(step) if caching else step
            params = self._get_metadata_for_step(
                step_idx=step_idx, step_params=routed_params[name], all_params=raw_params
            )
            with _elapsed(self._log_message(step_idx)):
                if _is_resampler(step):
                    n_in = _n_rows(X)
                    X, y, fitted = fit_resample_one(step, X, y, _resample_params(params))
                    _follow_rows(fitted, name, n_in, routed_params, self.steps[step_idx + 1 :])
                else:
                    X, fitted = fit_transform_one(step, X, y, params)
            self.steps[step_idx] = (name, fitted)
        return X, y

    def _final_params(self, routed_params: Any, raw_params: Any) -> Any:
        return self._get_metadata_for_step(
            step_idx=len(self) - 1,
            step_params=routed_params[self.steps[-1][0]],
            all_params=raw_params,
        )

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X: Any, y: Any = None, **params: Any) -> Pipeline:
        """Fit the steps in order; resamplers replace the training rows for the steps after them.

        Parameters
        ----------
        X : iterable
            Training data, as the first step accepts it.
        y : iterable, default=None
            Training targets.
        **params : dict
            ``stepname__parameter`` values (or, with metadata routing enabled, requested
            metadata); a bare ``sample_weight`` goes to the final step. Sample-aligned values
            follow the rows kept by resamplers.

        Returns
        -------
        self
        """
        self._check_transform_input()
        routed = self._check_method_params(method="fit", props=params)
        Xt, yt = self._fit(X, y, routed, raw_params=params)
        with _elapsed(self._log_message(len(self.steps) - 1)):
            last = self._final_estimator
            if last != "passthrough":
                last_params = self._final_params(routed, params)
                if hasattr(last, "fit"):
                    last.fit(Xt, yt, **last_params["fit"])
                else:  # a resampler with fit_resample only
                    last.fit_resample(Xt, yt, **_resample_params(last_params))
        return self

    def _can_fit_transform(self) -> bool:
        last = self._final_estimator
        return last == "passthrough" or hasattr(last, "transform") or hasattr(last, "fit_transform")

    @available_if(_can_fit_transform)
    @_fit_context(prefer_skip_nested_validation=False)
    def fit_transform(self, X: Any, y: Any = None, **params: Any) -> Any:
        """Fit, then return the final step's transform of the (resampled) training data.

        Parameters
        ----------
        X : iterable
        y : iterable, default=None
        **params : dict
            As in :meth:`fit`.

        Returns
        -------
        Xt : array-like
            One row per *resampled* training row.
        """
        self._check_transform_input()
        routed = self._check_method_params(method="fit_transform", props=params)
        Xt, yt = self._fit(X, y, routed, raw_params=params)
        last = self._final_estimator
        with _elapsed(self._log_message(len(self.steps) - 1)):
            if last == "passthrough":
                return Xt
            last_params = self._final_params(routed, params)
            if hasattr(last, "fit_transform"):
                return last.fit_transform(Xt, yt, **last_params["fit_transform"])
            return last.fit(Xt, yt, **last_params["fit"]).transform(
                Xt, **last_params.get("transform", {})
            )

    @available_if(lambda self: hasattr(self._final_estimator, "fit_predict"))
    @_fit_context(prefer_skip_nested_validation=False)
    def fit_predict(self, X: Any, y: Any = None, **params: Any) -> Any:
        """Fit, then return the final step's ``fit_predict`` on the (resampled) training data.

        Parameters
        ----------
        X : iterable
        y : iterable, default=None
        **params : dict
            As in :meth:`fit`.

        Returns
        -------
        y_pred : numpy.ndarray
            One prediction per *resampled* training row.
        """
        self._check_transform_input()
        routed = self._check_method_params(method="fit_predict", props=params)
        Xt, yt = self._fit(X, y, routed, raw_params=params)
        with _elapsed(self._log_message(len(self.steps) - 1)):
            return self.steps[-1][1].fit_predict(
                Xt, yt, **self._final_params(routed, params)["fit_predict"]
            )

    def _can_fit_resample(self) -> bool:
        return _is_resampler(self._final_estimator)

    @available_if(_can_fit_resample)
    @_fit_context(prefer_skip_nested_validation=False)
    def fit_resample(self, X: Any, y: Any = None, **params: Any) -> tuple[Any, Any]:
        """Fit the steps and resample with the last one (a pipeline that ends in a resampler).

        Parameters
        ----------
        X : iterable
        y : iterable, default=None
        **params : dict
            As in :meth:`fit`.

        Returns
        -------
        X_resampled, y_resampled
            The output of the final resampler (after the transformers and resamplers before it).
        """
        self._check_transform_input()
        routed = self._check_method_params(method="fit_resample", props=params)
        Xt, yt = self._fit(X, y, routed, raw_params=params)
        with _elapsed(self._log_message(len(self.steps) - 1)):
            last_params = self._final_params(routed, params)
            return self.steps[-1][1].fit_resample(Xt, yt, **_resample_params(last_params))

    def _check_transform_input(self) -> None:
        if not _routing_enabled() and getattr(self, "transform_input", None) is not None:
            raise InvalidParameterError(
                "The 'transform_input' parameter of Pipeline needs metadata routing: call "
                "sklearn.set_config(enable_metadata_routing=True) first."
            )

    def _can_transform(self) -> bool:
        last = self._final_estimator
        return last == "passthrough" or hasattr(last, "transform") or _is_resampler(last)

    @available_if(_can_transform)
    def transform(self, X: Any, **params: Any) -> Any:
        """Apply the transformers; resamplers, a final one included, are skipped.

        Parameters
        ----------
        X : iterable
        **params : dict
            Metadata for the steps (metadata routing only).

        Returns
        -------
        Xt : array-like, one row per row of ``X``
        """
        check_is_fitted(self)
        _raise_for_params(params, self, "transform")
        routed = process_routing(self, "transform", **params) if _routing_enabled() else None
        Xt = X
        for _, name, step in self._iter():
            Xt = step.transform(Xt, **(routed[name].transform if routed is not None else {}))
        return Xt

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        try:
            last = self.steps[-1][1]
        except (IndexError, TypeError):
            return tags
        if _is_resampler(last):
            tags.estimator_type = "sampler"
        return tags


def _empty_params() -> Bunch:
    return Bunch(**{method: Bunch() for method in (*_FIT_METHODS, "transform")})


def _resample_params(params: Any) -> dict:
    """The keyword arguments for a step's ``fit_resample`` (usually none)."""
    return dict(params.get("fit_resample", {}) or params.get("fit", {}))


def _n_rows(X: Any) -> int:
    return X.shape[0] if hasattr(X, "shape") else len(X)


def _is_sample_aligned(value: Any, n_rows: int) -> bool:
    if isinstance(value, (str, bytes)) or not hasattr(value, "__len__"):
        return False
    try:
        return _n_rows(value) == n_rows and getattr(value, "ndim", 1) >= 1
    except TypeError:
        return False


def _follow_rows(
    resampler: Any, name: str, n_in: int, routed_params: Any, later_steps: list
) -> None:
    """Re-index the sample-aligned fit parameters of the steps after a resampler.

    An equipoise resampler maps them with ``resample_like`` (synthetic rows take their base
    row's value); another sampler (imbalanced-learn's) through its ``sample_indices_``.
    """
    mapper = getattr(resampler, "resample_like", None)
    if mapper is not None and "_row_map_" not in getattr(resampler, "__dict__", {}):
        mapper = None
    rows = getattr(resampler, "sample_indices_", None)
    for later_name, _ in later_steps:
        step_params = routed_params[later_name]
        for values in step_params.values():
            for param, value in list(values.items()):
                if not _is_sample_aligned(value, n_in):
                    continue
                if mapper is not None:
                    values[param] = mapper(value)
                    continue
                if rows is None:
                    raise InvalidInputError(
                        f"The fit parameter {param!r} of step {later_name!r} has one value per training "
                        f"row, but step {name!r} ({type(resampler).__name__}) synthesises rows and "
                        "cannot say which value each new row gets. Use an equipoise resampler (its "
                        "resample_like gives each synthetic row its base row's value), a resampler "
                        "that selects rows, or weight the classes instead (class_weight)."
                    )
                values[param] = _safe_indexing(value, rows)


def _check_sample_weight_lengths(routed_params: Any, n_rows: int, names: list[str]) -> None:
    """Refuse a ``sample_weight`` whose length is not the number of training rows.

    Sample-aligned parameters are recognised by their length; a ``sample_weight`` of another
    length would otherwise pass a resampler unchanged and fail later with the resampled row count.
    """
    for name in names:
        for values in routed_params[name].values():
            weight = values.get("sample_weight")
            if weight is None or not hasattr(weight, "__len__") or isinstance(weight, str):
                continue
            if len(weight) != n_rows:
                raise InvalidInputError(
                    f"The sample_weight of step {name!r} has {len(weight)} values but X has "
                    f"{n_rows} rows; pass one weight per training row."
                )


def _fit_transform_one(transformer: Any, X: Any, y: Any, params: Any) -> tuple[Any, Any]:
    if hasattr(transformer, "fit_transform"):
        Xt = transformer.fit_transform(X, y, **params.get("fit_transform", {}))
    else:
        Xt = transformer.fit(X, y, **params.get("fit", {})).transform(
            X, **params.get("transform", {})
        )
    return Xt, transformer


def _fit_resample_one(resampler: Any, X: Any, y: Any, params: dict) -> tuple[Any, Any, Any]:
    X_res, y_res = resampler.fit_resample(X, y, **params)
    return X_res, y_res, resampler


@contextmanager
def _elapsed(message: str | None) -> Iterator[None]:
    """scikit-learn's verbose line: ``[Pipeline] ... (step 1 of 3) Processing smote, total= 0.1s``."""
    if message is None:
        yield
        return
    start = time.perf_counter()
    yield
    head, tail = "[Pipeline] ", f" {message}, total={time.perf_counter() - start:5.1f}s"
    print(head + "." * max(70 - len(head) - len(tail), 0) + tail, flush=True)


def _name_steps(steps: tuple) -> list[tuple[str, Any]]:
    """Lower-case class names, with ``-1``, ``-2`` suffixes when a name repeats (scikit-learn's rule)."""
    names = [step if isinstance(step, str) else type(step).__name__.lower() for step in steps]
    repeated = {name for name, count in Counter(names).items() if count > 1}
    seen: Counter = Counter()
    unique = []
    for name in names:
        if name in repeated:
            seen[name] += 1
            name = f"{name}-{seen[name]}"
        unique.append(name)
    return list(zip(unique, steps))


def make_pipeline(
    *steps: Any, memory: Any = None, transform_input: Any = None, verbose: bool = False
) -> Pipeline:
    """Build a :class:`Pipeline`, naming each step after its class (``SMOTE`` -> ``"smote"``).

    Parameters
    ----------
    *steps : estimators
        Transformers and resamplers, then the final estimator.
    memory : str, joblib.Memory or None, default=None
        Cache for fitted transformers and resamplers.
    transform_input : list of str or None, default=None
        As in :class:`Pipeline`.
    verbose : bool, default=False

    Returns
    -------
    Pipeline

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from equipoise.resample import RandomUnderSampler
    >>> pipe = make_pipeline(RandomUnderSampler(random_state=0), LogisticRegression())
    >>> [name for name, _ in pipe.steps]
    ['randomundersampler', 'logisticregression']
    """
    return Pipeline(
        _name_steps(steps), memory=memory, transform_input=transform_input, verbose=verbose
    )
