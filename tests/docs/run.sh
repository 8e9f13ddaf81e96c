#!/bin/sh
# The documentation against what exists (tests/docs/doccheck.py): every
# file path that README.md, doc/*.md, the examples' READMEs and the
# built-in model's README name exists; every "naryn COMMAND" they name is
# a command, and every --option one of its options; the --help of each
# command lists every file and folder a run of it writes on a small
# example; every example has a README.md and expected results; and the
# sample output of doc/results.md is what naryn gives now
# (scripts/results-samples). The tool is tried first on a made-up
# document, so that a checker that finds nothing cannot pass. Records
# "docs/<check> PASS|FAIL" lines in $BUILD/results.txt.
#
# Run from the top of the repository: BUILD=build tests/docs/run.sh
BUILD=${BUILD:-build}
out="$BUILD/results.txt"
naryn="$BUILD/naryn"
tool="python3 $(pwd)/tests/docs/doccheck.py"
written=tests/docs/written.txt
tmp="$BUILD/docs-tmp"
if [ ! -x "$naryn" ]; then
  echo "FAIL docs: no $naryn; build it first (make)" >&2
  [ -d "$BUILD" ] && echo "docs/build FAIL" >>"$out"
  exit 1
fi
rm -rf "$tmp"
mkdir -p "$tmp"
status=0
DOCS="README.md $(ls doc/*.md examples/*/README.md) models/naryn/README.md"

# record NAME RC LOG: a PASS when RC is 0, else a FAIL with the log.
record() {
  if [ "$2" = 0 ]; then
    echo "docs/$1 PASS" >>"$out"
    echo "ok   docs/$1: $(tail -n 1 "$3")"
  else
    echo "docs/$1 FAIL" >>"$out"
    echo "FAIL docs/$1:"
    sed 's/^/    /' "$3" | head -40
    status=1
  fi
}

# The tool on a made-up document: a missing file in backticks, in a link
# and in a command, an unknown command and an unknown option must each be
# reported with their line; names naryn writes, placeholders, a bare name
# in a command and files that exist must not be.
mkdir -p "$tmp/fake/doc"
cat >"$tmp/fake/doc/fake.md" <<'DOC'
# A made-up page

Read `doc/missing.md` and [the format](no-such-page.md#fields).
Run `naryn simulate examples/nowhere/model.yaml --out results/x`.
Then `naryn simulate --no-such-option` and `naryn frobnicate`.
Files it writes: `nodes.csv`, `results/x/report.html`, `DIR/NAME.csv`.
Fine: `doc/fake.md`, [itself](fake.md), `naryn simulate basin.yaml --out DIR`.

```
naryn optimise --scenario kambarata --write-lp k1.mps --bogus
```
DOC
(cd "$tmp/fake" && $tool paths . "$OLDPWD/$written" doc/fake.md) >"$tmp/self.log" 2>&1
rc1=$?
$tool commands "$naryn" "$tmp/fake/doc/fake.md" >>"$tmp/self.log" 2>&1
rc2=$?
why=
[ "$rc1" = 1 ] || why="paths: exit $rc1, not 1"
[ "$rc2" = 1 ] || why="${why:+$why; }commands: exit $rc2, not 1"
# shellcheck disable=SC2016
for want in 'doc/fake.md:3: `doc/missing.md` names no file' \
  'doc/fake.md:3: `no-such-page.md` names no file' \
  'doc/fake.md:4: `examples/nowhere/model.yaml` names no file' \
  'fake.md:5: `--no-such-option` is not in naryn simulate --help' \
  'fake.md:5: `naryn frobnicate`: no such command' \
  'fake.md:10: `--bogus` is not in naryn optimise --help' \
  '1 documents, 5 paths looked up, 3 missing'; do
  grep -qF -- "$want" "$tmp/self.log" || why="${why:+$why; }no line \"$want\""
done
n=$(grep -c ': `' "$tmp/self.log")
[ "$n" = 6 ] || why="${why:+$why; }$n faults reported, not 6"
if [ -n "$why" ]; then
  echo "$why" >>"$tmp/self.log"
  record tool 1 "$tmp/self.log"
else
  echo "the tool reports each planted fault, and nothing else" >>"$tmp/self.log"
  record tool 0 "$tmp/self.log"
fi

# shellcheck disable=SC2086
$tool paths . "$written" $DOCS >"$tmp/paths.log" 2>&1
record paths-exist $? "$tmp/paths.log"
# shellcheck disable=SC2086
$tool commands "$naryn" $DOCS >"$tmp/commands.log" 2>&1
record commands-and-options-exist $? "$tmp/commands.log"

# Every example has its README and expected results.
: >"$tmp/examples.log"
for dir in examples/*/; do
  dir=${dir%/}
  [ -f "$dir/README.md" ] || echo "$dir: no README.md" >>"$tmp/examples.log"
  ls "$dir"/expected/*.csv >/dev/null 2>&1 || echo "$dir: no expected/*.csv" >>"$tmp/examples.log"
done
if [ -s "$tmp/examples.log" ]; then
  record examples-complete 1 "$tmp/examples.log"
else
  echo "$(ls -d examples/*/ | wc -l) examples, each with README.md and expected/" >"$tmp/examples.log"
  record examples-complete 0 "$tmp/examples.log"
