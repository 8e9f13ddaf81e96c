#!/bin/sh
# An ensemble's results are the same bytes with 1 and 2 MPI processes: runs
# the example's members (examples/ensemble) in one process and with
# "mpirun --oversubscribe -np 2" (and --allow-run-as-root as root), and
# compares every file. Only a naryn built with "make MPI=1" (naryn
# --version says "with MPI") is tried; for any other build the suite
# records nothing and passes. Records "mpi/<check> PASS|FAIL" lines in
# $BUILD/results.txt.
#
# Run from the top of the repository: BUILD=build-mpi tests/mpi/run.sh
BUILD=${BUILD:-build-mpi}
out="$BUILD/results.txt"
if [ ! -x "$BUILD/naryn" ]; then
  echo "FAIL mpi: no $BUILD/naryn; build it first (make MPI=1)" >&2
  [ -d "$BUILD" ] && echo "mpi/build FAIL" >>"$out"
  exit 1
fi
naryn="$(cd "$BUILD" && pwd)/naryn"
if ! "$naryn" --version | grep -q "with MPI"; then
  echo "ok   mpi: $BUILD/naryn is built without MPI; nothing to check"
  exit 0
fi
tmp="$BUILD/mpi-tmp"
# The results file gathers every run's lines; this run's are counted.
before=$(grep -c '^mpi/.* PASS$' "$out" 2>/dev/null)
rm -rf "$tmp"
mkdir -p "$tmp/one" "$tmp/two"
status=0
ex="$(pwd)/examples/ensemble"
root=""
[ "$(id -u)" -eq 0 ] && root=--allow-run-as-root

# record NAME OK: one result line, and the failure's output when not OK.
record() {
  if [ "$2" = 0 ]; then
    echo "mpi/$1 PASS" >>"$out"
  else
    echo "mpi/$1 FAIL" >>"$out"
    echo "FAIL mpi/$1"
    [ -f "$tmp/log" ] && sed 's/^/    /' "$tmp/log" | head -5
    status=1
  fi
}

# The same command in both folders, so that the command line ensemble.csv
# records is the same.
run() {
  (cd "$1" && shift && "$@" ensemble "$ex/model.yaml" --members-file "$ex/members.csv" \
    --compare --per-step --april-below Store=2000 --jobs 1 --out out --quiet) >"$tmp/log" 2>&1
}
run "$tmp/one" "$naryn"
record one-process $?
# shellcheck disable=SC2086
run "$tmp/two" mpirun $root --oversubscribe -np 2 "$naryn"
record two-processes $?
for f in ensemble.csv members.csv stats.csv reliability.csv april.csv exceedance.csv \
         histogram.csv storage.csv members.nc report.html; do
  cmp "$tmp/one/out/$f" "$tmp/two/out/$f" >"$tmp/log" 2>&1
  record "same-bytes-$f" $?
done
# A member that fails in the second process is reported by the first,
# naming the member, and nothing is written: member 16 floods the lake's
# link, given a limit here.
mkdir -p "$tmp/bad"
cp "$ex/flows.csv" "$tmp/bad/"
sed 's/  - {from: Fork, to: Lake}/  - {from: Fork, to: Lake, max_flow_m3s: 5000}/; /^scenarios:/d' \
  "$ex/model.yaml" >"$tmp/bad/model.yaml"
sed 's/^\(16,2002-0[4-9]\),[0-9.]*,/\1,100000,/' "$ex/members.csv" >"$tmp/bad/members.csv"
# shellcheck disable=SC2086
(cd "$tmp/bad" && mpirun $root --oversubscribe -np 2 "$naryn" ensemble model.yaml \
  --members-file members.csv --out out --quiet) >"$tmp/log" 2>&1
rc=$?
grep -q "max_flow_m3s: member 16: expected room in 2002-04" "$tmp/log" && [ "$rc" != 0 ] &&
  [ ! -e "$tmp/bad/out" ]
record bad-member-second-process $?
# A policy replayed (doc/sddp.md): each process reads its own copy, and
# the results are those of one process. The policy is trained under a
# scenario that adds inflow outcomes to the example.
printf 'uncertainty:\n  outcomes:\n    - {probability: 0.5, inflow_factor: 0.6}\n    - {probability: 0.5, inflow_factor: 1.4}\n' >"$tmp/outcomes.yaml"
"$naryn" sddp "$ex/model.yaml" --scenario "$tmp/outcomes.yaml" --iterations 5 \
  --bound-samples 2 --out "$tmp/policy" --quiet >"$tmp/log" 2>&1
pol="$(cd "$tmp" && pwd)/policy"
record policy-trained $?
policy() {
  (cd "$1" && shift && "$@" ensemble "$ex/model.yaml" --members-file "$ex/members.csv" \
    --policy "$pol" --jobs 1 --out policy-out --quiet) >"$tmp/log" 2>&1
}
policy "$tmp/one" "$naryn"
record policy-one-process $?
# shellcheck disable=SC2086
policy "$tmp/two" mpirun $root --oversubscribe -np 2 "$naryn"
record policy-two-processes $?
for f in ensemble.csv members.csv stats.csv reliability.csv april.csv storage.csv; do
  cmp "$tmp/one/policy-out/$f" "$tmp/two/policy-out/$f" >"$tmp/log" 2>&1
  record "policy-same-bytes-$f" $?
