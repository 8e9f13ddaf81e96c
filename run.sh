#!/bin/sh
# The main job: installs what is missing, builds naryn and runs the built-in
# Naryn-Syr Darya model: the base case and each of its scenarios (the
# irrigation and energy modes of Toktogul, Kambarata, the modernised plants)
# simulated, and the optimal plan for the system as built, side by side,
# with what each is worth and the full results in results/naryn-syr-darya/.
# Arguments are passed to "naryn optimise" (for example --weight carry_over=2).
set -e
cd "$(dirname "$0")"
scripts/deps
make -s -j2 >/dev/null
exec build/naryn optimise "$@"
