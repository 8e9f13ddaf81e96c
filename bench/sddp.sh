#!/bin/sh
# The SDDP benchmark (issue 19): the built-in model's policy, a one-year
# cycle of monthly stages discounted by 0.9, with PAR(1) inflows of ten
# outcomes a month (models/naryn/model.yaml, "uncertainty"), trained by a fresh
# "naryn sddp" process for a fixed number of iterations of two forward
# passes each, with --jobs 1 and --jobs 2 (the same work: the same seed,
# passes and iterations), run in turn, RUNS (default 5) pairs, the
# speed-up the median of the pairs' ratios, with their least and
# greatest; then the ceiling of two cores on this machine, two
# single-thread runs at once against one alone; then one run
# of 2 threads for 60 s, with the gap it reaches. The issue's target (a
# 1 % gap in under 60 s on 2 cores, with PAR(1) inflows; 2 threads, and
# with naryn built by make MPI=1 2 processes, at least 1.7 times as fast
# as 1) is reported against what was measured, and the runs of 1 thread,
# 2 threads and 2 processes must give the same cuts, bit for bit; and
# then 1 thread of one pass an iteration (the default) for 60 s, with how
# soon the 2 threads reached the lower bound it ended with; and 2 threads
# for 60 s once more, with one upper bound at the end from simulations
# with the control variate, which measures the gap closely.
#
#   BUILD=build bench/sddp.sh [ITERATIONS]
BUILD=${BUILD:-build}
its=${1:-40}
runs=${RUNS:-5}
naryn="$(cd "$BUILD" && pwd)/naryn"
runtime="$(cd "$BUILD" && pwd)/bench/runtime"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# The least and the greatest of the pairs' ratios, times $1.
spread() { sort -g "$tmp/r" | awk -v f="$1" 'NR == 1 { lo = $1 } { hi = $1 } END { printf "pairs %.2f to %.2f", f * lo, f * hi }'; }
echo "== sddp: the built-in model's one-year cyclic policy, $its iterations of 2 passes, fresh processes, median of $runs"
echo "(1 and 2 run in turn, pair by pair; the speed-up is the median of the pairs' ratios, which holds when the machine's speed drifts)"
printf "%-28s %9s %9s %9s\n" "" "whole s" "peak MB" "speed-up"
# Runs run1 and then run2 (each a fresh process, timed by runtime),
# RUNS pairs in all; writes their times and peaks to $tmp/t1, t2, m1
# and m2, and each pair's ratio of times to $tmp/r.
paired() {
  : >"$tmp/t1"; : >"$tmp/t2"; : >"$tmp/m1"; : >"$tmp/m2"; : >"$tmp/r"
  for _ in $(seq "$runs"); do
    for k in 1 2; do
      "run$k" >"$tmp/one" || { echo "sddp failed"; exit 1; }
      read -r s kb <"$tmp/one"
      echo "$s" >>"$tmp/t$k"
      echo "$kb" >>"$tmp/m$k"
      [ "$k" = 1 ] && s1=$s
    done
    awk -v a="$s1" -v b="$s" 'BEGIN { print a / b }' >>"$tmp/r"
  done
}
run1() {
  "$runtime" "$naryn" sddp --jobs 1 --passes 2 --iterations "$its" --bound-every "$its" \
    --bound-samples 20 --out "$tmp/out1" --quiet
}
run2() {
  "$runtime" "$naryn" sddp --jobs 2 --passes 2 --iterations "$its" --bound-every "$its" \
    --bound-samples 20 --out "$tmp/out2" --quiet
}
paired
t_1=$(median <"$tmp/t1"); t_2=$(median <"$tmp/t2")
m_1=$(median <"$tmp/m1"); m_2=$(median <"$tmp/m2")
x_t=$(median <"$tmp/r")
awk -v t1="$t_1" -v t2="$t_2" -v m1="$m_1" -v m2="$m_2" -v x="$x_t" -v sp="$(spread 1)" 'BEGIN {
  printf "%-28s %9.2f %9.1f\n", "--jobs 1 --passes 2", t1, m1 / 1024
  printf "%-28s %9.2f %9.1f %8.2fx (%s)\n", "--jobs 2 --passes 2", t2, m2 / 1024, x, sp }'
# What the machine gives two cores on this work, whatever the program:
# two single-thread runs at once, each its own process with nothing
# shared, against one run alone. If the two took as long as the one, two
# cores would do twice the work; the ceiling is 2 x (one alone) / (two
# at once), and no program of two threads or processes doing the same
# solves can be faster than it by more than the noise.
run1() {
  "$runtime" "$naryn" sddp --jobs 1 --passes 2 --iterations "$its" --bound-every "$its" \
    --bound-samples 20 --out "$tmp/alone" --quiet
}
run2() {
  # shellcheck disable=SC2016
  "$runtime" sh -c 'n=$1 d=$2; shift 2
    "$n" "$@" --out "$d.a" & a=$!
    "$n" "$@" --out "$d.b" || exit 1
    wait "$a"' sh "$naryn" "$tmp/both" sddp --jobs 1 --passes 2 --iterations "$its" --bound-every "$its" \
    --bound-samples 20 --quiet
}
paired
c_1=$(median <"$tmp/t1"); c_2=$(median <"$tmp/t2"); ceil=$(median <"$tmp/r" | awk '{ print 2 * $1 }')
awk -v t1="$c_1" -v t2="$c_2" -v c="$ceil" -v sp="$(spread 2)" 'BEGIN {
  printf "%-28s %9.2f\n", "one --jobs 1 run alone", t1
  printf "%-28s %9.2f %9s %8.2fx (%s): the ceiling of two cores\n", "two --jobs 1 runs at once", t2, "", c, sp }'
