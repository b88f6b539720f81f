"""Long-tailed digits with PyTorch Lightning: class-balanced batches, LDAM-DRW, balanced accuracy.

    python examples/lightning_imbalanced.py                 # one CPU process
    DEVICES=2 python examples/lightning_imbalanced.py       # DDP, two CPU processes

Needs ``pip install 'equipoise[lightning]'``. Everything that matters under DDP is here: the
sampler is built inside ``train_dataloader()`` from the trainer's world size and rank with a
seed shared by every rank; the DRW weights are a buffer of the module, so checkpoints resume;
the balanced accuracy sums the confusion counts of every rank.
"""

import os

import lightning.pytorch as pl
import torch
from torch.utils.data import DataLoader, TensorDataset

from equipoise.datasets import load_dataset
from equipoise.integrations.lightning import DeferredReweightingCallback
from equipoise.losses import DeferredReweighting, LDAMLoss, NormedLinear
from equipoise.samplers import DistributedClassBalancedSampler
from equipoise.training_metrics import BalancedAccuracy, ManyMediumFewAccuracy

DEVICES = int(os.environ.get("DEVICES", "1"))
EPOCHS = 30

X_train, y_train = load_dataset("digits-lt-100", split="train")  # 242 rows, 100 to 1 per class
X_test, y_test = load_dataset("digits-lt-100", split="test")  # a balanced test set
train = TensorDataset(torch.as_tensor(X_train, dtype=torch.float32), torch.as_tensor(y_train))
test = TensorDataset(torch.as_tensor(X_test, dtype=torch.float32), torch.as_tensor(y_test))
counts = torch.bincount(torch.as_tensor(y_train), minlength=10).tolist()


class DigitsModel(pl.LightningModule):
    def __init__(self) -> None:
        super().__init__()
        self.body = torch.nn.Sequential(torch.nn.Linear(64, 64), torch.nn.ReLU())
        self.head = NormedLinear(64, 10)  # cosine logits, as LDAM expects
        self.loss_fn = LDAMLoss.from_counts(counts, max_m=0.5, s=30.0)
        self.balanced_accuracy = BalancedAccuracy(10)
        self.shots = ManyMediumFewAccuracy(counts, many=20, few=5)

    def forward(self, x):
        return self.head(self.body(x))

    def train_dataloader(self):
        # built here, so it sees the trainer's world size and rank (and any resume epoch)
        sampler = DistributedClassBalancedSampler(
            train,
            q=0.5,
            num_replicas=self.trainer.world_size,
            rank=self.trainer.global_rank,
            seed=0,
        )
        sampler.set_epoch(self.trainer.current_epoch)
        return DataLoader(train, batch_size=32, sampler=sampler)

    def val_dataloader(self):
        return DataLoader(test, batch_size=100)

    def training_step(self, batch, batch_idx):
        x, y = batch
        return self.loss_fn(self(x), y)

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        self.balanced_accuracy.update(logits, y)
        self.shots.update(logits, y)

    def on_validation_epoch_end(self):
        # compute() is a collective under DDP: every rank calls it, every rank gets the total
        self.log("balanced_accuracy", self.balanced_accuracy.compute(), rank_zero_only=True)
        self.final = {
            "balanced": self.balanced_accuracy.compute().item(),
            **{k: v.item() for k, v in self.shots.compute().items()},
        }
        self.balanced_accuracy.reset()
        self.shots.reset()

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)


if __name__ == "__main__":
    pl.seed_everything(0, verbose=False)
    model = DigitsModel()
    trainer = pl.Trainer(
        max_epochs=EPOCHS,
        accelerator="cpu",
        devices=DEVICES,
        strategy="ddp" if DEVICES > 1 else "auto",
        callbacks=[
            DeferredReweightingCallback(DeferredReweighting(counts, start_epoch=EPOCHS * 2 // 3))
        ],
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        num_sanity_val_steps=0,
        check_val_every_n_epoch=EPOCHS,
    )
    trainer.fit(model)
    if trainer.is_global_zero:
        r = model.final
        print(
            f"balanced accuracy {r['balanced']:.3f}  many {r['many']:.3f}  medium {r['medium']:.3f}  few {r['few']:.3f}"
        )
