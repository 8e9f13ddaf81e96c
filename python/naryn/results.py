"""The results of runs as pandas DataFrames, in the layout of the files
naryn writes (doc/results.md): a DatetimeIndex "date" for the per-step
tables and the files' columns, units in their names. Values are the
library's, at full precision; the files print them rounded (volumes and
energy to six decimals, flows, levels and heads to four, objective values
to two). Nothing is written unless write() is called."""
import ctypes
import math

import pandas as pd

from . import _lib
from ._call import Diags, Hook, call

lib = _lib.lib
NaN = float("nan")

# nodes.csv's quantities, in its order (naryn_quantity values).
NODE_COLUMNS = [0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 6, 11, 12, 13]


class Result:
    """A run (simulate, optimise, a pareto point, a game's plan). The
    DataFrames are made when first asked for."""

    def __init__(self, model, r, owner=None):
        self.model = model
        self._handle = model._handle      # the C model the result refers to
        self._r = r
        self._owner = owner               # whoever frees r, when not us
        self._cache = {}

    def __del__(self):
        if getattr(self, "_owner", True) is None and self._r:
            lib.naryn_result_free(self._r)
            self._r = None

    def _m(self):
        return self._handle.p

    def _dates(self):
        m = self._m()
        return [_lib.s(lib.naryn_model_step_date(m, t))
                for t in range(lib.naryn_model_steps(m))]

    def _names(self, count, name):
        m = self._m()
        return [_lib.s(name(m, i)) for i in range(count(m))]

    @property
    def optimised(self):
        return bool(lib.naryn_result_is_optimised(self._r))

    @property
    def nodes(self):
        """nodes.csv: a row per step and node."""
        if "nodes" not in self._cache:
            m, r = self._m(), self._r
            get, zone, rule = lib.naryn_result_node, lib.naryn_result_zone, \
                lib.naryn_result_rule
            dates = self._dates()
            nn = lib.naryn_model_node_count(m)
            names = self._names(lib.naryn_model_node_count, lib.naryn_model_node_name)
            countries = self._names(lib.naryn_model_node_count,
                                    lib.naryn_model_node_country)
            types = [_lib.s(lib.naryn_node_type_name(lib.naryn_model_node_type(m, i)))
                     for i in range(nn)]
            cols = {q: [] for q in NODE_COLUMNS}
            zones, rules = [], []
            for t in range(len(dates)):
                for i in range(nn):
                    for q in NODE_COLUMNS:
                        cols[q].append(get(r, q, i, t))
                    z, u = zone(r, i, t), rule(r, i, t)
                    zones.append(_lib.s(z) if z is not None else None)
                    rules.append(_lib.s(u) if u is not None else None)
            df = pd.DataFrame({"node": names * len(dates), "country": countries * len(dates),
                               "type": types * len(dates)},
                              index=pd.DatetimeIndex([d for d in dates for _ in range(nn)],
                                                     name="date"))
            for q in NODE_COLUMNS:
                df[_lib.s(lib.naryn_quantity_name(q))] = cols[q]
            df["zone"], df["rule"] = zones, rules
            self._cache["nodes"] = df
        return self._cache["nodes"]

    def node(self, name):
        """The rows of one node, indexed by date."""
        n = self.nodes
        return n[n["node"] == name]

    @property
    def links(self):
        """links.csv: a row per step and link: flow leaving its head
        (hm3 and m3/s) and the part lost on the way."""
        if "links" not in self._cache:
            m, r = self._m(), self._r
            dates = self._dates()
            nl = lib.naryn_model_link_count(m)
            nname = lambda i: _lib.s(lib.naryn_model_node_name(m, i))  # noqa: E731
            names = self._names(lib.naryn_model_link_count, lib.naryn_model_link_name)
            frm = [nname(lib.naryn_model_link_from(m, k)) for k in range(nl)]
            to = [nname(lib.naryn_model_link_to(m, k)) for k in range(nl)]
            flow, m3s, loss = [], [], []
            for t in range(len(dates)):
                sec = lib.naryn_model_step_seconds(m, t)
                for k in range(nl):
                    q = lib.naryn_result_link_flow_hm3(r, k, t)
                    flow.append(q)
                    m3s.append(q * 1e6 / sec)
                    loss.append(lib.naryn_result_link_loss_hm3(r, k, t))
            n = len(dates)
            self._cache["links"] = pd.DataFrame(
                {"link": names * n, "from": frm * n, "to": to * n, "flow_hm3": flow,
                 "flow_m3s": m3s, "loss_hm3": loss},
                index=pd.DatetimeIndex([d for d in dates for _ in range(nl)], name="date"))
        return self._cache["links"]

    @property
    def countries(self):
        return [_lib.s(lib.naryn_result_country(self._r, i))
                for i in range(lib.naryn_result_country_count(self._r))]

    @property
    def years(self):
        return lib.naryn_result_years(self._r)

    @property
    def summary(self):
        """summary.csv: totals and yearly means by country (then "all")
        and season."""
        if "summary" not in self._cache:
            r, years, rows = self._r, self.years, []
            for c in self.countries + [None]:
                for season in range(_lib.SEASON_COUNT):
                    s = _lib.Summary()
                    lib.naryn_result_summary(r, _lib.b(c), season, ctypes.byref(s))
                    for stat in ("total", "per_year"):
                        row = {"country": "all" if c is None else c,
                               "season": _lib.s(lib.naryn_season_name(season)),
                               "statistic": stat}
                        for f in _lib.SUMMARY_FIELDS:
                            v = getattr(s, f)
                            if stat == "per_year":
                                v = NaN if f == "max_residual_hm3" or years <= 0 else v / years
                            row[f] = v
                        row.update(self._grid_sums(c, season, 1.0 if stat == "total" else years))
                        rows.append(row)
            self._cache["summary"] = pd.DataFrame(rows)
        return self._cache["summary"]

    def _grid_sums(self, country, season, per):
        """The grid_* columns summary.csv adds for a model with grids: the
        totals of the country's grid (of every grid for None) over per; NaN
        for a country without a grid."""
        r, n = self._r, lib.naryn_result_grid_count(self._r)
        if n == 0:
            return {}
        total, one, found = [0.0] * _lib.G_COUNT, (ctypes.c_double * _lib.G_COUNT)(), False
        for g in range(n):
            if country is not None and _lib.s(lib.naryn_result_grid_country(r, g)) != country:
                continue
            lib.naryn_result_grid_summary(r, g, season, one)
            total = [a + b for a, b in zip(total, one)]
            found = True
        return {"grid_" + _lib.s(lib.naryn_grid_quantity_name(q)):
                (total[q] / per if found and per > 0 else NaN) for q in _lib.GRID_SUMMARY}

    @property
    def grids(self):
        """grids.csv's rows of each grid and step (an empty frame for a
        model without grids): a "date" DatetimeIndex, the grid, and its
        figures."""
        if "grids" not in self._cache:
            r, rows = self._r, []
            n = lib.naryn_result_grid_count(r)
            names = [_lib.s(lib.naryn_grid_quantity_name(q)) for q in range(_lib.G_COUNT)]
            for t, date in enumerate(self._dates()):
                for g in range(n):
                    row = {"date": date, "grid": _lib.s(lib.naryn_result_grid_name(r, g))}
                    for q in range(_lib.G_COUNT):
                        row[names[q]] = lib.naryn_result_grid(r, g, t, q)
                    rows.append(row)
            frame = pd.DataFrame(rows)
            self._cache["grids"] = frame.set_index("date") if rows else frame
        return self._cache["grids"]

    def total(self, field, country="all", season="all", statistic="total"):
        """One figure of the summary, e.g. total("energy_gwh", "KG", "oct-mar")."""
        s = self.summary
        row = s[(s.country == country) & (s.season == season) & (s.statistic == statistic)]
        if len(row) != 1:
            raise KeyError("naryn: no summary row for country %r, season %r" %
                           (country, season))
        return float(row[field].iloc[0])

    @property
    def objective(self):
        """objective.csv: every objective term per country, and the
        combined objective."""
        if "objective" not in self._cache:
            m, r, years, rows = self._m(), self._r, self.years, []
            cur = _lib.s(lib.naryn_model_currency(m))
            for k in range(lib.naryn_model_term_count(m)):
                for c in self.countries + [None]:
                    v = lib.naryn_result_term(r, k, _lib.b(c))
                    rows.append({"term": _lib.s(lib.naryn_model_term_name(m, k)),
                                 "kind": _lib.s(lib.naryn_model_term_kind(m, k)),
                                 "weight": lib.naryn_model_term_weight(m, k),
                                 "country": "all" if c is None else c, "value": v,
                                 "value_per_year": v / years if years > 0 else NaN,
                                 "currency": cur,
                                 "confidence": _lib.s(lib.naryn_model_term_confidence(m, k)),
                                 "source": _lib.s(lib.naryn_model_term_source(m, k))})
            v = lib.naryn_result_objective(r)
            rows.append({"term": "combined", "kind": "weighted benefits less costs",
                         "weight": NaN, "country": "all", "value": v,
                         "value_per_year": v / years if years > 0 else NaN,
                         "currency": cur, "confidence": "", "source": ""})
            self._cache["objective"] = pd.DataFrame(rows)
        return self._cache["objective"]

    @property
    def value(self):
        """The combined objective, in the model's currency."""
        return lib.naryn_result_objective(self._r)

    @property
    def water_values(self):
        """water_values.csv, for an optimised result (else None)."""
        if not self.optimised:
            return None
        m, r, rows, idx = self._m(), self._r, [], []
        for t, date in enumerate(self._dates()):
            for i in range(lib.naryn_model_node_count(m)):
                v = lib.naryn_result_water_value(r, i, t)
                if math.isnan(v):
                    continue
                idx.append(date)
                rows.append({"node": _lib.s(lib.naryn_model_node_name(m, i)),
                             "country": _lib.s(lib.naryn_model_node_country(m, i)),
                             "storage_end_hm3": lib.naryn_result_node(r, 1, i, t),
                             "water_value_per_hm3": v})
        return pd.DataFrame(rows, index=pd.DatetimeIndex(idx, name="date"))

    @property
    def info(self):
        """Some of run.csv's figures."""
        r = self._r
        node, step = ctypes.c_int(-1), ctypes.c_int(-1)
        res = lib.naryn_result_max_residual_hm3(r, ctypes.byref(node), ctypes.byref(step))
        out = {"model": self.model.name, "scenario": _lib.s(lib.naryn_model_scenario(self._m())),
               "mode": "optimise" if self.optimised else "simulate",
               "steps": lib.naryn_model_steps(self._m()), "years": self.years,
               "lp_solves": lib.naryn_result_solves(r),
               "lp_iterations": lib.naryn_result_iterations(r),
               "max_residual_hm3": res,
               "max_residual_relative": lib.naryn_result_max_residual_rel(r),
               "system_residual_hm3": lib.naryn_result_system_residual_hm3(r),
               "objective": self.value}
        if self.optimised:
            out["passes"] = lib.naryn_result_passes(r)
            out["converged"] = bool(lib.naryn_result_converged(r))
            level = lib.naryn_result_pareto_level(r)
            if not math.isnan(level):
                out["pareto_level"] = level
        return out

    def write(self, dir, command=None):
        """Writes the run's files and report.html into dir, as naryn
        simulate --out DIR does (the folder appears whole or not at all)."""
        if command is not None:
            lib.naryn_result_set_command(self._r, _lib.b(command))
        with Diags() as d:
            call(lib.naryn_result_write, self._r, _lib.b(dir), d=d, threaded=True)

    def __repr__(self):
        return "<naryn %s result of %s: objective %.6g %s>" % (
            self.info["mode"], self.model.name, self.value, self.model.currency)


