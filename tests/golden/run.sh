#!/bin/sh
# Golden results: runs every example that has an expected/ folder and
# compares each expected CSV with the new result (tests/tools/csvcmp.c, to
# 1e-9 relative or 1e-6 absolute). Records "golden/<example>/<file>
# PASS|FAIL" lines in $BUILD/results.txt.
#
# An example is run with "naryn simulate MODEL", unless its expected/
# folder holds a file "command": then with the arguments on that file's
# first line not starting with "#" (the command, the model and its
# options, paths from the top of the repository), for example
#   ensemble examples/ensemble/model.yaml --members-file examples/ensemble/members.csv
# In both cases naryn is given "--out DIR --quiet" as well.
#
# To refresh an example's expected results after a deliberate change, run
#   tests/golden/run.sh --update examples/NAME
# and review the diff before committing it. It rewrites the CSV files
# already in expected/; into an expected/ folder without any, it writes
# nodes.csv, links.csv and summary.csv of a simulation, or every CSV file
# of another command but those that record the command line (run.csv,
# ensemble.csv, game.csv), which names the temporary folder.
BUILD=${BUILD:-build}
out="$BUILD/results.txt"
naryn="$BUILD/naryn"
csvcmp="$BUILD/tools/csvcmp"
status=0

model_of() {
  for f in "$1"/model.json "$1"/model.yaml; do
    [ -f "$f" ] && { echo "$f"; return; }
  done
}

# args_of DIR: the arguments that run the example in DIR, less --out.
args_of() {
  if [ -f "$1/expected/command" ]; then
    grep -v '^#' "$1/expected/command" | head -n 1
  else
    echo "simulate $(model_of "$1")"
  fi
}

if [ "$1" = "--update" ]; then
  dir=${2%/}
  args=$(args_of "$dir")
  mkdir -p "$dir/expected"
  # The run goes to a folder of its own (naryn replaces only folders it
  # wrote); the files compared are copied from there.
  tmp=$(mktemp -d)
  # shellcheck disable=SC2086
  "$naryn" $args --out "$tmp/out" --quiet || { rm -rf "$tmp"; exit 1; }
  files=$(cd "$dir/expected" && ls -- *.csv 2>/dev/null)
  if [ -z "$files" ]; then
    case $args in
    simulate\ *) files="nodes.csv links.csv summary.csv" ;;
    *) files=$(cd "$tmp/out" && ls -- *.csv | grep -v -x -e run.csv -e ensemble.csv -e game.csv) ;;
    esac
  fi
  for f in $files; do
    cp "$tmp/out/$f" "$dir/expected/" || { rm -rf "$tmp"; exit 1; }
  done
  rm -rf "$tmp"
  echo "updated $dir/expected"
  exit 0
fi

for dir in examples/*/; do
  dir=${dir%/}
  [ -d "$dir/expected" ] || continue
  name=$(basename "$dir")
  args=$(args_of "$dir")
  cmd=${args%% *}
  tmp="$BUILD/golden/$name"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  # shellcheck disable=SC2086
  if ! "$naryn" $args --out "$tmp" --quiet 2>"$tmp.err"; then
    echo "golden/$name/$cmd FAIL" >>"$out"
    echo "FAIL golden/$name: naryn $args failed:"
    sed 's/^/    /' "$tmp.err"
    status=1
    continue
  fi
  for want in "$dir"/expected/*.csv; do
    f=$(basename "$want")
    if diff=$("$csvcmp" "$want" "$tmp/$f"); then
      echo "golden/$name/$f PASS" >>"$out"
      echo "ok   golden/$name/$f"
    else
      echo "golden/$name/$f FAIL" >>"$out"
      echo "FAIL golden/$name/$f: $diff"
      status=1
    fi
  done
done
# A model's synthetic inflows regenerate from the commands written in
# their files: each fit file (models/*/data/*fit.yaml) from the "naryn
# inflows fit" command in its second line, byte for byte, with its
# validation.csv to csvcmp's tolerance; then each models/*/inflows.csv from
# the "naryn inflows generate" command in its first line, byte for byte.
# The commands are run from the top of the repository, as they were.
tmpd="$BUILD/golden/inflows"
rm -rf "$tmpd"
mkdir -p "$tmpd"
for fit in models/*/data/*fit.yaml; do
  [ -f "$fit" ] || continue
  args=$(sed -n '2s/^# naryn inflows fit //p' "$fit")
  name="golden/$(basename "$(dirname "$(dirname "$fit")")")/$(basename "$fit")"
  # shellcheck disable=SC2086
  if [ -n "$args" ] && "$naryn" inflows fit $args --quiet --out "$tmpd/fit.yaml" &&
    cmp -s "$tmpd/fit.yaml" "$fit" &&
    diff=$("$csvcmp" "$(dirname "$fit")/validation.csv" "$tmpd/validation.csv"); then
    echo "$name PASS" >>"$out"
    echo "ok   $name (refitted, and its validation.csv)"
  else
    echo "$name FAIL" >>"$out"
    echo "FAIL $name: does not refit from its stated command ${diff:-}"
    status=1
  fi
done
for csv in models/*/inflows.csv; do
  [ -f "$csv" ] || continue
  args=$(head -n 1 "$csv" | sed -n 's/^# .*naryn inflows generate //p')
  name="golden/$(basename "$(dirname "$csv")")/inflows.csv"
  # shellcheck disable=SC2086
  if [ -n "$args" ] && "$naryn" inflows generate $args --quiet --out "$tmpd/inflows.csv" &&
    cmp -s "$tmpd/inflows.csv" "$csv"; then
    echo "$name PASS" >>"$out"
    echo "ok   $name (regenerated)"
  else
    echo "$name FAIL" >>"$out"
    echo "FAIL $name: does not regenerate from its stated command"
    status=1
  fi
done
exit $status
