"""Reads a run's results.nc as a user's script would, with xarray and
pandas, and checks it against nodes.csv and links.csv of the same run.

    python3 netcdf_check.py RESULTS.nc CSV_DIR [QUANTITY... | --only Q NODE]

With only RESULTS.nc and CSV_DIR, every node quantity and link column of
the file must equal the CSV files' cells to the digits those files keep,
an empty cell standing for NaN. With --only Q NODE, the file must hold
the quantity Q of the node NODE and nothing else. Exits 1 with the first
difference found.
"""
import math
import sys

import pandas as pd
import xarray as xr


def fail(msg):
    print("netcdf_check: " + msg)
    sys.exit(1)


def close(nc, csv, column):
    """Whether a value of the file matches a CSV cell, which keeps six
    decimals (four for heads and levels, three digits for residuals)."""
    if math.isnan(csv):
        return math.isnan(nc)
    if column == "residual_hm3":
        return abs(nc - csv) <= 5e-3 * abs(csv) + 1e-300
    tol = 5.01e-5 if column in ("head_m", "level_m", "flow_m3s") else 5.01e-7
    return abs(nc - csv) <= tol


def main():
    path, csv_dir = sys.argv[1], sys.argv[2]
    ds = xr.open_dataset(path)
    if ds.attrs.get("Conventions") != "CF-1.8":
        fail("Conventions is %r" % ds.attrs.get("Conventions"))
    if not str(ds.attrs.get("source", "")).startswith("naryn "):
        fail("source is %r" % ds.attrs.get("source"))
    if ds["time"].dtype.kind != "M":
        fail("time is not decoded as dates: %s" % ds["time"].dtype)
    if len(sys.argv) > 3 and sys.argv[3] == "--only":
        q, node = sys.argv[4], sys.argv[5]
        names = sorted(v for v in ds.data_vars if v.endswith(("_hm3", "_gwh", "_m")))
        if names != [q]:
            fail("expected only %s, got %s" % (q, names))
        if list(ds["node"].values) != [node] or "link" in ds.dims:
            fail("expected only node %s, got %s" % (node, dict(ds.sizes)))
    nodes = pd.read_csv(csv_dir + "/nodes.csv", keep_default_na=False,
                        na_values=[""], parse_dates=["date"])
    nodes = nodes.set_index(["date", "node"])
    # pandas through xarray: one row per step and node, as nodes.csv.
    quantities = [v for v in ds.data_vars if ds[v].dims == ("time", "node")]
    if not quantities and "node" in ds.dims:
        fail("a node dimension without quantities")
    if quantities:
        frame = ds[quantities].to_dataframe()
        frame.index = frame.index.set_names(["date", "node"])
        if len(frame) != len(ds["time"]) * len(ds["node"]):
            fail("the frame has %d rows" % len(frame))
        # The zone and rule flags name what the CSV cells say.
        meanings = {v: ds[v].attrs.get("flag_meanings", "").split()
                    for v in ("zone", "rule") if v in quantities}
        for (date, node), row in frame.iterrows():
            want = nodes.loc[(date, node)]
            for q in quantities:
                if q in meanings:
                    cell = want[q]
                    got = (None if math.isnan(row[q])
                           else meanings[q][int(row[q])].replace("_", " "))
                    name = None if pd.isna(cell) else str(cell).replace("_", " ")
                    if got != name:
                        fail("%s of %s on %s: results.nc has %r, nodes.csv %r"
                             % (q, node, date.date(), got, cell))
                    continue
                if not close(row[q], want[q], q):
                    fail("%s of %s on %s: results.nc has %r, nodes.csv %r"
                         % (q, node, date.date(), row[q], want[q]))
    if "link" in ds.dims:
        links = pd.read_csv(csv_dir + "/links.csv", keep_default_na=False,
                            na_values=[""], parse_dates=["date"])
        links = links.set_index(["date", "link"])
        for v in ("flow_hm3", "loss_hm3"):
            if v not in ds:
                continue
            for (date, link), value in ds[v].to_series().items():
                want = links.loc[(date, link), v]
                if not close(value, want, v):
                    fail("%s of %s on %s: results.nc has %r, links.csv %r"
                         % (v, link, date.date(), value, want))
    # A node's series as an analyst takes it.
    if "storage_end_hm3" in ds and "node" in ds.dims:
        series = ds["storage_end_hm3"].sel(node=ds["node"].values[0]).to_series()
        if len(series) != len(ds["time"]):
            fail("a node's series has %d values" % len(series))
    print("netcdf_check: %s: %d steps, %s; matches the CSV files"
          % (path, len(ds["time"]), ", ".join(sorted(ds.data_vars))[:60]))


main()