class Pareto:
    """The points of a trade-off curve (Model.pareto). points holds a
    Result per point (None where a level could not be reached); table is
    pareto.csv without the rules' row."""

    def __init__(self, model, x, y, pts, n):
        self.model, self.x, self.y = model, x, y
        self._pts, self._n = pts, n
        self.points = [Result(model, pts[i], owner=self) if pts[i] else None
                       for i in range(n)]

    def __del__(self):
        if getattr(self, "_pts", None):
            for i in range(self._n):
                if self._pts[i]:
                    lib.naryn_result_free(self._pts[i])
            libc_free(self._pts)
            self._pts = None

    @property
    def table(self):
        m = self.model
        terms = list(m.terms["term"])
        kx, ky = terms.index(self.x), terms.index(self.y)
        rows = []
        for i, p in enumerate(self.points):
            if p is None:
                continue
            r = p._r
            row = {"point": i + 1, "level": lib.naryn_result_pareto_level(r),
                   "x_term": self.x, "x": lib.naryn_result_term(r, kx, None),
                   "y_term": self.y, "y": lib.naryn_result_term(r, ky, None)}
            for k, t in enumerate(terms):
                row[t] = lib.naryn_result_term(r, k, None)
            row["combined"] = lib.naryn_result_objective(r)
            row["currency"] = m.currency
            row["plan"] = "point-%02d" % (i + 1)
            rows.append(row)
        return pd.DataFrame(rows)

    def write(self, dir, rules=None):
        """Writes the curve as naryn pareto --out DIR does; rules, a
        simulated Result of the same model, is marked on it."""
        with Diags() as d:
            call(lib.naryn_pareto_write, self.model._handle.p, self._pts, self._n,
                 rules._r if rules is not None else None, _lib.b(self.x),
                 _lib.b(self.y), _lib.b(dir), d=d, threaded=True)


