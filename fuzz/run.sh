#!/bin/sh
# Runs each libFuzzer target (fuzz_model, fuzz_merge, fuzz_csv,
# fuzz_members, fuzz_cuts, fuzz_fit) for FUZZ_SECONDS seconds, FUZZ_JOBS
# (default 2) at a time, with bounded memory and time per input, from
# seeds made afresh out of the
# repository's models, scenarios, CSV and fit files (examples/, models/
# and tests/bad/; fuzz_cuts makes its own, the cut files of two examples'
# policies, which it trains where FUZZ_SEED_DIR names). Records
# "fuzz/<target> PASS|FAIL" lines in $BUILD/results.txt. A target fails when libFuzzer stops on a
# crash, a leak, a sanitizer report, a broken promise, an input that takes
# longer than FUZZ_TIMEOUT seconds or memory past FUZZ_RSS_MB; the input
# that did it is kept in $BUILD/fuzz/<target>/found/ and its log in
# $BUILD/fuzz/<target>/log.txt. What each run learnt stays in
# $BUILD/fuzz/<target>/corpus/ for the next run.
#
# Run from the top of the repository, after "make FUZZ=1 fuzz" or through
# it: BUILD=build-fuzz FUZZ_SECONDS=60 fuzz/run.sh
BUILD=${BUILD:-build-fuzz}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_TIMEOUT=${FUZZ_TIMEOUT:-10}
FUZZ_RSS_MB=${FUZZ_RSS_MB:-1024}
FUZZ_JOBS=${FUZZ_JOBS:-2}
case $FUZZ_JOBS in
  ''|*[!0-9]*|0) echo "fuzz/run.sh: expected FUZZ_JOBS a whole number of 1 or more, got \"$FUZZ_JOBS\""; exit 2 ;;
esac
out="$BUILD/results.txt"
top=$(pwd)
mkdir -p "$BUILD" || exit 1
status=0

# seed_models DIR: every model and scenario file, one seed each.
seed_models() {
  n=0
  for f in examples/*/*.yaml examples/*/*.json models/*/*.yaml \
           models/*/scenarios/*.yaml tests/bad/*/*.yaml tests/bad/*/*.json; do
    [ -f "$f" ] || continue
    n=$((n + 1))
    cp "$f" "$1/$n-$(basename "$f")"
  done
}

# seed_merges DIR: each model followed by each scenario beside it (in the
# same folder or its scenarios/ folder), after the separator line.
seed_merges() {
  n=0
  for model in examples/*/model.* models/*/model.* tests/bad/*/model.*; do
    mdir=$(dirname "$model")
    for scen in "$mdir"/*.yaml "$mdir"/scenarios/*.yaml; do
      [ -f "$scen" ] && [ "$scen" != "$model" ] || continue
      n=$((n + 1))
      { cat "$model"; printf '\n#scenario\n'; cat "$scen"; } >"$1/$n.yaml"
    done
  done
}

# seed_csvs DIR: every CSV file.
seed_csvs() {
  n=0
  for f in examples/*/*.csv examples/*/expected/*.csv models/*/*.csv \
           tests/bad/*/*.csv; do
    [ -f "$f" ] || continue
    n=$((n + 1))
    cp "$f" "$1/$n-$(basename "$f")"
  done
}

# seed_fits DIR: every fit file of naryn inflows.
seed_fits() {
  n=0
  for f in models/*/data/*fit*.yaml tests/bad/*/fit.yaml; do
    [ -f "$f" ] || continue
    n=$((n + 1))
    cp "$f" "$1/$n-$(basename "$f")"
  done
}

# seed_members DIR: every members file of an ensemble.
seed_members() {
  n=0
  for f in examples/*/members.csv tests/bad/*/members.csv; do
    [ -f "$f" ] || continue
    n=$((n + 1))
    cp "$f" "$1/$n-$(basename "$f")"
  done
}

