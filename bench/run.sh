#!/bin/sh
# Runs every benchmark in $BUILD/bench, then times the main job as a user
# runs it. Never part of "make check".
BUILD=${BUILD:-build}
for b in "$BUILD"/bench/bench_*; do
  [ -x "$b" ] || continue
  echo "== $(basename "$b")"
  "$b" || exit 1
done
echo "== main job: naryn optimise (built-in model: base and 4 scenarios simulated, the optimum, 30 years monthly, results written)"
tmp=$(mktemp -d)
best=""
for i in 1 2 3; do
  t0=$(date +%s.%N)
  "$BUILD/naryn" optimise --quiet --out "$tmp/out" || exit 1
  t1=$(date +%s.%N)
  best=$(awk -v a="$t0" -v b="$t1" -v best="$best" \
    'BEGIN { t = b - a; if (best == "" || t < best) best = t; print best }')
done
awk -v t="$best" 'BEGIN { printf "%-40s %8.3f s   target < 2 s (%.1fx under)\n", "main job, best of 3", t, 2 / t }'
# The reports: drawing report.html again from the main job's files, for
# one 30-year run and for the comparison of six, against the main job.
for what in optimum ""; do
  rbest=""
  for i in 1 2 3; do
    t0=$(date +%s.%N)
    "$BUILD/naryn" report --quiet "$tmp/out${what:+/$what}" || exit 1
    t1=$(date +%s.%N)
    rbest=$(awk -v a="$t0" -v b="$t1" -v best="$rbest" \
      'BEGIN { t = b - a; if (best == "" || t < best) best = t; print best }')
  done
  awk -v t="$rbest" -v m="$best" -v w="${what:-comparison of 6 runs}" \
    'BEGIN { printf "%-40s %8.3f s   %.0f%% of the main job\n", "report, " w, t, 100 * t / m }'
done
# Benefit sharing: the built-in model at 10 years monthly, 4 countries and
# 15 coalitions, on 2 threads against 1 (the serial run is the peer).
for jobs in 2 1; do
  sbest=""
  for i in 1 2 3; do
    t0=$(date +%s.%N)
    "$BUILD/naryn" share --quiet --jobs "$jobs" --scenario bench/ten-years.yaml --out "$tmp/share" || exit 1
    t1=$(date +%s.%N)
    sbest=$(awk -v a="$t0" -v b="$t1" -v best="$sbest" \
      'BEGIN { t = b - a; if (best == "" || t < best) best = t; print best }')
  done
  eval "share_$jobs=$sbest"
done
awk -v t="$share_2" -v s="$share_1" 'BEGIN {
  printf "%-40s %8.3f s   target < 10 s (%.1fx under)\n", "share, 10 years, 15 coalitions, 2 jobs", t, 10 / t
  printf "%-40s %8.3f s   2 jobs are %.2fx faster\n", "share, the same on 1 job", s, s / t }'
rm -rf "$tmp"
