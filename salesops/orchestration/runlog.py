"""The run log of one report: every warning, stderr line and traceback its notebook produced.

None of that reaches the shareable HTML (see ``render``): a reader sees the report, or a page
saying it could not be produced and whom to tell; whoever runs the reports reads
``.audit/<date>/[<audience>/]_logs/<notebook>.log`` in the reports folder (see ``layout``).
The log is scrubbed like the manifest (no ANSI colours, absolute paths or credentials).
"""

from __future__ import annotations

from nbformat import NotebookNode

from salesops.orchestration.scrub import scrub


def is_stderr(output: NotebookNode) -> bool:
    """A stream output on stderr: Python warnings, logging, library chatter."""
    return output.get("output_type") == "stream" and output.get("name") == "stderr"


def is_error(output: NotebookNode) -> bool:
    """A cell's exception and traceback."""
    return output.get("output_type") == "error"


def count_stderr(nb: NotebookNode) -> int:
    """How many stderr outputs (warnings and other messages) the executed notebook holds."""
    return sum(is_stderr(o) for c in nb.cells for o in c.get("outputs", []))


def run_log(nb: NotebookNode | None, name: str, error: str | None) -> str:
    """The log text: per executed cell (numbered as in error messages), its stderr output and
    traceback; then the run's error, if any."""
    lines = [f"run log of notebook {name}"]
    for cell in nb.cells if nb is not None else []:
        where = f"cell In [{cell.get('execution_count')}]"  # as in the error message
        for output in cell.get("outputs", []):
            if is_stderr(output):
                lines += [f"--- {where}: stderr (warnings, messages)",
                          output.get("text", "").rstrip("\n")]
            elif is_error(output):
                lines += [f"--- {where}: {output.get('ename')}: {output.get('evalue')}",
                          *"\n".join(output.get("traceback", [])).splitlines()]
    if error:
        lines += ["--- the report FAILED", error]
    if len(lines) == 1:
        lines.append("no warnings, messages or errors")
    return scrub("\n".join(lines)) + "\n"
