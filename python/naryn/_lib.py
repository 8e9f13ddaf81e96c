"""Finding libnaryn and declaring the parts of its C interface (naryn.h)
that the package calls, through ctypes.

The library is looked for in this order: the file named by the environment
variable NARYN_LIBRARY; the build tree, when the package is used from the
source tree (python/ beside build/); the system's libnaryn.so.0.
"""
import ctypes
import os
from ctypes import (CFUNCTYPE, POINTER, Structure, c_char, c_char_p, c_double,
                    c_int, c_long, c_size_t, c_uint, c_uint64, c_void_p)

SONAME = "libnaryn.so.0"


def _find():
    given = os.environ.get("NARYN_LIBRARY")
    if given:
        return given
    here = os.path.dirname(os.path.abspath(__file__))
    built = os.path.join(here, os.pardir, os.pardir, "build", SONAME)
    if os.path.exists(built):
        return os.path.normpath(built)
    return SONAME


PATH = _find()
try:
    lib = ctypes.CDLL(PATH)
except OSError as e:
    raise ImportError(
        "naryn: cannot load the naryn library %s (%s); build it with "
        "'make shared', install it, or name it in NARYN_LIBRARY" % (PATH, e)) from e

# Status codes, in naryn.h's order.
OK, ENOMEM, EIO, ESYNTAX, EMODEL, EINFEAS, ESOLVER, EBALANCE, EARG, EINTR = range(10)
SEV_ERROR, SEV_WARNING, SEV_NOTE = range(3)
NODE_RESERVOIR = 1
Q_COUNT = 14
SEASON_COUNT = 3
ALLOC_COUNT = 5


class Diag(Structure):
    _fields_ = [("code", c_int), ("severity", c_int), ("file", c_char_p),
                ("line", c_int), ("col", c_int), ("where", c_char * 192),
                ("msg", c_char * 384)]


class Progress(Structure):
    _fields_ = [("phase", c_char_p), ("done", c_int), ("total", c_int),
                ("total_is_bound", c_int), ("step_date", c_char_p),
                ("part", c_int), ("parts", c_int)]


PROGRESS_FN = CFUNCTYPE(None, c_void_p, POINTER(Progress))


class SimOpts(Structure):
    _fields_ = [("max_iterations", c_int), ("settle_tolerance", c_double),
                ("balance_tolerance", c_double), ("progress", PROGRESS_FN),
                ("progress_user", c_void_p), ("step_solver", c_int),
                ("grids", c_int), ("policy", c_void_p), ("price_seed", c_uint64),
                ("price_member", c_long)]


class OptOpts(Structure):
    _fields_ = [("max_passes", c_int), ("tolerance", c_double),
                ("balance_tolerance", c_double), ("write_lp", c_char_p),
                ("progress", PROGRESS_FN), ("progress_user", c_void_p)]


class ShareOpts(Structure):
    _fields_ = [("opt", OptOpts), ("jobs", c_int), ("order", POINTER(c_char_p)),
                ("norder", c_int), ("progress", PROGRESS_FN),
                ("progress_user", c_void_p)]


class EnsembleOpts(Structure):
    _fields_ = [("sim", SimOpts), ("jobs", c_int),
                ("energy_country", POINTER(c_char_p)),
                ("energy_gwh", POINTER(c_double)), ("nenergy", c_int),
                ("april_reservoir", POINTER(c_char_p)),
                ("april_hm3", POINTER(c_double)), ("napril", c_int),
                ("per_step", c_void_p), ("policy_dir", c_char_p),
                ("progress", PROGRESS_FN),
                ("progress_user", c_void_p)]


SUMMARY_FIELDS = ["energy_gwh", "irrigation_demand_hm3", "irrigation_delivered_hm3",
                  "irrigation_shortage_hm3", "municipal_demand_hm3",
                  "municipal_delivered_hm3", "municipal_shortage_hm3",
                  "min_flow_shortage_hm3", "spill_hm3", "sink_inflow_hm3",
                  "evaporation_hm3", "max_residual_hm3"]


class Summary(Structure):
    _fields_ = [(f, c_double) for f in SUMMARY_FIELDS]


class EnsembleStat(Structure):
    _fields_ = [("n", c_long), ("mean", c_double), ("p5", c_double),
                ("p50", c_double), ("p95", c_double)]


class EnsembleRRV(Structure):
    _fields_ = [("kind", c_char_p), ("name", c_char_p), ("country", c_char_p),
                ("unit", c_char_p), ("periods", c_long), ("failures", c_long),
                ("reliability", c_double), ("resilience", c_double),
                ("vulnerability", c_double)]


P = c_void_p  # every opaque object
STRS = POINTER(c_char_p)


