"""Train the digit classifier behind playground.mnist.quality and ship its weights.

Trains :class:`DigitClassifier` on the 4,000 training digits of the bundled 5,000-digit subset
(random shifts of up to ±2 px as augmentation), checks accuracy on the 1,000 held-out digits,
and saves the float32 state_dict to ``playground/data/mnist_classifier.pt`` only if that accuracy is
at least 95 % and the file is under 1 MB. Deterministic (seeded, 2 CPU threads).

Run from the repository root: ``python3 scripts/train_mnist_classifier.py``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from playground.mnist import quality as mq  # noqa: E402

SEED = 0
EPOCHS = 30
BATCH_SIZE = 64
LR = 2e-3
MAX_SHIFT = 2
MIN_ACCURACY = 0.95
MAX_BYTES = 1_000_000


def random_shift(x: torch.Tensor, max_shift: int, generator: torch.Generator) -> torch.Tensor:
    """Each image (B, 1, 28, 28) translated by its own integer offset in ±max_shift, background −1."""
    b, _, h, w = x.shape
    padded = F.pad(x, (max_shift,) * 4, value=-1.0)  # (B, 1, h + 2s, w + 2s)
    dy = torch.randint(0, 2 * max_shift + 1, (b,), generator=generator)
    dx = torch.randint(0, 2 * max_shift + 1, (b,), generator=generator)
    rows = (dy[:, None] + torch.arange(h))[:, :, None]  # (B, h, 1)
    cols = (dx[:, None] + torch.arange(w))[:, None, :]  # (B, 1, w)
    return padded[torch.arange(b)[:, None, None], 0, rows, cols].unsqueeze(1)


def main() -> int:
    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args()  # --help, nothing else
    torch.set_num_threads(2)
    torch.manual_seed(SEED)
    generator = torch.Generator().manual_seed(SEED)
    start = time.perf_counter()

    images, labels = mq.bundled_subset()
    train_idx, test_idx = mq.split_indices(labels, mq.HELD_OUT, seed=0)
    x_train, y_train = mq.to_input(images[train_idx]), torch.as_tensor(labels[train_idx])
    print(f"training on {len(train_idx)} digits, {len(test_idx)} held out")

    model = mq.DigitClassifier()
    n_params = sum(p.numel() for p in model.parameters())
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    steps_per_epoch = -(-len(x_train) // BATCH_SIZE)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=LR, total_steps=EPOCHS * steps_per_epoch)
    for epoch in range(EPOCHS):
        model.train()
        order = torch.randperm(len(x_train), generator=generator)
        total = 0.0
        for i in range(0, len(order), BATCH_SIZE):
            batch = order[i:i + BATCH_SIZE]
            x = random_shift(x_train[batch], MAX_SHIFT, generator)
            loss = F.cross_entropy(model(x), y_train[batch])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            scheduler.step()
            total += loss.item() * len(batch)
        if epoch % 5 == 4 or epoch == EPOCHS - 1:
            model.eval()
            acc = mq.accuracy(model, images[test_idx], labels[test_idx])
            print(f"epoch {epoch + 1:2d}  loss {total / len(x_train):.4f}  held-out acc {acc:.4f}"
                  f"  ({time.perf_counter() - start:.0f} s)")

    model.eval()
    acc = mq.accuracy(model, images[test_idx], labels[test_idx])
    probs, _ = mq.classifier_outputs(model, mq.to_input(images[test_idx]))
    real_is = mq.inception_score(probs)
    print(f"parameters: {n_params}")
    print(f"held-out accuracy: {acc:.4f}")
    print(f"classifier IS of the held-out real digits: {real_is:.3f} (max {mq.NUM_CLASSES})")
    print(f"label KL of the held-out real digits: {mq.label_kl(probs):.5f}")
    if acc < MIN_ACCURACY:
        print(f"refusing to save: held-out accuracy {acc:.4f} < {MIN_ACCURACY}", file=sys.stderr)
        return 1

    state = {k: v.detach().to(torch.float32).contiguous() for k, v in model.state_dict().items()}
    mq.WEIGHTS_PATH.parent.mkdir(parents=True, exist_ok=True)
    tmp = mq.WEIGHTS_PATH.with_suffix(".tmp")
    torch.save(state, tmp)
    size = tmp.stat().st_size
    if size >= MAX_BYTES:
        tmp.unlink()
        print(f"refusing to save: weights file {size} bytes >= {MAX_BYTES}", file=sys.stderr)
        return 1
    tmp.replace(mq.WEIGHTS_PATH)
    print(f"saved {mq.WEIGHTS_PATH.relative_to(ROOT)}: {size / 1024:.1f} KiB"
          f"  (total {time.perf_counter() - start:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
