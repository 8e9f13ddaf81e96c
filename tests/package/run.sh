#!/bin/sh
# The installable package: builds the Debian package (make deb), unpacks it
# into a temporary root as dpkg would install it (dpkg-deb -x, no root
# needed) and uses it from there: the installed naryn runs the main job on
# its own installed copy of the built-in model, pkg-config finds naryn.pc,
# a small C program (tests/package/simulate.c) builds against the installed
# header and shared library and simulates the built-in model, and every
# manual page renders without warnings. Then make install and make
# uninstall into a temporary DESTDIR leave no file behind. Records
# "package/<check> PASS|FAIL" lines in $BUILD/results.txt.
BUILD=${BUILD:-build}
out="$BUILD/results.txt"
tmp="$BUILD/package-tmp"
rm -rf "$tmp"
mkdir -p "$tmp"
tmp=$(cd "$tmp" && pwd -P)
status=0

pass() { echo "package/$1 PASS" >>"$out"; echo "ok   package/$1"; }
fail() {
  echo "package/$1 FAIL" >>"$out"
  echo "FAIL package/$1: $2"
  [ -s "$tmp/log" ] && sed 's/^/    /' "$tmp/log" | head -8
  status=1
}
# check NAME WHAT COMMAND...: the command must succeed; its output is kept
# in $tmp/log.
check() {
  name=$1 what=$2
  shift 2
  if "$@" >"$tmp/log" 2>&1; then pass "$name"; else fail "$name" "$what"; fi
}

version=$(sed -n 's/^#define NARYN_VERSION "\(.*\)"/\1/p' include/naryn.h)
arch=$(dpkg --print-architecture)
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null)
deb="$BUILD/naryn_${version}_$arch.deb"
check deb "make deb failed" make -s -j2 BUILD="$BUILD" deb
if [ ! -f "$deb" ]; then
  fail deb-file "no $deb"
  exit 1
fi

# The package's fields: a dependency on the run-time libraries found by
# dpkg-shlibdeps, and the maintainer and description fields.
dpkg-deb -f "$deb" >"$tmp/control"
check control "expected Package, Version, Maintainer, Description and Depends on CLP, libyaml and libc" \
  sh -c "grep -q '^Package: naryn\$' '$tmp/control' && grep -q '^Version: $version\$' '$tmp/control' &&
         grep -q '^Maintainer: .*<.*@.*>' '$tmp/control' && grep -q '^Description: .' '$tmp/control' &&
         grep '^Depends:' '$tmp/control' | grep -q 'coinor-libclp' &&
         grep '^Depends:' '$tmp/control' | grep -q 'libyaml' &&
         grep '^Depends:' '$tmp/control' | grep -q 'libc6'"

root="$tmp/root"
check unpack "dpkg-deb -x failed" dpkg-deb -x "$deb" "$root"
usr="$root/usr"
libdir="$usr/lib/$multiarch"

# The installed naryn finds the model installed beside it (../share/naryn
# from its folder), not one in the /usr/share/naryn it was built for, and
# runs the main job on it.
naryn="$usr/bin/naryn"
check finds-its-model "the installed naryn did not find its own model" \
  sh -c "'$naryn' check | grep -qF '$usr/share/naryn/models/naryn/model.yaml: ok'"
mkdir -p "$tmp/run"
check optimise "naryn optimise on the built-in model failed" \
  sh -c "cd '$tmp/run' && '$naryn' optimise --quiet &&
         test -f results/naryn-syr-darya/optimum/water_values.csv &&
         test -f results/naryn-syr-darya/report.html"
# NARYN_DATADIR points a naryn that is neither in its tree nor built for
# the place at the model.
mkdir -p "$tmp/elsewhere"
cp "$naryn" "$tmp/elsewhere/naryn"
check datadir-env "NARYN_DATADIR did not lead to the installed model" \
  sh -c "NARYN_DATADIR='$usr/share/naryn' '$tmp/elsewhere/naryn' check |
         grep -qF '$usr/share/naryn/models/naryn/model.yaml: ok'"

# pkg-config, with the root as the system root, as for a staged install.
# The shared library needs nothing more than -lnaryn; --cflags also
# carries the include folder of naryn.pc's Requires.private (CLP's, here
# under the root too), harmlessly.
pc() { PKG_CONFIG_PATH="$libdir/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$root" pkg-config "$@"; }
flags=$(pc --cflags --libs naryn 2>"$tmp/log")
libs=$(pc --libs naryn 2>>"$tmp/log" | sed 's/ *$//')
check pkg-config "expected -I$usr/include and the libs -L$libdir -lnaryn, got \"$flags\"" \
  sh -c "echo ' $flags ' | grep -qF ' -I$usr/include ' && test '$libs' = '-L$libdir -lnaryn'"
