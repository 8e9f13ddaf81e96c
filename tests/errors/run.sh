#!/bin/sh
# doc/errors.md against the code: every message the library and the
# command can print has an entry there, with an example and its exit
# status, and every entry is a message the code still gives (errdoc
# check); every first line the bad-input suite expects is documented
# (errdoc known). The tool itself is tried first on a small made-up source
# and list, so that a tool that finds nothing cannot pass. Records
# "errors/<check> PASS|FAIL" lines in $BUILD/results.txt.
#
# Run from the top of the repository: BUILD=build tests/errors/run.sh
BUILD=${BUILD:-build}
out="$BUILD/results.txt"
tool="$BUILD/tools/errdoc"
tmp="$BUILD/errors-tmp"
if [ ! -x "$tool" ]; then
  echo "FAIL errors: no $tool; build it first (make tests)" >&2
  [ -d "$BUILD" ] && echo "errors/build FAIL" >>"$out"
  exit 1
fi
rm -rf "$tmp"
mkdir -p "$tmp"
status=0

# record NAME RC LOG: a PASS when RC is 0, else a FAIL with the log.
record() {
  if [ "$2" = 0 ]; then
    echo "errors/$1 PASS" >>"$out"
    echo "ok   errors/$1: $(tail -n 1 "$3")"
  else
    echo "errors/$1 FAIL" >>"$out"
    echo "FAIL errors/$1:"
    sed 's/^/    /' "$3" | head -40
    status=1
  fi
}

# The tool on a made-up source: a helper found through its definition, a
# message missing from the list, a stale entry, a wrong example and a
# format that is not a literal must each be reported with its place.
cat >"$tmp/fake.c" <<'SRC'
static int oops(struct r *r, const char *where, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  naryn__vdiag(r->d, NARYN_EMODEL, 0, "f", 1, 1, where, fmt, ap);
  va_end(ap);
  return -1;
}
static void f(struct r *r, int n, const char *const *names) {
  oops(r, "x", "expected %d things, got %.2f", n, 1.0);
  oops(r, "x", n ? "listed" : "not " "listed");
  oops(r, "x", names[n]);
}
SRC
cat >"$tmp/fake.md" <<'DOC'
#### `expected %d things, got %g`

```text
f:1:1: error: x: expected 3 things, got lots
```

Exit status 1.

#### `listed`

```text
naryn: error: listed
```

Exit status 1.

#### `no longer said`

```text
naryn: error: no longer said
```
DOC
"$tool" check "$tmp/fake.md" "$tmp/fake.c" >"$tmp/self.log" 2>&1
rc=$?
why=
[ "$rc" = 1 ] || why="exit $rc, not 1"
for want in 'fake.c:10: this message is not in' '    #### `not listed`' \
  'fake.md:17: `no longer said` is no longer given by the code' \
  'fake.md:1: no example of `expected %d things, got %g` ends with that message' \
  'fake.md:17: `no longer said` says no exit status' \
  'fake.c:11: errdoc: the message given to oops is not a string literal'; do
  grep -qF -- "$want" "$tmp/self.log" || why="${why:+$why; }no line \"$want\""
done
if [ -n "$why" ]; then
  echo "$why" >>"$tmp/self.log"
  record tool 1 "$tmp/self.log"
else
  echo "the tool reports each planted fault" >>"$tmp/self.log"
  record tool 0 "$tmp/self.log"
fi

# The real list against the real code.
# shellcheck disable=SC2046
"$tool" check doc/errors.md $(ls src/*/*.c cli/*.c) >"$tmp/check.log" 2>&1
record list-matches-code $? "$tmp/check.log"

# What the bad-input suite sees naryn print is documented.
# shellcheck disable=SC2046
"$tool" known doc/errors.md $(ls tests/bad/*/expected) >"$tmp/known.log" 2>&1
record bad-inputs-documented $? "$tmp/known.log"

exit $status
