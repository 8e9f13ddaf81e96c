#!/bin/sh
# The main job: installs what is missing, builds naryn and runs the built-in
# Naryn-Syr Darya model: the base case and each of its scenarios (the
# irrigation and energy modes of Toktogul, Kambarata, the modernised plants),
# side by side, with the full results in results/naryn-syr-darya/.
# Arguments are passed to "naryn simulate" (for example --scenario kambarata).
set -e
cd "$(dirname "$0")"
scripts/deps
make -s -j2 >/dev/null
exec build/naryn simulate "$@"
