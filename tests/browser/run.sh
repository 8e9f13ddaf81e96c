#!/bin/sh
# The browser test: opens pages in headless Chromium through
# $BUILD/tools/browser_check and records "browser/<check> PASS|FAIL" lines
# in $BUILD/results.txt. Hand-written fixture pages test the checker
# itself: the good one must pass and each bad one must fail with its
# message. The report naryn writes is checked by check_report below once
# naryn writes one. Runs only for the normal build, not under SAN=1.
BUILD=${BUILD:-build}
out="$BUILD/results.txt"
bc="$BUILD/tools/browser_check"
fx=tests/browser/fixtures
tmp="$BUILD/browser-tmp"
rm -rf "$tmp"
mkdir -p "$tmp"
status=0

# pass NAME and fail NAME WHY: record one result.
pass() { echo "browser/$1 PASS" >>"$out"; }
fail() {
  echo "browser/$1 FAIL" >>"$out"
  echo "FAIL browser/$1: $2"
  status=1
}

# Each browser run takes a few seconds, mostly Chromium starting, so runs
# go two at a time (CI has two cores): start launches one in the
# background, and expect and also judge it once all have finished.

# start NAME COMMAND...: runs the command in the background, its output
# going to $tmp/NAME.out and its exit status to $tmp/NAME.rc.
running=0
start() {
  name=$1
  shift
  { "$@" >"$tmp/$name.out" 2>&1; echo $? >"$tmp/$name.rc"; } &
  running=$((running + 1))
  if [ "$running" -ge 2 ]; then
    wait
    running=0
  fi
}

# expect NAME WANT_EXIT WANT_TEXT: the finished run NAME exited with
# WANT_EXIT and, when WANT_TEXT is not empty, printed that text.
expect() {
  name=$1 want=$2 text=$3
  rc=$(cat "$tmp/$name.rc" 2>/dev/null || echo "none")
  if [ "$rc" = "$want" ] && { [ -z "$text" ] || grep -qF -- "$text" "$tmp/$name.out"; }; then
    pass "$name"
  else
    fail "$name" "expected exit $want${text:+ and \"$text\"}, got exit $rc:"
    sed 's/^/    /' "$tmp/$name.out" | head -12
  fi
}

# also NAME WHAT TEXT: the run NAME also printed TEXT; recorded as NAME/WHAT.
also() {
  if grep -qF -- "$3" "$tmp/$1.out"; then
    pass "$1/$2"
  else
    fail "$1/$2" "expected \"$3\" in:"
    sed 's/^/    /' "$tmp/$1.out" | head -12
  fi
}

# check NAME WANT_EXIT WANT_TEXT COMMAND...: runs the command now and
# judges it.
check() {
  name=$1 want=$2 text=$3
  shift 3
  "$@" >"$tmp/$name.out" 2>&1
  echo $? >"$tmp/$name.rc"
  expect "$name" "$want" "$text"
}

if [ ! -x "$bc" ]; then
  fail built "$bc is missing: run make tests"
  exit 1
fi

# ---- The checker on pages made to pass or fail -------------------------

# The good page passes, with every option in use; the model name that looks
# like a script is shown as text, and the screenshot and PDF are written.
start good "$bc" --expect storage --expect energy --expect summary --min-charts 2 \
  --min-tables 1 --expect-text "<script>alert(1)</script>" --expect-text "river system 🌊" \
  --screenshot "$tmp/good.png" --pdf "$tmp/good.pdf" "$fx/good.html"
# The good page, asked for what it lacks.
start unmet "$bc" --expect nope --expect-text "not on the page" --min-charts 3 \
  --min-tables 2 "$fx/good.html"
# A script runs where there is no CSP: it logs and throws.
start script-no-csp "$bc" "$fx/script-no-csp.html"
# The report's own CSP blocks a script; the violation is logged.
start script-csp "$bc" "$fx/script-csp.html"
start external "$bc" "$fx/external.html"
start wide "$bc" "$fx/wide.html"
start clipped "$bc" "$fx/clipped.html"
start blank "$bc" "$fx/blank.html"
start zero-size "$bc" "$fx/zero-size.html"
# A browser that dies at once or never answers.
start chromium-dies env FAKE_CHROMIUM=dies "$bc" --chromium tests/browser/fake-chromium \
  "$fx/good.html"
