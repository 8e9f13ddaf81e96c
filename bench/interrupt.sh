#!/bin/sh
# Times Ctrl-C: sends SIGINT to a naryn command at random moments and
# measures the time from the signal to the command's exit. Prints, per
# command, the number of trials, how many exited 130 with "naryn:
# interrupted", and the median and largest time to exit. Never part of
# "make check".
#   bench/interrupt.sh [TRIALS]     (default 20 per command)
BUILD=${BUILD:-build}
naryn="$BUILD/naryn"
n=${1:-20}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
seed=$(date +%s)
# command, then the range of moments (s) at which the signal is sent.
for job in "simulate 0.05 0.6" "optimise 0.1 1.5" "share 0.1 3.0"; do
  set -- $job
  cmd=$1 lo=$2 hi=$3
  : >"$tmp/times"
  clean=0
  for k in $(seq "$n"); do
    delay=$(awk -v s="$seed" -v k="$k" -v lo="$lo" -v hi="$hi" \
      'BEGIN { srand(s + k); printf "%.3f", lo + rand() * (hi - lo) }')
    rm -rf "$tmp/out"
    # A shell starts background jobs with SIGINT ignored; env restores it.
    env --default-signal=INT "$naryn" "$cmd" --out "$tmp/out" --quiet >/dev/null 2>"$tmp/err" &
    pid=$!
    sleep "$delay"
    t0=$(date +%s.%N)
    kill -INT "$pid"
    wait "$pid"
    rc=$?
    t1=$(date +%s.%N)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }' >>"$tmp/times"
    if [ "$rc" = 130 ] && grep -q '^naryn: interrupted$' "$tmp/err" &&
      ! grep -q 'numerical failure' "$tmp/err"; then
      clean=$((clean + 1))
    else
      echo "naryn $cmd: SIGINT after $delay s: exit $rc: $(head -c 200 "$tmp/err")" >&2
    fi
  done
  sort -n "$tmp/times" | awk -v cmd="$cmd" -v n="$n" -v clean="$clean" '
    { t[NR] = $1 }
    END {
      med = NR % 2 ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
      printf "naryn %-9s %3d trials, %3d clean (exit 130, \"interrupted\"), SIGINT to exit: median %.3f s, max %.3f s\n",
             cmd, n, clean, med, t[NR]
    }'
done
