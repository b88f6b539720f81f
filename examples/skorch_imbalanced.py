"""skorch on long-tailed digits: an equipoise loss as criterion, a class-balanced sampler.

    python examples/skorch_imbalanced.py

Needs ``pip install 'equipoise[skorch]'``. ``ImbalancedNeuralNetClassifier`` is skorch's
``NeuralNetClassifier`` that returns probabilities from ``predict_proba`` for equipoise losses and
builds its sampler from the rows its internal validation split leaves for training.
"""

import numpy as np
import torch
from skorch.dataset import ValidSplit

from equipoise.datasets import load_dataset
from equipoise.integrations.skorch import ImbalancedNeuralNetClassifier
from equipoise.losses import CrossEntropyLoss, LogitAdjustedLoss
from equipoise.metrics import imbalance_report

X_train, y_train = load_dataset("digits-lt-10", split="train")
X_test, y_test = load_dataset("digits-lt-10", split="test")
X_train, X_test = X_train.astype(np.float32), X_test.astype(np.float32)
counts = np.bincount(y_train, minlength=10)


def mlp():
    return torch.nn.Sequential(torch.nn.Linear(64, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10))


def net(**kwargs):
    torch.manual_seed(0)
    return ImbalancedNeuralNetClassifier(
        mlp(),
        max_epochs=30,
        lr=0.05,
        batch_size=32,
        optimizer=torch.optim.Adam,
        optimizer__lr=0.005,
        train_split=ValidSplit(5, stratified=True),
        verbose=0,
        **kwargs,
    )


if __name__ == "__main__":
    models = {
        "cross-entropy, shuffled batches": net(criterion=CrossEntropyLoss),
        "logit-adjusted loss": net(criterion=LogitAdjustedLoss.from_counts(counts)),
        "cross-entropy, square-root sampler": net(
            criterion=CrossEntropyLoss, sampler="square-root", sampler__seed=0
        ),
    }
    for name, model in models.items():
        model.fit(X_train, y_train)
        proba = model.predict_proba(X_test)  # probabilities: rows sum to 1
        assert np.allclose(proba.sum(axis=1), 1.0)
        s = imbalance_report(y_test, proba.argmax(1), y_score=proba, train_counts=counts).summary
        print(
            f"{name:36s} balanced acc {s['balanced_accuracy']:.3f}  macro-F1 {s['macro_f1']:.3f}  "
            f"few-shot acc {s['few_shot_acc']:.3f}"
        )
