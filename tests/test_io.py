"""Trace files: round trips are lossless and byte-identical; every malformed file gives
one TraceFileError line naming the file, never a traceback from zipfile/json/numpy."""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pytest

import graphscope as gs
from graphscope.io import ARRAYS, DOCUMENT, TraceFileError, from_bytes, load, save, to_bytes


def _train(steps: int = 4, keep_values: int = 2, crash_at: int | None = None, target_name: str = "y"):
    """A small MLP whose target is (wrongly) trainable, so the trace has a finding."""
    gs.seed(0)
    model = gs.nn.MLP([2, 4, 1])
    opt = gs.optim.SGD(model.parameters(), lr=0.1)
    rng = np.random.default_rng(0)
    x = gs.tensor(rng.standard_normal((8, 2)).astype(np.float32))
    y = gs.Parameter(np.ones((8, 1), np.float32), name=target_name)
    insp = gs.Inspector(keep_values=keep_values)
    try:
        with insp:
            for step in range(steps):
                if step == crash_at:
                    model(x)
                    raise RuntimeError("crash in the middle of a step")
                opt.zero_grad()
                loss = gs.mse_loss(model(x), y)
                loss.backward()
                opt.step()
    except RuntimeError:
        pass
    return insp


@pytest.fixture(scope="module")
def trace_bytes() -> bytes:
    return to_bytes(_train())


def _same_trace(a: gs.Trace, b: gs.Trace) -> None:
    assert a.meta == b.meta
    assert [f.to_dict() for f in a.findings] == [f.to_dict() for f in b.findings]
    assert len(a.steps) == len(b.steps)
    for sa, sb in zip(a.steps, b.steps):
        assert (sa.index, sa.roots, sa.status, sa.base_uid, sa.base_op) == (sb.index, sb.roots, sb.status,
                                                                            sb.base_uid, sb.base_op)
        assert sa.structure == sb.structure
        assert sa.nonfinite == sb.nonfinite
        assert sa.node_rows.dtype == sb.node_rows.dtype and sa.leaf_rows.dtype == sb.leaf_rows.dtype
        assert sa.node_rows.tobytes() == sb.node_rows.tobytes()
        assert sa.leaf_rows.tobytes() == sb.leaf_rows.tobytes()
        assert (sa.values is None) == (sb.values is None)
        if sa.values is not None:
            assert list(sa.values) == list(sb.values)
            for key in sa.values:
                assert sa.values[key].dtype == sb.values[key].dtype
                np.testing.assert_array_equal(sa.values[key], sb.values[key])


# -- round trips ----------------------------------------------------------------------
def test_save_load_save_is_byte_identical(tmp_path):
    insp = _train()
    first = save(insp, tmp_path / "a.gstrace")
    loaded = load(first)
    second = save(loaded, tmp_path / "b.gstrace")
    assert first.read_bytes() == second.read_bytes()
    _same_trace(insp.trace, loaded)


def test_loaded_trace_reads_like_the_live_one():
    live = _train().trace
    loaded = from_bytes(to_bytes(live))
    assert [repr(n) for n in loaded.step(-1).nodes] == [repr(n) for n in live.step(-1).nodes]
    assert [repr(n) for n in loaded.step(0).leaves] == [repr(n) for n in live.step(0).leaves]
    assert [f.kind for f in loaded.findings] == ["trainable-target"]


def test_saving_twice_gives_the_same_bytes():
    insp = _train()
    assert to_bytes(insp) == to_bytes(insp.trace)


def test_equal_structures_are_stored_once_and_shared_after_loading(trace_bytes):
    with zipfile.ZipFile(io.BytesIO(trace_bytes)) as z:
        doc = json.loads(z.read(DOCUMENT))
    assert len(doc["structures"]) == 1
    assert [s["structure"] for s in doc["steps"]] == [0, 0, 0, 0]
    loaded = from_bytes(trace_bytes)
    assert all(s.structure is loaded.steps[0].structure for s in loaded.steps)