check pkg-config-static "expected CLP, libyaml and libstdc++ in --static --libs, and the version" \
  sh -c "PKG_CONFIG_PATH='$libdir/pkgconfig' pkg-config --static --libs naryn >'$tmp/static' &&
         grep -q -- -lClp '$tmp/static' && grep -q -- -lyaml '$tmp/static' &&
         grep -q -- -lstdc++ '$tmp/static' &&
         test \"\$(PKG_CONFIG_PATH='$libdir/pkgconfig' pkg-config --modversion naryn)\" = '$version'"

# A C program against the installed header and shared library: it links
# libnaryn.so.MAJOR (the soname) and simulates the installed model, with
# the energy naryn simulate writes in summary.csv.
# shellcheck disable=SC2086
check c-build "the C program did not build against the installed naryn" \
  ${CC:-cc} -std=c11 -Wall -Wextra -Werror tests/package/simulate.c $flags -lm -o "$tmp/simulate"
check c-soname "the C program does not link libnaryn.so.${version%%.*}" \
  sh -c "objdump -p '$tmp/simulate' | grep -q 'NEEDED *libnaryn.so.${version%%.*}\$'"
model="$usr/share/naryn/models/naryn/model.yaml"
LD_LIBRARY_PATH="$libdir" "$tmp/simulate" "$model" >"$tmp/c-out" 2>"$tmp/log"
"$naryn" simulate "$model" --out "$tmp/sim" --output summary --quiet 2>>"$tmp/log"
c_gwh=$(awk '{ print $4 }' "$tmp/c-out")
# summary.csv: the energy of all countries, all seasons, over the horizon.
cli_gwh=$(awk -F, '$1 == "all" && $2 == "all" && $3 == "total" { print $4 }' "$tmp/sim/summary.csv" 2>/dev/null)
check c-simulate "the C program's energy ($c_gwh GWh) is not naryn simulate's ($cli_gwh GWh)" \
  awk -v a="$c_gwh" -v b="$cli_gwh" 'BEGIN { d = a - b; if (d < 0) d = -d
    exit !(a + 0 > 0 && d <= 1e-6 * (b < 0 ? -b : b)) }'

# The Python package as installed, with Debian's python3: it loads the
# installed libnaryn.so.0 (named by NARYN_LIBRARY, as the loader's cache
# does not know the temporary root) and gives the C program's energy.
if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c "import pandas" 2>/dev/null; then
  py_gwh=$(PYTHONPATH="$usr/lib/python3/dist-packages" NARYN_LIBRARY="$libdir/libnaryn.so.${version%%.*}" \
    /usr/bin/python3 -c "import sys, naryn
assert naryn.__file__.startswith(sys.argv[2]), naryn.__file__
r = naryn.load(sys.argv[1]).simulate()
s = r.summary
print(s[(s.country == 'all') & (s.season == 'all') & (s.statistic == 'total')].energy_gwh.iloc[0])" \
    "$model" "$usr/lib/python3/dist-packages" 2>"$tmp/log")
  check python "the installed Python package's energy ($py_gwh GWh) is not the C program's ($c_gwh GWh)" \
    awk -v a="$py_gwh" -v b="$c_gwh" 'BEGIN { d = a - b; if (d < 0) d = -d
      exit !(a + 0 > 0 && d <= 1e-6 * (b < 0 ? -b : b)) }'
fi

# The manual pages: naryn(1) and one per command, each rendering without
# a warning from groff or man.
pages=0
for cmd in "" $(for f in cli/cmd_*.c; do basename "$f" .c; done | sed 's/^cmd_//'); do
  page="$usr/share/man/man1/naryn${cmd:+-$cmd}.1.gz"
  name="man/naryn${cmd:+-$cmd}"
  pages=$((pages + 1))
  if [ ! -f "$page" ]; then
    : >"$tmp/log"
    fail "$name" "no $page"
    continue
  fi
  MANWIDTH=80 LC_ALL=C.UTF-8 man --warnings -l "$page" >"$tmp/page" 2>"$tmp/log"
  if [ -s "$tmp/log" ] || ! grep -q "^SYNOPSIS" "$tmp/page" ||
     ! grep -q "^ *naryn${cmd:+ *$cmd}" "$tmp/page"; then
    fail "$name" "man -l warned, or the page lacks its synopsis"
  else
    pass "$name"
  fi
done
found=$(find "$usr/share/man/man1" -type f | wc -l)
: >"$tmp/log"
if [ "$found" -eq "$pages" ]; then pass man/count; else fail man/count "$found pages, expected $pages"; fi

# make install and make uninstall into a DESTDIR: nothing left behind.
dest="$tmp/dest"
make -s BUILD="$BUILD" install DESTDIR="$dest" >"$tmp/log" 2>&1 &&
  make -s BUILD="$BUILD" uninstall DESTDIR="$dest" >>"$tmp/log" 2>&1
find "$dest" ! -type d >>"$tmp/log" 2>&1
if [ -d "$dest/usr/local/bin" ] && [ -z "$(find "$dest" ! -type d)" ]; then
  pass uninstall
else
  fail uninstall "make install then make uninstall left files (or failed)"
fi

[ "$status" -eq 0 ] && rm -rf "$tmp"
exit $status
