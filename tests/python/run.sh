#!/bin/sh
# The Python package's tests (tests/python/test_*.py) with Debian's
# python3-pytest, against $BUILD/libnaryn.so.0 and $BUILD/naryn. Records
# "python/<test> PASS|FAIL" lines in $BUILD/results.txt. Runs only for the
# normal build: a library built with the sanitizers cannot be loaded into
# an uninstrumented Python.
#
# Run from the top of the repository: BUILD=build tests/python/run.sh
BUILD=${BUILD:-build}
out="$BUILD/results.txt"
lib="$BUILD/libnaryn.so.0"
# Debian's Python, whose python3-pandas and python3-pytest the tests use,
# unless PYTHON names another.
PYTHON=${PYTHON:-$( [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || echo python3 )}
if [ ! -e "$lib" ] || [ ! -x "$BUILD/naryn" ]; then
  echo "FAIL python: no $lib or $BUILD/naryn; build them first (make shared)" >&2
  [ -d "$BUILD" ] && echo "python/build FAIL" >>"$out"
  exit 1
fi
if ! "$PYTHON" -c "import pandas, pytest" 2>/dev/null; then
  echo "FAIL python: $PYTHON has no pandas or pytest (scripts/deps --test)" >&2
  echo "python/deps FAIL" >>"$out"
  exit 1
fi
log="$BUILD/python-tests.log"
BUILD=$BUILD NARYN_LIBRARY=$lib PYTHONDONTWRITEBYTECODE=1 \
  "$PYTHON" -m pytest -v -p no:cacheprovider -o console_output_style=classic \
  tests/python >"$log" 2>&1
rc=$?
# One line per test, "FILE::TEST PASSED" (or FAILED, ERROR).
results=$(sed -n 's/^tests\/python\/\(test_[a-z_]*\)\.py::\([A-Za-z0-9_]*\) \(PASSED\|FAILED\|ERROR\).*/\1.\2 \3/p' "$log")
if [ -z "$results" ]; then
  echo "FAIL python: pytest ran no test (exit $rc)"
  sed 's/^/    /' "$log" | tail -30
  echo "python/pytest FAIL" >>"$out"
  exit 1
fi
echo "$results" | while read -r name what; do
  if [ "$what" = PASSED ]; then
    echo "python/$name PASS" >>"$out"
    echo "ok   python/$name"
  else
    echo "python/$name FAIL" >>"$out"
    echo "FAIL python/$name (see $log)"
  fi
done
if [ "$rc" -ne 0 ]; then
  grep -A30 "^=* FAILURES" "$log" | head -60 | sed 's/^/    /'
  exit 1
fi
