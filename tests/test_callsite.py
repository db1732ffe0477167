"""The user's call site: the first frame outside graphscope, numpy and the stdlib."""

from __future__ import annotations

import functools
import os

import numpy as np

from graphscope import callsite


def test_user_site_is_this_file_and_line():
    line = callsite.user_site.__code__.co_firstlineno  # noqa: F841 - anything internal
    site = callsite.user_site()
    path, _, number = site.rpartition(":")
    assert path == __file__ and int(number) > 0


def test_stdlib_and_numpy_frames_are_skipped():
    sites = []
    functools.reduce(lambda a, b: sites.append(callsite.user_site(1)) or a, [1, 2])
    assert sites[0].startswith(__file__)  # reduce (C) -> lambda here: the lambda's line
    assert callsite.is_internal(np.__file__)
    assert callsite.is_internal(os.__file__)
    assert callsite.is_internal(callsite.__file__)
    assert not callsite.is_internal(__file__)
