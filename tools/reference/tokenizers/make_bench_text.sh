#!/usr/bin/env bash
# Writes the multi-megabyte benchmark text (not committed) to artifacts/bench/kjv.txt: the King James Bible from
# Debian's bible-kjv-text package (apt-get install bible-kjv), about 4.4 MB of plain English, deterministic.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
out="$root/artifacts/bench/kjv.txt"
mkdir -p "$(dirname "$out")"
if ! command -v bible >/dev/null; then
  echo "needs the 'bible' program: apt-get install bible-kjv" >&2
  exit 1
fi
bible -f "gen1:1-rev22:21" > "$out"
echo "$out: $(wc -c < "$out") bytes, sha256 $(sha256sum "$out" | cut -c1-16)"
