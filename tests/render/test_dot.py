"""DOT and SVG drawings: marks, colours, legend, escaping, missing Graphviz."""

from __future__ import annotations

import shutil
import warnings
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import graphscope as gs
from graphscope.render import dot as dotmod

HAS_DOT = shutil.which("dot") is not None
needs_dot = pytest.mark.skipif(not HAS_DOT, reason="Graphviz's dot is not installed")


def _target_trace():
    w = gs.Parameter(np.array([[0.5], [-0.25]]), name="w")
    x = gs.tensor(np.ones((3, 2)), name="x")
    y = gs.tensor(np.zeros((3, 1)), name="y", trainable=True)  # the bug: a trainable target
    with gs.Inspector() as insp:
        gs.mse_loss(x @ w, y).backward()
    return insp


def test_dot_marks_trainable_nodes_and_colours_findings():
    source = gs.to_dot(_target_trace())
    assert source.lstrip().startswith("digraph")
    assert '"<T> w' in source and '"<T> y' in source and '"x\\n' in source
    assert dotmod.KIND_COLORS["trainable-target"] in source
    assert "cluster_legend" in source and "trainable-target" in source


def test_legend_lists_only_kinds_present():
    source = gs.to_dot(_target_trace())
    assert "legend_trainable-target" in source and "legend_nonfinite" not in source


@needs_dot
def test_svg_has_marks_colours_and_legend(tmp_path):
    path = gs.render(_target_trace(), tmp_path / "g.svg")
    svg = path.read_text(encoding="utf-8")
    ET.fromstring(svg)  # valid XML
    assert svg.count("&lt;T&gt;") >= 2
    assert dotmod.KIND_COLORS["trainable-target"] in svg
    assert ">legend<" in svg


@needs_dot
def test_every_label_is_escaped(tmp_path):
    name = '가중치 "w" <b>&amp; \\N back\\slash\nsecond line'
    w = gs.Parameter(np.ones((2, 1)), name=name)
    out = gs.matmul(gs.tensor(np.ones((1, 2)), name="<x>"), w)
    source = gs.to_dot(out)
    path = gs.render(out, tmp_path / "escaped.svg")
    root = ET.fromstring(path.read_text(encoding="utf-8"))
    texts = [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "<T> 가중치 \"w\" <b>&amp; \\N back\\slash" in texts
    assert "second line" in texts
    assert "<x>" in texts
    assert source.count("digraph") == 1


def test_tensor_graph_names_parameters_when_given():
    gs.seed(0)
    model = gs.nn.Linear(3, 2)
    out = model(gs.tensor(np.ones((1, 3), np.float32))).sum()
    plain = gs.to_dot(out)
    named = gs.to_dot(out, params=dict(model.named_parameters()))
    assert "<T> weight" in plain and "<T> bias" in plain
    assert "<T> weight" in named  # Linear's own names are already the dotted ones at the top level


def test_unknown_suffix_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match=r"\.bmp"):
        gs.render(_target_trace(), tmp_path / "g.bmp")


def test_missing_dot_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setattr(dotmod.shutil, "which", lambda name: None)
    with pytest.raises(dotmod.GraphvizMissingError) as info:
        gs.render(_target_trace(), tmp_path / "g.svg")
    message = str(info.value)
    assert "\n" not in message and "apt-get install graphviz" in message
    assert gs.render(_target_trace(), tmp_path / "g.dot").read_text().startswith("digraph")  # .dot still works


def test_big_graph_collapses_by_default_and_says_so():
    x = gs.Parameter(np.ones(2))
    with gs.Inspector(keep_values=0, checks=[]) as insp:
        y = x
        for _ in range(1500):
            y = gs.tanh(y * 1.0)
        y.sum().backward()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        small = gs.to_dot(insp)
    assert any(issubclass(w.category, dotmod.CollapsedWarning) for w in caught)
    assert "full=True" in small and small.count("->") < 20
    full = gs.to_dot(insp, full=True)
    assert full.count("->") > 3000


@needs_dot
def test_jupyter_reprs_are_svg():
    insp = _target_trace()
    for obj in (insp, insp.trace, insp.graph()):
        svg = obj._repr_svg_()
        assert svg is not None and svg.lstrip().startswith(("<?xml", "<svg", "<!DOCTYPE")), type(obj)


@pytest.mark.skipif(shutil.which("graphviz-pure") is None, reason="graphviz-pure is not installed")
def test_graphviz_pure_draws_svg_and_png_when_dot_is_missing(tmp_path, monkeypatch):
    real = shutil.which
    monkeypatch.setattr(dotmod.shutil, "which", lambda name: None if name == "dot" else real(name))
    svg = gs.render(_target_trace(), tmp_path / "g.svg").read_text(encoding="utf-8")
    ET.fromstring(svg)
    assert "&lt;T&gt;" in svg
    assert gs.render(_target_trace(), tmp_path / "g.png").read_bytes().startswith(b"\x89PNG")
    with pytest.raises(dotmod.GraphvizMissingError, match="pdf"):
        gs.render(_target_trace(), tmp_path / "g.pdf")
