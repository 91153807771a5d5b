#!/usr/bin/env bash
# The project's test command: install what the tests need, then lint, check formatting and run
# the whole suite (browser and slow tests included), in two halves. Extra arguments go to pytest,
# to both halves, e.g.
#   bash scripts/test.sh -k smoke
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n==> %s\n' "$*"; }

# pip reads PyTorch's CPU page (requirements.txt's --find-links) again for every package. Where
# that host is unreachable, pip's default of 5 retries with back-off costs about 7.5 s per package
# (a fresh install into a new venv: over 6 min; with these flags, about 1 min 15 s). 2 retries
# still ride out a flaky connection; a 15 s socket timeout (pip's own default, which the
# environment may raise) bounds a host that drops packets. Cloud's install does not use these.
PIP_FLAGS=(--retries 2 --timeout 15 --progress-bar off)

step "Installing Python dependencies (requirements-dev.txt)"
start=$SECONDS
python -m pip install "${PIP_FLAGS[@]}" -r requirements-dev.txt
echo "install took $((SECONDS - start)) s"
python - <<'EOF'
import sys

import torch

print(f"python {sys.version.split()[0]}, torch {torch.__version__} (CUDA: {torch.version.cuda})")
EOF

step "Chromium and a Korean font for the browser tests"
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium chromium-driver)
# The app's text is partly Korean: without a CJK font, screenshots show empty boxes instead.
[[ -n $(fc-list :lang=ko 2>/dev/null) ]] || missing+=(fonts-noto-cjk)
if ((${#missing[@]} == 0)); then
    echo "nothing to install"
elif [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's ${missing[*]}"
    if ! { DEBIAN_FRONTEND=noninteractive apt-get update \
        && DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"; }; then
        echo "WARNING: apt-get could not install ${missing[*]}"
    fi
else
    echo "WARNING: missing ${missing[*]}, which only root with apt-get can install here"
fi
if command -v chromium >/dev/null 2>&1; then
    echo "using $(command -v chromium): $(chromium --version 2>/dev/null || echo 'version unknown')"
else
    echo "WARNING: chromium is not on PATH: the browser tests will be skipped."
    echo "         Install Debian's chromium (as root: apt-get install chromium) to run them."
fi

step "ruff check ."
python -m ruff check .

step "ruff format --check ."
python -m ruff format --check .

step "mypy (linreg_core, the engine)"
python -m mypy

# The browser tests start servers and share ports and Chromium, so they run one at a time; the
# rest (AppTest, the engine, the command line) runs on two processes, one per core: 6 minutes
# instead of 11 on 2 cores. pytest's "no test selected" (5) is fine for a -k that picks one half.
run_pytest() {
    local rc=0
    python -m pytest "$@" || rc=$?
    if ((rc == 5)); then echo "(no test selected in this half)"; elif ((rc != 0)); then exit "$rc"; fi
}

step "pytest: the whole suite but the browser tests, on two processes (slow tests included)"
run_pytest -m "not browser" -n 2 --durations=10 "$@"

step "pytest: the browser tests (the real server in Chromium), one at a time"
run_pytest -m browser --durations=10 "$@"
