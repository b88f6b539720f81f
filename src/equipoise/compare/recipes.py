"""Recipes: named combinations of the imbalance fixes that :func:`~equipoise.compare.compare` runs.

A :class:`Recipe` names one choice at every level where imbalance can be fixed, and resolves
into a :class:`~equipoise.compare.steps.Plan` of steps, each found by name in its kind's
registry:

- **model**: the comparison's network (``'network'``), or a scikit-learn *reference* model
  (:data:`~equipoise.compare.steps.MODELS`);
- **data**: an :mod:`equipoise.resample` resampler applied to the training rows of each run;
- **batches**: an :mod:`equipoise.samplers` batch sampler (or plain shuffled batches);
- **loss**: an :mod:`equipoise.losses` loss built with ``from_counts(train_counts, **params)``;
- **schedule**: how the loss changes over epochs (deferred re-weighting, ``'drw'``);
- **head**: a plain ``Linear`` output layer or a cosine ``NormedLinear`` one (for LDAM);
- **decision**: argmax, post-hoc logit adjustment with the training prior, or a threshold tuned
  on the selection rows (:data:`~equipoise.compare.steps.DECISIONS`).

Every recipe lives in one registry, :data:`RECIPES`. Add your own from Python with
:func:`register_recipe` or from a TOML file with :func:`load_recipes_toml`.
"""

from __future__ import annotations

import difflib
import hashlib
import inspect
import json
import re
import sys
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .._validation import Interval, validate_params
from ..exceptions import InvalidInputError, InvalidParameterError
from ..registry import Registry
from .steps import DECISIONS, HEADS, Plan, StepContext

__all__ = [
    "Recipe",
    "RECIPES",
    "HEADS",
    "DECISIONS",
    "register_recipe",
    "get_recipe",
    "load_recipes_toml",
    "DEFAULT_RECIPES",
    "REFERENCE_RECIPES",
]

_PARAM_FIELDS = (
    "model_params",
    "resampler_params",
    "batch_sampler_params",
    "loss_params",
    "schedule_params",
    "decision_params",
)

_DRW_START = Interval(
    float,
    0,
    1,
    closed="neither",
    description="a fraction of the epochs in the range (0, 1), or None",
)


def _frozen_params(owner: str, name: str, value: Any) -> Mapping[str, Any]:
    if value is None:
        value = {}
    if not isinstance(value, Mapping):
        raise InvalidParameterError(
            f"The {name!r} parameter of {owner} must be a mapping of parameter names to values; "
            f"got {value!r}."
        )
    for key in value:
        if not isinstance(key, str):
            raise InvalidParameterError(
                f"The {name!r} parameter of {owner} must have string keys; got {key!r}."
            )
    try:
        json.dumps(dict(value), sort_keys=True)
    except (TypeError, ValueError):
        raise InvalidParameterError(
            f"The {name!r} parameter of {owner} must hold plain values (numbers, strings, "
            f"booleans, lists, dicts) so the recipe can be hashed and saved; got {value!r}."
        ) from None
    return MappingProxyType(dict(value))