def _libc_free():
    libc = ctypes.CDLL(None)
    libc.free.argtypes = [ctypes.c_void_p]
    libc.free.restype = None
    return lambda p: libc.free(ctypes.cast(p, ctypes.c_void_p))


libc_free = _libc_free()


class Game:
    """A benefit-sharing game (Model.share): players, coalition values,
    allocations, and the baseline and grand-coalition plans."""

    def __init__(self, model, g):
        self.model, self._g = model, g
        self._handle = model._handle
        self.baseline = Result(model, lib.naryn_game_baseline_plan(g), owner=self)
        self.grand = Result(model, lib.naryn_game_grand_plan(g), owner=self)

    def __del__(self):
        if getattr(self, "_g", None):
            lib.naryn_game_free(self._g)
            self._g = None

    @property
    def players(self):
        return [_lib.s(lib.naryn_game_player(self._g, i))
                for i in range(lib.naryn_game_player_count(self._g))]

    @property
    def coalitions(self):
        """Every coalition's value v(S), currency per year."""
        p = self.players
        rows = []
        for mask in range(1, 1 << len(p)):
            rows.append({"coalition": "+".join(x for i, x in enumerate(p) if mask >> i & 1),
                         "size": bin(mask).count("1"),
                         "value": lib.naryn_game_value(self._g, mask)})
        return pd.DataFrame(rows)

    @property
    def allocations(self):
        """Each country's benefit under each allocation (method), with its
        baseline, gain, benefit in the grand plan and the transfer that
        brings it there, in currency per year: columns of allocation.csv."""
        rows = []
        for a in range(_lib.ALLOC_COUNT):
            for i, c in enumerate(self.players):
                benefit = lib.naryn_game_allocation(self._g, a, i)
                base = lib.naryn_game_allocation(self._g, 0, i)
                plan = lib.naryn_game_allocation(self._g, 1, i)
                rows.append({"method": _lib.s(lib.naryn_allocation_name(a)),
                             "country": c, "benefit_per_yr": benefit,
                             "baseline_per_yr": base, "gain_per_yr": benefit - base,
                             "grand_plan_per_yr": plan,
                             "transfer_per_yr": benefit - plan})
        return pd.DataFrame(rows)

    @property
    def core_empty(self):
        return bool(lib.naryn_game_core_empty(self._g))

    def write(self, dir):
        """Writes the game as naryn share --out DIR does."""
        with Diags() as d:
            call(lib.naryn_game_write, self._g, _lib.b(dir), d=d, threaded=True)


