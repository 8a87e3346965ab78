#!/usr/bin/env bash
# `make run`: the main job - `rviommu run` on the embedded default platform
# (8 harts with 3 guest files each, one IOMMU, 4 PCIe devices) and its
# default scenario.  Exit status 1 when an invariant fails.
set -euo pipefail
exec "$1" run