def test_zip_members_are_fixed_and_timestamps_constant(trace_bytes):
    with zipfile.ZipFile(io.BytesIO(trace_bytes)) as z:
        assert z.namelist() == [DOCUMENT, ARRAYS]
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        inner = zipfile.ZipFile(io.BytesIO(z.read(ARRAYS)))
        assert {i.date_time for i in inner.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert inner.namelist()[:2] == ["node_rows.npy", "leaf_rows.npy"]


def test_values_kept_only_for_recent_steps():
    loaded = from_bytes(to_bytes(_train(steps=4, keep_values=2)))
    assert [s.values is not None for s in loaded.steps] == [False, False, True, True]
    last = loaded.step(-1)
    w = last.value("fc1.weight")
    assert w is not None and w.shape == (2, 4) and w.dtype == np.float32
    assert last.grad("fc1.weight") is not None


def test_no_values_kept():
    loaded = from_bytes(to_bytes(_train(steps=2, keep_values=0)))
    assert all(s.values is None for s in loaded.steps)
    assert loaded.step(-1).value("fc1.weight") is None
    assert loaded.step(-1).get("fc1/matmul#0").value is not None  # statistics are still there


def test_trace_of_a_crashed_run_round_trips(tmp_path):
    insp = _train(steps=4, crash_at=2)
    path = save(insp, tmp_path / "crash.gstrace")
    loaded = load(path)
    assert loaded.meta["error"]["type"] == "RuntimeError"
    assert loaded.steps[-1].status == "crashed"
    assert len(loaded.steps[-1]) > 0  # the ops the crashed step ran before the error
    assert save(loaded, tmp_path / "again.gstrace").read_bytes() == path.read_bytes()


def test_nonfinite_values_and_counts_survive():
    with gs.Inspector() as insp:
        x = gs.Parameter(np.array([1.0, 800.0, -3.0]), name="x")
        y = gs.exp(x) * 0.0
        gs.sum(y).backward()
    loaded = from_bytes(to_bytes(insp))
    step = loaded.step(-1)
    assert step.nonfinite == insp.trace.step(-1).nonfinite and step.nonfinite
    exp = step.get("exp#0")
    assert exp.value.inf == 1
    assert np.isinf(step.value("exp#0")).sum() == 1
    assert np.isnan(step.value("mul#0")).sum() == 1


def test_non_ascii_names_and_odd_meta(tmp_path):
    insp = _train(steps=2, target_name="목표 \"y\" <&>")
    insp.trace.meta.update({"note": "한국어", "path": tmp_path, "n": np.int64(3), "pair": (1, 2)})
    loaded = load(save(insp, tmp_path / "k.gstrace"))
    assert loaded.step(-1).get("목표 \"y\" <&>") is not None
    assert loaded.meta["note"] == "한국어" and loaded.meta["n"] == 3 and loaded.meta["pair"] == [1, 2]
    assert loaded.meta["path"] == str(tmp_path)


def test_empty_trace_round_trips():
    empty = gs.Trace()
    assert to_bytes(from_bytes(to_bytes(empty))) == to_bytes(empty)
    assert len(from_bytes(to_bytes(empty))) == 0


def test_gs_exports_save_and_load(tmp_path):
    insp = _train(steps=1)
    path = gs.save(insp, tmp_path / "x.gstrace")
    assert isinstance(gs.load(path), gs.Trace)
    assert issubclass(gs.TraceFileError, gs.GraphscopeError)


def test_save_rejects_other_objects(tmp_path):
    with pytest.raises(TypeError, match="Trace or an Inspector"):
        save(object(), tmp_path / "x.gstrace")


def test_save_into_a_missing_folder_is_one_clear_error(tmp_path):
    with pytest.raises(TraceFileError, match="cannot write"):
        save(gs.Trace(), tmp_path / "no" / "such" / "x.gstrace")


# -- malformed files: one error class, one line, the file's name -------------------------
def _rezip(data: bytes, edit) -> bytes:
    """The archive with its members passed through `edit(name, bytes) -> bytes | None`."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            new = edit(info.filename, src.read(info.filename))
            if new is not None:
                dst.writestr(info.filename, new)
    return out.getvalue()


def _edit_document(data: bytes, change) -> bytes:
    def edit(name, raw):
        if name != DOCUMENT:
            return raw
        doc = json.loads(raw)
        change(doc)
        return json.dumps(doc).encode()

    return _rezip(data, edit)


def _object_npz() -> bytes:
    buf = io.BytesIO()
    np.savez(buf, node_rows=np.array([{"a": 1}], dtype=object))
    return buf.getvalue()


MALFORMED = {
    "truncated": (lambda d: d[: len(d) // 2], "truncated or corrupted"),
    "truncated-tail": (lambda d: d[:-10], "truncated or corrupted"),
    "empty": (lambda d: b"", "empty"),
    "text": (lambda d: b"step,op\n0,matmul\n", "not a zip archive"),
    "other-zip": (lambda d: _a_zip({"notes.txt": b"hi"}), "not a graphscope trace"),
    "wrong-version": (lambda d: _edit_document(d, lambda doc: doc.update(version=99)), "version 99 is newer"),
    "old-version": (lambda d: _edit_document(d, lambda doc: doc.update(version=0)), "version 0 is not supported"),
    "wrong-format": (lambda d: _edit_document(d, lambda doc: doc.update(format="something-else")),
                     "not a graphscope trace"),
    "bad-json": (lambda d: _rezip(d, lambda n, r: b"{not json" if n == DOCUMENT else r), "not valid JSON"),
    "no-arrays": (lambda d: _rezip(d, lambda n, r: None if n == ARRAYS else r), "has no arrays.npz"),
    "bad-npz": (lambda d: _rezip(d, lambda n, r: b"PK\x03\x04garbage" if n == ARRAYS else r), "arrays.npz is damaged"),
    "pickled-npz": (lambda d: _rezip(d, lambda n, r: _object_npz() if n == ARRAYS else r), "arrays.npz is damaged"),
    "missing-steps-field": (lambda d: _edit_document(d, lambda doc: doc["steps"][0].pop("base_uid")),
                            "damaged trace document"),
    "bad-structure-ref": (lambda d: _edit_document(d, lambda doc: doc["steps"][0].update(structure=7)),
                          "refers to no structure"),
    "missing-column": (lambda d: _edit_document(d, lambda doc: doc["structures"][0]["nodes"].pop("op")),
                       "lack the column(s) op"),
    "rows-mismatch": (lambda d: _edit_document(d, lambda doc: doc["steps"].pop()), "do not match the steps"),
}


def _a_zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, raw in members.items():
            z.writestr(name, raw)
    return out.getvalue()


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_file_is_one_clear_line(tmp_path, trace_bytes, case):
    make, expected = MALFORMED[case]
    path = tmp_path / f"{case}.gstrace"
    path.write_bytes(make(trace_bytes))
    with pytest.raises(TraceFileError) as info:
        load(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ")
    assert expected in message
    assert "\n" not in message
    assert info.value.__cause__ is None  # no chained traceback from zipfile/json/numpy
    assert info.value.__context__ is None or info.value.__suppress_context__


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(TraceFileError, match="no such file"):
        load(tmp_path / "nope.gstrace")
    with pytest.raises(TraceFileError, match="is a directory"):
        load(tmp_path)


def test_any_corrupted_byte_gives_a_trace_or_a_trace_file_error(trace_bytes):
    """Flip bytes all through the file: loading either succeeds (a byte nobody reads,
    such as a timestamp) or raises TraceFileError, never anything else."""
    errors = 0
    for position in range(0, len(trace_bytes), 37):
        damaged = bytearray(trace_bytes)
        damaged[position] ^= 0x5A
        try:
            from_bytes(bytes(damaged), "damaged.gstrace")
        except TraceFileError as exc:
            assert "\n" not in str(exc) and str(exc).startswith("damaged.gstrace: ")
            errors += 1
    assert errors > 0


def test_corrupted_compressed_data_is_reported(trace_bytes):
    # the first member is trace.json, deflated: damage the middle of its data
    with zipfile.ZipFile(io.BytesIO(trace_bytes)) as z:
        info = z.getinfo(DOCUMENT)
    start = info.header_offset + 30 + len(info.filename)
    damaged = bytearray(trace_bytes)
    for k in range(start + 10, start + 40):
        damaged[k] ^= 0xFF
    with pytest.raises(TraceFileError, match="corrupted"):
        from_bytes(bytes(damaged), "x.gstrace")


def test_a_100000_op_chain_saves_and_loads():
    """DESIGN: a 100,000-op chain must save (no recursion, no member per value)."""
    with gs.Inspector(keep_values=1) as insp:
        x = gs.Parameter(np.ones(2), name="x")
        y = x
        for _ in range(100_000):
            y = y * 1.0
        gs.sum(y).backward()
    data = to_bytes(insp)
    loaded = from_bytes(data)
    step = loaded.step(-1)
    assert len(step) == 100_001 and step.structure.nodes[-1].op == "sum"
    np.testing.assert_array_equal(step.value(step.structure.nodes[-2].key), [1.0, 1.0])
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert len(zipfile.ZipFile(io.BytesIO(z.read(ARRAYS))).namelist()) == 3  # rows, rows, one value array
    assert to_bytes(loaded) == data
