#!/bin/sh
# Malformed inputs: each folder tests/bad/NN-name/ holds a model (model.json
# or model.yaml, with any CSV or scenario files it needs), a file "expected"
# with the exact first line naryn must print on stderr, and optionally
# "args" (the command and options, default "check") and "exit" (the exit
# status, default 1). naryn runs inside the folder so that messages name
# files as the user would see them. Records "bad/<case> PASS|FAIL" lines.
BUILD=${BUILD:-build}
out="$BUILD/results.txt"
naryn="$(cd "$BUILD" && pwd)/naryn"
status=0
for dir in tests/bad/*/; do
  dir=${dir%/}
  name=$(basename "$dir")
  model=model.json
  [ -f "$dir/model.yaml" ] && model=model.yaml
  args=check
  [ -f "$dir/args" ] && args=$(cat "$dir/args")
  want_exit=1
  [ -f "$dir/exit" ] && want_exit=$(cat "$dir/exit")
  want=$(cat "$dir/expected")
  # shellcheck disable=SC2086
  got=$(cd "$dir" && "$naryn" $args "$model" 2>&1 >/dev/null)
  rc=$(cd "$dir" && "$naryn" $args "$model" >/dev/null 2>&1; echo $?)
  first=$(printf '%s\n' "$got" | head -n 1)
  if [ "$first" = "$want" ] && [ "$rc" = "$want_exit" ]; then
    echo "bad/$name PASS" >>"$out"
  else
    echo "bad/$name FAIL" >>"$out"
    echo "FAIL bad/$name"
    echo "    expected (exit $want_exit): $want"
    echo "    got      (exit $rc): $first"
    status=1
  fi
done
n=$(grep -c '^bad/.* PASS$' "$out" 2>/dev/null)
echo "ok   bad: $n cases passed"
exit $status