def _declare(name, restype, *argtypes):
    f = getattr(lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)


for _name, _res, _args in [
    ("naryn_version", c_char_p, []),
    ("naryn_strerror", c_char_p, [c_int]),
    ("naryn_interrupt", None, []),
    ("naryn_interrupt_clear", None, []),
    ("naryn_diags_new", P, [c_int]),
    ("naryn_diags_free", None, [P]),
    ("naryn_diags_count", c_int, [P]),
    ("naryn_diags_get", POINTER(Diag), [P, c_int]),
    ("naryn_diag_format", c_int, [POINTER(Diag), c_char_p, c_size_t]),
    ("naryn_model_load_texts", c_int, [c_char_p, STRS, c_int, STRS, STRS, c_int,
                                       POINTER(P), P]),
    ("naryn_model_field", c_int, [P, c_char_p, c_char_p, c_size_t,
                                  POINTER(c_size_t), P]),
    ("naryn_model_free", None, [P]),
    ("naryn_model_plausible", c_int, [P, P, POINTER(c_int)]),
    ("naryn_model_name", c_char_p, [P]),
    ("naryn_model_node_index", c_int, [P, c_char_p]),
    ("naryn_result_grid_count", c_int, [P]),
    ("naryn_result_grid_name", c_char_p, [P, c_int]),
    ("naryn_result_grid_country", c_char_p, [P, c_int]),
    ("naryn_result_grid", c_double, [P, c_int, c_int, c_int]),
    ("naryn_grid_quantity_name", c_char_p, [c_int]),
    ("naryn_result_grid_summary", None, [P, c_int, c_int, POINTER(c_double)]),
    ("naryn_model_path", c_char_p, [P]),
    ("naryn_model_scenario", c_char_p, [P]),
    ("naryn_model_steps", c_int, [P]),
    ("naryn_model_step_date", c_char_p, [P, c_int]),
    ("naryn_model_step_seconds", c_double, [P, c_int]),
    ("naryn_model_scenario_count", c_int, [P]),
    ("naryn_model_scenario_name", c_char_p, [P, c_int]),
    ("naryn_model_node_count", c_int, [P]),
    ("naryn_model_node_name", c_char_p, [P, c_int]),
    ("naryn_model_node_country", c_char_p, [P, c_int]),
    ("naryn_model_node_type", c_int, [P, c_int]),
    ("naryn_node_type_name", c_char_p, [c_int]),
    ("naryn_model_link_count", c_int, [P]),
    ("naryn_model_link_name", c_char_p, [P, c_int]),
    ("naryn_model_link_from", c_int, [P, c_int]),
    ("naryn_model_link_to", c_int, [P, c_int]),
    ("naryn_model_term_count", c_int, [P]),
    ("naryn_model_term_name", c_char_p, [P, c_int]),
    ("naryn_model_term_kind", c_char_p, [P, c_int]),
    ("naryn_model_term_weight", c_double, [P, c_int]),
    ("naryn_model_term_confidence", c_char_p, [P, c_int]),
    ("naryn_model_term_source", c_char_p, [P, c_int]),
    ("naryn_model_set_weight", c_int, [P, c_char_p, c_double, P]),
    ("naryn_model_currency", c_char_p, [P]),
    ("naryn_sim_opts_init", None, [POINTER(SimOpts)]),
    ("naryn_opt_opts_init", None, [POINTER(OptOpts)]),
    ("naryn_share_opts_init", None, [POINTER(ShareOpts)]),
    ("naryn_ensemble_opts_init", None, [POINTER(EnsembleOpts)]),
    ("naryn_simulate", c_int, [P, POINTER(SimOpts), POINTER(P), P]),
    ("naryn_optimise", c_int, [P, POINTER(OptOpts), POINTER(P), P]),
    ("naryn_pareto", c_int, [P, POINTER(OptOpts), c_char_p, c_char_p, c_int,
                             POINTER(POINTER(P)), P]),
    ("naryn_pareto_write", c_int, [P, POINTER(P), c_int, P, c_char_p, c_char_p,
                                   c_char_p, P]),
    ("naryn_result_pareto_level", c_double, [P]),
    ("naryn_result_free", None, [P]),
    ("naryn_quantity_name", c_char_p, [c_int]),
    ("naryn_result_node", c_double, [P, c_int, c_int, c_int]),
    ("naryn_result_link_flow_hm3", c_double, [P, c_int, c_int]),
    ("naryn_result_link_loss_hm3", c_double, [P, c_int, c_int]),
    ("naryn_result_zone", c_char_p, [P, c_int, c_int]),
    ("naryn_result_rule", c_char_p, [P, c_int, c_int]),
    ("naryn_result_max_residual_hm3", c_double, [P, POINTER(c_int), POINTER(c_int)]),
    ("naryn_result_max_residual_rel", c_double, [P]),
    ("naryn_result_system_residual_hm3", c_double, [P]),
    ("naryn_result_solves", c_long, [P]),
    ("naryn_result_iterations", c_long, [P]),
    ("naryn_result_is_optimised", c_int, [P]),
    ("naryn_result_term", c_double, [P, c_int, c_char_p]),
    ("naryn_result_objective", c_double, [P]),
    ("naryn_result_water_value", c_double, [P, c_int, c_int]),
    ("naryn_result_passes", c_int, [P]),
    ("naryn_result_converged", c_int, [P]),
    ("naryn_result_country_count", c_int, [P]),
    ("naryn_result_country", c_char_p, [P, c_int]),
    ("naryn_result_summary", None, [P, c_char_p, c_int, POINTER(Summary)]),
    ("naryn_season_name", c_char_p, [c_int]),
    ("naryn_result_years", c_double, [P]),
    ("naryn_result_set_command", c_int, [P, c_char_p]),
    ("naryn_result_write", c_int, [P, c_char_p, P]),
    ("naryn_allocation_name", c_char_p, [c_int]),
    ("naryn_share", c_int, [P, POINTER(ShareOpts), POINTER(P), P]),
    ("naryn_game_free", None, [P]),
    ("naryn_game_player_count", c_int, [P]),
    ("naryn_game_player", c_char_p, [P, c_int]),
    ("naryn_game_value", c_double, [P, c_uint]),
    ("naryn_game_allocation", c_double, [P, c_int, c_int]),
    ("naryn_game_core_empty", c_int, [P]),
    ("naryn_game_baseline_plan", P, [P]),
    ("naryn_game_grand_plan", P, [P]),
    ("naryn_game_write", c_int, [P, c_char_p, P]),
    ("naryn_members_read", c_int, [c_char_p, POINTER(P), P]),
    ("naryn_members_free", None, [P]),
    ("naryn_members_keep", c_int, [P, c_long, P]),
    ("naryn_inflow_fit_read", c_int, [c_char_p, POINTER(P), P]),
    ("naryn_inflow_fit_climate", c_int, [P, c_char_p, P]),
    ("naryn_inflow_fit_free", None, [P]),
    ("naryn_members_generate", c_int, [P, ctypes.c_uint64, c_long, c_char_p, c_int, c_char_p,
                                       POINTER(P), P]),
    ("naryn_ensemble_new", c_int, [P, POINTER(EnsembleOpts), POINTER(P), P]),
    ("naryn_ensemble_free", None, [P]),
    ("naryn_ensemble_run", c_int, [P, P, c_char_p, P]),
    ("naryn_ensemble_write", c_int, [P, c_char_p, P]),
    ("naryn_ensemble_run_count", c_int, [P]),
    ("naryn_ensemble_run_name", c_char_p, [P, c_int]),
    ("naryn_ensemble_members", c_long, [P]),
    ("naryn_ensemble_yearly", c_int, [P, c_int, c_char_p, c_int, c_char_p,
                                      POINTER(EnsembleStat)]),
    ("naryn_ensemble_rrv_count", c_int, [P, c_int]),
    ("naryn_ensemble_rrv_get", c_int, [P, c_int, c_int, POINTER(EnsembleRRV)]),
    ("naryn_ensemble_april_count", c_int, [P, c_int]),
    ("naryn_ensemble_april_get", c_int, [P, c_int, c_int, POINTER(c_char_p),
                                         POINTER(c_double), POINTER(c_double)]),
]:
    _declare(_name, _res, *_args)

del _name, _res, _args


def s(b):
    """A C string as Python text ('' for NULL)."""
    return b.decode("utf-8", "replace") if b is not None else ""


def b(text):
    """Python text as a C string (None stays NULL)."""
    return None if text is None else os.fsencode(text) if isinstance(text, os.PathLike) \
        else str(text).encode("utf-8")


def strings(items):
    """A NULL-free array of C strings, kept alive by the returned tuple."""
    items = [b(x) for x in items]
    arr = (c_char_p * max(len(items), 1))(*items)
    return arr, len(items)

# The grid quantities (naryn_grid_quantity), counted from the library (the
# name of the first past the last is empty), and those summary.csv adds per
# country and season, in its order.
G_COUNT = 0
while lib.naryn_grid_quantity_name(G_COUNT):
    G_COUNT += 1
G_PRICE, G_COST = 9, 10
GRID_SUMMARY = (0, 1, 2, 3, 4, 5, 6, 7, 8, G_COST)
