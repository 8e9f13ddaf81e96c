"""Reading and setting model fields by their path: the value set is the
one a scenario file giving it would set, and bad values and paths raise
exceptions carrying the file, line, column and field of the message."""
import os

import pytest

from conftest import NARYN_MODEL, TOP, assert_frame_matches, cli


def test_get_by_path(naryn):
    m = naryn.load(NARYN_MODEL)
    assert m["nodes"]["Toktogul"]["max_storage_hm3"] == 19500
    assert m.get("nodes.Toktogul.max_storage_hm3") == 19500
    assert m.get(["nodes", "Toktogul", "rules", "target", "priority"]) == 1
    assert m["horizon"]["step"] == "monthly"
    rules = m["nodes"]["Toktogul"]["rules"]
    assert isinstance(rules, naryn.Field) and rules.keys() == ["target", "cut", "critical"]
    assert len(m.get("nodes.Toktogul.rules.target.by_storage.release_m3s")) == 2


def test_set_equals_a_scenario_file(naryn, tmp_path):
    m = naryn.load(NARYN_MODEL)
    m["nodes"]["Toktogul"]["max_storage_hm3"] = 19000
    m.set("nodes.Toktogul.initial_storage_hm3", 9000)
    assert m.get("nodes.Toktogul.max_storage_hm3") == 19000
    assert m.changes == {"nodes.Toktogul.max_storage_hm3": 19000,
                         "nodes.Toktogul.initial_storage_hm3": 9000}
    assert m.scenario == ""
    scen = tmp_path / "smaller.yaml"
    scen.write_text("nodes:\n  - {name: Toktogul, max_storage_hm3: 19000,"
                    " initial_storage_hm3: 9000}\n")
    cli("simulate", NARYN_MODEL, "--scenario", scen, "--out", tmp_path / "out", "--quiet")
    r = m.simulate()
    assert_frame_matches(r.summary, tmp_path / "out" / "summary.csv", index_is_date=False)
    # Setting again replaces; unset goes back to the file's value.
    m.set("nodes.Toktogul.max_storage_hm3", 19400)
    assert m.get("nodes.Toktogul.max_storage_hm3") == 19400
    m.unset("nodes.Toktogul.max_storage_hm3")
    assert m.get("nodes.Toktogul.max_storage_hm3") == 19500
    # An earlier result keeps the model it was run on.
    assert r.nodes.shape[0] == 360 * 44


def test_bad_value_raises_with_place(naryn):
    m = naryn.load(NARYN_MODEL)
    with pytest.raises(naryn.ModelError) as e:
        m["nodes"]["Toktogul"]["max_storage_hm3"] = 100
    err = e.value
    assert err.file == "<set nodes.Toktogul.max_storage_hm3>"
    assert err.line == 1 and err.col > 1
    assert err.where == 'reservoir "Toktogul".max_storage_hm3'
    assert err.msg == "expected a value >= min_storage_hm3 (5500), got 100"
    # Every error of the load is there, the zones' tops too, in the model file.
    assert any(d.file.endswith("model.yaml") and "top_hm3" in d.where
               for d in err.diagnostics)
    # The model keeps its values.
    assert m.get("nodes.Toktogul.max_storage_hm3") == 19500
    with pytest.raises(naryn.ModelError) as e:
        m.set("nodes.Toktogul.max_storage_hm3", "a lot")
    assert "got the string \"a lot\"" in e.value.msg
    with pytest.raises(naryn.ModelError) as e:
        m.set("nodes.Toktogull.max_storage_hm3", 19000)
    assert 'did you mean "Toktogul"' in e.value.msg
    assert e.value.file == "<set nodes.Toktogull.max_storage_hm3>"
    with pytest.raises(naryn.ModelError) as e:
        m.set("nodes.Toktogul.max_storage", 19000)
    assert e.value.where == 'reservoir "Toktogul"' and e.value.line == 1
    assert e.value.msg.endswith('got unknown field "max_storage"')


def test_bad_path_raises_with_place(naryn):
    m = naryn.load(NARYN_MODEL)
    with pytest.raises(naryn.FieldError) as e:
        m["nodes"]["Toktogul"]["max_storage"]
    err = e.value
    assert err.file.endswith("models/naryn/model.yaml")
    assert err.line == 81 and err.where == "nodes.Toktogul"
    assert 'did you mean "max_storage_hm3"' in err.msg
    assert isinstance(err, KeyError)
    with pytest.raises(naryn.FieldError):
        m.get("nodes.Nowhere")
    with pytest.raises(naryn.FieldError):
        m.set("nodes.Toktogul.max_storage_hm3.x", 1)


def test_warnings_are_python_warnings(naryn):
    m = naryn.load(NARYN_MODEL)
    with pytest.warns(naryn.NarynWarning) as w:
        m.set("nodes.Toktogul.zones.critical.rules", ["cut"])
    d = w[0].message.diagnostic
    assert d.severity == "warning" and "never applies" in d.msg
    assert d.file.endswith("model.yaml") and d.line > 0
    with pytest.warns(naryn.NarynWarning):
        assert len(m.check()) == 1


def test_check_warns_of_implausible_magnitudes(naryn):
    """A demand set past all the water that can reach it: check() warns as
    naryn check does, and check(strict=True) refuses, as --strict does."""
    m = naryn.load(os.path.join(TOP, "tests", "bad", "355-demand-more-than-reaches-it", "model.yaml"))
    with pytest.warns(naryn.NarynWarning):
        w = m.check()
    assert len(w) == 1 and "946.08 hm3 wanted" in w[0].msg
    assert w[0].where == 'demand "Farms".demand_m3s' and w[0].line == 7
    with pytest.raises(naryn.ModelError) as e, pytest.warns(naryn.NarynWarning):
        m.check(strict=True)
    assert e.value.line == 7 and "can reach it" in e.value.msg
    m.set("nodes.Farms.demand_m3s", 10)
    assert m.check(strict=True) == []
