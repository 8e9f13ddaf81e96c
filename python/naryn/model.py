"""A model loaded through libnaryn, whose fields can be read and set by
their path, and its runs: check, simulate, optimise, pareto, share and
ensemble."""
import copy
import ctypes
import json
import math
import os

import pandas as pd

from . import _lib
from ._call import Diags, Hook, call
from .errors import FieldError, ModelError
from . import results

lib = _lib.lib
STEP_SOLVERS = {"auto": 0, "clp": 1}


def builtin_model():
    """The path of the built-in Naryn-Syr Darya model: in the source tree
    beside the package, else where make install put it."""
    here = os.path.dirname(os.path.abspath(__file__))
    for p in (os.path.join(here, os.pardir, os.pardir, "models", "naryn", "model.yaml"),
              "/usr/local/share/naryn/models/naryn/model.yaml",
              "/usr/share/naryn/models/naryn/model.yaml"):
        if os.path.exists(p):
            return os.path.normpath(p)
    raise FileNotFoundError("naryn: the built-in model is not installed; "
                            "give the path of a model")


def load(path=None, scenarios=(), weights=None):
    """Reads, resolves and checks a model (JSON or YAML) and the CSV files
    it names, with scenario files merged over it in order (a name that is
    not a file is the model's own scenarios/NAME.yaml), as naryn check does.
    weights maps objective terms to weights. Raises ModelError (or
    FileError) with every problem found; warnings are Python warnings."""
    return Model(path, scenarios, weights)


def _jsonable(v):
    """Python value for json: numpy numbers and arrays, pandas series."""
    if hasattr(v, "tolist"):
        return v.tolist()
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, float) and not math.isfinite(v):
        raise ValueError("naryn: expected a finite number, got %r" % v)
    return v


def _steps(path):
    if isinstance(path, (list, tuple)):
        return [str(p) for p in path]
    return [] if path == "" else str(path).split(".")


def _keyed(items):
    return all(isinstance(x, dict) and ("name" in x or ("from" in x and "to" in x))
               for x in items)


class _Handle:
    """A loaded C model, freed when nothing refers to it any more: the
    results of a run keep the model they were run on, even after the
    Model has been changed (and so loaded again)."""

    def __init__(self, p):
        self.p = p

    def __del__(self):
        if self.p:
            lib.naryn_model_free(self.p)
            self.p = None


class Field:
    """A part of the model document (an object or a list) found by its path:
    index it further, read its value, or set a field in it."""

    def __init__(self, model, steps):
        self._model, self._steps = model, list(steps)

    @property
    def path(self):
        return ".".join(self._steps)

    @property
    def value(self):
        return self._model.get(self._steps)

    def __getitem__(self, key):
        return self._model._item(self._steps + [str(key)])

    def __setitem__(self, key, value):
        self._model.set(self._steps + [str(key)], value)

    def keys(self):
        v = self.value
        return list(v) if isinstance(v, dict) else \
            [x.get("name", i) if isinstance(x, dict) else i for i, x in enumerate(v)]

    def __iter__(self):
        return iter(self.keys())

    def __len__(self):
        return len(self.value)

    def __contains__(self, key):
        return str(key) in [str(k) for k in self.keys()]

    def __repr__(self):
        return "<naryn field %s: %s>" % (self.path or "(model)",
                                          json.dumps(self.value)[:200])


