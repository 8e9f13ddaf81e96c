"""Shared by the Python tests: the package from the source tree, the
command line of the same build, and comparing DataFrames with the files the
command line writes, to the precision the files print."""
import math
import os
import subprocess
import sys

import pandas as pd
import pytest

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, os.pardir))
BUILD = os.path.join(TOP, os.environ.get("BUILD", "build"))
sys.path.insert(0, os.path.join(TOP, "python"))
os.environ.setdefault("NARYN_LIBRARY", os.path.join(BUILD, "libnaryn.so.0"))

CASCADE = os.path.join(TOP, "examples", "cascade", "model.yaml")
NARYN_MODEL = os.path.join(TOP, "models", "naryn", "model.yaml")


def cli(*args, cwd=None):
    """Runs build/naryn with args; returns its standard output."""
    p = subprocess.run([os.path.join(BUILD, "naryn")] + [str(a) for a in args],
                       cwd=cwd, capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return p.stdout


def read_csv(path):
    """A results file as naryn wrote it: empty cells NaN, names kept."""
    return pd.read_csv(path, keep_default_na=False, na_values=[""])


def tolerance(col, want):
    """What printing leaves of a value: fixed decimals (four for flows in
    m3/s, levels and heads, two for money, six for the rest) or three
    significant digits for residuals."""
    if "residual" in col:
        return 5e-3 * abs(want) + 1e-300
    if col in ("value", "value_per_year", "x", "y", "combined", "level", "grid_cost", "cost"):
        return 5e-3 + 1e-12 * abs(want)
    if col in ("flow_m3s", "head_m", "level_m", "water_value_per_hm3"):
        return 5e-5 + 1e-12 * abs(want)
    return 5e-7 + 1e-12 * abs(want)


def assert_frame_matches(got, path, index_is_date=True):
    """Every cell of got equals the file's, to the file's precision."""
    want = read_csv(path)
    if index_is_date:
        assert got.index.name == "date"
        assert list(got.index.strftime("%Y-%m-%d")) == list(want["date"])
        want = want.drop(columns="date")
    assert list(got.columns) == list(want.columns)
    assert len(got) == len(want)
    for col in want.columns:
        a, b = list(got[col]), list(want[col])
        if want[col].dtype == object or got[col].dtype == object:
            norm = lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v)) \
                else str(v)  # noqa: E731
            bad = [i for i, (x, y) in enumerate(zip(a, b)) if norm(x) != norm(y)]
        else:
            bad = [i for i, (x, y) in enumerate(zip(a, b))
                   if not ((math.isnan(x) and math.isnan(y)) or
                           (not math.isnan(x) and not math.isnan(y) and
                            abs(x - y) <= tolerance(col, y)))]
        assert not bad, "%s: column %s, row %d: got %r, the file has %r" % (
            path, col, bad[0], a[bad[0]], b[bad[0]])


@pytest.fixture(scope="session")
def naryn():
    import naryn as n
    return n
