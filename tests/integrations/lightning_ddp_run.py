"""Lightning DDP on CPU with equipoise samplers, losses and metrics: one rank of two.

Run by tests/integrations/test_lightning.py as
``torchrun --standalone --nproc_per_node=2 lightning_ddp_run.py OUT``; every Trainer uses
``strategy="ddp", accelerator="cpu", devices=2``. Each rank writes what it saw to
``OUT/<fit>_rank<r>.json``; the test compares it with the samplers' own draws.
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

import lightning.pytorch as pl
import torch
from torch.utils.data import DataLoader, TensorDataset

from equipoise.exceptions import InvalidParameterError
from equipoise.integrations.lightning import DeferredReweightingCallback, ResampleEveryEpoch
from equipoise.losses import DeferredReweighting, LDAMLoss, NormedLinear
from equipoise.online import ResampledDataset
from equipoise.samplers import (
    ClassBalancedSampler,
    DistributedBalancedBatchSampler,
    DistributedClassBalancedSampler,
)
from equipoise.training_metrics import BalancedAccuracy

warnings.filterwarnings("ignore")
OUT = Path(sys.argv[1])
LABELS = [0] * 32 + [1] * 10 + [2] * 6
COUNTS = [32, 10, 6]
N = len(LABELS)
Y = torch.tensor(LABELS)
IDS = torch.arange(N)
X = torch.stack([IDS.float() / N, (Y.float() + 1) * torch.cos(IDS.float())], dim=1)
BASE = TensorDataset(X, Y, IDS)
XV = torch.randn(30, 2, generator=torch.Generator().manual_seed(1))
YV = torch.randint(0, 3, (30,), generator=torch.Generator().manual_seed(2))


class Module(pl.LightningModule):
    def __init__(self, samplers_in_hook: bool = True, single_process: bool = False) -> None:
        super().__init__()
        self.head = NormedLinear(2, 3, generator=torch.Generator().manual_seed(0))
        self.loss_fn = LDAMLoss.from_counts(COUNTS, s=5.0)
        self.metric = BalancedAccuracy(3)
        self.samplers_in_hook = samplers_in_hook
        self.single_process = single_process
        self.seen: dict[str, dict[int, list[int]]] = {}
        self.losses: dict[int, list[float]] = {}
        self.val: dict[int, dict] = {}
        self.preds: list[int] = []
        self.trues: list[int] = []
        if not samplers_in_hook:  # built outside the hook: fine with use_distributed_sampler=False
            self.loaders = self._loaders()

    def _loaders(self) -> dict[str, DataLoader]:
        if self.single_process:
            return {
                "cb": DataLoader(
                    BASE, batch_size=8, sampler=ClassBalancedSampler(Y, num_samples=96, seed=2)
                )
            }
        loaders = {
            "dcb": DataLoader(
                BASE,
                batch_size=8,
                sampler=DistributedClassBalancedSampler(BASE, num_samples=96, seed=1),
            ),
            "dbb": DataLoader(
                BASE,
                batch_sampler=DistributedBalancedBatchSampler(
                    BASE, batch_size=6, num_batches=6, seed=3
                ),
            ),
        }
        if (
            self.samplers_in_hook
        ):  # needs Lightning's sampler injection (use_distributed_sampler=True)
            over = ResampledDataset(BASE, "over", seed=4)
            smote = ResampledDataset(BASE, "smote", k_neighbors=3, seed=5)
            loaders["cb"] = DataLoader(
                BASE, batch_size=8, sampler=ClassBalancedSampler(BASE, num_samples=96, seed=2)
            )
            loaders["over"] = DataLoader(over, batch_size=8, shuffle=True)
            loaders["smote"] = DataLoader(smote, batch_size=8, sampler=smote.epoch_sampler())
        return loaders

    def train_dataloader(self):
        return self._loaders() if self.samplers_in_hook else self.loaders

    def val_dataloader(self):
        return DataLoader(TensorDataset(XV, YV), batch_size=8)

    def training_step(self, batch, batch_idx):
        epoch = self.current_epoch
        for name, (_, _, ids) in batch.items():
            self.seen.setdefault(name, {}).setdefault(epoch, []).extend(ids.tolist())
        x, y, _ = batch["dcb"] if "dcb" in batch else batch["cb"]
        loss = self.loss_fn(self.head(x), y)
        self.losses.setdefault(epoch, []).append(loss.item())
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self.head(x)
        self.metric.update(logits, y)
        self.preds += logits.argmax(1).tolist()
        self.trues += y.tolist()

    def on_validation_epoch_end(self):
        self.val[self.current_epoch] = {
            "bacc": self.metric.compute().item(),
            "preds": self.preds,
            "trues": self.trues,
        }
        self.metric.reset()
        self.preds, self.trues = [], []

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.5, momentum=0.9)


class WeightAtStart(pl.Callback):
    """What the loss's weight is when training starts, before any callback sets it."""

    def on_train_start(self, trainer, pl_module):
        w = pl_module.loss_fn.weight
        pl_module.weight_at_start = None if w is None else w.tolist()


