#!/usr/bin/env bash
# Installs @huggingface/gguf for check.mjs (tests/Hearth.Quantization.Tests runs `node check.mjs FILE`).
# Call from tools/run-tests.sh before the tests; needs node and npm (npm registry reachable).
set -euo pipefail
cd "$(dirname "$0")"
if [ -d node_modules/@huggingface/gguf ]; then exit 0; fi
command -v npm >/dev/null || { echo "gguf-check: npm is not installed (apt-get install -y nodejs npm)" >&2; exit 1; }
npm ci --no-audit --no-fund --silent
