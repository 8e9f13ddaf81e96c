#!/bin/sh
# Runs every benchmark in $BUILD/bench, then times the main job as a user
# runs it. Never part of "make check".
BUILD=${BUILD:-build}
for b in "$BUILD"/bench/bench_*; do
  [ -x "$b" ] || continue
  echo "== $(basename "$b")"
  "$b" || exit 1
done
# The chain of Pywr's side-by-side comparison (bench/chain.sh; doc/
# performance.md), timed as a user runs it: a fresh "naryn simulate" process
# from reading the model to the last file written, and the loop alone
# (chain_loop: the steps of a run with summaries only, in a fresh process,
# solved by the network simplex, and again with CLP solving every step),
# median of 5 runs each,
# beside Pywr 1.31.1 + GLPK's figures on the same network measured on this
# machine kind. The aggregates must match those recorded in
# bench/chain-aggregates.txt.
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
echo "== chain benchmark (Pywr's comparison network), 3,653 daily steps, fresh processes, median of 5"
printf "%5s %9s %9s %9s %7s %8s %10s %10s %7s %9s  %s\n" N "whole s" steps/s "Pywr" "x Pywr" "peak MB" "loop st/s" "Pywr loop" "x Pywr" "CLP loop" aggregates
chain_tmp=$(mktemp -d)
for spec in "10 2146 12700" "50 1514 4268" "200 758 1222"; do
  set -- $spec
  n=$1 pywr=$2 pywr_loop=$3
  bench/chain.sh "$n" > "$chain_tmp/chain-$n.yaml" || exit 1
  : > "$chain_tmp/whole"; : > "$chain_tmp/peak"; : > "$chain_tmp/loop"; : > "$chain_tmp/clp"
  for i in 1 2 3 4 5; do
    "$BUILD/bench/runtime" "$BUILD/naryn" simulate --quiet "$chain_tmp/chain-$n.yaml" \
      --out "$chain_tmp/out-$n" > "$chain_tmp/one" || { echo "chain $n: naryn simulate failed"; exit 1; }
    read -r s kb < "$chain_tmp/one"
    echo "$s" >> "$chain_tmp/whole"; echo "$kb" >> "$chain_tmp/peak"
    "$BUILD/bench/chain_loop" "$chain_tmp/chain-$n.yaml" "$chain_tmp/loop-$n" > "$chain_tmp/one" || exit 1
    awk '{ print $3 }' "$chain_tmp/one" >> "$chain_tmp/loop"
    # The same loop with CLP solving every step, for comparison.
    "$BUILD/bench/chain_loop" "$chain_tmp/chain-$n.yaml" "$chain_tmp/clp-$n" clp > "$chain_tmp/two" || exit 1
    awk '{ print $3 }' "$chain_tmp/two" >> "$chain_tmp/clp"
  done
  clp=$(median < "$chain_tmp/clp")
  whole=$(median < "$chain_tmp/whole")
  peak=$(median < "$chain_tmp/peak")
  loop=$(median < "$chain_tmp/loop")
  agg=$(awk -v n="$n" 'NR == FNR { if ($1 == n) { d = $2; s = $3; v = $4 } next }
    function off(a, b) { return (a - b) / (b > 1 ? b : 1) }
    { if (off($6, d)^2 > 1e-12 || off($7, s)^2 > 1e-12 || off($8, v)^2 > 1e-12)
        printf "CHANGED: delivered %s, outfall %s, storage %s (recorded %s, %s, %s)", $6, $7, $8, d, s, v
      else printf "unchanged" }' bench/chain-aggregates.txt "$chain_tmp/one")
  awk -v n="$n" -v w="$whole" -v p="$pywr" -v kb="$peak" -v l="$loop" -v pl="$pywr_loop" -v a="$agg" -v c="$clp" 'BEGIN {
    printf "%5d %9.3f %9.0f %9d %7.2f %8.1f %10.0f %10d %7.2f %9.0f  %s\n",
      n, w, 3653 / w, p, 3653 / w / p, kb / 1024, l, pl, l / pl, c, a }'
  case $agg in CHANGED*) rm -rf "$chain_tmp"; exit 1 ;; esac
done
echo "targets: whole command >= 3x Pywr's load and run, loop >= 5x Pywr's loop, peak < 150 MB at N = 200"
# The same chain with two zones and operating rules on every reservoir (a
# release that follows storage, a minimum release in the lower zone;
# bench/chain.sh N rules): the loop beside the one without rules.
bench/chain.sh 200 rules > "$chain_tmp/rules-200.yaml" || exit 1
: > "$chain_tmp/rules"
for i in 1 2 3 4 5; do
  "$BUILD/bench/chain_loop" "$chain_tmp/rules-200.yaml" "$chain_tmp/rules-out" > "$chain_tmp/one" || exit 1
  awk '{ print $3 }' "$chain_tmp/one" >> "$chain_tmp/rules"
done
awk -v r="$(median < "$chain_tmp/rules")" -v l="$loop" 'BEGIN {
  printf "%5d with rules: loop %.0f steps/s, %.2fx the loop without rules (target >= 0.75)\n", 200, r, r / l }'
# The whole command at N = 200 with the other outputs a user may choose:
# results.nc instead of the CSV files, and summaries only.
for opts in "--format netcdf" "--output summary"; do
  : > "$chain_tmp/whole"; : > "$chain_tmp/peak"
  for i in 1 2 3 4 5; do
    # shellcheck disable=SC2086
    "$BUILD/bench/runtime" "$BUILD/naryn" simulate --quiet "$chain_tmp/chain-200.yaml" \
      --out "$chain_tmp/opt-200" $opts > "$chain_tmp/one" || { echo "chain 200 $opts: failed"; exit 1; }
    read -r s kb < "$chain_tmp/one"
    echo "$s" >> "$chain_tmp/whole"; echo "$kb" >> "$chain_tmp/peak"
  done
  awk -v o="$opts" -v w="$(median < "$chain_tmp/whole")" -v kb="$(median < "$chain_tmp/peak")" 'BEGIN {
    printf "%5d %9.3f %9.0f %9d %7.2f %8.1f  with %s\n", 200, w, 3653 / w, 758, 3653 / w / 758, kb / 1024, o }'
done
rm -rf "$chain_tmp"
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
# Ensembles: 1,000 members of 30 years of the built-in model with 1 and 2
# threads (and 1 and 2 MPI processes when built with MPI=1); see
# bench/ensemble.sh and doc/performance.md.
BUILD=$BUILD bench/ensemble.sh || exit 1
# SDDP: the built-in model's one-year cyclic policy with 1 and 2 threads,
# and the gap 60 s of training reach; see bench/sddp.sh and doc/sddp-speed.md.
BUILD=$BUILD bench/sddp.sh || exit 1