class Model:
    """A loaded model (see load). Fields are read and set by their path:
    m["nodes"]["Toktogul"]["max_storage_hm3"] = 19000, or
    m.set("nodes.Toktogul.max_storage_hm3", 19000); each change is merged
    over the files as a scenario would be and the model is read and
    checked again at once, so that a bad value raises ModelError naming
    "<set PATH>" and the field."""

    def __init__(self, path=None, scenarios=(), weights=None):
        self.path = os.fspath(path) if path is not None else builtin_model()
        if isinstance(scenarios, (str, os.PathLike)):
            scenarios = [scenarios]
        self.scenarios = [self._scenario_file(s) for s in scenarios]
        self._sets = {}          # path -> (name, text, value), in order
        self._weights = dict(weights or {})
        self._handle = None
        self._reload()

    def _scenario_file(self, s):
        s = os.fspath(s)
        if os.path.exists(s):
            return s
        own = os.path.join(os.path.dirname(self.path), "scenarios", s + ".yaml")
        return own if os.path.exists(own) else s

    def _reload(self):
        files, nf = _lib.strings(self.scenarios)
        texts, nt = _lib.strings([t for (_, t, _) in self._sets.values()])
        names, _ = _lib.strings([n for (n, _, _) in self._sets.values()])
        m = _lib.P()
        with Diags() as d:
            call(lib.naryn_model_load_texts, _lib.b(self.path), files, nf, texts,
                 names, nt, ctypes.byref(m), d=d)
        try:
            for term, w in self._weights.items():
                with Diags() as d:
                    call(lib.naryn_model_set_weight, m, _lib.b(term), float(w), d=d)
        except BaseException:
            lib.naryn_model_free(m)
            raise
        self._handle = _Handle(m)

    @property
    def _m(self):
        return self._handle.p

    # ---- Fields ------------------------------------------------------

    def get(self, path=""):
        """The value of a field of the merged model document (the files,
        scenarios and every set) as Python data: path "nodes.Toktogul.
        max_storage_hm3" (items of lists by name or 0-based index), or a
        list of steps. Raises FieldError where the path names nothing."""
        p = _lib.b(".".join(_steps(path)))
        n = ctypes.c_size_t(0)
        with Diags() as d:
            call(lib.naryn_model_field, self._m, p, None, 0, ctypes.byref(n), d=d,
                 error=FieldError)
            buf = ctypes.create_string_buffer(n.value + 1)
            call(lib.naryn_model_field, self._m, p, buf, n.value + 1, ctypes.byref(n),
                 d=d, error=FieldError)
        return json.loads(buf.value.decode("utf-8"))

    def _item(self, steps):
        v = self.get(steps)
        return Field(self, steps) if isinstance(v, (dict, list)) else v

    def __getitem__(self, key):
        return self._item([str(key)])

    def __setitem__(self, key, value):
        self.set([str(key)], value)

    def keys(self):
        return list(self.get(""))

    def _overlay(self, node, steps, value, done):
        """The overlay document that sets steps under node to value."""
        if not steps:
            return value
        step, rest = steps[0], steps[1:]
        here = done + [step]
        if isinstance(node, list):
            idx = next((i for i, x in enumerate(node)
                        if isinstance(x, dict) and str(x.get("name")) == step), None)
            if idx is None and step.isdigit() and int(step) < len(node):
                idx = int(step)
            if idx is None and _keyed(node) and not step.isdigit():
                # An item the model does not have: the reader says so (or
                # adds it, when it is given a type).
                sub = self._overlay(None, rest, value, here)
                if not isinstance(sub, dict):
                    raise ValueError("naryn: %s: expected an object for an item "
                                     "of the list, got %r" % (".".join(here), sub))
                return [dict({"name": step}, **sub)]
            if idx is None:
                self.get(here)  # raises the library's FieldError
            item = node[idx]
            if not _keyed(node):
                # A list merged whole: the whole list, with the change made.
                new = copy.deepcopy(node)
                new[idx] = self._apply(item, rest, value)
                return new
            ident = ({"name": item["name"]} if "name" in item
                     else {"from": item["from"], "to": item["to"]})
            sub = self._overlay(item, rest, value, here)
            if not isinstance(sub, dict):
                raise ValueError(
                    "naryn: %s: expected an object for an item of the list, got %r"
                    % (".".join(here), sub))
            return [dict(ident, **sub)]
        if isinstance(node, dict) or node is None:
            child = node.get(step) if isinstance(node, dict) else None
            return {step: self._overlay(child, rest, value, here)}
        self.get(here)  # a value has no fields: raises FieldError
        raise FieldError([], _lib.EARG)

    def _apply(self, node, steps, value):
        if not steps:
            return value
        node = copy.deepcopy(node)
        step = steps[0]
        if isinstance(node, list):
            i = next((i for i, x in enumerate(node)
                      if isinstance(x, dict) and str(x.get("name")) == step), None)
            i = int(step) if i is None else i
            node[i] = self._apply(node[i], steps[1:], value)
        else:
            node[step] = self._apply(node.get(step), steps[1:], value)
        return node

    def set(self, path, value):
        """Sets a field by its path, as a scenario file giving that field
        would, and reads and checks the model again. Setting the same path
        again replaces the earlier value. Raises ModelError (the model
        keeps its previous values) or FieldError."""
        steps = _steps(path)
        if not steps:
            raise ValueError("naryn: set: expected the path of a field, got none")
        key = ".".join(steps)
        value = _jsonable(value)
        text = json.dumps(self._overlay(self.get(""), steps, value, []),
                          ensure_ascii=False, allow_nan=False)
        old = self._sets.pop(key, None)
        self._sets[key] = ("<set %s>" % key, text, value)
        try:
            self._reload()
        except BaseException:
            del self._sets[key]
            if old is not None:
                self._sets[key] = old
            raise

    def unset(self, path=None):
        """Withdraws the value set at path (every set value when None)."""
        if path is None:
            self._sets.clear()
        else:
            self._sets.pop(".".join(_steps(path)), None)
        self._reload()

    @property
    def changes(self):
        """The values set, by path, in the order they apply."""
        return {k: v for k, (_, _, v) in self._sets.items()}

    def set_weight(self, term, weight):
        """Sets an objective term's weight (as --weight TERM=W does)."""
        self._weights[term] = weight
        try:
            self._reload()
        except BaseException:
            del self._weights[term]
            raise

    # ---- What the model is -------------------------------------------

    @property
    def name(self):
        return _lib.s(lib.naryn_model_name(self._m))

    @property
    def scenario(self):
        return _lib.s(lib.naryn_model_scenario(self._m))

    @property
    def currency(self):
        return _lib.s(lib.naryn_model_currency(self._m))

    @property
    def steps(self):
        return lib.naryn_model_steps(self._m)

    @property
    def dates(self):
        """The first day of every step, as a DatetimeIndex named date."""
        return pd.DatetimeIndex(
            [_lib.s(lib.naryn_model_step_date(self._m, t)) for t in range(self.steps)],
            name="date")

    @property
    def nodes(self):
        m = self._m
        n = lib.naryn_model_node_count(m)
        return pd.DataFrame({
            "node": [_lib.s(lib.naryn_model_node_name(m, i)) for i in range(n)],
            "type": [_lib.s(lib.naryn_node_type_name(lib.naryn_model_node_type(m, i)))
                     for i in range(n)],
            "country": [_lib.s(lib.naryn_model_node_country(m, i)) for i in range(n)]})

    @property
    def links(self):
        m = self._m
        n = lib.naryn_model_link_count(m)
        name = lambda i: _lib.s(lib.naryn_model_node_name(m, i))  # noqa: E731
        return pd.DataFrame({
            "link": [_lib.s(lib.naryn_model_link_name(m, k)) for k in range(n)],
            "from": [name(lib.naryn_model_link_from(m, k)) for k in range(n)],
            "to": [name(lib.naryn_model_link_to(m, k)) for k in range(n)]})

    @property
    def terms(self):
        m = self._m
        n = lib.naryn_model_term_count(m)
        return pd.DataFrame({
            "term": [_lib.s(lib.naryn_model_term_name(m, k)) for k in range(n)],
            "kind": [_lib.s(lib.naryn_model_term_kind(m, k)) for k in range(n)],
            "weight": [lib.naryn_model_term_weight(m, k) for k in range(n)]})

    @property
    def scenario_names(self):
        """The scenarios the model ships with (its "scenarios" field)."""
        return [_lib.s(lib.naryn_model_scenario_name(self._m, i))
                for i in range(lib.naryn_model_scenario_count(self._m))]

    def __repr__(self):
        return "<naryn model %s%s: %d nodes, %d steps>" % (
            self.name, " (%s)" % self.scenario if self.scenario else "",
            lib.naryn_model_node_count(self._m), self.steps)

    # ---- Runs ----------------------------------------------------------

    def check(self, strict=False):
        """Reads the files again and checks the model as naryn check does,
        with its warnings of implausible magnitudes (a demand wanting more
        than all the water that can reach it, an inflow a thousand times
        the model's others, a CSV column named for the other unit).
        Returns the warnings (as Diagnostics; each is also a Python
        warning); raises ModelError when the model is not valid, and with
        strict=True also when there is such a warning, as
        naryn check --strict refuses the model."""
        m = _lib.P()
        files, nf = _lib.strings(self.scenarios)
        texts, nt = _lib.strings([t for (_, t, _) in self._sets.values()])
        names, _ = _lib.strings([n for (n, _, _) in self._sets.values()])
        with Diags() as d:
            diags = call(lib.naryn_model_load_texts, _lib.b(self.path), files, nf,
                         texts, names, nt, ctypes.byref(m), d=d)
        try:
            count = ctypes.c_int(0)
            with Diags() as d:
                implausible = call(lambda dd: lib.naryn_model_plausible(m, dd, ctypes.byref(count)),
                                   d=d)
        finally:
            lib.naryn_model_free(m)
        if strict and count.value > 0:
            raise ModelError(implausible, _lib.EMODEL)
        return [g for g in diags + implausible if g.severity == "warning"]

    def simulate(self, progress=None, step_solver="auto", max_iterations=None,
                 settle_tolerance=None, balance_tolerance=None):
        """Steps through the horizon as naryn simulate does. progress, a
        callable, receives a naryn.Progress before the first step and after
        each. Returns a Result (its DataFrames: nodes, links, summary,
        objective); writes nothing unless result.write(dir) is called."""
        o = _lib.SimOpts()
        lib.naryn_sim_opts_init(ctypes.byref(o))
        if max_iterations is not None:
            o.max_iterations = int(max_iterations)
        if settle_tolerance is not None:
            o.settle_tolerance = float(settle_tolerance)
        if balance_tolerance is not None:
            o.balance_tolerance = float(balance_tolerance)
        o.step_solver = STEP_SOLVERS[step_solver]
        hook = Hook(progress)
        o.progress = hook.c
        r = _lib.P()
        with Diags() as d:
            call(lib.naryn_simulate, self._m, ctypes.byref(o), ctypes.byref(r), d=d,
                 hook=hook, threaded=True)
        return results.Result(self, r)

    def _opt_opts(self, progress, max_passes, tolerance, write_lp):
        o = _lib.OptOpts()
        lib.naryn_opt_opts_init(ctypes.byref(o))
        if max_passes is not None:
            o.max_passes = int(max_passes)
        if tolerance is not None:
            o.tolerance = float(tolerance)
        o.write_lp = _lib.b(write_lp)
        hook = Hook(progress)
        o.progress = hook.c
        return o, hook

    def optimise(self, progress=None, max_passes=None, tolerance=None, write_lp=None):
        """The best plan with perfect foresight, as naryn optimise finds
        it. Returns a Result, with water_values and plants besides."""
        o, hook = self._opt_opts(progress, max_passes, tolerance, write_lp)
        r = _lib.P()
        with Diags() as d:
            call(lib.naryn_optimise, self._m, ctypes.byref(o), ctypes.byref(r), d=d,
                 hook=hook, threaded=True)
        return results.Result(self, r)

    optimize = optimise

    def pareto(self, x, y, points=5, progress=None, max_passes=None, tolerance=None):
        """The trade-off between objective terms x and y, as naryn pareto
        traces it: a Pareto whose table has a row per point reached."""
        o, hook = self._opt_opts(progress, max_passes, tolerance, None)
        pts = ctypes.POINTER(_lib.P)()
        with Diags() as d:
            call(lib.naryn_pareto, self._m, ctypes.byref(o), _lib.b(x), _lib.b(y),
                 int(points), ctypes.byref(pts), d=d, hook=hook, threaded=True)
        return results.Pareto(self, x, y, pts, int(points))

    def share(self, jobs=0, order=None, progress=None, max_passes=None,
              tolerance=None):
        """What each country gains from cooperation, as naryn share
        computes it. Returns a Game."""
        o = _lib.ShareOpts()
        lib.naryn_share_opts_init(ctypes.byref(o))
        if max_passes is not None:
            o.opt.max_passes = int(max_passes)
        if tolerance is not None:
            o.opt.tolerance = float(tolerance)
        o.jobs = int(jobs)
        keep = None
        if order:
            keep, n = _lib.strings(order)
            o.order, o.norder = ctypes.cast(keep, ctypes.POINTER(ctypes.c_char_p)), n
        hook = Hook(progress)
        o.progress = hook.c
        g = _lib.P()
        with Diags() as d:
            call(lib.naryn_share, self._m, ctypes.byref(o), ctypes.byref(g), d=d,
                 hook=hook, threaded=True)
        return results.Game(self, g)

    def ensemble(self, members_file=None, members=None, jobs=0, energy_targets=None,
                 april_levels=None, name=None, progress=None, inflows=None, seed=0,
                 climate=()):
        """The model simulated once per member, as naryn ensemble does
        (doc/ensembles.md): the members of a members file (the first
        `members` of them when given), or with inflows=FIT.yaml the members
        0 to members - 1 of the ensemble of `seed` drawn from that fit of
        synthetic inflows (doc/inflows.md) with any climate files, as
        naryn ensemble --inflows FIT --seed S --members N [--climate FILE]
        does. energy_targets maps country codes to winter GWh,
        april_levels reservoirs to hm3 (for the built-in model, Toktogul at
        6,500 hm3 unless given, as the command does). Returns an Ensemble."""
        if (members_file is None) == (inflows is None):
            raise ValueError("expected either a members file or inflows=FIT.yaml")
        h = self._handle.p
        if april_levels is None and _lib.s(lib.naryn_model_name(h)) == "naryn-syr-darya" and \
                lib.naryn_model_node_index(h, b"Toktogul") >= 0:
            # The command's default for the built-in model.
            april_levels = {"Toktogul": 6500.0}
        return results.run_ensemble(self, members_file, members, jobs,
                                    energy_targets or {}, april_levels or {},
                                    name or self.scenario or "base", progress,
                                    inflows=inflows, seed=seed, climate=climate)
