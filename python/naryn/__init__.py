"""naryn: plans river, reservoir, hydropower and irrigation systems.

The Python interface to libnaryn (doc/python.md):

    import naryn
    m = naryn.load("models/naryn/model.yaml", scenarios=["energy-mode"])
    m.set("nodes.Toktogul.max_storage_hm3", 19000)
    r = m.simulate()
    r.summary, r.nodes, r.links, r.objective    # pandas DataFrames

Errors are exceptions (ModelError and the others below, each with file,
line, col, where and msg); warnings are Python warnings (NarynWarning).
"""
from ._lib import PATH as library_path
from ._lib import lib as _c
from ._call import Progress
from .errors import (ArgumentError, Diagnostic, FieldError, FileError,
                     InfeasibleError, ModelError, NarynError, NarynWarning,
                     SolverError)
from .model import Field, Model, builtin_model, load
from .results import Ensemble, Game, Pareto, Result

__version__ = _c.naryn_version().decode()

__all__ = ["load", "Model", "Field", "Result", "Pareto", "Game", "Ensemble",
           "Progress", "Diagnostic", "NarynError", "ModelError", "FieldError",
           "FileError", "InfeasibleError", "SolverError", "ArgumentError",
           "NarynWarning", "builtin_model", "library_path", "__version__"]