class Ensemble:
    """The runs of a model over inflow members (Model.ensemble)."""

    def __init__(self, model, e, mb, fit=None):
        # Members drawn from a fit borrow it: the fit is freed after them.
        self.model, self._e, self._mb, self._fit = model, e, mb, fit

    def __del__(self):
        if getattr(self, "_e", None):
            lib.naryn_ensemble_free(self._e)
            lib.naryn_members_free(self._mb)
            if self._fit:
                lib.naryn_inflow_fit_free(self._fit)
            self._e = None

    @property
    def members(self):
        return lib.naryn_ensemble_members(self._e)

    @property
    def runs(self):
        return [_lib.s(lib.naryn_ensemble_run_name(self._e, k))
                for k in range(lib.naryn_ensemble_run_count(self._e))]

    def yearly(self, countries=None):
        """Yearly figures over every member and water year, by run,
        country ("all" for all) and season: n, mean and percentiles."""
        rows = []
        countries = countries if countries is not None else \
            sorted(set(self.model.nodes["country"]) - {""})
        for k, run in enumerate(self.runs):
            for c in list(countries) + [None]:
                for season in range(_lib.SEASON_COUNT):
                    for q in ("energy_gwh", "delivered_hm3", "shortage_hm3",
                              "sink_inflow_hm3"):
                        st = _lib.EnsembleStat()
                        if lib.naryn_ensemble_yearly(self._e, k, _lib.b(c), season,
                                                     _lib.b(q), ctypes.byref(st)) != _lib.OK:
                            continue
                        rows.append({"run": run, "country": c or "all",
                                     "season": _lib.s(lib.naryn_season_name(season)),
                                     "quantity": q, "n": st.n, "mean": st.mean,
                                     "p5": st.p5, "p50": st.p50, "p95": st.p95})
        return pd.DataFrame(rows)

    @property
    def reliability(self):
        """reliability.csv: each demand, minimum flow and winter energy."""
        rows = []
        for k, run in enumerate(self.runs):
            for j in range(lib.naryn_ensemble_rrv_count(self._e, k)):
                x = _lib.EnsembleRRV()
                lib.naryn_ensemble_rrv_get(self._e, k, j, ctypes.byref(x))
                rows.append({"run": run, "kind": _lib.s(x.kind), "name": _lib.s(x.name),
                             "country": _lib.s(x.country), "unit": _lib.s(x.unit),
                             "periods": x.periods, "failures": x.failures,
                             "reliability": x.reliability, "resilience": x.resilience,
                             "vulnerability": x.vulnerability})
        return pd.DataFrame(rows)

    @property
    def april(self):
        """april.csv: the chance of storage below a level on 1 April."""
        rows = []
        for k, run in enumerate(self.runs):
            for j in range(lib.naryn_ensemble_april_count(self._e, k)):
                res, lvl, p = ctypes.c_char_p(), ctypes.c_double(), ctypes.c_double()
                lib.naryn_ensemble_april_get(self._e, k, j, ctypes.byref(res),
                                             ctypes.byref(lvl), ctypes.byref(p))
                rows.append({"run": run, "reservoir": _lib.s(res.value),
                             "level_hm3": lvl.value, "probability": p.value})
        return pd.DataFrame(rows)

    def write(self, dir):
        """Writes the ensemble's files as naryn ensemble --out DIR does."""
        with Diags() as d:
            call(lib.naryn_ensemble_write, self._e, _lib.b(dir), d=d, threaded=True)


