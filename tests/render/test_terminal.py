"""Terminal dumps: exact text at a fixed width with no colour, as rich's own tests do."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from graphscope.inspect.findings import Finding
from graphscope.inspect.stats import Stats
from graphscope.inspect.trace import LeafInfo, LeafRecord, NodeInfo, NodeRecord, StepRecord, StepStructure, Trace
from graphscope.render.terminal import (FindingsPanel, GraphTree, TraceTable, make_console, progress, short_site,
                                        to_text)


def _stats(lo: float, hi: float, mean: float, nan: int = 0, inf: int = 0, count: int = 4) -> Stats:
    return Stats(count, lo, hi, mean, 0.5, nan, inf, 0)


def _step(index: int, exp_inf: int = 0) -> StepRecord:
    """x (input) @ w (parameter) -> matmul -> exp -> mean: a tiny graph with fixed numbers."""
    leaves = [
        LeafRecord(LeafInfo("x", "x", "input", (2, 2), "float32", False), 0, _stats(-1, 1, 0), None, 1, 0, 1.0, 0.0),
        LeafRecord(LeafInfo("w", "w", "parameter", (2, 2), "float32", True), 1, _stats(0, 2, 1),
                   _stats(-0.5, 0.5, 0), 2, index, 2.0, 3.0),
    ]
    nodes = [
        NodeRecord(NodeInfo("matmul#0", "matmul", "", "/elsewhere/train.py:10", ("x", "w"), (2, 2), "float32"),
                   0, _stats(-2, 2, 0.25), _stats(-1, 1, 0), 3, 10, 4.0),
        NodeRecord(NodeInfo("exp#0", "exp", "", "/elsewhere/train.py:11", ("matmul#0",), (2, 2), "float32"),
                   1, _stats(0.1353, 7.389, 2.5, inf=exp_inf), None, 4, 11, 5.0),
        NodeRecord(NodeInfo("mean#0", "mean", "", "/elsewhere/train.py:12", ("exp#0",), (), "float32"),
                   2, _stats(2.5, 2.5, 2.5, count=1), None, 5, 12, 6.0),
    ]
    structure = StepStructure(tuple(n.info for n in nodes), tuple(leaf.info for leaf in leaves))
    return StepRecord.pack(index, nodes, leaves, structure, None, ("mean#0",), "complete")


@pytest.fixture
def trace() -> Trace:
    findings = [
        Finding("nonfinite", "error", 1, "exp#0", "exp overflowed to inf", "/elsewhere/train.py:11"),
        Finding("frozen-gradient", "warning", 0, "w", "the gradient of w did not change", "/elsewhere/train.py:10",
                count=2, last_step=1),
        Finding("dead-activation", "info", 0, "matmul#0", "2 of 4 units never fire", ""),
    ]
    return Trace([_step(0), _step(1, exp_inf=2)], findings)


def _text(renderable, width: int = 100) -> str:
    """to_text with the padding rich adds at the end of table lines taken off."""
    return "\n".join(line.rstrip() for line in to_text(renderable, width=width).splitlines()) + "\n"


def test_trace_table_exact_text(trace):
    assert _text(TraceTable(trace, step=-1)) == (
        "step 1: 3 ops, complete\n"
        "\n"
        " step  #  op      key       site         shape   dtype       min    max  mean  nan  inf  flags\n"
        " ─────────────────────────────────────────────────────────────────────────────────────────────────\n"
        "    1  0  matmul  matmul#0  train.py:10  2x2     float32      -2      2  0.25    0    0\n"
        "    1  1  exp     exp#0     train.py:11  2x2     float32  0.1353  7.389   2.5    0    2  nonfinite\n"
        "    1  2  mean    mean#0    train.py:12  scalar  float32     2.5    2.5   2.5    0    0\n"
        "\n"
    )


def test_trace_table_all_steps_filtered_by_op_glob(trace):
    assert _text(TraceTable(trace, step="all", op="m*")) == (
        "steps 0..1, ops matching 'm*'\n"
        "\n"
        " step  #  op      key       site         shape   dtype    min  max  mean  nan  inf  flags\n"
        " ──────────────────────────────────────────────────────────────────────────────────────────────────\n"
        "    0  0  matmul  matmul#0  train.py:10  2x2     float32   -2    2  0.25    0    0  dead-activation\n"
        "    0  2  mean    mean#0    train.py:12  scalar  float32  2.5  2.5   2.5    0    0\n"
        "    1  0  matmul  matmul#0  train.py:10  2x2     float32   -2    2  0.25    0    0\n"
        "    1  2  mean    mean#0    train.py:12  scalar  float32  2.5  2.5   2.5    0    0\n"
        "\n"
    )


def test_trace_table_glob_matches_keys_and_says_when_nothing_matches(trace):
    assert [i for _, i, _, _ in TraceTable(trace, step=0, op="exp#*").rows()] == [1]
    assert _text(TraceTable(trace, step=0, op="conv*")) == "step 0: 3 ops, complete, ops matching 'conv*': no op matches.\n"


def test_trace_table_of_an_empty_trace():
    assert _text(TraceTable(Trace(), step="all")) == "The trace has no steps: nothing ran under the inspector.\n"


def test_trace_table_flags_a_nonfinite_gradient(trace):
    step = trace.steps[1]
    step.nonfinite = {("node", 0, "grad"): (1, 0)}
    flags = {row[2].info.key: row[3] for row in TraceTable(trace, step=1).rows()}
    assert flags["matmul#0"] == ["grad nan/inf"]


def test_findings_panel_groups_by_kind_most_severe_first(trace):
    assert _text(FindingsPanel(trace.findings), width=72) == (
        "Findings: 3 findings: 1 error, 1 warning, 1 info\n"
        "╭─ nonfinite (1) ──────────────────────────────────────────────────────╮\n"
        "│ error    exp#0  step 1  at /elsewhere/train.py:11                    │\n"
        "│ exp overflowed to inf                                                │\n"
        "╰──────────────────────────────────────────────────────────────────────╯\n"
        "╭─ frozen-gradient (1) ────────────────────────────────────────────────╮\n"
        "│ warning  w  steps 0..1, 2 times  at /elsewhere/train.py:10           │\n"
        "│ the gradient of w did not change                                     │\n"
        "╰──────────────────────────────────────────────────────────────────────╯\n"
        "╭─ dead-activation (1) ────────────────────────────────────────────────╮\n"
        "│ info     matmul#0  step 0                                            │\n"
        "│ 2 of 4 units never fire                                              │\n"
        "╰──────────────────────────────────────────────────────────────────────╯\n"
    )


def test_findings_panel_orders_within_a_kind_by_severity_then_step():
    findings = [Finding("dead-activation", "info", 0, "a", "m"), Finding("dead-activation", "error", 3, "b", "m"),
                Finding("dead-activation", "error", 1, "c", "m"), Finding("no-gradient", "warning", 0, "d", "m")]
    groups = FindingsPanel(findings).groups()
    assert [kind for kind, _ in groups] == ["dead-activation", "no-gradient"]
    assert [f.node for f in groups[0][1]] == ["c", "b", "a"]


def test_findings_panel_with_none():
    assert _text(FindingsPanel([])) == "Findings: none.\n"
    assert _text(FindingsPanel([], title="train.py")) == "train.py: none.\n"


def test_graph_tree_exact_text(trace):
    assert _text(GraphTree(trace, -1), width=72) == (
        "step 1 (complete): 3 ops, 2 leaves\n"
        "└── mean#0  mean  scalar float32\n"
        "    └── exp#0  exp  2x2 float32  nan 0 inf 2  ! nonfinite\n"
        "        └── matmul#0  matmul  2x2 float32\n"
        "            ├── x  (input)  2x2 float32\n"
        "            └── w  (parameter)  2x2 float32 <T>  ! frozen-gradient\n"
    )


def test_graph_tree_is_cut_at_max_nodes(trace):
    assert _text(GraphTree(trace, -1, max_nodes=3), width=72) == (
        "step 1 (complete): 3 ops, 2 leaves\n"
        "├── mean#0  mean  scalar float32\n"
        "│   └── exp#0  exp  2x2 float32  nan 0 inf 2  ! nonfinite\n"
        "│       └── matmul#0  matmul  2x2 float32\n"
        "└── ... 2 more node(s) not shown (the tree stops at 3)\n"
    )


def test_graph_tree_shows_a_shared_input_once():
    x = LeafRecord(LeafInfo("x", "x", "input", (2,), "float64", False), 0, None, None, 1, 0, 0.0, 0.0)
    add = NodeRecord(NodeInfo("add#0", "add", "", "", ("x", "x"), (2,), "float64"), 0, None, None, 2, 1, 0.0)
    structure = StepStructure((add.info,), (x.info,))
    trace = Trace([StepRecord.pack(0, [add], [x], structure, None, ("add#0",), "complete")])
    lines = _text(GraphTree(trace)).splitlines()
    assert lines[1:] == ["└── add#0  add  2 float64", "    ├── x  (input)  2 float64", "    └── x (shown above)"]


def test_graph_tree_of_a_long_chain_stops_at_max_depth():
    """No recursion, and a 5,000-op chain prints a bounded tree."""
    leaf = LeafRecord(LeafInfo("x", "x", "input", (1,), "float64", False), 0, None, None, 1, 0, 0.0, 0.0)
    nodes, prev = [], "x"
    for i in range(5000):
        nodes.append(NodeRecord(NodeInfo(f"neg#{i}", "neg", "", "", (prev,), (1,), "float64"), i, None, None,
                                i + 2, i, 0.0))
        prev = f"neg#{i}"
    structure = StepStructure(tuple(n.info for n in nodes), (leaf.info,))
    trace = Trace([StepRecord.pack(0, nodes, [leaf], structure, None, (prev,), "complete")])
    text = _text(GraphTree(trace, max_depth=10), width=200)
    assert len(text.splitlines()) == 12
    assert "1 input(s) deeper than 10 levels not shown" in text.splitlines()[-1]


def test_output_that_is_not_a_terminal_is_plain(trace):
    out = io.StringIO()
    console = make_console(out)
    assert not console.is_terminal
    console.print(FindingsPanel(trace.findings))
    assert "\x1b[" not in out.getvalue() and "nonfinite" in out.getvalue()


def test_no_color_makes_even_a_terminal_plain(trace, monkeypatch):
    out = io.StringIO()
    make_console(out, force_terminal=True).print(FindingsPanel(trace.findings))
    assert "\x1b[" in out.getvalue()  # a terminal gets colour...
    monkeypatch.setenv("NO_COLOR", "1")
    out = io.StringIO()
    make_console(out, force_terminal=True).print(FindingsPanel(trace.findings))
    assert "\x1b[" not in out.getvalue()  # ...unless NO_COLOR is set


def test_renderables_yield_and_never_print(trace, capsys):
    console = Console(file=io.StringIO(), width=80, color_system=None)
    for renderable in (TraceTable(trace), FindingsPanel(trace.findings), GraphTree(trace)):
        parts = list(renderable.__rich_console__(console, console.options))
        assert parts
    assert capsys.readouterr() == ("", "")


def test_progress_is_silent_off_a_terminal():
    out = io.StringIO()
    with progress(make_console(out)) as bar:
        task = bar.add_task("work", total=3)
        for _ in range(3):
            bar.advance(task)
    assert bar.disable and out.getvalue() == ""


def test_short_site(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert short_site(f"{tmp_path}/sub/train.py:12") == "sub/train.py:12"
    assert short_site("/elsewhere/train.py:3") == "/elsewhere/train.py:3"
    assert short_site("/elsewhere/train.py:3", brief=True) == "train.py:3"
    assert short_site("") == "" and short_site("<stdin>") == "<stdin>"
