#!/usr/bin/env bash
# `make run`: the main job.  Once the platform simulator exists this is
# `rviommu run` on the embedded default platform; until then it replays the
# example stimulus through the model and prints the results.
set -euo pipefail
cli="$1"
here="$(cd "$(dirname "$0")/.." && pwd)"
if "$cli" help 2>/dev/null | grep -q '^  run '; then
  exec "$cli" run
fi
echo "rviommu: replaying examples/basic.jsonl through the hardware model"
exec "$cli" replay "$here/examples/basic.jsonl"
