"""The fair protocol: one step budget, prior-free selection, small classes, fixed test sets,
the positive class, and steps resolved through registries."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from equipoise.compare import DECISIONS, RECIPES, Recipe, TrainSettings, compare, register_recipe
from equipoise.compare.steps import ArgmaxDecision
from equipoise.exceptions import InvalidInputError, InvalidParameterError

from ._compare_data import FAST, tiny_binary, tiny_multiclass


def test_every_recipe_gets_the_same_number_of_optimiser_steps():
    """Over-sampling doubles the rows, under-sampling divides them: the steps stay the same."""
    X, y = tiny_binary(n=200)
    steps: dict[str, int] = {}
    current = {"name": None}

    class Counting(torch.nn.Module):
        def __init__(self, d, k):
            super().__init__()
            self.net = torch.nn.Sequential(
                torch.nn.Linear(d, 8), torch.nn.ReLU(), torch.nn.Linear(8, k)
            )

        def forward(self, x):
            if self.training:
                steps[current["name"]] = steps.get(current["name"], 0) + 1
            return self.net(x)

    for name in ("baseline", "random-over", "random-under", "balanced-sampler"):
        current["name"] = name
        compare(
            X,
            y,
            recipes=[name],
            baseline=name,
            model_factory=Counting,
            **{**FAST, "train": TrainSettings(max_epochs=3, patience=10)},
        )
    assert len(set(steps.values())) == 1, steps  # 2 folds x 3 epochs x ceil(n_fit / batch)


def test_plain_cross_entropy_keeps_a_trained_epoch_on_yeast4():
    """The old criterion (raw balanced validation loss) restored epoch 1 on 4 of 5 folds
    (test ROC-AUC 0.50): a model that learned the prior must not be judged by it."""
    from equipoise.datasets import load_dataset

    X, y = load_dataset("yeast4", as_frame=True)
    res = compare(
        X,
        y,
        recipes=["baseline"],
        folds=5,
        seeds=1,
        references=False,
        threads=1,
        progress=False,
        report=False,
        train=TrainSettings(max_epochs=25, patience=5),
    )
    runs = res.results
    assert (runs["chosen_epochs"] > 1).all(), runs["chosen_epochs"].tolist()
    assert runs["roc_auc"].min() > 0.75, runs["roc_auc"].tolist()


def test_long_tailed_images_on_their_balanced_test_split():
    from equipoise.datasets import load_dataset

    X, y = load_dataset("digits-lt-100", as_image=True)
    test = load_dataset("digits-lt-100", as_image=True, split="test")
    res = compare(
        X,
        y,
        test=test,
        recipes=["baseline", "logit-adjusted"],
        seeds=2,
        references=False,
        threads=1,
        progress=False,
        report=False,
        train=TrainSettings(max_epochs=6, patience=3),
        test_name="balanced",
    )
    s = res.summary
    assert s["design"]["kind"] == "fixed-test" and "bootstrap" in s["design"]["test"]
    assert s["dataset"]["test_set"]["n_samples"] == 500
    assert s["dataset"]["test_set"]["class_counts"] == {str(c): 50 for c in range(10)}
    assert set(res.results["selection"]) == {
        "inner-cv"
    }  # classes of 1 and 2 images: no 5 + 5 split
    assert s["selection"]["methods"]["inner-cv"] == 4 and "out-of-fold" in s["selection"]["note"]
    assert s["shots"]["thresholds"] == {"many": 20.0, "few": 4.0}
    assert s["shots"]["classes"] == {
        "many": ["0", "1", "2", "3"],
        "medium": ["4", "5", "6"],
        "few": ["7", "8", "9"],
    }
    for col in ("many_shot_acc", "medium_shot_acc", "few_shot_acc"):
        assert res.results[col].notna().all()
        assert col in s["recipes"]["baseline"]["metrics"]
    assert len(res.results) == 4 and set(res.results["fold"]) == {0}
    recall = s["recipes"]["baseline"]["per_class_recall"]
    assert set(recall) == {str(c) for c in range(10)}


def test_test_set_must_match_the_training_data():
    X, y = tiny_binary()
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    with pytest.raises(InvalidInputError, match=r"columns differ .*missing \['f4'\]"):
        compare(frame, y, test=(frame.drop(columns="f4"), y), **FAST)
    with pytest.raises(InvalidInputError, match=r"test set has classes \['5'\]"):
        compare(frame, y, test=(frame, np.where(y == 1, 5, 0)), **FAST)
    res = compare(
        frame, y, test=(frame.iloc[:50], y[:50]), recipes=["baseline"], **{**FAST, "seeds": 2}
    )
    assert res.summary["design"]["kind"] == "fixed-test" and len(res.results) == 2


def test_the_positive_class_is_the_minority_unless_told():
    X, y = tiny_binary()
    labels = np.where(y == 1, "fraud", "ok")  # "ok" sorts last but is the majority
    res = compare(X, labels, recipes=["baseline"], **FAST)
    assert res.summary["dataset"]["positive_class"] == "fraud"
    assert res.predictions["baseline"]["labels"] == ["ok", "fraud"]
    sens = res.results["sensitivity"].to_numpy()
    flipped = compare(X, labels, recipes=["baseline"], pos_label="ok", **FAST)
    assert flipped.summary["dataset"]["positive_class"] == "ok"
    np.testing.assert_allclose(flipped.results["specificity"].to_numpy(), sens)
    with pytest.raises(InvalidParameterError, match="'pos_label' parameter .* binary targets"):
        compare(*tiny_multiclass(), pos_label=0, **FAST)


def test_multiclass_threshold_with_a_class_missing_from_the_validation_rows():
    X, y = tiny_multiclass(n=240)
    keep = np.r_[
        np.flatnonzero(y != 2), np.flatnonzero(y == 2)[:6]
    ]  # 6 rows: 4-5 per training fold
    X, y = X[keep], y[keep]
    for selection in ("holdout", "auto"):
        res = compare(
            X,
            y,
            recipes=["threshold-tuned"],
            baseline="threshold-tuned",
            **{**FAST, "train": TrainSettings(max_epochs=3, selection=selection)},
        )
        assert "failed" not in res.summary and res.results["balanced_accuracy"].notna().all()


def test_a_new_decision_rule_is_one_registered_class():
    @DECISIONS.register("always-minority")
    class AlwaysMinority(ArgmaxDecision):
        identity = False

        def decide(self, logits, *, selection_logits, selection_y, prior):
            _, probs = super().decide(
                logits, selection_logits=selection_logits, selection_y=selection_y, prior=prior
            )
            return np.full(len(probs), int(np.argmin(prior))), probs

    try:
        register_recipe(
            Recipe("test-minority", "predict the rarest class", decision="always-minority")
        )
        X, y = tiny_binary()
        res = compare(X, y, recipes=["baseline", "test-minority"], **FAST)
        assert res.results.loc[res.results.recipe == "test-minority", "sensitivity"].eq(1.0).all()
        assert res.summary["recipes"]["test-minority"]["collapsed_runs"] == 2
    finally:
        RECIPES.unregister("test-minority")
        DECISIONS.unregister("always-minority")


def test_recipe_parameters_are_checked_before_any_run():
    register_recipe(
        Recipe("test-bad-focal", "", loss="focal", loss_params={"gama": 2.0}), check=False
    )
    try:
        with pytest.raises(
            InvalidParameterError, match=r"recipe 'test-bad-focal': cannot build loss 'focal'.*gama"
        ):
            compare(*tiny_binary(), recipes=["baseline", "test-bad-focal"], **FAST)
    finally:
        RECIPES.unregister("test-bad-focal")