def _draw_members(model, inflows, seed, members, climate):
    """Members 0 to members - 1 of the ensemble of seed, drawn from the fit
    inflows (with any climate files) over the model's horizon, as naryn
    ensemble --inflows FIT --seed S does. Returns (fit, members)."""
    seed = int(seed)
    if not 0 <= seed < 2 ** 64:
        raise ValueError("expected a seed from 0 to 2**64 - 1, got %d" % seed)
    if members is None:
        raise ValueError("expected members=N with inflows=FIT")
    fit, mb = _lib.P(), _lib.P()
    with Diags() as d:
        call(lib.naryn_inflow_fit_read, _lib.b(inflows), ctypes.byref(fit), d=d)
    try:
        for c in climate:
            with Diags() as d:
                call(lib.naryn_inflow_fit_climate, fit, _lib.b(c), d=d)
        h = model._handle.p
        first = _lib.s(lib.naryn_model_step_date(h, 0))
        last = _lib.s(lib.naryn_model_step_date(h, lib.naryn_model_steps(h) - 1))
        months = (int(last[:4]) - int(first[:4])) * 12 + int(last[5:7]) - int(first[5:7]) + 1
        source = "%s, seed %d" % (inflows, seed) + "".join(", climate %s" % c for c in climate)
        with Diags() as d:
            call(lib.naryn_members_generate, fit, seed, int(members), _lib.b(first[:7]), months,
                 _lib.b(source), ctypes.byref(mb), d=d)
        return fit, mb
    except BaseException:
        lib.naryn_inflow_fit_free(fit)
        raise