start chromium-silent env FAKE_CHROMIUM=silent "$bc" --chromium tests/browser/fake-chromium \
  --timeout 1 "$fx/good.html"
wait

expect good 0 "good.html: 2 charts, 1 table, 0 console messages, screenshot 1280x"
also good pdf "PDF printed"
check good-png-written 0 "" sh -c "head -c 8 '$tmp/good.png' | od -c | grep -q 'P   N   G'"
check good-pdf-written 0 "" sh -c "head -c 5 '$tmp/good.pdf' | grep -q '^%PDF-'"
check good-no-temporaries 0 "" sh -c "! ls -a '$tmp' | grep -q '[.]tmp[.]'"
expect unmet 1 'has no chart or table with id "nope"'
also unmet text 'does not show the text "not on the page"'
also unmet charts "has 2 charts (figure.chart), expected at least 3"
also unmet tables "has 1 data tables (table.data), expected at least 2"
expect script-no-csp 1 "script-no-csp.html: console error: fixture console error"
also script-no-csp warning "console warning: fixture console warning"
also script-no-csp exception "uncaught exception at line 16: Error: fixture exception"
also script-no-csp script "holds 1 script elements"
expect script-csp 1 "violates the following Content Security Policy directive"
also script-csp script "holds 1 script elements"
expect external 1 "external.html: fetches http://127.0.0.1:1/logo.png"
expect wide 1 'wide.html: chart "wide" is cut off: its svg spans'
also wide page "is wider than the window: 3048 px of content in a 1280 px window"
expect clipped 1 'clipped.html: chart "energy" is cut off by its container <div>'
expect blank 1 "blank.html: the screenshot is blank"
also blank footer "has no footer#end"
expect zero-size 1 'zero-size.html: chart "flat": its svg has no size (0x0 px)'
also zero-size table 'table "empty" has no body row'
expect chromium-dies 3 "chromium exited with status 1 while waiting for Browser.getVersion"
also chromium-dies log "fake-chromium: cannot start (a test double)"
expect chromium-silent 3 "chromium did not answer Browser.getVersion within 1 s"
check no-chromium 3 "not found: install Debian's chromium package (scripts/deps --test)" \
  "$bc" --chromium "$tmp/no-such-chromium" "$fx/good.html"
check bad-usage 2 'unknown option "--fast"' "$bc" --fast "$fx/good.html"
check no-report 2 "cannot open the report: No such file or directory" "$bc" "$tmp/none.html"

# ---- The report naryn writes -------------------------------------------
# Every results folder will hold a report.html. Until the report
# generator is merged, naryn writes none and this part records only the
# optimise run; once report.html exists it is checked.
# TODO(report): fill in REPORT_EXPECT with the ids of the charts and tables
# every report must have, and drop the "missing report is fine" branch so
# that a missing report.html fails.
REPORT_EXPECT=""
check_report() {
  dir="$tmp/report"
  check report-optimise 0 "" "$BUILD/naryn" optimise --quiet --out "$dir"
  if [ ! -f "$dir/report.html" ]; then
    echo "     browser/report: $dir/report.html not written yet; not checked"
    return
  fi
  expect=""
  for id in $REPORT_EXPECT; do expect="$expect --expect $id"; done
  # shellcheck disable=SC2086
  check report 0 "report.html: " "$bc" $expect --min-charts 1 --min-tables 1 \
    --screenshot "$dir/report.png" --pdf "$dir/report.pdf" "$dir/report.html"
  for f in "$dir"/*/report.html; do
    [ -f "$f" ] || continue
    scenario=$(basename "$(dirname "$f")")
    check "report-$scenario" 0 "report.html: " "$bc" --min-charts 1 "$f"
  done
}
check_report

exit $status
