"""Hugging Face Trainer DDP on CPU with equipoise losses and samplers: one rank of two.

Run by tests/integrations/test_transformers.py as
``torchrun --standalone --nproc_per_node=2 transformers_ddp_run.py OUT``. A two-layer BERT
built from its config (nothing downloaded) classifies a synthetic imbalanced token dataset.
Each rank writes the rows of every batch it trained on to ``OUT/<run>_rank<r>.json``.
"""

from __future__ import annotations

import json
import os
import sys
import warnings
from pathlib import Path

import torch
from torch.utils.data import Dataset
from transformers import BertConfig, BertForSequenceClassification, TrainingArguments
from transformers.utils import logging as hf_logging

from equipoise.integrations.transformers import ImbalancedTrainer
from equipoise.losses import LogitAdjustedLoss
from equipoise.online import ResampledDataset
from equipoise.samplers import DistributedBalancedBatchSampler

warnings.filterwarnings("ignore")
hf_logging.set_verbosity_error()
OUT = Path(sys.argv[1])
RANK = int(os.environ["RANK"])
COUNTS = [32, 10, 6]
LABELS = [c for c, n in enumerate(COUNTS) for _ in range(n)]


class Tokens(Dataset):
    """Sequences of 8 token ids; the class shows in which tokens appear."""

    def __init__(self) -> None:
        g = torch.Generator().manual_seed(0)
        self.ids = torch.randint(5, 40, (len(LABELS), 8), generator=g)
        self.ids[:, 0] = 1  # [CLS]
        self.ids[:, 3] = torch.tensor(LABELS) + 2

    def __len__(self) -> int:
        return len(LABELS)

    def __getitem__(self, i: int) -> dict:
        return {"input_ids": self.ids[i], "labels": LABELS[i], "row": i}


class Collate:
    """Stack a batch and remember its rows (the Trainer runs it in this process: num_workers=0)."""

    def __init__(self) -> None:
        self.rows: list[list[int]] = []

    def __call__(self, items: list[dict]) -> dict:
        self.rows.append([item["row"] for item in items])
        ids = torch.stack([item["input_ids"] for item in items])
        return {
            "input_ids": ids,
            "attention_mask": torch.ones_like(ids),
            "labels": torch.tensor([item["labels"] for item in items]),
        }


def model() -> BertForSequenceClassification:
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=48,
        hidden_size=16,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=16,
        num_labels=3,
        hidden_dropout_prob=0.0,
        attention_probs_dropout_prob=0.0,
    )
    return BertForSequenceClassification(config)


def args(name: str, epochs: int) -> TrainingArguments:
    return TrainingArguments(
        output_dir=str(OUT / name),
        per_device_train_batch_size=4,
        num_train_epochs=epochs,
        learning_rate=1e-3,
        use_cpu=True,
        ddp_backend="gloo",
        report_to=[],
        logging_strategy="no",
        save_strategy="no",
        seed=7,
        dataloader_num_workers=0,
        disable_tqdm=True,
        remove_unused_columns=False,
    )


def run(name: str, epochs: int, **kwargs) -> ImbalancedTrainer:
    collate = Collate()
    trainer = ImbalancedTrainer(
        model=model(),
        args=args(name, epochs),
        train_dataset=Tokens(),
        data_collator=collate,
        **kwargs,
    )
    result = trainer.train()
    record = {
        "rows": collate.rows,
        "world": trainer.args.world_size,
        "train_loss": result.training_loss,
    }
    loss = trainer.equipoise_loss
    if loss is not None:
        # the Trainer's loss on a fixed batch is the equipoise loss of the model's logits
        batch = Collate()([Tokens()[i] for i in (0, 20, 40, 45)])
        trainer.model.eval()
        with torch.no_grad():
            got = trainer.compute_loss(trainer.model, dict(batch)).item()
            logits = trainer.model(
                input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]
            ).logits
            record["loss_check"] = [got, loss(logits, batch["labels"]).item()]
        record["loss"] = type(loss).__name__
        record["weight"] = None if getattr(loss, "weight", None) is None else loss.weight.tolist()
    (OUT / f"{name}_rank{RANK}.json").write_text(json.dumps(record))
    return trainer


# a LOSSES name built from the training counts, a SAMPLERS name seeded with args.seed
run("square_root", 2, loss="logit-adjusted", sampler="square-root")
# class weights and a P x K batch sampler (each rank every other batch of one draw)
run("pk", 2, class_weights="balanced", sampler="balanced-batch", sampler_params={"batch_size": 6})
# an equipoise loss instance and a distributed sampler that shards itself
run(
    "distributed",
    2,
    loss=LogitAdjustedLoss.from_counts(COUNTS, tau=0.5),
    sampler=DistributedBalancedBatchSampler(LABELS, batch_size=6, num_batches=4, seed=3),
)
# online resampling with the Trainer's own sampler: a fresh plan every epoch (HF itself would not
# call the dataset's set_epoch when its sampler has one)
collate = Collate()
online = ResampledDataset(Tokens(), "over", labels=LABELS, seed=5)
trainer = ImbalancedTrainer(
    model=model(),
    args=args("online", 2),
    train_dataset=online,
    data_collator=collate,
    loss="balanced-softmax",
)
trainer.train()
(OUT / f"online_rank{RANK}.json").write_text(json.dumps({"rows": collate.rows}))

# the docs example, as a script, on the same two processes
import contextlib  # noqa: E402
import io  # noqa: E402
import runpy  # noqa: E402

printed = io.StringIO()
with contextlib.redirect_stdout(printed):
    runpy.run_path(
        str(Path(__file__).resolve().parents[2] / "examples" / "transformers_imbalanced.py"),
        run_name="__main__",
    )
(OUT / f"example_rank{RANK}.txt").write_text(printed.getvalue())
