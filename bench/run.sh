#!/bin/sh
# Runs every benchmark in $BUILD/bench. Never part of "make check".
BUILD=${BUILD:-build}
for b in "$BUILD"/bench/bench_*; do
  [ -x "$b" ] || continue
  echo "== $(basename "$b")"
  "$b" || exit 1
done
