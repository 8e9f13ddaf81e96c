#!/bin/sh
# The ensemble benchmark (issue 16): 1,000 members of 30 years monthly of
# the built-in model, each member drawn from the built-in fit of synthetic
# inflows as it is simulated, timed as a user runs it: a fresh "naryn
# ensemble" process from reading the model to the last file written,
# median of RUNS (default 3) runs, with --jobs 1 and --jobs 2 and, for a
# naryn built with MPI=1, with 1 and 2 MPI processes of one thread each.
# Every run's files must be the same bytes. Targets: under 10 s on 2
# cores, and 2 threads (processes) at least 1.8 times as fast as 1.
#
#   BUILD=build bench/ensemble.sh [MEMBERS]
BUILD=${BUILD:-build}
members=${1:-1000}
runs=${RUNS:-3}
naryn="$(cd "$BUILD" && pwd)/naryn"
runtime="$(cd "$BUILD" && pwd)/bench/runtime"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# The built-in fit (models/naryn/data/inflows-fit.yaml; doc/inflows.md).
ln -s "$(pwd)/models/naryn/data/inflows-fit.yaml" "$tmp/fit.yaml" || exit 1
echo "== ensemble: $members members x 30 years monthly of the built-in model, fresh processes, median of $runs"
printf "%-28s %9s %9s %9s %9s\n" "" "whole s" "s/member" "peak MB" "speed-up"
# time_it NAME JOBS COMMAND...: runs "COMMAND ensemble ... --jobs JOBS"
# RUNS times in $tmp/NAME (the same --out in each folder, so that the
# recorded command is the same).
time_it() {
  name=$1 jobs=$2
  shift 2
  mkdir -p "$tmp/$name"
  : >"$tmp/t"
  : >"$tmp/m"
  for i in $(seq "$runs"); do
    (cd "$tmp/$name" && "$runtime" "$@" ensemble models/naryn/model.yaml --inflows ../fit.yaml \
       --seed 1 --members "$members" --jobs "$jobs" --out out --quiet) >"$tmp/one" ||
      { echo "ensemble $name failed"; exit 1; }
    read -r s kb <"$tmp/one"
    echo "$s" >>"$tmp/t"
    echo "$kb" >>"$tmp/m"
  done
  eval "t_$name=$(median <"$tmp/t")"
  eval "m_$name=$(median <"$tmp/m")"
}
# The model is found from the folder of each run.
for d in jobs1 jobs2 mpi1 mpi2; do mkdir -p "$tmp/$d" && ln -s "$(pwd)/models" "$tmp/$d/models"; done
time_it jobs1 1 "$naryn"
time_it jobs2 2 "$naryn"
report() {
  awk -v n="$1" -v t="$2" -v kb="$3" -v base="$4" -v m="$members" 'BEGIN {
    printf "%-28s %9.2f %9.4f %9.1f %9s\n", n, t, t / m, kb / 1024,
      (base > 0 ? sprintf("%.2fx", base / t) : "") }'
}
report "--jobs 1" "$t_jobs1" "$m_jobs1" 0
report "--jobs 2" "$t_jobs2" "$m_jobs2" "$t_jobs1"
compare="jobs2"
if "$naryn" --version | grep -q "with MPI"; then
  root=""
  [ "$(id -u)" -eq 0 ] && root=--allow-run-as-root
  # shellcheck disable=SC2086
  time_it mpi1 1 mpirun $root -np 1 "$naryn"
  # shellcheck disable=SC2086
  time_it mpi2 1 mpirun $root --oversubscribe -np 2 "$naryn"
  report "mpirun -np 1, --jobs 1" "$t_mpi1" "$m_mpi1" 0
  report "mpirun -np 2, --jobs 1" "$t_mpi2" "$m_mpi2" "$t_mpi1"
  compare="jobs2 mpi1 mpi2"
fi
same=yes
for d in $compare; do
  for f in ensemble.csv members.csv stats.csv reliability.csv april.csv exceedance.csv \
           histogram.csv storage.csv report.html; do
    cmp -s "$tmp/jobs1/out/$f" "$tmp/$d/out/$f" || { same="NO: $d/$f differs"; }
  done
done
echo "files the same bytes in every run: $same"
awk -v t="$t_jobs2" -v s="$t_jobs1" 'BEGIN {
  printf "targets: 2 cores under 10 s (%.2f s: %s), speed-up 1 -> 2 at least 1.8x (%.2fx: %s)\n",
    t, (t < 10 ? "met" : "NOT met"), s / t, (s / t >= 1.8 ? "met" : "NOT met") }'
[ "$same" = yes ]
