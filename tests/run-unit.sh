#!/bin/sh
# Runs every cmocka unit test binary in $BUILD/tests and records one line
# per test case ("unit/<binary>/<case> PASS|FAIL") in $BUILD/results.txt.
BUILD=${BUILD:-build}
out="$BUILD/results.txt"
status=0
for t in "$BUILD"/tests/test_*; do
  [ -x "$t" ] || continue
  name=$(basename "$t")
  log="$BUILD/tests/$name.log"
  CMOCKA_MESSAGE_OUTPUT=TAP "$t" >"$log" 2>&1
  rc=$?
  # TAP lines: "ok 3 - name" or "not ok 3 - name".
  passed=$(grep -c '^ok ' "$log")
  failed=$(grep -c '^not ok ' "$log")
  grep '^ok ' "$log" | sed "s|^ok [0-9]* - |unit/$name/|; s|\$| PASS|" >>"$out"
  grep '^not ok ' "$log" | sed "s|^not ok [0-9]* - |unit/$name/|; s|\$| FAIL|" >>"$out"
  if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
    # The binary died before reporting (a crash or a sanitizer abort).
    echo "unit/$name/(crashed, exit $rc) FAIL" >>"$out"
    failed=1
  fi
  if [ "$failed" -ne 0 ]; then
    status=1
    echo "FAIL unit/$name ($failed failed, $passed passed); log:"
    sed 's/^/    /' "$log" | tail -40
  else
    echo "ok   unit/$name ($passed passed)"
  fi
done
exit $status
