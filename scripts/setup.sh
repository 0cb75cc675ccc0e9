#!/usr/bin/env bash
# One-time set-up on a fresh Debian machine: Python packages and Debian's Chromium (animations),
# and with --test the test tools. Safe to run again (installs only what is missing).
set -euo pipefail
cd "$(dirname "$0")/.."
PIP="${PIP:-python3 -m pip}"

# torch first, pinned to a release whose CPU build is on this machine's disk, so that
# requirements.txt's range is already satisfied and pip does not fetch a multi-GB CUDA build.
# (On a machine with a GPU, install the CUDA build of torch first instead; it satisfies the range.)
python3 -c "import torch" 2>/dev/null || $PIP install --quiet "torch==2.13.0"
$PIP install --quiet -r requirements.txt

# Debian's Chromium: the app's animations render their charts with kaleido, which drives it (and
# the browser tests use it). Without it the app runs and says why it cannot make animations.
if ! command -v chromium >/dev/null 2>&1 && [[ ! -x /usr/bin/chromium ]]; then
  SUDO=""; [[ "$(id -u)" != 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

if [[ "${1:-}" == "--test" ]]; then
  $PIP install --quiet -r requirements-test.txt
fi
