"""The DataFrames of a run equal the files naryn writes for the same model
(to their printed precision), and result.write writes those files."""
import os

from conftest import CASCADE, NARYN_MODEL, assert_frame_matches, cli, read_csv


def test_simulate_equals_command_line(naryn, tmp_path):
    for model in (CASCADE, NARYN_MODEL):
        out = tmp_path / os.path.basename(os.path.dirname(model))
        cli("simulate", model, "--out", out, "--quiet")
        r = naryn.load(model).simulate()
        assert_frame_matches(r.nodes, out / "nodes.csv")
        assert_frame_matches(r.links, out / "links.csv")
        assert_frame_matches(r.summary, out / "summary.csv", index_is_date=False)
        assert_frame_matches(r.objective, out / "objective.csv", index_is_date=False)


def test_scenario_equals_command_line(naryn, tmp_path):
    cli("simulate", NARYN_MODEL, "--scenario", "energy-mode", "--out", tmp_path, "--quiet")
    m = naryn.load(NARYN_MODEL, scenarios=["energy-mode"])
    assert m.scenario == "energy-mode"
    r = m.simulate()
    assert_frame_matches(r.summary, tmp_path / "summary.csv", index_is_date=False)
    assert_frame_matches(r.nodes, tmp_path / "nodes.csv")


def test_optimise_equals_command_line(naryn, tmp_path):
    cli("optimise", CASCADE, "--out", tmp_path, "--quiet")
    r = naryn.load(CASCADE).optimise()
    assert r.optimised and r.info["converged"]
    assert_frame_matches(r.nodes, tmp_path / "nodes.csv")
    assert_frame_matches(r.objective, tmp_path / "objective.csv", index_is_date=False)
    assert_frame_matches(r.water_values, tmp_path / "water_values.csv")


def test_write_gives_the_command_lines_files(naryn, tmp_path):
    cli("simulate", CASCADE, "--out", tmp_path / "cli", "--quiet")
    r = naryn.load(CASCADE).simulate()
    r.write(tmp_path / "py")
    for name in ("nodes.csv", "links.csv", "summary.csv", "objective.csv"):
        assert (tmp_path / "py" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes()
    assert (tmp_path / "py" / "report.html").exists()


def test_pareto_and_share_equal_command_line(naryn, tmp_path):
    m = naryn.load(CASCADE)
    terms = list(m.terms["term"])
    cli("pareto", CASCADE, "--x", terms[0], "--y", terms[1], "--points", 3,
        "--out", tmp_path / "p", "--quiet")
    p = m.pareto(terms[0], terms[1], points=3)
    want = read_csv(tmp_path / "p" / "pareto.csv")
    want = want[want["point"] != "rules"].reset_index(drop=True)
    want["point"] = want["point"].astype(int)
    got = p.table
    assert list(got.columns) == list(want.columns)
    for col in ("level", "x", "y", "combined"):
        assert ((got[col] - want[col]).abs() <= 5e-3 + 1e-12 * want[col].abs()).all(), col

    cli("share", CASCADE, "--out", tmp_path / "s", "--quiet")
    g = m.share()
    assert g.players == ["UP", "DN"] or sorted(g.players) == ["DN", "UP"]
    alloc = read_csv(tmp_path / "s" / "allocation.csv")
    got = g.allocations
    for _, row in alloc.iterrows():
        mine = got[(got.method == row["method"]) & (got.country == row["country"])]
        for col in ("benefit_per_yr", "baseline_per_yr", "gain_per_yr",
                    "grand_plan_per_yr"):
            assert abs(float(mine[col].iloc[0]) - row[col]) <= 5e-3 + 1e-9 * abs(row[col]), col
    assert_frame_matches(g.grand.summary, tmp_path / "s" / "grand" / "summary.csv",
                         index_is_date=False)


def test_grids_equal_command_line(naryn, tmp_path):
    """The built-in model's grids: the grids frame against grids.csv's rows
    of grids (its line rows aside), and the summary's grid columns (above)."""
    cli("simulate", NARYN_MODEL, "--out", tmp_path, "--quiet")
    g = naryn.load(NARYN_MODEL).simulate().grids
    want = read_csv(tmp_path / "grids.csv")
    assert len(g) > 0
    rows = want[~want["grid"].astype(str).str.startswith("line:")]
    for col in ("demand_gwh", "hydro_gwh", "thermal_gwh", "unserved_gwh"):
        got, exp = list(g[col]), list(rows[col])
        assert len(got) == len(exp)
        assert all(abs(a - b) <= 5e-7 + 1e-12 * abs(b) for a, b in zip(got, exp)), col