fi

# writes NAME COMMAND FOLDER [NAME=PATTERN]... -- ARGS...: runs naryn ARGS
# and checks that the --help of COMMAND lists what it wrote into FOLDER
# (NAME= for a file that was there before).
writes() {
  name=$1 cmd=$2 folder=$3
  shift 3
  renames=
  while [ "$1" != -- ]; do renames="$renames $1"; shift; done
  shift
  if ! "$naryn" "$@" >"$tmp/$name.log" 2>&1; then
    echo "naryn $* failed" >>"$tmp/$name.log"
    record "help-lists-files/$name" 1 "$tmp/$name.log"
    return
  fi
  # shellcheck disable=SC2086
  $tool writes "$naryn" "$written" "$cmd" "$folder" $renames >"$tmp/$name.log" 2>&1
  record "help-lists-files/$name" $? "$tmp/$name.log"
  find "$folder" -mindepth 1 -maxdepth 1 -exec basename {} \; >>"$tmp/all-written"
}
w="$tmp/w"
: >"$tmp/all-written"
writes simulate simulate "$w/s" -- simulate examples/single/model.json --out "$w/s" --quiet
writes simulate-replay simulate "$w/r" -- simulate examples/replay/model.yaml --out "$w/r" --quiet
writes simulate-zones simulate "$w/z" -- simulate models/naryn/model.yaml --output summary \
  --out "$w/z" --quiet
writes simulate-grids simulate "$w/gr" -- simulate examples/grids/model.yaml --out "$w/gr" --quiet
writes simulate-netcdf simulate "$w/n" -- simulate examples/single/model.json --format netcdf \
  --out "$w/n" --quiet
writes simulate-compare simulate "$w/c" energy-mode=NAME -- \
  simulate examples/ensemble/model.yaml --compare --output summary --out "$w/c" --quiet
writes optimise optimise "$w/o" -- optimise examples/single/model.json --out "$w/o" --quiet
writes sddp sddp "$w/sd" -- sddp examples/sddp/model.yaml --out "$w/sd" --quiet
writes sddp-prices sddp "$w/sp" -- sddp examples/sddp-prices/model.yaml --iterations 10 \
  --out "$w/sp" --quiet
writes simulate-prices simulate "$w/spr" -- simulate examples/sddp-prices/model.yaml \
  --policy "$w/sp" --out "$w/spr" --quiet
writes pareto pareto "$w/p" point-01=point-NN point-02=point-NN -- \
  pareto examples/single/model.json --x energy --y shortage --points 2 --out "$w/p" --quiet
writes share share "$w/sh" -- share examples/two-countries/model.yaml --jobs 1 --out "$w/sh" --quiet
writes ensemble ensemble "$w/e" -- ensemble examples/ensemble/model.yaml \
  --members-file examples/ensemble/members.csv --members 2 --per-step --compare --jobs 1 \
  --april-below Store=2500 --out "$w/e" --quiet
mkdir -p "$w/f" "$w/g"
writes inflows-fit inflows "$w/f" fit.yaml=FIT.yaml -- inflows fit \
  models/naryn/data/chirchik_basin_monthly_1945_2010.csv --sites ugam_m3s \
  --validate-years 20 --out "$w/f/fit.yaml" --quiet
writes inflows-generate inflows "$w/g" series.csv=FILE.csv -- inflows generate "$w/f/fit.yaml" \
  --start 2001-01 --years 2 --seed 1 --out "$w/g/series.csv" --quiet
rm "$w/s/report.html"
# shellcheck disable=SC2046
writes report report "$w/s" $(ls "$w/s" | sed 's/$/=/') -- report "$w/s" --quiet

# Every name of the list is written by one of the runs above (so that the
# list holds no name naryn no longer writes), but for the build's and the
# installation's folders.
: >"$tmp/stale.log"
grep -v -e '^#' -e '^$' "$written" | while read -r name; do
  case $name in build*/ | share/ | ../share/ | results/ | lib*.* | naryn.pc | NAME/ | point-NN/) continue ;; esac
  grep -qx -- "${name%/}" "$tmp/all-written" ||
    echo "$written: $name is written by none of the runs of tests/docs/run.sh" >>"$tmp/stale.log"
done
if [ -s "$tmp/stale.log" ]; then
  record written-list-current 1 "$tmp/stale.log"
else
  echo "every name of $written is written by some run" >"$tmp/stale.log"
  record written-list-current 0 "$tmp/stale.log"
fi

# doc/results.md's samples, made again and compared.
cp doc/results.md "$tmp/results.md"
if scripts/results-samples "$naryn" "$tmp/results.md" >"$tmp/samples.log" 2>&1 &&
  diff -u doc/results.md "$tmp/results.md" >>"$tmp/samples.log"; then
  record results-samples 0 "$tmp/samples.log"
else
  echo "doc/results.md differs from what naryn gives now: run scripts/results-samples" \
    >>"$tmp/samples.log"
  record results-samples 1 "$tmp/samples.log"
fi

exit $status
