#!/bin/sh
# Malformed inputs: each folder tests/bad/NN-name/ holds a model (model.json
# or model.yaml, with any CSV or scenario files it needs), a file "expected"
# with the exact first line naryn must print on stderr, and optionally
# "args" (the command and options, default "check"; the model file is
# appended to them) and "exit" (the exit status, default 1). A case of a
# command that reads no model (naryn inflows) has no model file, and its
# args are the whole command line. naryn runs inside the folder so that
# messages name files as the user would see them.
# Records "bad/<case> PASS|FAIL" lines in $BUILD/results.txt.
#
# A case also fails when naryn's stderr holds a sanitizer report, since
# AddressSanitizer and UBSan exit with status 1, the status of bad input.
# A case run with "simulate --out out" writes into NN-name/out/, which is
# removed before the run and ignored by git (tests/bad/.gitignore).
#
# Run from the top of the repository: BUILD=build tests/bad/run.sh
BUILD=${BUILD:-build}
out="$BUILD/results.txt"
if [ ! -x "$BUILD/naryn" ]; then
  echo "FAIL bad: no $BUILD/naryn; build it first" >&2
  [ -d "$BUILD" ] && echo "bad/build FAIL" >>"$out"
  exit 1
fi
naryn="$(cd "$BUILD" && pwd)/naryn"
err=$(mktemp) || exit 1
trap 'rm -f "$err"' EXIT
trap 'exit 1' HUP INT TERM
status=0
passed=0
failed=0
for dir in tests/bad/*/; do
  dir=${dir%/}
  name=$(basename "$dir")
  model=model.json
  [ -f "$dir/model.yaml" ] && model=model.yaml
  [ -e "$dir/model.json" ] || [ -e "$dir/model.yaml" ] || model=
  args=check
  [ -f "$dir/args" ] && args=$(cat "$dir/args")
  want_exit=1
  [ -f "$dir/exit" ] && want_exit=$(cat "$dir/exit")
  want=
  [ -f "$dir/expected" ] && want=$(cat "$dir/expected")
  rm -rf "$dir/out"
  # One run gives both the first line of stderr and the exit status.
  # shellcheck disable=SC2086
  (cd "$dir" && exec "$naryn" $args ${model:+"$model"}) >/dev/null 2>"$err"
  rc=$?
  first=$(head -n 1 "$err")
  why=
  if [ ! -f "$dir/expected" ]; then
    why="no file $dir/expected"
  elif grep -q -e 'Sanitizer' -e ': runtime error: ' "$err"; then
    why="sanitizer report"
  elif [ "$first" != "$want" ] || [ "$rc" != "$want_exit" ]; then
    why="output"
  fi
  if [ -z "$why" ]; then
    echo "bad/$name PASS" >>"$out"
    passed=$((passed + 1))
  else
    echo "bad/$name FAIL" >>"$out"
    failed=$((failed + 1))
    echo "FAIL bad/$name ($why)"
    echo "    expected (exit $want_exit): $want"
    echo "    got      (exit $rc): $first"
    if [ "$why" = "sanitizer report" ]; then
      grep -e 'Sanitizer' -e ': runtime error: ' "$err" | head -n 5 |
        sed 's/^/    /'
    fi
    status=1
  fi
done
echo "ok   bad: $passed cases passed, $failed failed"
exit $status