def trainer(
    max_epochs: int,
    callbacks: list,
    use_distributed_sampler: bool = True,
    checkpoints: bool = False,
) -> pl.Trainer:
    if checkpoints:
        callbacks = [
            *callbacks,
            pl.callbacks.ModelCheckpoint(
                dirpath=OUT / "ckpt", filename="{epoch}", save_top_k=-1, every_n_epochs=1
            ),
        ]
    return pl.Trainer(
        strategy="ddp",
        accelerator="cpu",
        devices=2,
        max_epochs=max_epochs,
        callbacks=callbacks,
        use_distributed_sampler=use_distributed_sampler,
        logger=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        enable_checkpointing=checkpoints,
        num_sanity_val_steps=0,
    )


def save(name: str, trainer_: pl.Trainer, module: Module, **extra) -> None:
    record = {"seen": module.seen, "losses": module.losses, "val": module.val, **extra}
    (OUT / f"{name}_rank{trainer_.global_rank}.json").write_text(json.dumps(record))


def drw() -> list:
    return [
        ResampleEveryEpoch(),
        DeferredReweightingCallback(DeferredReweighting(COUNTS, start_epoch=1)),
    ]


pl.seed_everything(0, verbose=False)

# A: use_distributed_sampler=True, 3 epochs, a checkpoint after each
module = Module()
t = trainer(3, drw(), checkpoints=True)
t.fit(module)
save("A", t, module, weight=module.loss_fn.weight.tolist())

# C: resume from the checkpoint taken after epoch 1 (DRW already on) into a fresh module
module = Module()
t = trainer(3, [WeightAtStart(), *drw()])
t.fit(module, ckpt_path=str(OUT / "ckpt" / "epoch=1.ckpt"))
save("C", t, module, weight_at_start=module.weight_at_start)

# B: use_distributed_sampler=False; distributed samplers built outside the hook work as they are
module = Module(samplers_in_hook=False)
t = trainer(2, [ResampleEveryEpoch()], use_distributed_sampler=False)
t.fit(module)
save("B", t, module)

# D: use_distributed_sampler=False with a single-process sampler (every rank would draw the
# same rows): a clear error on every rank
module = Module(single_process=True)
t = trainer(1, [ResampleEveryEpoch()], use_distributed_sampler=False)
try:
    t.fit(module)
    message = "no error"
except InvalidParameterError as exc:
    message = str(exc)
(OUT / f"D_rank{t.global_rank}.json").write_text(json.dumps({"error": message}))

# E: the docs example, as a script, on the same two processes (DEVICES=2: strategy="ddp")
import contextlib  # noqa: E402
import io  # noqa: E402
import os  # noqa: E402
import runpy  # noqa: E402

os.environ["DEVICES"] = "2"
printed = io.StringIO()
with contextlib.redirect_stdout(printed):
    runpy.run_path(
        str(Path(__file__).resolve().parents[2] / "examples" / "lightning_imbalanced.py"),
        run_name="__main__",
    )
(OUT / f"example_rank{t.global_rank}.txt").write_text(printed.getvalue())