@dataclass(frozen=True)
class Recipe:
    """One combination of imbalance fixes, run by :func:`~equipoise.compare.compare`.

    Parameters
    ----------
    name : str
        Public name, lower case with dashes (``"smote-tomek"``).
    description : str
        One line shown by ``equipoise recipes`` and in the report.
    resampler : str, optional
        A name in :data:`equipoise.resample.RESAMPLERS`; applied to the training part of each
        fold only (never to the validation split or the test fold).
    resampler_params : mapping, default={}
        Keyword arguments of the resampler (``random_state`` is set by the runner).
    batch_sampler : str, optional
        A name in :data:`equipoise.samplers.SAMPLERS`; None draws plain shuffled batches.
    batch_sampler_params : mapping, default={}
        Keyword arguments of the sampler (``q=0.5`` for square-root sampling, ...).
    loss : str, default='cross-entropy'
        A name in :data:`equipoise.losses.LOSSES`, built with
        ``from_counts(train_counts, **loss_params)`` where ``train_counts`` are the class counts
        of the training data the model actually sees (after resampling).
    loss_params : mapping, default={}
    drw_start : float, optional
        Deferred re-weighting (Cao et al. 2019): from epoch ``ceil(drw_start * max_epochs)`` on,
        the loss is re-weighted with class-balanced weights
        :math:`w_c \\propto (1 - \\beta) / (1 - \\beta^{n_c})`, :math:`\\beta = 0.9999`. A fraction
        in (0, 1); the loss must have ``set_weight`` (e.g. ``'ldam'``). Shorthand for
        ``schedule='drw', schedule_params={'start': drw_start}``.
    head : str, default='linear'
        A name in :data:`~equipoise.compare.steps.HEADS`: ``'linear'``, or ``'normed'`` (the cosine
        classifier LDAM needs).
    decision : str, default='argmax'
        A name in :data:`~equipoise.compare.steps.DECISIONS`. ``'posthoc-logit-adjustment'``
        predicts :math:`\\arg\\max_c f_c(x) - \\tau \\log \\pi_c` with the training prior
        :math:`\\pi` (Menon et al. 2021); ``'threshold-tuned'`` fits
        :class:`equipoise.posthoc.ThresholdTuner` on the selection rows.
    decision_params : mapping, default={}
        ``{"tau": 1.0}`` for logit adjustment, ``{"metric": "balanced_accuracy"}`` for the tuner.
    model : str, default='network'
        A name in :data:`~equipoise.compare.steps.MODELS`: the comparison's network, or a
        scikit-learn reference (``'logistic-regression'``, ``'hist-gradient-boosting'``,
        ``'balanced-random-forest'``), which use only the resample and decision steps.
    model_params : mapping, default={}
        Parameters of a reference model's estimator (``{"class_weight": "balanced"}``).
    schedule : str, optional
        A name in :data:`~equipoise.compare.steps.SCHEDULES` (``'drw'``); None keeps the loss fixed.
    schedule_params : mapping, default={}
        ``{"start": 0.5, "beta": 0.9999}`` for ``'drw'``.

    References
    ----------
    .. [1] Cao, K. et al. (2019). Learning imbalanced datasets with label-distribution-aware
       margin loss. NeurIPS.
    .. [2] Menon, A. K. et al. (2021). Long-tail learning via logit adjustment. ICLR.

    Examples
    --------
    >>> from equipoise.compare import Recipe
    >>> r = Recipe("smote-focal", "SMOTE, then focal loss", resampler="smote",
    ...            loss="focal", loss_params={"gamma": 2.0})
    >>> r.loss_params["gamma"]
    2.0
    """

    name: str
    description: str
    resampler: str | None = None
    resampler_params: Mapping[str, Any] = field(default_factory=dict)
    batch_sampler: str | None = None
    batch_sampler_params: Mapping[str, Any] = field(default_factory=dict)
    loss: str = "cross-entropy"
    loss_params: Mapping[str, Any] = field(default_factory=dict)
    drw_start: float | None = None
    head: str = "linear"
    decision: str = "argmax"
    decision_params: Mapping[str, Any] = field(default_factory=dict)
    model: str = "network"
    model_params: Mapping[str, Any] = field(default_factory=dict)
    schedule: str | None = None
    schedule_params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        owner = f"Recipe {self.name!r}" if isinstance(self.name, str) else "Recipe"
        if not isinstance(self.name, str) or not self.name.strip():
            raise InvalidParameterError(
                f"The 'name' parameter of Recipe must be a non-empty string; got {self.name!r}."
            )
        if any(unicodedata.category(ch).startswith("C") for ch in self.name):
            raise InvalidParameterError(
                f"The 'name' parameter of Recipe must be printable text, without control or "
                f"formatting characters (they would reach terminals and files); got {self.name!r}."
            )
        if any(ch.isspace() for ch in self.name) or "," in self.name:
            raise InvalidParameterError(
                f"The 'name' parameter of Recipe must not contain spaces or commas (it is used in "
                f"'--recipes a,b'); got {self.name!r}."
            )
        if not isinstance(self.description, str):
            raise InvalidParameterError(
                f"The 'description' parameter of {owner} must be a string; got {self.description!r}."
            )
        for attr in _PARAM_FIELDS:
            object.__setattr__(self, attr, _frozen_params(owner, attr, getattr(self, attr)))
        for attr in ("resampler", "batch_sampler"):
            value = getattr(self, attr)
            if value is not None and not isinstance(value, str):
                raise InvalidParameterError(
                    f"The {attr!r} parameter of {owner} must be a name or None; got {value!r}."
                )
        for attr in ("loss", "head", "decision", "model"):
            if not isinstance(getattr(self, attr), str):
                raise InvalidParameterError(
                    f"The {attr!r} parameter of {owner} must be a name; got {getattr(self, attr)!r}."
                )
        if self.schedule is not None and not isinstance(self.schedule, str):
            raise InvalidParameterError(
                f"The 'schedule' parameter of {owner} must be a name or None; got {self.schedule!r}."
            )
        if self.head not in HEADS:
            raise InvalidParameterError(
                f"The 'head' parameter of {owner} must be one of {HEADS.names()}; got {self.head!r}."
            )
        if self.decision not in DECISIONS:
            raise InvalidParameterError(
                f"The 'decision' parameter of {owner} must be one of {DECISIONS.names()}; got {self.decision!r}."
            )
        if self.drw_start is not None:
            validate_params(owner, {"drw_start": self.drw_start}, {"drw_start": [_DRW_START]})
            if self.schedule is not None:
                raise InvalidParameterError(
                    f"{owner} sets both drw_start and schedule; drw_start is shorthand for "
                    "schedule='drw', schedule_params={'start': ...}: keep one."
                )
            object.__setattr__(self, "drw_start", float(self.drw_start))

    def __hash__(self) -> int:
        return hash(self.fingerprint())

    def plan(self) -> Plan:
        """The recipe's steps, each resolved through its registry.

        Raises
        ------
        UnknownNameError
            "unknown resampler 'smot'; expected one of [...]. Did you mean 'smote'?"
        """
        schedule, schedule_params = self.schedule, dict(self.schedule_params)
        if self.drw_start is not None:
            schedule, schedule_params = "drw", {"start": self.drw_start}
        return Plan.from_fields(
            model=self.model,
            model_params=self.model_params,
            resampler=self.resampler,
            resampler_params=self.resampler_params,
            batch_sampler=self.batch_sampler,
            batch_sampler_params=self.batch_sampler_params,
            loss=self.loss,
            loss_params=self.loss_params,
            schedule=schedule,
            schedule_params=schedule_params,
            head=self.head,
            decision=self.decision,
            decision_params=self.decision_params,
        )

    @property
    def family(self) -> str:
        """``'neural'`` (trains the comparison's network) or ``'reference'``."""
        return self.plan().family

    def check_components(self) -> None:
        """Check that every named component exists in its registry (see :meth:`plan`)."""
        self.plan()

    def check(self, n_classes: int, kind: str = "table") -> None:
        """Check every parameter of every step for a problem of ``n_classes`` classes, before
        any run: unknown parameters (with the closest known name), impossible values (each
        step's object is built once; a scikit-learn reference model validates its parameters),
        a schedule whose loss cannot change.

        Raises
        ------
        InvalidParameterError
            One line naming the recipe, the setting, the parameter and the fix.
        """
        owner = f"recipe {self.name!r}"
        self._check_param_names(owner)
        try:
            plan = self.plan()
            plan.check(StepContext(n_classes=n_classes, kind=kind), owner=owner)
            if plan.family == "reference" and callable(getattr(plan.model, "estimator", None)):
                estimator = plan.model.estimator(0)  # type: ignore[attr-defined]
                if hasattr(estimator, "_validate_params"):
                    try:
                        estimator._validate_params()
                    except ValueError as exc:  # sklearn's InvalidParameterError
                        raise InvalidParameterError(f"{owner}: {exc}") from None
        except InvalidParameterError as exc:
            raise InvalidParameterError(self._with_fix(str(exc))) from None

    def _accepted(self, field_name: str) -> list[str] | None:
        """The keyword names the component of ``field_name`` accepts (None: not known)."""
        try:
            if field_name == "loss_params":
                from ..losses import LOSSES

                target: Any = LOSSES.get(self.loss).from_counts
                skip = {"counts"}
            elif field_name == "batch_sampler_params" and self.batch_sampler is not None:
                from ..samplers import SAMPLERS

                target = SAMPLERS.get(self.batch_sampler)
                skip = {"labels", "self", "seed", "generator"}
            else:
                return None
            params = inspect.signature(target).parameters.values()
        except (TypeError, ValueError):
            return None
        if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
            return None
        return sorted(
            p.name
            for p in params
            if p.name not in skip and p.kind is not inspect.Parameter.VAR_POSITIONAL
        )

    def _check_param_names(self, owner: str) -> None:
        components = {
            "loss_params": f"cannot build loss {self.loss!r}: it",
            "batch_sampler_params": f"cannot build batch sampler {self.batch_sampler!r}: it",
        }
        for field_name, component in components.items():
            given = dict(getattr(self, field_name))
            accepted = self._accepted(field_name) if given else None
            if accepted is None:
                continue
            unknown = sorted(set(given) - set(accepted))
            if unknown:
                close = difflib.get_close_matches(unknown[0], accepted, n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                raise InvalidParameterError(
                    f"{owner}: {component} has no parameter {unknown[0]!r} in {field_name}; {hint}Its "
                    f"parameters are {accepted}. Fix {field_name} of the recipe (its [recipe.{self.name}] "
                    "table in a recipe file)."
                )

    def _with_fix(self, message: str) -> str:
        """Add where to fix a value error, when the message names a parameter of this recipe."""
        if " Fix " in message:
            return message
        named = re.search(r"[Tt]he '([^']+)' parameter of", message) or re.search(
            r"parameter\(s\) \['([^']+)'", message
        )
        if named is None:
            return message
        key = named.group(1)
        fields = [f for f in _PARAM_FIELDS if key in getattr(self, f)]
        if key == "start" and self.drw_start is not None:
            fields.append("drw_start")
        if not fields:
            field_name = next((f for f in _PARAM_FIELDS if getattr(self, f)), None)
            if field_name is None or "has no parameter" not in message:
                return message
            fields = [field_name]
        where = f"{fields[0]}" if fields[0] == "drw_start" else f"{key!r} in {fields[0]}"
        return (
            f"{message.rstrip()} Fix {where} of the recipe (its [recipe.{self.name}] table in a recipe "
            "file), or remove it to use the default."
        )

    def to_dict(self) -> dict[str, Any]:
        """A plain dict (JSON- and TOML-friendly) of the recipe's fields."""
        out = {name: getattr(self, name) for name in self.__dataclass_fields__}
        for attr in _PARAM_FIELDS:
            out[attr] = dict(out[attr])
        return out

    def fingerprint(self) -> str:
        """SHA-256 of the resolved steps (what changes the runs; the description is left out)."""
        payload = json.dumps(self.plan().to_dict(), sort_keys=True, default=str)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


RECIPES: Registry[Recipe] = Registry("recipe")
"""Every known recipe, by name: the shipped ones and those the user registered."""


def register_recipe(recipe: Recipe, *, replace: bool = False, check: bool = True) -> Recipe:
    """Add ``recipe`` to :data:`RECIPES` under ``recipe.name``.

    Parameters
    ----------
    recipe : Recipe
    replace : bool, default=False
        Overwrite a recipe of the same name.
    check : bool, default=True
        Check that the named resampler, sampler and loss exist (clear error otherwise).

    Returns
    -------
    Recipe
        The recipe, so the call can be used inline.

    Examples
    --------
    >>> from equipoise.compare import Recipe, register_recipe, RECIPES
    >>> _ = register_recipe(Recipe("under-focal", "under-sample, focal loss",
    ...                            resampler="random-under", loss="focal"), replace=True)
    >>> "under-focal" in RECIPES
    True
    """
    if not isinstance(recipe, Recipe):
        raise InvalidParameterError(
            f"register_recipe expects a Recipe; got {type(recipe).__name__}."
        )
    if check:
        recipe.check_components()
    if recipe.name in RECIPES and not replace and RECIPES.get(recipe.name) != recipe:
        raise InvalidParameterError(
            f"A recipe named {recipe.name!r} is already registered; choose another name or pass "
            "replace=True to overwrite it."
        )
    RECIPES.register(recipe.name, recipe, replace=True)
    return recipe


def get_recipe(name: str | Recipe) -> Recipe:
    """Return the recipe called ``name`` (a :class:`Recipe` is returned as is).

    Parameters
    ----------
    name : str or Recipe
        A name registered in :data:`RECIPES` (``equipoise recipes`` lists them).

    Returns
    -------
    Recipe

    Raises
    ------
    UnknownNameError
        With the known names and the closest match."""
    if isinstance(name, Recipe):
        return name
    return RECIPES.get(name)


_TOML_KEYS = frozenset(Recipe.__dataclass_fields__) - {"name"}


def load_recipes_toml(
    path: str | Path, *, register: bool = True, replace: bool = False
) -> list[Recipe]:
    """Read recipes from a TOML file, one table per recipe.

    Parameters
    ----------
    path : str or Path
        A TOML file such as::

            [recipe.smote-focal]
            description = "SMOTE, then focal loss"
            resampler = "smote"
            resampler_params = { k_neighbors = 3 }
            loss = "focal"
            loss_params = { gamma = 2.0 }

        Top-level tables under ``[recipe.NAME]`` (or ``[recipes.NAME]``); every key is a
        :class:`Recipe` field. Unknown keys and unknown component names are errors.
    register : bool, default=True
        Add the recipes to :data:`RECIPES`.
    replace : bool, default=False
        Allow overwriting registered recipes of the same name (recipes read from files before).
        A shipped recipe (``baseline``, ``smote``, the references, ...) is never replaced from a
        file: a name under which results are reported always means the shipped recipe.

    Returns
    -------
    list of Recipe

    Raises
    ------
    InvalidInputError
        Unreadable or invalid TOML, unknown keys, or a recipe named like a shipped one.
    """
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        try:
            import tomli as tomllib
        except ImportError as exc:
            raise InvalidInputError(
                "Reading TOML recipes on Python 3.10 needs 'pip install tomli'."
            ) from exc

    path = Path(path)
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise InvalidInputError(f"recipe file {str(path)!r} does not exist.") from None
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInputError(f"recipe file {str(path)!r} is not valid TOML: {exc}.") from None
    except UnicodeDecodeError as exc:
        raise InvalidInputError(
            f"recipe file {str(path)!r} is not UTF-8 text (byte {exc.object[exc.start]:#04x} at "
            f"position {exc.start}); save it as UTF-8."
        ) from None
    except IsADirectoryError:
        raise InvalidInputError(
            f"recipe file {str(path)!r} is a folder; pass a TOML file."
        ) from None
    unknown_top = set(data) - {"recipe", "recipes"}
    if unknown_top:
        raise InvalidInputError(
            f"recipe file {str(path)!r} has unknown top-level keys {sorted(unknown_top)}; put each "
            "recipe in a [recipe.NAME] table."
        )
    tables: dict[str, Any] = {**data.get("recipes", {}), **data.get("recipe", {})}
    if not tables:
        raise InvalidInputError(
            f"recipe file {str(path)!r} defines no recipe; add a [recipe.NAME] table."
        )
    recipes = []
    for name, table in tables.items():
        if not isinstance(table, dict):
            raise InvalidInputError(
                f"recipe {name!r} in {str(path)!r} must be a table of settings; got {table!r}."
            )
        unknown = set(table) - _TOML_KEYS
        if unknown:
            raise InvalidInputError(
                f"recipe {name!r} in {str(path)!r} has unknown keys {sorted(unknown)}; expected some of "
                f"{sorted(_TOML_KEYS)}."
            )
        if name in _SHIPPED_NAMES:
            raise InvalidInputError(
                f"recipe {name!r} in {str(path)!r} has the name of a shipped recipe, which a recipe "
                f"file cannot redefine (results under {name!r} always mean the shipped one); rename "
                f"it, e.g. [recipe.my-{name}]."
            )
        settings = dict(table)
        settings.setdefault("description", "")
        recipe = Recipe(name=name, **settings)
        recipe.check_components()
        recipes.append(recipe)
    if register:
        for recipe in recipes:
            register_recipe(recipe, replace=replace, check=False)
    return recipes


# --------------------------------------------------------------------------------------------
# The shipped recipes
# --------------------------------------------------------------------------------------------

_SHIPPED = [
    Recipe("baseline", "plain cross-entropy, shuffled batches, argmax (the reference)"),
    Recipe(
        "class-weights",
        "cross-entropy with 'balanced' class weights n / (k * n_c)",
        loss_params={"weight": "balanced"},
    ),
    Recipe(
        "effective-number-weights",
        "cross-entropy weighted by the effective number of samples (Cui et al. 2019)",
        loss_params={"weight": "effective_number"},
    ),
    Recipe("random-over", "random over-sampling of the minority classes", resampler="random-over"),
    Recipe(
        "random-under", "random under-sampling of the majority classes", resampler="random-under"
    ),
    Recipe(
        "smote", "SMOTE synthetic minority over-sampling (Chawla et al. 2002)", resampler="smote"
    ),
    Recipe(
        "borderline-smote",
        "Borderline-SMOTE: synthesise near the class border",
        resampler="borderline-smote",
    ),
    Recipe(
        "adasyn", "ADASYN: synthesise more where the minority is hard to learn", resampler="adasyn"
    ),
    Recipe("smote-tomek", "SMOTE, then remove Tomek links", resampler="smote-tomek"),
    Recipe("smote-enn", "SMOTE, then edited nearest neighbours cleaning", resampler="smote-enn"),
    Recipe(
        "balanced-sampler",
        "class-balanced batches (q=1: every class equally likely)",
        batch_sampler="class-balanced",
        batch_sampler_params={"q": 1.0},
    ),
    Recipe(
        "sqrt-sampler",
        "square-root sampling (q=0.5: class drawn with probability ~ sqrt(n_c))",
        batch_sampler="class-balanced",
        batch_sampler_params={"q": 0.5},
    ),
    Recipe(
        "focal", "focal loss, gamma=2 (Lin et al. 2017)", loss="focal", loss_params={"gamma": 2.0}
    ),
    Recipe(
        "class-balanced-focal",
        "class-balanced focal loss, beta=0.9999, gamma=2 (Cui et al. 2019)",
        loss="class-balanced",
        loss_params={"loss": "focal", "beta": 0.9999, "gamma": 2.0},
    ),
    Recipe(
        "ldam-drw",
        "LDAM margin loss on a cosine head, deferred re-weighting from half-way (Cao et al. 2019)",
        loss="ldam",
        head="normed",
        drw_start=0.5,
    ),
    Recipe("balanced-softmax", "balanced softmax loss (Ren et al. 2020)", loss="balanced-softmax"),
    Recipe(
        "logit-adjusted",
        "logit-adjusted cross-entropy, tau=1 (Menon et al. 2021)",
        loss="logit-adjusted",
    ),
    Recipe(
        "posthoc-logit-adjustment",
        "cross-entropy, then subtract tau*log(prior) from the logits at test time (Menon et al. 2021)",
        decision="posthoc-logit-adjustment",
        decision_params={"tau": 1.0},
    ),
    Recipe(
        "threshold-tuned",
        "cross-entropy, decision threshold tuned on the validation split for balanced accuracy",
        decision="threshold-tuned",
        decision_params={"metric": "balanced_accuracy"},
    ),
]

_REFERENCES = [
    Recipe(
        "logistic-regression",
        "reference: logistic regression with 'balanced' class weights (King & Zeng 2001)",
        model="logistic-regression",
        model_params={"class_weight": "balanced"},
    ),
    Recipe(
        "hist-gradient-boosting",
        "reference: histogram gradient boosting with 'balanced' class weights",
        model="hist-gradient-boosting",
        model_params={"class_weight": "balanced"},
    ),
    Recipe(
        "balanced-random-forest",
        "reference: balanced random forest, each tree on a class-balanced under-sample (Chen et al. 2004)",
        model="balanced-random-forest",
    ),
    Recipe(
        "hist-gradient-boosting-tuned",
        "reference: histogram gradient boosting, no rebalancing, threshold tuned on the selection rows for balanced accuracy",
        model="hist-gradient-boosting",
        decision="threshold-tuned",
        decision_params={"metric": "balanced_accuracy"},
    ),
]

for _recipe in (*_SHIPPED, *_REFERENCES):
    RECIPES.register(_recipe.name, _recipe)

_SHIPPED_NAMES = frozenset(r.name for r in (*_SHIPPED, *_REFERENCES))

DEFAULT_RECIPES: tuple[str, ...] = tuple(r.name for r in _SHIPPED)
"""The neural recipes ``compare`` runs when ``recipes=None``: every shipped one."""

REFERENCE_RECIPES: tuple[str, ...] = tuple(r.name for r in _REFERENCES)
"""The reference models ``compare`` adds unless ``references=False`` (``--no-references``):
strong scikit-learn learners trained on exactly the rows the recipes train on."""