# The single run alone is the first pairs' single-thread run again: if
# their medians differ by more than a tenth, the machine's pace moved
# between them, and every ratio here is less sure than its pairs say.
awk -v a="$t_1" -v b="$c_1" 'BEGIN {
  if (b > 1.1 * a || a > 1.1 * b)
    printf "note: the pace of the machine moved: the same single-thread run took %.2f s in the first pairs and %.2f s alone here\n", a, b }'
# With naryn built by make MPI=1: 1 and 2 processes of one thread each,
# the same work.
mpi=""
if "$naryn" --version | grep -q "with MPI"; then
  root=""
  [ "$(id -u)" -eq 0 ] && root=--allow-run-as-root
  run1() {
    # shellcheck disable=SC2086
    "$runtime" mpirun $root --oversubscribe -np 1 "$naryn" sddp --jobs 1 --passes 2 \
      --iterations "$its" --bound-every "$its" --bound-samples 20 --out "$tmp/mpi1" --quiet
  }
  run2() {
    # shellcheck disable=SC2086
    "$runtime" mpirun $root --oversubscribe -np 2 "$naryn" sddp --jobs 1 --passes 2 \
      --iterations "$its" --bound-every "$its" --bound-samples 20 --out "$tmp/mpi2" --quiet
  }
  paired
  r_1=$(median <"$tmp/t1"); r_2=$(median <"$tmp/t2"); x_r=$(median <"$tmp/r")
  awk -v t1="$r_1" -v t2="$r_2" -v x="$x_r" -v sp="$(spread 1)" 'BEGIN {
    printf "%-28s %9.2f\n", "mpirun -np 1, --passes 2", t1
    printf "%-28s %9.2f %9s %8.2fx (%s)\n", "mpirun -np 2, --passes 2", t2, "", x, sp }'
  mpi=$(awk -v x="$x_r" 'BEGIN {
    printf "; 1 -> 2 processes at least 1.7x (%.2fx: %s)", x, (x >= 1.7 ? "met" : "NOT met") }')
fi
# 1 thread, 2 threads (and 2 processes) give the same cuts, bit for bit.
same=yes
cmp -s "$tmp/out1/cuts.bin" "$tmp/out2/cuts.bin" || same=NO
[ -n "$mpi" ] && { cmp -s "$tmp/out1/cuts.bin" "$tmp/mpi2/cuts.bin" || same=NO; }
echo "1 and 2 threads${mpi:+ and 2 processes}, the same cuts: $same"
"$naryn" sddp --jobs 2 --passes 2 --iterations 100000 --time-limit 60 --bound-every 20 \
  --bound-samples 100 --out "$tmp/long" >"$tmp/long.log" || exit 1
tail -n 2 "$tmp/long.log" | head -n 1
# What the second thread is worth to the analyst: 1 thread with its
# default single pass an iteration, for 60 s with the same bounds; then
# how soon 2 threads (2 passes) reached the lower bound it ended with.
"$naryn" sddp --jobs 1 --iterations 100000 --time-limit 60 --bound-every 20 \
  --bound-samples 100 --out "$tmp/long1" >"$tmp/long1.log" || exit 1
tail -n 2 "$tmp/long1.log" | head -n 1
awk -F, 'FNR == 1 { f++; next }
  f == 1 { lb = $2 }
  f == 2 && t == "" && $2 >= lb { t = $6 }
  END {
    if (t == "") printf "the lower bound of 1 thread after 60 s (%.1f M): not reached by 2 threads in 60 s\n", lb / 1e6
    else printf "the lower bound of 1 thread after 60 s (%.1f M): 2 threads in %.1f s, %.2fx as soon\n", lb / 1e6, t, 60 / t
  }' "$tmp/long1/convergence.csv" "$tmp/long/convergence.csv"
# The gap after 60 s measured closely: 2 threads with a single upper
# bound at the end, from 30 simulations with the control variate
# (doc/sddp.md, "The upper bound with a control variate"), whose
# interval is a few per cent of the plain one's; with --gap-confident,
# the line also gives the gap at the interval's upper end, and a stop on
# the gap would be taken there.
"$naryn" sddp --jobs 2 --passes 2 --iterations 100000 --time-limit 60 --bound-every 1000000 \
  --bound-control --bound-samples 30 --gap-confident --out "$tmp/ctl" >"$tmp/ctl.log" || exit 1
tail -n 2 "$tmp/ctl.log" | head -n 1
awk -v x="$x_t" -v mpi="$mpi" -v c="$ceil" 'BEGIN {
  printf "targets: 1 -> 2 threads at least 1.7x (%.2fx: %s)%s; a 1 %% gap in 60 s: see the line above\n",
    x, (x >= 1.7 ? "met" : "NOT met"), mpi
  printf "the ceiling of two cores on this machine, two runs at once against one alone: %.2fx\n", c }'
[ "$same" = yes ]
