"""`graphscope demo`: the bug gallery, drawn and explained.

Runs every script of examples/ twice under the inspector, as written (the bug) and with
`--fixed`, and writes for each run, into `<out>/<example>/`:

    buggy.svg | buggy.dot        the last step's graph (.dot when Graphviz is missing)
    buggy.findings.txt / .json   the findings as text and as JSON
    buggy.gstrace                the trace, for `graphscope trace|check|diff|render`
    buggy.log                    what the script printed
    buggy.diff.txt               when the last step's graph differs from the step before
                                 it (an evaluation graph after training): the diff

and the same for `fixed`. A summary table ends the run. examples/ ships with the source
tree, not the installed package, so the demo needs an editable or source install.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from .cli import EXIT_CRASHED, EXIT_OK, CommandError, _findings_document, _inspect_script

VARIANTS = (("buggy", []), ("fixed", ["--fixed"]))


def find_examples() -> Path:
    """The gallery folder beside the package (a source checkout or editable install)."""
    folder = Path(__file__).resolve().parent.parent / "examples"
    if not folder.is_dir() or not any(folder.glob("*.py")):
        raise CommandError(f"the bug gallery is not here ({folder} has no examples): `graphscope demo` needs a "
                           "source checkout installed with `pip install -e .`")
    return folder


def gallery(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.py") if not p.name.startswith("_"))


def _structure_diff(trace: Any) -> str | None:
    """The diff of the last step against the latest earlier step with another graph."""
    if len(trace.steps) < 2:
        return None
    last = trace.steps[-1]
    for earlier in reversed(trace.steps[:-1]):
        if earlier.structure is not last.structure and earlier.structure != last.structure:
            from .diff import diff_steps
            from .render.terminal import to_text

            found = diff_steps(earlier, last, f"step {earlier.index}", f"step {last.index}", same_trace=True)
            return to_text(found, width=100) if not found.structure_equal else None
    return None


def _kinds(findings: list) -> str:
    counts: dict[str, int] = {}
    for f in findings:
        counts[f.kind] = counts.get(f.kind, 0) + 1
    return ", ".join(f"{k}" + (f" x{n}" if n > 1 else "") for k, n in counts.items()) or "-"


def run_one(script: Path, variant: str, args: list[str], folder: Path, image_suffix: str) -> dict[str, Any]:
    """Run one example variant and write its files; a row of the summary."""
    from .io import save
    from .render.dot import render
    from .render.terminal import FindingsPanel, to_text

    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{variant}.log", "w", encoding="utf-8") as log:
        trace, result = _inspect_script(script, args, output=log)
        if result.traceback:
            log.write(result.traceback)
    save(trace, folder / f"{variant}.gstrace")
    title = f"{script.stem} ({variant})"
    (folder / f"{variant}.findings.txt").write_text(to_text(FindingsPanel(trace.findings, title=title), width=100),
                                                    encoding="utf-8")
    document = _findings_document(trace, str(script), "warning", result)
    from .io import json_safe

    (folder / f"{variant}.findings.json").write_text(
        json.dumps(json_safe(document), indent=2, ensure_ascii=False, allow_nan=False) + "\n", encoding="utf-8")
    drawing = "-"
    if trace.steps:
        try:
            drawing = render(trace, folder / f"{variant}{image_suffix}").name
        except Exception as exc:  # one example's drawing failing must not stop the gallery
            drawing = f"failed: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    diff_text = _structure_diff(trace)
    if diff_text:
        (folder / f"{variant}.diff.txt").write_text(diff_text, encoding="utf-8")
    return {"example": script.stem, "variant": variant, "status": result.status if result.failed else "ok",
            "steps": len(trace.steps), "findings": trace.findings, "drawing": drawing,
            "diff": bool(diff_text), "error": result.describe() if result.failed else ""}


def run_demo(out: Path) -> int:
    """Run the whole gallery into `out`; print the summary; EXIT_CRASHED if a run crashed."""
    from rich.table import Table

    from .render.terminal import make_console, progress

    folder = find_examples()
    scripts = gallery(folder)
    console = make_console()
    has_dot = shutil.which("dot") is not None
    suffix = ".svg" if has_dot else ".dot"
    if not has_dot:
        console.print("Graphviz's `dot` was not found, so the drawings are .dot source "
                      "(apt-get install graphviz, or brew install graphviz, for .svg)")
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    with progress() as bar:
        task = bar.add_task("bug gallery", total=len(scripts) * len(VARIANTS))
        for script in scripts:
            for variant, args in VARIANTS:
                bar.update(task, description=f"{script.stem} ({variant})")
                rows.append(run_one(script, variant, args, out / script.stem, suffix))
                bar.advance(task)
    table = Table(title=f"bug gallery: {len(scripts)} examples from {folder}, written to {out}",
                  title_justify="left", header_style="bold")
    for name in ("example", "variant", "status", "steps", "findings", "drawing"):
        table.add_column(name, overflow="fold")
    for row in rows:
        findings = _kinds(row["findings"]) + ("; graph diff" if row["diff"] else "")
        table.add_row(row["example"], row["variant"], row["status"], str(row["steps"]), findings, row["drawing"],
                      style="red" if row["status"] != "ok" else None)
    console.print(table)
    crashed = [r for r in rows if r["status"] != "ok"]
    for r in crashed:
        console.print(f"{r['example']} ({r['variant']}): {r['error']} (see {out / r['example'] / r['variant']}.log)")
    return EXIT_CRASHED if crashed else EXIT_OK
