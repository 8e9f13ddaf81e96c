"""Runs from Python: a sensitivity loop over Toktogul's winter release,
progress as a callable, stopping a run (an exception in the callback,
Ctrl-C), and an ensemble."""
import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import BUILD, NARYN_MODEL, TOP, assert_frame_matches, cli, read_csv

RELEASE = "nodes.Toktogul.rules.target.by_storage.release_m3s"
WINTER = (0, 1, 2, 9, 10, 11)  # Jan-Mar and Oct-Dec


def scaled(rows, factor):
    return [[round(v * factor, 6) if i in WINTER else v for i, v in enumerate(row)]
            for row in rows]


def test_sensitivity_loop(naryn, tmp_path):
    m = naryn.load(NARYN_MODEL)
    base = m.get(RELEASE)
    assert len(base) == 2 and len(base[0]) == 12
    unchanged = m.simulate().total("energy_gwh", "KG", "oct-mar", "per_year")
    energy = {}
    for factor in (0.8, 1.0, 1.2):
        m.set(RELEASE, scaled(base, factor))
        energy[factor] = m.simulate().total("energy_gwh", "KG", "oct-mar", "per_year")
    assert energy[1.0] == unchanged
    assert energy[0.8] < energy[1.0] < energy[1.2]
    # The last point as the command line computes it from a scenario file.
    rows = scaled(base, 1.2)
    scen = tmp_path / "winter.yaml"
    scen.write_text("nodes:\n  - name: Toktogul\n    rules:\n      - name: target\n"
                    "        by_storage:\n          release_m3s:\n"
                    + "".join("            - %s\n" % row for row in rows))
    cli("simulate", NARYN_MODEL, "--scenario", scen, "--out", tmp_path / "out", "--quiet")
    assert_frame_matches(m.simulate().summary, tmp_path / "out" / "summary.csv",
                         index_is_date=False)


def test_progress_callable(naryn):
    m = naryn.load(NARYN_MODEL)
    seen = []
    m.simulate(progress=seen.append)
    assert [p.done for p in seen] == list(range(361))
    assert seen[0].phase == "simulate" and seen[-1].total == 360
    assert seen[1].step_date == "2025-10-01"


def test_callback_exception_stops_the_run(naryn):
    m = naryn.load(NARYN_MODEL)

    def stop(p):
        if p.done == 10:
            raise RuntimeError("enough")

    with pytest.raises(RuntimeError, match="enough"):
        m.simulate(progress=stop)
    with pytest.raises(KeyboardInterrupt):
        m.simulate(progress=lambda p: (_ for _ in ()).throw(KeyboardInterrupt())
                   if p.done == 5 else None)
    # The interruption is withdrawn: the next run goes through.
    assert m.simulate().summary.shape[0] > 0


CTRL_C = r"""
import sys, time
sys.path.insert(0, sys.argv[1])
import naryn
m = naryn.load(sys.argv[2])
print("ready", flush=True)
t = time.time()
try:
    while True:
        m.optimise()
except KeyboardInterrupt:
    print("stopped %.2f" % (time.time() - t), flush=True)
    m.simulate()
    print("again", flush=True)
"""


def test_ctrl_c_stops_a_long_run(tmp_path):
    env = dict(os.environ, NARYN_LIBRARY=os.path.join(BUILD, "libnaryn.so.0"))
    p = subprocess.Popen([sys.executable, "-c", CTRL_C, os.path.join(TOP, "python"),
                          NARYN_MODEL], stdout=subprocess.PIPE, text=True, env=env)
    assert p.stdout.readline() == "ready\n"
    time.sleep(0.5)
    sent = time.time()
    p.send_signal(signal.SIGINT)
    out, _ = p.communicate(timeout=20)
    assert time.time() - sent < 2.0
    assert "stopped" in out and "again" in out and p.returncode == 0


def test_ensemble(naryn, tmp_path):
    model = os.path.join(TOP, "examples", "ensemble", "model.yaml")
    members = os.path.join(TOP, "examples", "ensemble", "members.csv")
    cli("ensemble", model, "--members-file", members, "--out", tmp_path, "--quiet")
    e = naryn.load(model).ensemble(members)
    assert e.members == 16 and e.runs == ["base"]
    want = read_csv(tmp_path / "reliability.csv")
    got = e.reliability
    assert list(got["name"]) == list(want["name"])
    assert ((got["reliability"] - want["reliability"]).abs() <= 5e-7).all()
    assert e.yearly().shape[0] > 0


def test_ensemble_from_a_fit(naryn, tmp_path):
    """Members drawn from the built-in fit of synthetic inflows, as
    naryn ensemble --inflows FIT --seed S --members N draws them: the same
    members' figures, and the same files when written."""
    fit = os.path.join(TOP, "models", "naryn", "data", "inflows-fit.yaml")
    cli("ensemble", NARYN_MODEL, "--inflows", fit, "--seed", 7, "--members", 3,
        "--out", tmp_path / "cli", "--quiet")
    e = naryn.load(NARYN_MODEL).ensemble(inflows=fit, seed=7, members=3)
    assert e.members == 3
    want = read_csv(tmp_path / "cli" / "reliability.csv")
    assert ((e.reliability["reliability"] - want["reliability"]).abs() <= 5e-7).all()
    e.write(tmp_path / "py")
    for f in ("members.csv", "reliability.csv", "april.csv", "storage.csv"):
        assert (tmp_path / "py" / f).read_bytes() == (tmp_path / "cli" / f).read_bytes(), f
    with pytest.raises(ValueError):
        naryn.load(NARYN_MODEL).ensemble()
