"""The `graphscope` command: run a script under the inspector, draw, dump, check and
diff what it did, or hunt the first NaN, without editing the script.

Only the standard library is imported here at the top, so `graphscope --help` is quick;
each command imports what it needs (numpy, rich, networkx, graphviz) when it runs.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any, Callable

EXIT_OK = 0
EXIT_FOUND = 1        # check: findings at or above --fail-on; nan-hunt: a NaN/inf appeared
EXIT_USAGE = 2        # bad command line, unreadable script or trace file, output not writable, no Graphviz
EXIT_CRASHED = 3      # the script raised an exception (or exited with an error status)
EXIT_INTERRUPTED = 130

TRACE_SUFFIX = ".gstrace"
SCRIPT_COMMANDS = ("run", "render", "nan-hunt", "trace", "check")

EPILOG = f"""\
SCRIPT is a Python file, run as `python SCRIPT ARGS...` would run it (its own sys.argv,
__name__ == "__main__", its folder on sys.path); a file ending in {TRACE_SUFFIX} is a saved
trace. graphscope's own options may come before or after SCRIPT; put `--` after SCRIPT to
hand everything that follows to the script untouched (`graphscope run train.py -- -o x`).

exit status:
  {EXIT_OK}    success (run: the script's own exit status when it calls sys.exit)
  {EXIT_FOUND}    check: findings at or above --fail-on; nan-hunt: a NaN or inf appeared
  {EXIT_USAGE}    bad command line, a missing or unreadable script or trace file, an output
       that cannot be written, or Graphviz's `dot` missing for an image format
  {EXIT_CRASHED}    the script crashed (raised an exception, or exited with an error status
       under a command other than run); what was recorded up to the crash is still
       saved and shown
  {EXIT_INTERRUPTED}  interrupted (Ctrl-C)

Set NO_COLOR=1 for colourless output; output that is not a terminal is always plain.
"""


class CommandError(Exception):
    """A problem the user can fix, reported as one line and EXIT_USAGE."""


# -- the parser ---------------------------------------------------------------------------
def _source_arg(p: argparse.ArgumentParser, what: str = "SCRIPT|TRACE") -> None:
    p.add_argument("source", metavar=what,
                   help=f"a Python script to run (with its arguments after it), or a saved {TRACE_SUFFIX} trace"
                   if "TRACE" in what else "a Python script to run, with its arguments after it")


def _step_arg(value: str) -> int | str:
    if value == "all":
        return value
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a step number: {value!r} (use an integer, -1 for the last, or 'all')")


def build_parser() -> argparse.ArgumentParser:
    fmt = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(
        prog="graphscope", formatter_class=fmt, epilog=EPILOG, allow_abbrev=False,
        description="A debugger for automatic differentiation: record what a script's autodiff did, "
                    "draw it, dump it, check it, diff it, and find where it went wrong.")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("run", formatter_class=fmt, epilog=EPILOG, allow_abbrev=False,
                       help="run SCRIPT under the inspector; show the findings; save the trace",
                       description="Run SCRIPT [ARGS...] under the inspector, show its findings, and save "
                                   "the trace (also when the script crashes).")
    _source_arg(p, "SCRIPT")
    p.add_argument("-o", "--output", default="run" + TRACE_SUFFIX, metavar="TRACE",
                   help=f"where to save the trace (default: run{TRACE_SUFFIX})")
    p.add_argument("--keep-values", type=int, default=2, metavar="N",
                   help="how many of the last steps keep full arrays of values and gradients (default 2)")
    p.set_defaults(handler=cmd_run)

    p = sub.add_parser("render", formatter_class=fmt, epilog=EPILOG, allow_abbrev=False,
                       help="draw a step's graph to .dot/.svg/.png/.pdf",
                       description="Draw one step's graph. The format follows the suffix of -o: .dot needs "
                                   "nothing else; .svg .png .pdf need Graphviz's `dot`.")
    _source_arg(p)
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="the drawing: graph.dot, .svg, .png or .pdf")
    p.add_argument("--step", type=int, default=-1, help="which step (default -1, the last)")
    p.add_argument("--focus", metavar="NODE|nonfinite",
                   help="draw only the ancestors of NODE (a key such as fc1/matmul#0), or of the first NaN/inf")
    p.add_argument("--collapse", action="store_true", help="fold repeated blocks and module internals")
    p.add_argument("--full", action="store_true", help="draw every node even of a very big graph")
    p.set_defaults(handler=cmd_render)

    p = sub.add_parser("nan-hunt", formatter_class=fmt, epilog=EPILOG, allow_abbrev=False,
                       help="run SCRIPT and stop at the first op that makes a NaN or inf",
                       description="Run SCRIPT [ARGS...] and stop at the first op, forward or backward, that "
                                   f"turns finite values into NaN or inf; exit {EXIT_FOUND} naming the op and "
                                   "the line of the script that called it.")
    _source_arg(p, "SCRIPT")
    p.set_defaults(handler=cmd_nan_hunt)

    p = sub.add_parser("trace", formatter_class=fmt, epilog=EPILOG, allow_abbrev=False,
                       help="dump the ops of a step, one per line, with their statistics",
                       description="The op-by-op dump: step, index, op, key, the script's line, shape, dtype, "
                                   "min/max/mean, NaN/inf counts and flags.")
    _source_arg(p)
    p.add_argument("--step", type=_step_arg, default=-1, help="a step number, -1 for the last (default), or 'all'")
    p.add_argument("--op", metavar="PATTERN", help="only ops whose name or key matches this glob (exp, mat*, fc1/*)")
    p.add_argument("--tree", action="store_true", help="also show the graph as a tree, from the loss to the inputs")
    p.set_defaults(handler=cmd_trace)

    p = sub.add_parser("check", formatter_class=fmt, epilog=EPILOG, allow_abbrev=False,
                       help="run all checks; exit non-zero on findings",
                       description=f"Show every finding; exit {EXIT_FOUND} when any is at or above --fail-on.")
    _source_arg(p)
    p.add_argument("--json", action="store_true", help="print the findings as JSON (the script's own output goes "
                                                       "to stderr)")
    p.add_argument("--fail-on", choices=("error", "warning", "info"), default="warning",
                   help="the least severe finding that makes the exit status non-zero (default: warning)")
    p.set_defaults(handler=cmd_check)

    p = sub.add_parser("diff", formatter_class=fmt, epilog=EPILOG, allow_abbrev=False,
                       help="what changed between two steps or two traces: ops, values, object ids",
                       description="Compare two steps of one trace (TRACE --steps A B) or two traces "
                                   "(TRACE TRACE, the last step of each unless --steps). Ops are aligned by "
                                   "structure, so an op one graph has and the other lacks is named.")
    p.add_argument("traces", nargs="+", metavar="TRACE", help=f"one or two {TRACE_SUFFIX} files")
    p.add_argument("--steps", nargs=2, type=int, metavar=("A", "B"), help="the two steps to compare")
    p.add_argument("--json", action="store_true", help="print the differences as JSON")
    p.set_defaults(handler=cmd_diff)

    p = sub.add_parser("demo", formatter_class=fmt, epilog=EPILOG, allow_abbrev=False,
                       help="run the bug gallery (examples/), buggy and fixed; draw and explain each",
                       description="Run every example of the bug gallery, buggy and fixed, and write each one's "
                                   "drawing, findings (text and JSON) and trace to a folder.")
    p.add_argument("-o", "--output", default="demo-out", metavar="DIR", help="the folder to write (default demo-out)")
    p.set_defaults(handler=cmd_demo)
    return parser


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def split_script_args(parser: argparse.ArgumentParser, argv: list[str]) -> tuple[list[str], list[str]]:
    """Separate graphscope's arguments from the script's: the first positional after a
    script command is SCRIPT; after it, graphscope's own options of that command are
    still recognised (except -h), everything else goes to the script, and `--` hands
    all that follows to the script."""
    subs = _subparsers(parser)
    i = 0
    while i < len(argv) and argv[i].startswith("-") and argv[i] != "--":  # global options
        i += 1
    if i >= len(argv) or argv[i] not in SCRIPT_COMMANDS:
        return argv, []
    options = subs[argv[i]]._option_string_actions
    own, script_args = list(argv[:i + 1]), []
    found = False
    tokens = argv[i + 1:]
    k = 0
    while k < len(tokens):
        tok = tokens[k]
        if tok == "--":
            rest = tokens[k + 1:]
            if not found and rest:
                own.append(rest[0])
                rest = rest[1:]
                found = True
            script_args.extend(rest)
            break
        name = tok.split("=", 1)[0]
        action = options.get(name) or (options.get(tok[:2]) if tok[:2] in options and len(tok) > 2 else None)
        if tok.startswith("-") and action is not None and not (found and name in ("-h", "--help")):
            own.append(tok)
            if action.nargs != 0 and tok in options and k + 1 < len(tokens):  # `-o X`, not `-oX`/`--output=X`
                own.append(tokens[k + 1])
                k += 1
        elif not found and not tok.startswith("-"):
            own.append(tok)
            found = True
        elif not found:
            own.append(tok)  # an unknown option before SCRIPT: argparse reports it
        else:
            script_args.append(tok)
        k += 1
    return own, script_args


# -- output helpers ---------------------------------------------------------------------
def _out():
    from .render.terminal import make_console

    return make_console()


def _err(message: str) -> None:
    print(f"graphscope: {message}", file=sys.stderr, flush=True)


# -- running a script ---------------------------------------------------------------------
class ScriptResult:
    """How a script run ended: 'ok', 'exit' (sys.exit with a non-zero status), 'crashed'
    or 'interrupted'; the exception and the script's part of its traceback."""

    def __init__(self, script: Path):
        self.script = script
        self.status = "ok"
        self.exit_code = 0
        self.error: BaseException | None = None
        self.traceback = ""

    @property
    def failed(self) -> bool:
        return self.status != "ok"

    def describe(self) -> str:
        if self.status == "exit":
            return f"{self.script.name} exited with status {self.exit_code}"
        if self.status == "interrupted":
            return f"{self.script.name} was interrupted"
        if self.error is not None:
            return f"{self.script.name} crashed: {type(self.error).__name__}: {_first_line(self.error)}"
        return f"{self.script.name} finished"


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else ""


def _script_traceback(exc: BaseException, script: Path) -> str:
    """The traceback from the first frame of the user's files on (graphscope's own
    runner frames and runpy's are not the user's business)."""
    import traceback

    tb = exc.__traceback__
    here = os.path.dirname(os.path.abspath(__file__))
    start = tb
    while start is not None:
        filename = os.path.abspath(start.tb_frame.f_code.co_filename)
        if filename == str(script) or not (filename.startswith(here) or "runpy" in os.path.basename(filename)):
            break
        start = start.tb_next
    return "".join(traceback.format_exception(type(exc), exc, start or tb))


def _resolve_script(source: str) -> Path:
    path = Path(source)
    if not path.exists():
        raise CommandError(f"{source}: no such script")
    if path.is_dir():
        raise CommandError(f"{source}: is a directory, not a Python script")
    try:
        with open(path, "rb") as f:
            head = f.read(4)
    except OSError as exc:
        raise CommandError(f"{source}: cannot read: {exc.strerror or exc}") from None
    if head.startswith(b"PK"):  # runpy would try to run it as a zip application
        raise CommandError(f"{source}: a zip archive, not a Python script (a saved trace must end in {TRACE_SUFFIX})")
    return path.resolve()


def execute_script(script: Path, args: list[str], listener: Any, stdout_to_stderr: bool = False,
                   output: Any = None) -> ScriptResult:
    """Run `script` as `python script args...` would, inside `listener` (a context
    manager such as an Inspector), and put sys.argv, sys.path, the working folder, the
    warning filters, numpy's error settings and the script's own modules back afterwards.
    An exception in the script is caught and described, so what was recorded survives.
    `output`: a text stream that takes the script's stdout and stderr instead."""
    import contextlib
    import runpy
    import warnings

    import numpy as np

    result = ScriptResult(script)
    saved_argv, saved_path, saved_cwd = sys.argv, list(sys.path), os.getcwd()
    saved_modules = set(sys.modules)
    saved_np = np.geterr()
    folder = str(script.parent)
    sys.argv = [str(script), *args]
    sys.path.insert(0, folder)
    redirect = contextlib.ExitStack()
    if output is not None:
        redirect.enter_context(contextlib.redirect_stdout(output))
        redirect.enter_context(contextlib.redirect_stderr(output))
    elif stdout_to_stderr:
        redirect.enter_context(contextlib.redirect_stdout(sys.stderr))
    try:
        with warnings.catch_warnings(), redirect:
            try:
                with listener:
                    try:
                        runpy.run_path(str(script), run_name="__main__")
                    except SystemExit as exc:  # a clean exit is not a crash for the inspector
                        code = exc.code
                        if code is None or code == 0:
                            pass
                        elif isinstance(code, int):
                            result.status, result.exit_code = "exit", code
                        else:
                            print(code, file=sys.stderr)
                            result.status, result.exit_code = "exit", 1
            except KeyboardInterrupt as exc:
                result.status, result.exit_code, result.error = "interrupted", EXIT_INTERRUPTED, exc
            except Exception as exc:
                result.status, result.exit_code, result.error = "crashed", EXIT_CRASHED, exc
                result.traceback = _script_traceback(exc, script)
    finally:
        sys.argv = saved_argv
        sys.path[:] = saved_path
        np.seterr(**saved_np)
        with contextlib.suppress(OSError):
            os.chdir(saved_cwd)
        for name in set(sys.modules) - saved_modules:  # the script's own modules, not libraries
            module_file = getattr(sys.modules.get(name), "__file__", None) or ""
            if module_file and os.path.abspath(module_file).startswith(folder + os.sep):
                del sys.modules[name]
    sys.stdout.flush()
    return result


def _inspect_script(source: str | Path, args: list[str], keep_values: int = 2, stdout_to_stderr: bool = False,
                    output: Any = None):
    """Run a script under a fresh Inspector: (trace, ScriptResult)."""
    from .inspect.inspector import Inspector

    script = _resolve_script(str(source))
    inspector = Inspector(keep_values=keep_values)
    result = execute_script(script, args, inspector, stdout_to_stderr=stdout_to_stderr, output=output)
    trace = inspector.trace
    trace.meta.setdefault("script", str(script))
    trace.meta.setdefault("argv", list(args))
    if result.failed:
        trace.meta.setdefault("exit", {"status": result.status, "code": result.exit_code})
    if inspector.internal_errors:
        _err(f"the inspector hit {len(inspector.internal_errors)} internal error(s); recording went on. "
             f"First: {inspector.internal_errors[0].splitlines()[0]}")
    return trace, result


def _report_failure(result: ScriptResult | None, saved: str | None = None) -> None:
    if result is None or not result.failed:
        return
    if result.traceback:
        sys.stderr.write(result.traceback)
    where = ""
    if result.error is not None and result.error.__traceback__ is not None:
        import traceback

        frames = [f for f in traceback.extract_tb(result.error.__traceback__)
                  if os.path.abspath(f.filename) == str(result.script)]
        if frames:
            where = f" (at {frames[-1].filename}:{frames[-1].lineno})"
    note = f"; the trace up to there is saved in {saved}" if saved else "; what was recorded up to there is shown"
    _err(result.describe() + where + note)


def _is_trace(source: str) -> bool:
    return source.lower().endswith(TRACE_SUFFIX)


def _obtain(ns: argparse.Namespace, stdout_to_stderr: bool = False):
    """(trace, script result or None) from SCRIPT|TRACE."""
    if _is_trace(ns.source):
        if ns.script_args:
            raise CommandError(f"{ns.source} is a saved trace: it takes no script arguments "
                               f"({' '.join(ns.script_args)})")
        from .io import load

        return load(ns.source), None
    return _inspect_script(ns.source, ns.script_args, stdout_to_stderr=stdout_to_stderr)


def _final_status(result, otherwise: int = EXIT_OK) -> int:
    if result is not None and result.failed:
        return result.exit_code if result.status == "interrupted" else EXIT_CRASHED
    return otherwise


# -- commands -------------------------------------------------------------------------------
def cmd_run(ns: argparse.Namespace) -> int:
    from .io import save
    from .render.terminal import FindingsPanel

    if not _is_trace(ns.output):
        raise CommandError(f"-o {ns.output}: a trace file must end in {TRACE_SUFFIX}, so the other commands "
                           "know it is one")
    folder = Path(ns.output).resolve().parent
    if not folder.is_dir() or not os.access(folder, os.W_OK):  # find out before the script runs, not after
        raise CommandError(f"-o {ns.output}: cannot write into {folder}")
    trace, result = _inspect_script(ns.source, ns.script_args, keep_values=ns.keep_values)
    path = save(trace, ns.output)
    console = _out()
    console.print(FindingsPanel(trace.findings))
    ops = len(trace.steps[-1]) if trace.steps else 0
    console.print(f"recorded {len(trace.steps)} step(s), {ops} op(s) in the last; trace saved to {path}")
    _report_failure(result, str(path))
    if result.status == "exit":
        return result.exit_code
    return _final_status(result)


def cmd_render(ns: argparse.Namespace) -> int:
    trace, result = _obtain(ns)
    _report_failure(result)
    from .render.dot import render
    from .render.terminal import busy

    options: dict[str, Any] = {"step": ns.step, "focus": ns.focus, "full": ns.full}
    if ns.collapse:
        options["collapse"] = True
    try:
        with busy(f"drawing {ns.output} ..."):
            path = render(trace, ns.output, **options)
    except Exception as exc:  # missing dot, an unknown suffix or node: say it in one line
        if type(exc).__name__ == "ExecutableNotFound":
            raise CommandError(f"cannot write {ns.output}: Graphviz's `dot` program is not installed "
                               "(Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz); "
                               "a .dot file needs no Graphviz") from None
        if isinstance(exc, (ValueError, KeyError, IndexError, OSError)) or _is_graphscope_error(exc):
            raise CommandError(f"cannot write {ns.output}: {_first_line(exc) or type(exc).__name__}") from None
        raise
    print(f"wrote {path}")
    return _final_status(result)


def _is_graphscope_error(exc: BaseException) -> bool:
    from .errors import GraphscopeError

    return isinstance(exc, GraphscopeError)


def cmd_nan_hunt(ns: argparse.Namespace) -> int:
    from .inspect.nanhunt import NanHunt, NonFiniteError

    script = _resolve_script(ns.source)
    hunt = NanHunt("raise")
    result = execute_script(script, ns.script_args, hunt)
    origin = None
    if isinstance(result.error, NonFiniteError):
        origin = result.error
    elif hunt.origins:  # the script caught the error itself: the origin is still known
        origin = hunt.origins[0]
    if origin is None:
        _report_failure(result)
        if not result.failed:
            print(f"no NaN or inf appeared while {script.name} ran")
        return _final_status(result)
    details = getattr(origin, "details", {}) or {}
    op = getattr(origin, "op", None) or details.get("op", "?")
    phase = getattr(origin, "phase", None) or details.get("phase", "?")
    site = origin.site
    message = str(origin) if isinstance(origin, NonFiniteError) else origin.message
    print(f"NaN/inf origin: {site}: {op} ({origin.node}), {phase} pass")
    source_line = _source_line(site)
    if source_line:
        print(f"    {source_line}")
    print(message)
    return EXIT_FOUND


def _source_line(site: str) -> str:
    import linecache

    path, sep, line = site.rpartition(":")
    if not sep or not line.isdigit():
        return ""
    return linecache.getline(path, int(line)).strip()


def cmd_trace(ns: argparse.Namespace) -> int:
    from .render.terminal import GraphTree, TraceTable

    trace, result = _obtain(ns)
    console = _out()
    try:
        table = TraceTable(trace, ns.step, ns.op)
        console.print(table)
        if ns.tree and trace.steps:
            console.print(GraphTree(trace, ns.step if isinstance(ns.step, int) else -1))
    except IndexError as exc:
        raise CommandError(str(exc)) from None
    _report_failure(result)
    return _final_status(result)


def _findings_document(trace, source: str, fail_on: str, result) -> dict[str, Any]:
    from .inspect.findings import SEVERITIES

    counts = {s: sum(1 for f in trace.findings if f.severity == s) for s in SEVERITIES}
    failing = [f for f in trace.findings if f.at_least(fail_on)]
    if result is not None:
        status = result.status
    else:  # a loaded trace: did the run it recorded crash?
        status = "crashed" if trace.meta.get("error") else trace.meta.get("exit", {}).get("status", "ok")
    return {
        "format": "graphscope-findings", "version": 1, "source": source, "status": status,
        "error": trace.meta.get("error"), "steps": len(trace.steps), "fail_on": fail_on,
        "failed": bool(failing), "counts": counts, "findings": [f.to_dict() for f in trace.findings],
    }


def cmd_check(ns: argparse.Namespace) -> int:
    import json

    from .io import json_safe
    from .render.terminal import FindingsPanel

    trace, result = _obtain(ns, stdout_to_stderr=ns.json)
    document = _findings_document(trace, ns.source, ns.fail_on, result)
    if ns.json:
        print(json.dumps(json_safe(document), indent=2, ensure_ascii=False, allow_nan=False))
    else:
        _out().print(FindingsPanel(trace.findings))
    _report_failure(result)
    if result is None and trace.meta.get("error"):
        error = trace.meta["error"]
        _err(f"the recorded run crashed: {error.get('type')}: {error.get('message')} (at {error.get('site')})")
        return EXIT_CRASHED
    return _final_status(result, EXIT_FOUND if document["failed"] else EXIT_OK)


def cmd_diff(ns: argparse.Namespace) -> int:
    import json

    from .diff import diff_traces
    from .io import json_safe, load

    if len(ns.traces) > 2:
        raise CommandError(f"diff compares one trace (--steps A B) or two traces, not {len(ns.traces)}")
    for name in ns.traces:
        if not _is_trace(name):
            raise CommandError(f"{name}: diff reads saved traces ({TRACE_SUFFIX}); "
                               f"make one with `graphscope run {name} -o run{TRACE_SUFFIX}`")
    if len(ns.traces) == 1 and not ns.steps:
        raise CommandError("diff of one trace needs --steps A B (two steps of it)")
    first = load(ns.traces[0])
    second = load(ns.traces[1]) if len(ns.traces) == 2 else first
    step_a, step_b = ns.steps or (-1, -1)
    label_b = ns.traces[1] if len(ns.traces) == 2 else ns.traces[0]
    try:
        result = diff_traces(first, second, step_a, step_b, ns.traces[0], label_b)
    except IndexError as exc:
        raise CommandError(str(exc)) from None
    if ns.json:
        print(json.dumps(json_safe(result.to_dict()), indent=2, ensure_ascii=False, allow_nan=False))
    else:
        _out().print(result)
    return EXIT_OK


def cmd_demo(ns: argparse.Namespace) -> int:
    from .demo import run_demo

    return run_demo(Path(ns.output))


# -- entry point ------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    """The `graphscope` command; returns the exit status (see --help)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser()
    own, script_args = split_script_args(parser, argv)
    ns = parser.parse_args(own)
    if ns.version:
        from . import __version__

        print(f"graphscope {__version__}")
        return EXIT_OK
    handler: Callable[[argparse.Namespace], int] | None = getattr(ns, "handler", None)
    if handler is None:
        parser.print_help()
        return EXIT_USAGE
    ns.script_args = script_args
    try:
        return handler(ns)
    except BrokenPipeError:  # `graphscope trace run.gstrace | head`: the reader left, fine
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except CommandError as exc:
        _err(f"{ns.command}: {exc}")
        return EXIT_USAGE
    except KeyboardInterrupt:
        _err("interrupted")
        return EXIT_INTERRUPTED
    except Exception as exc:
        if _is_graphscope_error(exc):  # TraceFileError and the like: one line, no traceback
            _err(f"{ns.command}: {exc}")
            return EXIT_USAGE
        raise


if __name__ == "__main__":
    sys.exit(main())
