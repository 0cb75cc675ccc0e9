#!/usr/bin/env bash
# The GPU path, checked on a machine with an NVIDIA GPU (issue 13): the CUDA tests, the benchmark
# on CUDA, the MNIST DCGAN's time to classifier IS >= 8, and the whole suite but its browser tests
# with CUDA as the default device (its first run there found 13 tests that assumed a CPU). Without a CUDA device it says so and
# exits 3 before measuring anything (so no CPU number can be mistaken for a GPU one).
#
#   ./scripts/gpu_check.sh [seconds of DCGAN training, default 180]
#
# Results go to stdout and to gpu_check/ (one file per step) for README's GPU table. Every step
# runs even when an earlier one fails (a GPU lease is short: one run should report everything);
# the exit status is that of the first failing step.
set -uo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-180}"
out=gpu_check

if ! python3 -c 'import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)'; then
    echo "gpu_check: no CUDA device (torch.cuda.is_available() is False): nothing was measured" >&2
    exit 3
fi
mkdir -p "$out"
python3 -c 'import torch; print("GPU:", torch.cuda.get_device_name(0), "| torch", torch.__version__, "| CUDA", torch.version.cuda)' \
    | tee "$out/device.txt"

status=0
step() { "$@" || { rc=$?; echo "gpu_check: step failed with status $rc: $*" >&2; [ "$status" -ne 0 ] || status=$rc; }; }

echo "== 1/4 CUDA tests (CUDA graphs replayed against eager, exact state on the GPU and across devices, the fused optimizers)"
step bash -c 'set -o pipefail; python3 -m pytest -q -p no:cacheprovider tests/test_accel.py tests/test_trainer_state.py \
    tests/test_optim.py tests/test_trainer.py tests/test_mnist_models.py tests/test_states.py 2>&1 | tee "$0/tests.txt"' "$out"

echo "== 2/4 trainer vs plain PyTorch loop, both on CUDA (wall clock, synchronised)"
step bash -c 'set -o pipefail; python3 -m playground bench --lab all --device cuda --json | tee "$0/bench_cuda.json"' "$out"

echo "== 3/4 MNIST DCGAN (unconditional preset): classifier IS over ${seconds} s of training on CUDA"
step bash -c 'set -o pipefail; python3 scripts/time_to_is.py --preset dcgan --device cuda --seconds "$1" --every 5 --targets 8 9 \
    | tee "$0/dcgan_time_to_is.txt"' "$out" "$seconds"

echo "== 4/4 the whole suite on the GPU machine (no Chromium tests; parallel where pytest-xdist is installed)"
parallel=$(python3 -c 'import xdist' 2>/dev/null && echo "-n auto" || true)
step bash -c 'set -o pipefail; python3 -m pytest -q -p no:cacheprovider $1 --ignore-glob="tests/test_e2e*" 2>&1 \
    | tee "$0/suite.txt" | tail -n 30' "$out" "$parallel"
exit "$status"