done
# Training a policy over 2 processes: the lower bound reaches the
# extensive form's optimum of examples/sddp (examples/sddp/README.md), and
# two runs give the same cuts, bit for bit, as do 2 threads of one
# process (with a chain of prices too); a run resumed from its cut log
# over 2 processes goes on from where it was.
sd="$(pwd)/examples/sddp/model.yaml"
# shellcheck disable=SC2086
mpirun $root --oversubscribe -np 2 "$naryn" sddp "$sd" --out "$tmp/sd1" >"$tmp/log" 2>&1 &&
  grep -q "lower bound 39303.87" "$tmp/log"
record sddp-two-processes $?
# shellcheck disable=SC2086
mpirun $root --oversubscribe -np 2 "$naryn" sddp "$sd" --out "$tmp/sd2" --quiet >"$tmp/log" 2>&1 &&
  cmp "$tmp/sd1/cuts.bin" "$tmp/sd2/cuts.bin" >>"$tmp/log" 2>&1
record sddp-two-processes-same-cuts $?
# The same passes on 1 process of 2 threads and on 2 processes of one:
# the same cuts, bit for bit.
# shellcheck disable=SC2086
"$naryn" sddp "$sd" --passes 2 --jobs 2 --out "$tmp/sd5" --quiet >"$tmp/log" 2>&1 &&
  mpirun $root --oversubscribe -np 2 "$naryn" sddp "$sd" --passes 2 --jobs 1 --out "$tmp/sd6" \
    --quiet >>"$tmp/log" 2>&1 && cmp "$tmp/sd5/cuts.bin" "$tmp/sd6/cuts.bin" >>"$tmp/log" 2>&1
record sddp-threads-or-processes-same-cuts $?
# With a chain of prices (examples/sddp-prices): the extensive form's
# optimum, and the cuts of 1 process of 2 threads, on 2 processes.
sp="$(pwd)/examples/sddp-prices/model.yaml"
# shellcheck disable=SC2086
"$naryn" sddp "$sp" --passes 3 --jobs 2 --iterations 20 --out "$tmp/sp1" --quiet \
  >"$tmp/log" 2>&1 &&
  mpirun $root --oversubscribe -np 2 "$naryn" sddp "$sp" --passes 3 --jobs 1 --iterations 20 \
    --out "$tmp/sp2" >>"$tmp/log" 2>&1 && grep -q "lower bound -53487.85" "$tmp/log" &&
  cmp "$tmp/sp1/cuts.bin" "$tmp/sp2/cuts.bin" >>"$tmp/log" 2>&1
record sddp-prices-processes-same-cuts $?
# The upper bound with its control variate (--bound-control), from a
# cycle's simulations shared out between 2 processes: the same bounds as
# 1 process of 2 threads (the log but for its seconds).
# shellcheck disable=SC2086
"$naryn" sddp "$sd" --discount 0.8 --iterations 4 --bound-every 2 --bound-samples 30 \
  --bound-control --jobs 2 --out "$tmp/bc1" --quiet >"$tmp/log" 2>&1 &&
  mpirun $root --oversubscribe -np 2 "$naryn" sddp "$sd" --discount 0.8 --iterations 4 \
    --bound-every 2 --bound-samples 30 --bound-control --out "$tmp/bc2" --quiet \
    >>"$tmp/log" 2>&1 &&
  cut -d, -f1-5 "$tmp/bc1/convergence.csv" >"$tmp/bc1.txt" &&
  cut -d, -f1-5 "$tmp/bc2/convergence.csv" >"$tmp/bc2.txt" &&
  cmp "$tmp/bc1.txt" "$tmp/bc2.txt" >>"$tmp/log" 2>&1
record sddp-bound-control-processes-same-bounds $?
# shellcheck disable=SC2086
mpirun $root --oversubscribe -np 2 "$naryn" sddp "$sd" --iterations 2 --cut-log "$tmp/cl.bin" \
  --out "$tmp/sd3" --quiet >"$tmp/log" 2>&1 &&
  mpirun $root --oversubscribe -np 2 "$naryn" sddp "$sd" --cut-log "$tmp/cl.bin" \
    --out "$tmp/sd4" >"$tmp/log" 2>&1 && grep -q "lower bound 39303.87" "$tmp/log"
record sddp-two-processes-resumed $?
# Every process on this machine: naryn asks Open MPI for its own layer
# (ob1), which skips the probes of cluster networks' libraries (the "cm"
# layer's); a layer the user chose (OMPI_MCA_pml) is kept as it is.
# shellcheck disable=SC2086
OMPI_MCA_pml_base_verbose=10 mpirun $root --oversubscribe -np 2 "$naryn" sddp "$sd" \
  --iterations 1 --bound-samples 2 --out "$tmp/pml1" --quiet >"$tmp/log" 2>&1 &&
  [ "$(grep -c 'component ob1 selected' "$tmp/log")" = 2 ] &&
  ! grep -q 'loaded component cm' "$tmp/log"
record one-machine-own-layer $?
# shellcheck disable=SC2086
OMPI_MCA_pml='^v' OMPI_MCA_pml_base_verbose=10 mpirun $root --oversubscribe -np 2 "$naryn" \
  sddp "$sd" --iterations 1 --bound-samples 2 --out "$tmp/pml2" --quiet >"$tmp/log" 2>&1 &&
  grep -q 'loaded component cm' "$tmp/log"
record users-layer-kept $?
n=$(($(grep -c '^mpi/.* PASS$' "$out") - ${before:-0}))
echo "ok   mpi: $n checks passed"
rm -rf "$tmp"
exit $status
