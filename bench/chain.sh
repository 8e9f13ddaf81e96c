#!/bin/sh
# Writes, on stdout, the chain benchmark of N units in naryn's model format:
# the same network as the chain written in Pywr's format for the side-by-side
# comparison (doc/performance.md). Unit k has a catchment inflow with a
# 12-month profile of 12, 14, 13, 10, 7, 5, 4, 3, 3, 5, 8, 11 m3/s times
# 1 + 0.1 (k mod 5), a reservoir of 0 to 300 units starting at 200, a demand
# of 6 + (k mod 3) m3/s, and a river reach (a junction) to reservoir k + 1;
# the last reach ends in an outfall. One unit is 1 m3/s for a day, 0.0864
# hm3. Daily steps over ten years, 2000-01-01 to 2009-12-31 (3,653 steps).
# The first units are served first: demand k has priority 1 + 9k / N.
# With "rules" as a second argument every reservoir also has two zones and
# operating rules: a release that follows its storage everywhere, and a
# minimum release in its lower zone (doc/model-format.md, operating rules).
# Usage: bench/chain.sh N [rules] > chain-N.yaml
n=${1:?usage: chain.sh N [rules]}
awk -v n="$n" -v rules="${2:-}" 'BEGIN {
  split("12 14 13 10 7 5 4 3 3 5 8 11", p, " ")
  printf "name: chain-%d\n", n
  print "horizon: {start: 2000-01-01, end: 2009-12-31, step: daily}"
  print "nodes:"
  for (k = 0; k < n; k++) {
    f = 1 + 0.1 * (k % 5)
    printf "  - {name: catchment%d, type: inflow, inflow_m3s: [", k
    for (i = 1; i <= 12; i++) printf "%s%.10g", (i > 1 ? ", " : ""), p[i] * f
    print "]}"
    printf "  - {name: reservoir%d, type: reservoir, max_storage_hm3: 25.92, initial_storage_hm3: 17.28", k
    if (rules == "rules") {
      print ","
      print "     rules: [{name: follow, type: release, by_storage: {storage_hm3: [0, 12.96, 25.92], release_m3s: [0, 4, 12]}, priority: 4},"
      print "             {name: floor, type: min_release, release_m3s: 2, priority: 3}],"
      print "     zones: [{name: normal, rules: [follow]}, {name: low, top_hm3: 8.64, rules: [follow, floor]}]}"
    } else print "}"
    printf "  - {name: demand%d, type: demand, demand_m3s: %d, priority: %d}\n", k, 6 + k % 3, 1 + int(9 * k / n)
    printf "  - {name: river%d, type: junction}\n", k
  }
  print "  - {name: outfall, type: sink}"
  print "links:"
  for (k = 0; k < n; k++) {
    printf "  - {from: catchment%d, to: reservoir%d}\n", k, k
    printf "  - {from: reservoir%d, to: demand%d}\n", k, k
    printf "  - {from: reservoir%d, to: river%d}\n", k, k
    printf "  - {from: river%d, to: %s}\n", k, (k + 1 < n ? "reservoir" (k + 1) : "outfall")
  }
}'
