"""How long the MNIST latent-space views hold G (and so the training lock), and the
memorisation check's search, which runs outside the lock: median of 20 calls, one thread.

    python3 scripts/latent_bench.py [--model mlp|dcgan]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playground.device import limit_threads  # noqa: E402
from playground.labs import LABS, latent  # noqa: E402


def median_ms(call, repeats: int = 20) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return 1e3 * statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="mlp", choices=("mlp", "dcgan"))
    args = parser.parse_args()
    limit_threads(1)
    lab = LABS["mnist"]
    run = lab.make_run(lab.config_cls(model=args.model, device="cpu"))
    run.trainer.train_iterations(20)
    generated = latent.check_digits(run)
    step = median_ms(lambda: run.trainer.train_iterations(1))
    print(f"{args.model}, conditional, {len(run.data.labels):,} training digits (one training iteration: {step:.1f} ms)")
    print(f"walk, 2 x 9 digits (holds G):      {median_ms(lambda: latent.walk(run, 0, 1, 9, (3, 8))):7.1f} ms")
    print(f"one vector moved (holds G):        {median_ms(lambda: latent.nudged(run, 0, {0: 1.0}, 7)):7.1f} ms")
    print(f"6 digits to check (holds G):       {median_ms(lambda: latent.check_digits(run)):7.1f} ms")
    print(f"nearest training digits (no lock): "
          f"{median_ms(lambda: latent.nearest_training(generated, run.data.images), 5):7.1f} ms")


if __name__ == "__main__":
    main()
