#!/usr/bin/env bash
# Installs the real clients the server tests drive (the openai npm package, playwright-core) and Debian's chromium
# for the headless browser test. Called by tools/run-tests.sh; idempotent and quiet when everything is present.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v chromium >/dev/null 2>&1; then
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq && $sudo_cmd apt-get install -y -qq chromium >/dev/null
fi
if [ -f node_modules/openai/package.json ] && [ -f node_modules/playwright-core/package.json ] && [ -f node_modules/@huggingface/jinja/package.json ]; then exit 0; fi
command -v npm >/dev/null || { echo "server test clients: npm is not installed (apt-get install -y nodejs npm)" >&2; exit 1; }
npm ci --no-audit --no-fund --silent
