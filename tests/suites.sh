#!/bin/sh
# The suites of one build, each recording "name PASS|FAIL" lines into
# BUILD/results.txt (emptied first): the unit, bad-input, golden,
# command-line and errors-list suites, and for the normal build (build/)
# the docs, browser, Python and package suites too. Exits non-zero when a
# suite failed. test.sh runs it for build/ and, alongside, for build-san/.
#
# Run from the top of the repository: tests/suites.sh BUILD
b=${1:?usage: tests/suites.sh BUILD}
rm -f "$b/results.txt"
rc=0
BUILD=$b tests/run-unit.sh || rc=1
BUILD=$b tests/bad/run.sh || rc=1
BUILD=$b tests/golden/run.sh || rc=1
BUILD=$b tests/cli/run.sh || rc=1
BUILD=$b tests/errors/run.sh || rc=1
if [ "$b" = build ]; then
  BUILD=$b tests/docs/run.sh || rc=1
  BUILD=$b tests/browser/run.sh || rc=1
  BUILD=$b tests/python/run.sh || rc=1
  BUILD=$b tests/package/run.sh || rc=1
fi
exit $rc
