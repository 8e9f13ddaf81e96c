#!/bin/sh
# The browser test: opens pages in headless Chromium through
# $BUILD/tools/browser_check and records "browser/<check> PASS|FAIL" lines
# in $BUILD/results.txt. Hand-written fixture pages test the checker
# itself: the good one must pass and each bad one must fail with its
# message. Then the reports naryn writes are checked: the main job's, a
# trade-off curve's, a benefit-sharing game's, an ensemble's, an SDDP
# policy's and one of a model with hostile names. Runs only for the normal build, not under
# SAN=1.
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
# A page that passes on screen but whose table, in a scrolling box, is cut
# off on an A4 page.
start print-wide "$bc" --pdf "$tmp/print-wide.pdf" "$fx/print-wide.html"
# A browser that dies at once or never answers.
start chromium-dies env FAKE_CHROMIUM=dies "$bc" --chromium tests/browser/fake-chromium \
  "$fx/good.html"
start chromium-silent env FAKE_CHROMIUM=silent "$bc" --chromium tests/browser/fake-chromium \
  --timeout 1 "$fx/good.html"
wait

expect good 0 "good.html: 2 charts, 1 table, 0 console messages, screenshot 1280x"
also good pdf "PDF printed"
also good a4 "good.html: printed on 1 A4 pages, nothing cut off"
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
expect print-wide 1 'print-wide.html: printed on A4 (703 px wide): table#wide.data spans x = 16 to'
also print-wide scroll "div.scroll cuts off its content"
expect chromium-dies 3 "chromium exited with status 1 while waiting for Browser.getVersion"
also chromium-dies log "fake-chromium: cannot start (a test double)"
expect chromium-silent 3 "chromium did not answer Browser.getVersion within 1 s"
check no-chromium 3 "not found: install Debian's chromium package (scripts/deps --test)" \
  "$bc" --chromium "$tmp/no-such-chromium" "$fx/good.html"
check bad-usage 2 'unknown option "--fast"' "$bc" --fast "$fx/good.html"
check no-report 2 "cannot open the report: No such file or directory" "$bc" "$tmp/none.html"

# ---- The reports naryn writes -------------------------------------------
# The main job on the built-in model: the comparison page and every run's
# page; a trade-off curve; and a model whose names are hostile. Each must
# load with no console message and nothing fetched, show every chart and
# table whole, and screenshot to its end. A long daily run's page is
# drawn by month.
dir="$tmp/report"
check report-main-job 0 "" "$BUILD/naryn" optimise --quiet --out "$dir"
start report-compare "$bc" --expect comparison --expect compare-objective \
  --expect compare-energy --expect compare-shortage --expect compare-release \
  --expect compare-storage-1 --expect compare-grids --min-charts 5 --min-tables 2 \
  --expect-text "Toktogul: release by month in each run" \
  --expect-text "the optimum better by" --expect-text "assumes perfect foresight" \
  --screenshot "$dir/report.png" --pdf "$dir/report.pdf" "$dir/report.html"
# Each run: the tables, the network, storage of six reservoirs, release of
# three, generation, deliveries of four countries and the sinks.
for run in base irrigation-mode energy-mode kambarata modernised optimum; do
  extra=""
  [ "$run" = optimum ] && extra="--expect water-values --expect plants --expect-text foresight"
  # The simulated runs dispatch the built-in model's grids.
  [ "$run" = optimum ] || extra="--expect grids --expect grid-balance-1 --expect grid-lines
    --expect grid-unserved --expect grid-price"
  # The page of the base case is printed: its tables are the widest.
  [ "$run" = base ] && extra="$extra --pdf $dir/base/report.pdf"
  # shellcheck disable=SC2086
  start "report-$run" "$bc" --expect summary --expect objective --expect network \
    --expect generation --expect sinks $extra --min-charts 15 --min-tables 2 \
    --expect-text "Toktogul: storage at the end of each step" \
    --expect-text "Toktogul: inflow and release by month" \
    --expect-text "KZ Kazakhstan: irrigation and town water by month" \
    --expect-text "North Aral Sea" --screenshot "$dir/$run/report.png" "$dir/$run/report.html"
done
check report-pareto-run 0 "" "$BUILD/naryn" pareto examples/single/model.json --quiet \
  --x energy --y shortage --points 4 --out "$tmp/pareto"
start report-pareto "$bc" --expect pareto --expect pareto-points --min-charts 1 \
  --expect-text "simulated rules" --screenshot "$tmp/pareto/report.png" "$tmp/pareto/report.html"
# A benefit-sharing game on the built-in model shortened to ten years: the
# game's page, and the grand coalition's plan as a run of its own.
check report-share-run 0 "" "$BUILD/naryn" share --scenario tests/browser/ten-years.yaml \
  --quiet --out "$tmp/share"
