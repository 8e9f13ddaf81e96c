#!/bin/sh
# Every test: installs what is missing, builds, and runs the unit, bad-input,
# golden, command-line and errors-list suites twice: once as built, once
# under AddressSanitizer and UndefinedBehaviorSanitizer. The docs suite
# (the documentation against what exists), the browser suite (reports in
# headless Chromium), the Python package's suite and the package suite
# (the Debian package built, unpacked into a temporary root and used from
# there) run once, for the normal build, and so do the libFuzzer targets
# (built with clang in build-fuzz/), each for FUZZ_SECONDS (default 40)
# seconds. A build with OpenMPI (make MPI=1) checks that an ensemble gives
# the same bytes over 1 and 2 MPI processes. The sanitizer build's suites,
# the longest, run alongside the normal build's and MPI's, one core each
# (every suite works in its own build's folders); what they print is shown
# when they end, and the fuzzers run after them.
# Ends with the line "N passed, N failed".
cd "$(dirname "$0")" || exit 1
scripts/deps --test || exit 1
status=0
for variant in "" "SAN=1"; do
  # shellcheck disable=SC2086
  make -s -j2 $variant tests >/dev/null || { echo "build failed ($variant)"; status=1; }
done
# The Debian package (make deb), which the package suite unpacks and uses.
make -s -j2 deb >/dev/null || { echo "build failed (deb)"; status=1; }
# The shared library, which the Python suite loads.
make -s -j2 shared >/dev/null || { echo "build failed (shared)"; status=1; }
make -s -j2 fuzzers >/dev/null || { echo "build failed (fuzz)"; status=1; }
# naryn with OpenMPI, for the check that 1 and 2 processes give the same
# bytes (tests/mpi/run.sh); only the command is built.
make -s -j2 MPI=1 >/dev/null || { echo "build failed (MPI=1)"; status=1; }
rm -f build/all-results.txt
# The sanitizer build's suites in the background: a shell starts them
# with SIGINT ignored, so env gives it back its default, and Ctrl-C stops
# them with the rest.
mkdir -p build-san
env --default-signal=INT sh -c 'echo "== tests (SAN=1)"; exec tests/suites.sh build-san' \
  >build-san/suites.log 2>&1 &
san=$!
echo "== tests"
tests/suites.sh build || status=1
echo "== MPI (an ensemble over 1 and 2 processes)"
rm -f build-mpi/results.txt
BUILD=build-mpi tests/mpi/run.sh || status=1
wait "$san" || status=1
cat build-san/suites.log
# After the sanitizer suites, so that each fuzzer has a core to itself
# for its time, as fuzz/run.sh runs them two at a time.
echo "== fuzzing (each target for ${FUZZ_SECONDS:-40} s)"
rm -f build-fuzz/results.txt
BUILD=build-fuzz FUZZ_SECONDS=${FUZZ_SECONDS:-40} fuzz/run.sh || status=1
# Every suite's results, in the order of before the sanitizer build's ran
# alongside: the normal build's, the sanitizer build's, MPI's and the
# fuzzers'.
[ -f build/results.txt ] && cat build/results.txt >>build/all-results.txt
[ -f build-san/results.txt ] && sed "s|^|san:|" build-san/results.txt >>build/all-results.txt
[ -f build-mpi/results.txt ] && sed "s|^|mpi-build:|" build-mpi/results.txt >>build/all-results.txt
[ -f build-fuzz/results.txt ] && cat build-fuzz/results.txt >>build/all-results.txt
tests/summarise.sh build/all-results.txt || status=1
exit $status