# fuzz_one TARGET: runs one target, if built; writes the lines to print
# to $BUILD/fuzz/TARGET/report and PASS or FAIL to .../verdict. Targets run
# side by side (FUZZ_JOBS at a time, default 2: each libFuzzer run is one
# process on one core), and their lines are printed in order after.
fuzz_one() {
  target=$1
  bin="$top/$BUILD/fuzz/fuzz_$target"
  dir="$top/$BUILD/fuzz/$target"
  [ -x "$bin" ] || return
  rm -rf "$dir/seeds" "$dir/cwd"
  mkdir -p "$dir/seeds" "$dir/corpus" "$dir/found" "$dir/cwd"
  case $target in
    members) seed_members "$dir/seeds" ;;
    cuts) ;;
    *) "seed_${target}s" "$dir/seeds" ;;
  esac
  dict="-dict=$top/fuzz/model.dict"
  [ "$target" = csv ] || [ "$target" = members ] && dict="-dict=$top/fuzz/csv.dict"
  [ "$target" = cuts ] && dict=""
  # fuzz_cuts reads its cut files for two examples' models, and makes its
  # seeds by training their policies.
  cp examples/sddp-prices/model.yaml "$dir/cwd/model-prices.yaml"
  cp examples/sddp-routing/model.yaml "$dir/cwd/model-routing.yaml"
  # The models read their series from the working folder: give them the
  # CSV files the examples name there.
  cp examples/cascade/inflow.csv models/naryn/*.csv "$dir/cwd/"
  # libFuzzer exits 0 when the time is up and non-zero when it stopped on
  # a fault. Standard input is closed so that no input can wait on it.
  # shellcheck disable=SC2086
  (cd "$dir/cwd" && FUZZ_SEED_DIR="$dir/seeds" exec "$bin" -max_total_time="$FUZZ_SECONDS" \
      -timeout="$FUZZ_TIMEOUT" -rss_limit_mb="$FUZZ_RSS_MB" \
      $dict -artifact_prefix="$dir/found/" \
      -print_final_stats=1 "$dir/corpus" "$dir/seeds") \
      </dev/null >"$dir/log.txt" 2>&1
  rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log.txt")
  if [ "$rc" -eq 0 ]; then
    echo PASS >"$dir/verdict"
    echo "ok   fuzz/$target: ${runs:-?} inputs in ${FUZZ_SECONDS} s" >"$dir/report"
  else
    echo FAIL >"$dir/verdict"
    { echo "FAIL fuzz/$target (exit $rc after ${runs:-?} inputs); log $dir/log.txt:"
      grep -e 'ERROR:' -e 'SUMMARY:' -e 'broken promise' -e 'runtime error' \
           -e 'Test unit written' "$dir/log.txt" | head -n 8 | sed 's/^/    /'
    } >"$dir/report"
  fi
}

set -- model merge csv members cuts fit
while [ $# -gt 0 ]; do
  batch=""
  k=0
  while [ $# -gt 0 ] && [ "$k" -lt "$FUZZ_JOBS" ]; do
    rm -f "$top/$BUILD/fuzz/$1/report" "$top/$BUILD/fuzz/$1/verdict"
    fuzz_one "$1" &
    batch="$batch $1"
    k=$((k + 1))
    shift
  done
  wait
  for target in $batch; do
    bin="$top/$BUILD/fuzz/fuzz_$target"
    dir="$top/$BUILD/fuzz/$target"
    verdict=$(cat "$dir/verdict" 2>/dev/null || echo FAIL)
    if [ ! -x "$bin" ]; then
      echo "FAIL fuzz/$target: no $bin; build it with make FUZZ=1 fuzz"
    else
      cat "$dir/report" 2>/dev/null || echo "FAIL fuzz/$target: it left no report"
    fi
    echo "fuzz/$target $verdict" >>"$out"
    [ "$verdict" = PASS ] || status=1
  done
done
exit $status