start report-share "$bc" --expect game-figures --expect coalitions --expect allocations \
  --expect exchange --expect share-benefit --expect share-gain --expect exchange-energy \
  --expect exchange-outflow --expect exchange-withdrawal --min-charts 5 --min-tables 4 \
  --expect-text "KG Kyrgyzstan, UZ Uzbekistan, TJ Tajikistan, KZ Kazakhstan" \
  --expect-text "Each country's benefit under each allocation" \
  --expect-text "Shapley value" --expect-text "benefit in the coalition's plan" \
  --expect-text "what the countries that gain would pay for the change" \
  --expect-text "Superadditivity" --screenshot "$tmp/share/report.png" \
  --pdf "$tmp/share/report.pdf" "$tmp/share/report.html"
start report-share-grand "$bc" --expect summary --expect water-values --min-charts 10 \
  "$tmp/share/grand/report.html"
# An ensemble: the example's members under its base case and its energy
# mode, with the fan chart of its reservoir's storage.
check report-ensemble-run 0 "" "$BUILD/naryn" ensemble examples/ensemble/model.yaml \
  --members-file examples/ensemble/members.csv --compare --april-below Store=2000 \
  --quiet --out "$tmp/ensemble"
start report-ensemble "$bc" --expect yearly --expect reliability --expect april \
  --expect storage-1 --expect exceed-energy --expect exceed-shortage \
  --expect histogram-shortage --min-charts 4 --min-tables 3 \
  --expect-text "Store: storage over the members" --expect-text "winter energy (Plant)" \
  --expect-text "energy-mode" --screenshot "$tmp/ensemble/report.png" "$tmp/ensemble/report.html"
# An SDDP policy: its bounds and its reservoir's water values, printed.
check report-policy-run 0 "" "$BUILD/naryn" sddp examples/sddp/model.yaml --quiet \
  --out "$tmp/policy"
start report-policy "$bc" --expect bounds --expect bounds-estimates --expect wv-1 \
  --min-charts 2 --min-tables 1 --expect-text "95 % interval of the upper bound" \
  --expect-text "The value of water in Res by its storage at the end of the stage" \
  --screenshot "$tmp/policy/report.png" --pdf "$tmp/policy/report.pdf" \
  "$tmp/policy/report.html"
# Hostile names are shown as text and run nothing.
mkdir -p "$tmp/evil"
cat >"$tmp/evil/model.yaml" <<'MODEL'
name: "<script>alert(1)</script>"
countries: {EV: "<img src=x onerror=alert(2)>"}
horizon: {start: 2001-01, end: 2001-12, step: monthly}
nodes:
  - {name: "River </svg><script>alert(3)</script>", type: inflow, country: EV, inflow_m3s: 10}
  - {name: "Lake & \"quote\"", type: reservoir, country: EV, min_storage_hm3: 0,
     max_storage_hm3: 100, initial_storage_hm3: 50}
  - {name: Sea, type: sink, country: EV}
links:
  - {from: "River </svg><script>alert(3)</script>", to: "Lake & \"quote\""}
  - {from: "Lake & \"quote\"", to: Sea}
MODEL
check report-evil-run 0 "" "$BUILD/naryn" simulate "$tmp/evil/model.yaml" --quiet --out "$tmp/evil/out"
start report-evil "$bc" --expect network --expect-text "<script>alert(1)</script>" \
  --expect-text "EV <img src=x onerror=alert(2)>" \
  --expect-text "River </svg><script>alert(3)</script>" \
  --expect-text 'Lake & "quote": storage at the end of each step' "$tmp/evil/out/report.html"
# A daily run of five years (1,827 steps) is drawn by month.
bench/chain.sh 3 | sed 's/end: 2009-12-31/end: 2004-12-31/' >"$tmp/daily.yaml"
check report-daily-run 0 "" "$BUILD/naryn" simulate "$tmp/daily.yaml" --quiet --out "$tmp/daily"
start report-daily "$bc" --expect storage-2 --expect sinks --min-charts 8 \
  --expect-text "reservoir0: storage at the end of each month" \
  --expect-text "the charts over time are drawn by calendar month, 60 points" \
  --screenshot "$tmp/daily/report.png" "$tmp/daily/report.html"
wait
expect report-compare 0 "report.html: "
also report-compare pdf "PDF printed"
also report-compare a4 "A4 pages, nothing cut off"
for run in base irrigation-mode energy-mode kambarata modernised optimum; do
  expect "report-$run" 0 "report.html: "
done
expect report-pareto 0 "report.html: "
expect report-share 0 "report.html: "
also report-share a4 "A4 pages, nothing cut off"
also report-base a4 "A4 pages, nothing cut off"
expect report-share-grand 0 "report.html: "
expect report-ensemble 0 "report.html: "
expect report-policy 0 "report.html: "
also report-policy a4 "A4 pages, nothing cut off"
expect report-evil 0 "report.html: "
expect report-daily 0 "report.html: "

exit $status