def run_ensemble(model, members_file, members, jobs, energy, april, name, progress,
                 inflows=None, seed=None, climate=()):
    mb = _lib.P()
    fit = None
    if inflows is not None:
        fit, mb = _draw_members(model, inflows, seed if seed is not None else 0, members,
                                list(climate))
        members = None
    else:
        with Diags() as d:
            call(lib.naryn_members_read, _lib.b(members_file), ctypes.byref(mb), d=d)
    try:
        if members is not None:
            with Diags() as d:
                call(lib.naryn_members_keep, mb, int(members), d=d)
        o = _lib.EnsembleOpts()
        lib.naryn_ensemble_opts_init(ctypes.byref(o))
        o.jobs = int(jobs)
        ec, ne = _lib.strings(energy.keys())
        eg = (ctypes.c_double * max(ne, 1))(*[float(v) for v in energy.values()])
        ar, na = _lib.strings(april.keys())
        ah = (ctypes.c_double * max(na, 1))(*[float(v) for v in april.values()])
        o.energy_country, o.energy_gwh, o.nenergy = ctypes.cast(ec, _lib.STRS), \
            ctypes.cast(eg, ctypes.POINTER(ctypes.c_double)), ne
        o.april_reservoir, o.april_hm3, o.napril = ctypes.cast(ar, _lib.STRS), \
            ctypes.cast(ah, ctypes.POINTER(ctypes.c_double)), na
        hook = Hook(progress)
        o.progress = hook.c
        e = _lib.P()
        with Diags() as d:
            call(lib.naryn_ensemble_new, mb, ctypes.byref(o), ctypes.byref(e), d=d)
        ens = Ensemble(model, e, mb, fit)
        mb = fit = None
        with Diags() as d:
            call(lib.naryn_ensemble_run, e, model._handle.p, _lib.b(name), d=d,
                 hook=hook, threaded=True)
        return ens
    finally:
        if mb:
            lib.naryn_members_free(mb)
        if fit:
            lib.naryn_inflow_fit_free(fit)
