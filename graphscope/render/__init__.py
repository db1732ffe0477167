"""Renderers. They work from a Trace alone (a live run or a loaded file) and import
nothing from the engine: graph.py (the networkx model), dot.py (Graphviz), terminal.py (rich).

`gs.render(obj, path)` is public API, but importing this package makes `graphscope.render`
the package itself; so the package is callable and does what `gs.render` promises.
"""

import sys
import types


class _CallableModule(types.ModuleType):
    def __call__(self, *args, **kwargs):
        # graphscope.capture turns a tensor into a Trace first (it is the one adapter that
        # reads engine objects); imported at call time so render/ itself never imports it.
        from ..capture import render

        return render(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
