"""The user's call site: `path:line` of the first frame that is not graphscope's,
numpy's or the standard library's. Called only when someone listens."""

from __future__ import annotations

import os
import sys
import sysconfig
from types import CodeType

import numpy as np

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
_NUMPY_DIR = os.path.dirname(os.path.abspath(np.__file__)) + os.sep
_STDLIB_DIRS = tuple(
    os.path.abspath(p) + os.sep
    for p in {sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["platstdlib"]}
)
_SITE_DIRS = tuple(
    os.path.abspath(p) + os.sep
    for p in {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
)

# Per code object: is this frame ours (skip it) or the user's? Walking frames is cheap;
# classifying a filename is not, so each code object is classified once.
_internal: dict[CodeType, bool] = {}


def is_internal(filename: str) -> bool:
    if filename.startswith("<frozen"):
        return True
    path = os.path.abspath(filename)
    if path.startswith(_PACKAGE_DIR) or path.startswith(_NUMPY_DIR):
        return True
    # site-packages sits inside the stdlib folder on most installs: code there is a
    # user's installed package, not the standard library.
    if any(path.startswith(d) for d in _SITE_DIRS):
        return False
    return any(path.startswith(d) for d in _STDLIB_DIRS)


def user_site(depth: int = 1) -> str:
    """`path:line` of the nearest frame outside graphscope, numpy and the stdlib."""
    frame = sys._getframe(depth)
    while frame is not None:
        code = frame.f_code
        internal = _internal.get(code)
        if internal is None:
            internal = _internal[code] = is_internal(code.co_filename)
        if not internal:
            return f"{code.co_filename}:{frame.f_lineno}"
        frame = frame.f_back
    return "<unknown>:0"
