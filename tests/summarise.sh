#!/bin/sh
# Prints the closing line of a test run from a results file of
# "name PASS|FAIL" lines, and exits non-zero when anything failed.
f=${1:-build/results.txt}
[ -f "$f" ] || { echo "0 passed, 1 failed (no results were recorded)"; exit 1; }
p=$(grep -c ' PASS$' "$f")
n=$(grep -c ' FAIL$' "$f")
if [ "$n" -ne 0 ]; then
  echo "Failed:"
  grep ' FAIL$' "$f" | sed 's/ FAIL$//; s/^/  /'
fi
echo "$p passed, $n failed"
[ "$n" -eq 0 ]
