#!/bin/sh
# The main job: installs what is missing, builds naryn and runs it on the
# example cascade, writing results into results/. Arguments are passed to
# "naryn simulate" (for example --scenario FILE).
set -e
cd "$(dirname "$0")"
scripts/deps
make -s -j2 >/dev/null
exec build/naryn simulate examples/cascade/model.yaml --out results/cascade "$@"
