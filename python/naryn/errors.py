"""Errors and warnings: every diagnostic of the library as a Python
exception or warning carrying its file, line, column and field."""
import collections

from . import _lib

Diagnostic = collections.namedtuple(
    "Diagnostic", "severity code file line col where msg text")
Diagnostic.__doc__ = """One problem the library reported: severity ("error",
"warning" or "note"), code (a naryn status), file (None when it has no place
in a file), line and col (1-based, 0 when unknown), where (the field it
concerns, e.g. reservoir "Toktogul".max_storage_hm3), msg (what was expected
and what was found) and text (the whole line as naryn check prints it)."""


class NarynError(Exception):
    """An error of the library. The first error's file, line, col, where
    and msg are attributes; every error of the call is in diagnostics."""

    def __init__(self, diagnostics, status):
        self.diagnostics = list(diagnostics)
        self.status = status
        first = self.diagnostics[0] if self.diagnostics else None
        self.file = first.file if first else None
        self.line = first.line if first else 0
        self.col = first.col if first else 0
        self.where = first.where if first else ""
        self.msg = first.msg if first else _lib.s(_lib.lib.naryn_strerror(status))
        self.field = self.where
        text = "\n".join(d.text for d in self.diagnostics) or self.msg
        super().__init__(text)

    def __str__(self):
        return self.args[0]


class ModelError(NarynError):
    """The model (or a scenario, or a value set) is not valid, or a file of
    it cannot be parsed."""


class FieldError(NarynError, KeyError):
    """A field path that names nothing in the model (m.get, m[...])."""

    def __str__(self):
        return self.args[0]


class FileError(NarynError, OSError):
    """A file cannot be read or written."""

    def __str__(self):
        return self.args[0]


class InfeasibleError(NarynError):
    """The model's hard constraints cannot all be met."""


class SolverError(NarynError):
    """The LP solver failed or the water balance does not close."""


class ArgumentError(NarynError, ValueError):
    """An argument the library refused (an unknown term, a bad option)."""

    def __str__(self):
        return self.args[0]


class NarynWarning(UserWarning):
    """A warning of the library; the Diagnostic is its diagnostic attribute."""

    def __init__(self, diagnostic):
        super().__init__(diagnostic.text)
        self.diagnostic = diagnostic


_BY_STATUS = {_lib.EMODEL: ModelError, _lib.ESYNTAX: ModelError,
              _lib.EIO: FileError, _lib.EINFEAS: InfeasibleError,
              _lib.ESOLVER: SolverError, _lib.EBALANCE: SolverError,
              _lib.EARG: ArgumentError}

_SEVERITY = {_lib.SEV_ERROR: "error", _lib.SEV_WARNING: "warning",
             _lib.SEV_NOTE: "note"}


def diagnostics(d):
    """The diagnostics kept in a naryn_diags list."""
    out = []
    buf = __import__("ctypes").create_string_buffer(2048)
    for i in range(_lib.lib.naryn_diags_count(d)):
        g = _lib.lib.naryn_diags_get(d, i)
        _lib.lib.naryn_diag_format(g, buf, len(buf))
        v = g.contents
        out.append(Diagnostic(_SEVERITY.get(v.severity, "note"), v.code,
                              _lib.s(v.file) if v.file else None, v.line, v.col,
                              _lib.s(v.where), _lib.s(v.msg), _lib.s(buf.value)))
    return out


def error_for(status, diags, cls=None):
    """The exception for a failed call: its class from the status."""
    errs = [g for g in diags if g.severity == "error"]
    if status == _lib.ENOMEM:
        return MemoryError("\n".join(g.text for g in errs) or "out of memory")
    if status == _lib.EINTR:
        return KeyboardInterrupt()
    return (cls or _BY_STATUS.get(status, NarynError))(errs, status)
