"""`.gstrace` files: a Trace saved to disk and read back, so a run can be drawn, dumped,
checked and diffed later, on another machine, without the code that produced it.

A `.gstrace` file is a zip archive of two members:

    trace.json    the document: format name and version, meta, findings, the step
                  structures (each distinct graph written once, referenced by index from
                  every step that has it), and per step its index, structure, uid/op
                  offsets, NaN/inf counts, roots, status and which values it kept
    arrays.npz    numpy arrays: every step's packed rows (`node_rows`, `leaf_rows`, the
                  steps' rows one after another, in step order) and the kept values,
                  flattened end to end in one array per dtype (`values0`, `values1`, ...;
                  trace.json gives each kept value's key, array, offset and shape)

Nothing is ever pickled: arrays are read with `np.load(..., allow_pickle=False)` and
the document is JSON. Files are deterministic (fixed timestamps, fixed member order), so
a trace saved, loaded and saved again gives the same bytes. Any problem reading a file
raises `TraceFileError` with one line naming the file and what is wrong.
"""

from __future__ import annotations

import contextlib
import gc
import io
import json
import math
import os
import tempfile
import warnings
import zipfile
import zlib
from dataclasses import MISSING, fields
from pathlib import Path
from typing import Any

import numpy as np

from .errors import GraphscopeError
from .inspect.findings import Finding
from .inspect.trace import LEAF_ROW, NODE_ROW, LeafInfo, NodeInfo, StepRecord, StepStructure, Trace

FORMAT = "graphscope-trace"
VERSION = 1
SUFFIX = ".gstrace"
DOCUMENT = "trace.json"
ARRAYS = "arrays.npz"
# Zip timestamps are fixed so equal traces give equal bytes (1980-01-01 is the zip epoch).
_EPOCH = (1980, 1, 1, 0, 0, 0)
_NODE_FIELDS = tuple(f.name for f in fields(NodeInfo))
_LEAF_FIELDS = tuple(f.name for f in fields(LeafInfo))
# Fields stored as JSON lists that NodeInfo/LeafInfo hold as tuples.
_TUPLE_FIELDS = {"inputs", "shape", "roles"}


class TraceFileError(GraphscopeError, OSError):
    """A trace file that cannot be read or written; the message is one line naming the
    file and what is wrong with it."""

    def __init__(self, path: str | os.PathLike, problem: str):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


@contextlib.contextmanager
def _quiet_gc():
    """Building or reading a document of millions of small lists makes Python's cyclic
    garbage collector run over and over (doubling the time of a 100,000-op trace); none
    of those objects form cycles, so the collector is paused until the work is done."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# -- saving ----------------------------------------------------------------------------
def _trace_of(obj: Any) -> Trace:
    if isinstance(obj, Trace):
        return obj
    trace = getattr(obj, "trace", None)
    if isinstance(trace, Trace):
        return trace
    raise TypeError(f"save() takes a Trace or an Inspector, not {type(obj).__name__}")


def _plain(obj: Any) -> Any:
    """JSON has no tuples, numpy scalars or paths: turn them into what it has."""
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, (set, frozenset)):
        return sorted(obj, key=repr)
    if isinstance(obj, os.PathLike):
        return os.fspath(obj)
    return repr(obj)


def _columns(infos: tuple, names: tuple[str, ...]) -> dict[str, list]:
    """NodeInfo/LeafInfo tuples stored column by column: compact and still readable."""
    return {name: [getattr(info, name) for info in infos] for name in names}


def _structure_doc(structure: StepStructure) -> dict[str, Any]:
    return {"nodes": _columns(structure.nodes, _NODE_FIELDS), "leaves": _columns(structure.leaves, _LEAF_FIELDS)}


def _zip_info(name: str, compress: bool) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_EPOCH)
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    info.create_system = 3  # unix, whatever system writes the file
    info.external_attr = 0o644 << 16
    return info


def _npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, np.ascontiguousarray(array), allow_pickle=False)
    return buffer.getvalue()


def _npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """An .npz (a zip of .npy members) with fixed timestamps, unlike np.savez."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, array in arrays.items():
            archive.writestr(_zip_info(name + ".npy", compress=True), _npy_bytes(array))
    return buffer.getvalue()


