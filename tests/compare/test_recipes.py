"""Recipes: the registry, validation, fingerprints and TOML loading."""

from __future__ import annotations

import pytest

from equipoise.compare import RECIPES, Recipe, load_recipes_toml, register_recipe
from equipoise.compare.recipes import DEFAULT_RECIPES
from equipoise.exceptions import InvalidInputError, InvalidParameterError, UnknownNameError

SPEC_RECIPES = [
    "baseline",
    "class-weights",
    "effective-number-weights",
    "random-over",
    "random-under",
    "smote",
    "borderline-smote",
    "adasyn",
    "smote-tomek",
    "smote-enn",
    "balanced-sampler",
    "sqrt-sampler",
    "focal",
    "class-balanced-focal",
    "ldam-drw",
    "balanced-softmax",
    "logit-adjusted",
    "posthoc-logit-adjustment",
    "threshold-tuned",
]


@pytest.fixture
def scratch_registry():
    """Remove recipes a test registers."""
    before = set(RECIPES.names())
    yield
    for name in set(RECIPES.names()) - before:
        RECIPES.unregister(name)


def test_every_spec_recipe_is_shipped_and_default():
    assert set(SPEC_RECIPES) <= set(RECIPES.names())
    assert set(SPEC_RECIPES) <= set(DEFAULT_RECIPES)


@pytest.mark.parametrize("name", SPEC_RECIPES)
def test_shipped_recipe_components_exist(name):
    recipe = RECIPES.get(name)
    recipe.check_components()  # raises UnknownNameError on a typo in a component name
    assert recipe.description


def test_specific_shipped_definitions():
    assert RECIPES.get("ldam-drw").head == "normed"
    assert 0 < RECIPES.get("ldam-drw").drw_start < 1
    assert RECIPES.get("balanced-sampler").batch_sampler_params["q"] == 1.0
    assert RECIPES.get("sqrt-sampler").batch_sampler_params["q"] == 0.5
    assert RECIPES.get("class-weights").loss_params["weight"] == "balanced"
    assert RECIPES.get("threshold-tuned").decision == "threshold-tuned"
    assert RECIPES.get("posthoc-logit-adjustment").decision == "posthoc-logit-adjustment"


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"head": "cosine"}, "'head' parameter"),
        ({"decision": "vote"}, "'decision' parameter"),
        ({"drw_start": 1.5}, "'drw_start' parameter"),
        ({"drw_start": 0}, "'drw_start' parameter"),
        ({"loss_params": [1, 2]}, "'loss_params' parameter"),
        ({"loss_params": {"w": object()}}, "plain values"),
        ({"resampler": 3}, "'resampler' parameter"),
    ],
)
def test_recipe_validation(kwargs, match):
    with pytest.raises(InvalidParameterError, match=match):
        Recipe("r", "d", **kwargs)


@pytest.mark.parametrize("name", ["", "a b", "a,b", None])
def test_recipe_name_must_be_usable_on_the_command_line(name):
    with pytest.raises(InvalidParameterError, match="'name' parameter"):
        Recipe(name, "d")


def test_recipe_is_frozen_hashable_and_fingerprint_ignores_description():
    a = Recipe("r", "one", loss="focal", loss_params={"gamma": 2.0})
    b = Recipe("r", "two", loss="focal", loss_params={"gamma": 2.0})
    c = Recipe("r", "one", loss="focal", loss_params={"gamma": 1.0})
    assert a.fingerprint() == b.fingerprint() != c.fingerprint()
    assert hash(a) == hash(b)
    with pytest.raises(AttributeError):
        a.loss = "ldam"  # type: ignore[misc]
    with pytest.raises(TypeError):
        a.loss_params["gamma"] = 3.0  # params are read-only too


def test_register_recipe(scratch_registry):
    r = register_recipe(Recipe("test-under-focal", "d", resampler="random-under", loss="focal"))
    assert RECIPES.get("test-under-focal") is r
    with pytest.raises(InvalidParameterError, match="already registered"):
        register_recipe(Recipe("test-under-focal", "d", loss="focal", loss_params={"gamma": 1.0}))
    register_recipe(
        Recipe("test-under-focal", "d", loss="focal", loss_params={"gamma": 1.0}), replace=True
    )
    assert RECIPES.get("test-under-focal").loss_params["gamma"] == 1.0


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"resampler": "smot"}, "unknown resampler 'smot'"),
        ({"loss": "focall"}, "unknown loss 'focall'"),
    ],
)
def test_unknown_component_names_have_clear_errors(kwargs, match, scratch_registry):
    with pytest.raises(UnknownNameError, match=match):
        register_recipe(Recipe("test-bad", "d", **kwargs))
    assert "test-bad" not in RECIPES


def test_load_recipes_toml(tmp_path, scratch_registry):
    path = tmp_path / "r.toml"
    path.write_text(
        "[recipe.test-over-focal]\n"
        'description = "over-sample, then focal"\n'
        'resampler = "random-over"\n'
        'loss = "focal"\n'
        "loss_params = { gamma = 1.5 }\n"
        "[recipe.test-tuned]\n"
        'decision = "threshold-tuned"\n'
    )
    loaded = load_recipes_toml(path)
    assert [r.name for r in loaded] == ["test-over-focal", "test-tuned"]
    assert RECIPES.get("test-over-focal").loss_params == {"gamma": 1.5}
    assert RECIPES.get("test-tuned").description == ""


@pytest.mark.parametrize(
    "text, error, match",
    [
        ('[recipe.x]\nlos = "focal"\n', InvalidInputError, r"unknown keys \['los'\]"),
        ('[recipe.x]\nresampler = "smot"\n', UnknownNameError, "unknown resampler"),
        ('[recipe.x]\nhead = "cosine"\n', InvalidParameterError, "'head' parameter"),
        ("[recipes]\n", InvalidInputError, "defines no recipe"),
        ("[other.x]\n", InvalidInputError, "unknown top-level keys"),
        ("[recipe.x\n", InvalidInputError, "not valid TOML"),
    ],
)
def test_load_recipes_toml_errors(tmp_path, text, error, match, scratch_registry):
    path = tmp_path / "r.toml"
    path.write_text(text)
    with pytest.raises(error, match=match):
        load_recipes_toml(path)
    assert "x" not in RECIPES


def test_load_recipes_toml_missing_file(tmp_path):
    with pytest.raises(InvalidInputError, match="does not exist"):
        load_recipes_toml(tmp_path / "nope.toml")
