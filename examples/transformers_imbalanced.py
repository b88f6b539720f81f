"""Imbalanced text classification with the Hugging Face Trainer: a tiny BERT built from its config.

    python examples/transformers_imbalanced.py
    torchrun --nproc_per_node=2 examples/transformers_imbalanced.py     # DDP on two CPU processes

Needs ``pip install 'equipoise[transformers]'``. Nothing is downloaded: the model is built from a
``BertConfig`` and the data are synthetic token sequences, 200 / 40 / 8 per class; the test set
is balanced. Four epochs of a tiny model are a demonstration of the API, not a benchmark: the
numbers move with the seed and the number of processes.
"""

import os
import tempfile

import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import BertConfig, BertForSequenceClassification, TrainingArguments
from transformers.utils import logging as hf_logging

from equipoise.integrations.transformers import ImbalancedTrainer
from equipoise.metrics import imbalance_report

hf_logging.set_verbosity_error()


class Tokens(Dataset):
    """Sequences of 12 tokens: [CLS], noise, and in 80% of the rows the class's token (c + 2)
    at a random position."""

    def __init__(self, counts, seed):
        rng = np.random.default_rng(seed)
        self.labels = np.repeat(np.arange(len(counts)), counts)
        self.ids = rng.integers(6, 60, size=(len(self.labels), 12))
        self.ids[:, 0] = 1  # [CLS]
        spot = rng.integers(1, 12, size=len(self.labels))
        keep = rng.random(len(self.labels)) < 0.8  # the class token is missing from 20% of rows
        self.ids[np.flatnonzero(keep), spot[keep]] = self.labels[keep] + 2

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        ids = torch.as_tensor(self.ids[i])
        return {
            "input_ids": ids,
            "attention_mask": torch.ones_like(ids),
            "labels": int(self.labels[i]),
        }


def tiny_bert(num_labels):
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=64,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=16,
        num_labels=num_labels,
    )
    return BertForSequenceClassification(config)


def main():
    train, test = Tokens([200, 40, 8], seed=0), Tokens([100, 100, 100], seed=1)
    world = int(os.environ.get("WORLD_SIZE", "1"))  # set by torchrun
    args = TrainingArguments(
        output_dir=tempfile.mkdtemp(prefix="equipoise-hf-"),
        per_device_train_batch_size=16
        // world,  # the same global batch (and steps) on any world size
        num_train_epochs=4,
        learning_rate=3e-3,
        use_cpu=True,
        report_to=[],
        logging_strategy="no",
        ddp_backend="gloo" if world > 1 else None,  # CPU processes talk through gloo
        save_strategy="no",
        seed=0,
        disable_tqdm=True,
    )
    results = {}
    for name, kwargs in {
        "cross-entropy, shuffled batches": {},
        "logit-adjusted loss": {"loss": "logit-adjusted"},  # built from the training counts
        "class-balanced sampler": {"sampler": "class-balanced"},  # seeded with args.seed
    }.items():
        trainer = ImbalancedTrainer(model=tiny_bert(3), args=args, train_dataset=train, **kwargs)
        trainer.train()
        logits = trainer.predict(test).predictions
        results[name] = imbalance_report(test.labels, logits.argmax(1)).summary
        if trainer.is_world_process_zero():
            s = results[name]
            print(
                f"{name:32s} balanced acc {s['balanced_accuracy']:.3f}  macro-F1 {s['macro_f1']:.3f}"
            )
    return results


if __name__ == "__main__":
    main()