def to_bytes(trace_or_inspector: Any) -> bytes:
    """The `.gstrace` bytes of a trace (what `save` writes)."""
    trace = _trace_of(trace_or_inspector)
    with _quiet_gc():
        return _encode(trace)


def _encode(trace: Trace) -> bytes:
    structures: dict[int, int] = {}  # id(structure) -> index in the document
    structure_docs: list[dict[str, Any]] = []
    # Kept values, flattened and laid end to end, one array per dtype: a 100,000-op step
    # keeps 200,000 small arrays, far too many to be members of a zip each.
    groups: dict[str, list] = {}
    steps: list[dict[str, Any]] = []
    node_rows: list[np.ndarray] = []
    leaf_rows: list[np.ndarray] = []
    dropped: list[str] = []
    for step in trace.steps:
        ref = structures.get(id(step.structure))
        if ref is None:
            ref = structures[id(step.structure)] = len(structure_docs)
            structure_docs.append(_structure_doc(step.structure))
        node_rows.append(np.asarray(step.node_rows, dtype=NODE_ROW))
        leaf_rows.append(np.asarray(step.leaf_rows, dtype=LEAF_ROW))
        values = None
        if step.values is not None:
            values = []
            for key, value in step.values.items():
                value = np.asarray(value)
                if value.dtype.hasobject:  # not storable without pickle
                    dropped.append(f"{key}@{step.index}")
                    continue
                group = groups.setdefault(value.dtype.str, [len(groups), [], 0])  # index, parts, size
                values.append([key, group[0], group[2], list(value.shape)])
                group[1].append(value.reshape(-1))
                group[2] += value.size
        nonfinite = None if step.nonfinite is None else [
            [part, i, which, nan, inf] for (part, i, which), (nan, inf) in step.nonfinite.items()]
        steps.append({"index": step.index, "structure": ref, "base_uid": step.base_uid, "base_op": step.base_op,
                      "nonfinite": nonfinite, "roots": list(step.roots), "status": step.status, "values": values})
    if dropped:
        warnings.warn(f"graphscope: {len(dropped)} kept value(s) of object dtype were not saved "
                      f"(they cannot be stored without pickle): {', '.join(dropped[:5])}", RuntimeWarning,
                      stacklevel=3)
    document = {
        "format": FORMAT,
        "version": VERSION,
        "meta": trace.meta,
        "findings": [f.to_dict() for f in trace.findings],
        "structures": structure_docs,
        "steps": steps,
    }
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"), default=_plain)
    rows = {"node_rows": np.concatenate(node_rows) if node_rows else np.zeros(0, NODE_ROW),
            "leaf_rows": np.concatenate(leaf_rows) if leaf_rows else np.zeros(0, LEAF_ROW)}
    arrays = {f"values{index}": np.concatenate(parts) for index, parts, _ in groups.values()}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(_zip_info(DOCUMENT, compress=True), text.encode("utf-8"))
        # The npz is a zip itself, its members already compressed: stored as it is.
        archive.writestr(_zip_info(ARRAYS, compress=False), _npz_bytes({**rows, **arrays}))
    return buffer.getvalue()


