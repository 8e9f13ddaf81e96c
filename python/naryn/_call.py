"""Calling the library: a diagnostics list per call, warnings and errors
raised from it, progress callbacks, and Ctrl-C.

A long call runs in a worker thread while the calling thread waits for
Ctrl-C (SIGINT); on Ctrl-C it asks the library to stop (naryn_interrupt),
which every run does within a second with nothing half-written, and raises
KeyboardInterrupt once it has (or calls the program's own SIGINT handler). The request is withdrawn afterwards (naryn_interrupt_clear): note that
it stops every run of the process in progress at that moment.
"""
import collections
import signal
import threading
import warnings

from . import _lib
from .errors import NarynWarning, diagnostics, error_for

lib = _lib.lib

Progress = collections.namedtuple(
    "Progress", "phase done total total_is_bound step_date part parts")
Progress.__doc__ = """What a run is doing, as naryn.h's naryn_progress says:
phase ("simulate", "optimise", "baseline", "coalitions", "ensemble"), units
done of total (total only an upper bound when total_is_bound), the date of
the step just simulated, and for pareto the point under way (part of parts)."""


class Hook:
    """A Python callable as a naryn_progress_fn. An exception it raises
    stops the run and is raised again when the run returns."""

    def __init__(self, fn):
        self.fn = fn
        self.error = None
        self.c = _lib.PROGRESS_FN(self._called) if fn else _lib.PROGRESS_FN()

    def _called(self, user, p):
        if self.error is not None:
            return
        v = p.contents
        try:
            self.fn(Progress(_lib.s(v.phase), v.done, v.total, bool(v.total_is_bound),
                             _lib.s(v.step_date) if v.step_date else None,
                             v.part, v.parts))
        except BaseException as e:  # KeyboardInterrupt included
            self.error = e
            lib.naryn_interrupt()


def _threaded(fn, args):
    """Runs fn(*args) in a worker thread. From the main thread, SIGINT is
    blocked in both threads (and so in any thread the library starts) and
    taken here with sigtimedwait: CLP installs a SIGINT handler of its own
    inside some solves, which would otherwise take Ctrl-C for itself and
    stop the solve as a failure."""
    box = {}

    def work():
        box["rc"] = fn(*args)

    main = threading.current_thread() is threading.main_thread()
    handler = signal.getsignal(signal.SIGINT) if main else signal.SIG_IGN
    if handler in (signal.SIG_IGN, None):
        return fn(*args)
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    got = False
    try:
        t = threading.Thread(target=work, name="naryn", daemon=True)
        t.start()
        while t.is_alive():
            if signal.sigtimedwait({signal.SIGINT}, 0.05) is not None and not got:
                got = True
                lib.naryn_interrupt()
        t.join()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)
    if got:
        lib.naryn_interrupt_clear()
        if handler is signal.default_int_handler or handler == signal.SIG_DFL:
            raise KeyboardInterrupt
        handler(signal.SIGINT, None)
    return box["rc"]


class Diags:
    """A naryn_diags list for one call, freed on leaving the with block."""

    def __init__(self, max_errors=0):
        self.d = lib.naryn_diags_new(max_errors)
        if not self.d:
            raise MemoryError("out of memory")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        lib.naryn_diags_free(self.d)
        self.d = None

    def list(self):
        return diagnostics(self.d)


def call(fn, *args, d, hook=None, threaded=False, error=None):
    """Calls fn(*args, d); emits the warnings of d and raises its errors
    (as the class error, or as the status says) when the call fails. A
    threaded call can be stopped by Ctrl-C."""
    rc = _threaded(fn, args + (d.d,)) if threaded else fn(*args, d.d)
    if hook is not None and hook.error is not None:
        lib.naryn_interrupt_clear()
        raise hook.error
    diags = d.list()
    for g in diags:
        if g.severity == "warning":
            warnings.warn(NarynWarning(g), stacklevel=3)
    if rc != _lib.OK:
        if rc == _lib.EINTR:
            lib.naryn_interrupt_clear()
        raise error_for(rc, diags, error)
    return diags