def save(trace_or_inspector: Any, path: str | os.PathLike) -> Path:
    """Write a Trace (or an Inspector's trace) to `path`, a `.gstrace` file. The file is
    written whole or not at all (a temporary file renamed into place)."""
    path = Path(path)
    data = to_bytes(trace_or_inspector)
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise TraceFileError(path, f"cannot write here: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise TraceFileError(path, f"cannot write: {exc.strerror or exc}") from None
    return path


# -- loading ---------------------------------------------------------------------------
class _Damaged(Exception):
    """Raised inside the reader; turned into one TraceFileError line by `load`."""


def _need(condition: bool, problem: str) -> None:
    if not condition:
        raise _Damaged(problem)


def _infos(columns: Any, cls: type, names: tuple[str, ...], what: str) -> tuple:
    _need(isinstance(columns, dict), f"{what} are not a table")
    required = [f.name for f in fields(cls) if f.default is MISSING and f.default_factory is MISSING]
    missing = [n for n in required if n not in columns]
    _need(not missing, f"{what} lack the column(s) {', '.join(missing)}")
    lengths = {len(columns[n]) for n in names if n in columns}
    _need(len(lengths) <= 1, f"{what} columns have different lengths")
    present = [n for n in names if n in columns]
    out = []
    for row in zip(*(columns[n] for n in present)):
        values = {}
        for name, value in zip(present, row):
            if name in _TUPLE_FIELDS and value is not None:
                value = tuple(value)
            elif name == "attrs":
                value = tuple((str(k), str(v)) for k, v in value)
            values[name] = value
        out.append(cls(**values))
    return tuple(out)


def _read_document(archive: zipfile.ZipFile) -> dict[str, Any]:
    try:
        raw = archive.read(DOCUMENT)
    except KeyError:
        raise _Damaged(f"a zip archive but not a graphscope trace (it has no {DOCUMENT})") from None
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise _Damaged(f"{DOCUMENT} is not valid JSON ({exc})") from None
    _need(isinstance(document, dict) and document.get("format") == FORMAT,
          f"not a graphscope trace ({DOCUMENT} does not say format {FORMAT!r})")
    version = document.get("version")
    _need(isinstance(version, int), f"{DOCUMENT} has no format version")
    if version > VERSION:
        raise _Damaged(f"trace format version {version} is newer than this graphscope reads "
                       f"(version {VERSION}); upgrade graphscope to read it")
    _need(version == VERSION, f"trace format version {version} is not supported (this graphscope reads {VERSION})")
    return document


def _read_arrays(archive: zipfile.ZipFile) -> dict[str, np.ndarray]:
    try:
        raw = archive.read(ARRAYS)
    except KeyError:
        raise _Damaged(f"the archive has no {ARRAYS}") from None
    try:
        with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
            return {name: npz[name] for name in npz.files}
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
        raise _Damaged(f"{ARRAYS} is damaged ({_short(exc)})") from None


def _rows(arrays: dict[str, np.ndarray], name: str, dtype: np.dtype) -> np.ndarray:
    _need(name in arrays, f"{ARRAYS} has no {name}")
    rows = arrays[name]
    _need(rows.dtype == dtype and rows.ndim == 1, f"{name} has the layout {rows.dtype}, not {dtype}")
    return rows


def _trace_from(document: dict[str, Any], arrays: dict[str, np.ndarray]) -> Trace:
    structures = []
    for i, doc in enumerate(document.get("structures", [])):
        _need(isinstance(doc, dict), f"structure {i} is not a table")
        structures.append(StepStructure(_infos(doc.get("nodes"), NodeInfo, _NODE_FIELDS, f"structure {i} nodes"),
                                        _infos(doc.get("leaves"), LeafInfo, _LEAF_FIELDS, f"structure {i} leaves")))
    node_rows = _rows(arrays, "node_rows", NODE_ROW)
    leaf_rows = _rows(arrays, "leaf_rows", LEAF_ROW)
    steps: list[StepRecord] = []
    n_at = l_at = 0
    for d in document.get("steps", []):
        _need(isinstance(d, dict), "a step entry is not a table")
        ref = d["structure"]
        _need(isinstance(ref, int) and 0 <= ref < len(structures), f"step {d.get('index')} refers to no structure")
        structure = structures[ref]
        n, l = len(structure.nodes), len(structure.leaves)
        _need(n_at + n <= len(node_rows) and l_at + l <= len(leaf_rows),
              f"step {d.get('index')}: the packed rows end early")
        values = None
        if d.get("values") is not None:
            values = {}
            for key, group, offset, shape in d["values"]:
                flat = arrays.get(f"values{int(group)}")
                count = math.prod(shape)
                _need(flat is not None and flat.ndim == 1 and 0 <= offset and offset + count <= flat.size,
                      f"step {d.get('index')}: kept value {key!r} is missing from {ARRAYS}")
                values[str(key)] = flat[offset:offset + count].reshape(shape)
        nonfinite = None
        if d.get("nonfinite") is not None:
            nonfinite = {(str(part), int(i), str(which)): (int(nan), int(inf))
                         for part, i, which, nan, inf in d["nonfinite"]}
        steps.append(StepRecord(int(d["index"]), structure, node_rows[n_at:n_at + n], leaf_rows[l_at:l_at + l],
                                int(d["base_uid"]), int(d["base_op"]), nonfinite, values,
                                tuple(str(r) for r in d.get("roots", ())), str(d.get("status", "complete"))))
        n_at, l_at = n_at + n, l_at + l
    _need(n_at == len(node_rows) and l_at == len(leaf_rows), "the packed rows do not match the steps")
    findings = [Finding.from_dict(f) for f in document.get("findings", [])]
    meta = document.get("meta", {})
    _need(isinstance(meta, dict), "meta is not a table")
    return Trace(steps, findings, meta)


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def from_bytes(data: bytes, name: str = "<bytes>") -> Trace:
    """A Trace from `.gstrace` bytes; `name` is what error messages call the file."""
    if not data:
        raise TraceFileError(name, "the file is empty, not a graphscope trace")
    try:
        with _quiet_gc(), zipfile.ZipFile(io.BytesIO(data)) as archive:
            document = _read_document(archive)
            arrays = _read_arrays(archive)
            return _trace_from(document, arrays)
    except _Damaged as exc:
        raise TraceFileError(name, str(exc)) from None
    except zipfile.BadZipFile as exc:
        if not data.startswith(b"PK"):
            raise TraceFileError(name, "not a graphscope trace (not a zip archive)") from None
        raise TraceFileError(name, f"truncated or corrupted ({_short(exc)})") from None
    except (zlib.error, EOFError, OSError) as exc:
        raise TraceFileError(name, f"corrupted: the compressed data is damaged ({_short(exc)})") from None
    except (KeyError, TypeError, ValueError, IndexError, AttributeError, OverflowError, RecursionError) as exc:
        what = f"missing field {exc}" if isinstance(exc, KeyError) else _short(exc)
        raise TraceFileError(name, f"damaged trace document ({what})") from None
    except (NotImplementedError, RuntimeError) as exc:  # zipfile on damaged flag bits (encryption, ...)
        raise TraceFileError(name, f"corrupted: {_short(exc)}") from None


def load(path: str | os.PathLike) -> Trace:
    """Read a `.gstrace` file. Raises TraceFileError (one line: the file and what is
    wrong) for a missing, truncated, corrupted, wrong-version or non-trace file."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise TraceFileError(path, "no such file") from None
    except IsADirectoryError:
        raise TraceFileError(path, "is a directory, not a trace file") from None
    except OSError as exc:
        raise TraceFileError(path, f"cannot read: {exc.strerror or exc}") from None
    return from_bytes(data, str(path))


def json_safe(obj: Any) -> Any:
    """`obj` with non-finite floats as strings ("nan", "inf"), so strict JSON readers
    (for `--json` output) accept it; tuples become lists."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else str(obj)
    if isinstance(obj, dict):
        return {str(k): json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [json_safe(v) for v in obj]
    if isinstance(obj, (str, int, bool)) or obj is None:
        return obj
    return json_safe(_plain(obj))
