"""A papermill engine executing a notebook's cells in this process, in an IPython shell.

It records what a Jupyter kernel would send: ``stream``, ``display_data``, ``execute_result``
and ``error`` outputs in nbformat shape (values passed through the kernel protocol's JSON
packer, so images and numbers come out as a kernel's do), execution counts, figures through
the inline matplotlib backend; papermill still injects the parameters, records each cell's
status and duration and raises ``PapermillExecutionError`` on a failing cell.

The shell, working folder, environment and ``sys.stdout`` belong to the process: the engine
runs ONE notebook per process and refuses a second. The local executor (``executors``) gives
every report a fresh process forked from a server that has the imports done already.
"""

from __future__ import annotations

import io
import os
import sys
from contextlib import redirect_stderr, redirect_stdout
from typing import Any

from ipykernel.ipkernel import IPythonKernel
from IPython.core.displayhook import DisplayHook
from IPython.core.displaypub import DisplayPublisher
from IPython.core.interactiveshell import InteractiveShell
from jupyter_client.session import json_packer, json_unpacker
from nbformat import NotebookNode
from nbformat.v4 import new_output
from papermill.engines import Engine, papermill_engines
from traitlets import Type
from traitlets.config import Config

ENGINE_NAME = "salesops-inprocess"
#: Cells nbclient does not execute (its default ``skip_cells_with_tag``), and cells whose error
#: does not stop the notebook (nbclient's ``raises-exception``).
SKIP_TAG = "skip-execution"
ALLOW_ERROR_TAG = "raises-exception"
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
SHELL_CONFIG = Config({"HistoryManager": {"enabled": False}})  # no sqlite history file


def _wire(value: Any) -> Any:
    """``value`` as it arrives from a kernel: through the kernel protocol's JSON packer."""
    return json_unpacker(json_packer(value))


class OutputSink:
    """The outputs of the cell being executed, in nbformat shape."""

    def __init__(self) -> None:
        self.outputs: list[NotebookNode] = []
        self._clear_pending = False

    def add(self, output: NotebookNode) -> None:
        """Append one output (after a delayed ``clear_output(wait=True)``, replacing all)."""
        if self._clear_pending:
            self.outputs.clear()
            self._clear_pending = False
        self.outputs.append(output)

    def stream(self, name: str, text: str) -> None:
        """Text on stdout/stderr; consecutive writes to one stream form one output."""
        last = self.outputs[-1] if self.outputs and not self._clear_pending else None
        if last is not None and last.output_type == "stream" and last.name == name:
            last.text += text
        else:
            self.add(new_output("stream", name=name, text=text))

    def clear(self, wait: bool) -> None:
        """``IPython.display.clear_output``: now, or before the next output."""
        if wait:
            self._clear_pending = True
        else:
            self.outputs.clear()


class StreamWriter(io.TextIOBase):
    """A text stream (sys.stdout or sys.stderr) writing into the sink."""

    def __init__(self, sink: OutputSink, name: str) -> None:
        self.sink, self.name = sink, name

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if text:
            self.sink.stream(self.name, text)
        return len(text)


class SinkDisplayPublisher(DisplayPublisher):
    """``display(...)`` becomes a ``display_data`` output."""

    def publish(self, data: dict, metadata: dict | None = None, source: Any = None, *,
                transient: dict | None = None, update: bool = False, **kwargs: Any) -> None:
        output = new_output("display_data", data=_wire(data), metadata=_wire(metadata or {}))
        display_id = (transient or {}).get("display_id")
        shown = self.shell.displays.setdefault(display_id, []) if display_id else []
        for earlier in shown:  # as nbclient: a display id's outputs all show the latest data
            earlier.data, earlier.metadata = output.data, output.metadata
        if not update:
            self.shell.sink.add(output)
            shown.append(output)

    def clear_output(self, wait: bool = False) -> None:
        self.shell.sink.clear(wait)


class SinkDisplayHook(DisplayHook):
    """A cell's last expression becomes an ``execute_result`` output (no ``Out[n]:`` text)."""

    def write_output_prompt(self) -> None:
        pass

    def write_format_data(self, format_dict: dict, md_dict: dict | None = None) -> None:
        self.shell.sink.add(new_output("execute_result", data=_wire(format_dict),
                                       metadata=_wire(md_dict or {}),
                                       execution_count=self.prompt_count))

    def finish_displayhook(self) -> None:
        pass


class ReportShell(InteractiveShell):
    """An IPython shell whose outputs go to ``sink`` instead of the terminal."""

    displayhook_class = Type(SinkDisplayHook)
    display_pub_class = Type(SinkDisplayPublisher)

    def __init__(self, **kwargs: Any) -> None:
        self.sink = OutputSink()
        self.displays: dict[str, list[NotebookNode]] = {}  # display id -> its outputs
        super().__init__(**kwargs)

    def _showtraceback(self, etype: type, evalue: BaseException, stb: list[str]) -> None:
        """An exception becomes an ``error`` output, as ipykernel sends it."""
        self.sink.add(new_output("error", ename=etype.__name__, evalue=str(evalue),
                                 traceback=list(stb)))


def start_shell() -> ReportShell:
    """This process's shell, with figures shown inline as in a Jupyter kernel."""
    if InteractiveShell.initialized():
        raise RuntimeError("the in-process engine runs one notebook per process; "
                           "this process already has an IPython shell")
    os.environ.setdefault("MPLBACKEND", INLINE_BACKEND)  # what ipykernel sets
    shell = ReportShell.instance(config=SHELL_CONFIG)
    if "matplotlib" in sys.modules:  # else importing the inline backend does this itself
        from IPython.core.pylabtools import activate_matplotlib
        from matplotlib_inline.backend_inline import configure_inline_support

        activate_matplotlib(INLINE_BACKEND)
        configure_inline_support(shell, INLINE_BACKEND)
    return shell


def run_cell(shell: ReportShell, cell: NotebookNode) -> bool:
    """Execute one cell into its outputs; False if it raised (and errors stop the notebook)."""
    if cell.cell_type != "code" or not cell.source.strip():
        return True
    tags = cell.metadata.get("tags", [])
    if SKIP_TAG in tags:
        return True
    shell.sink = OutputSink()
    with redirect_stdout(StreamWriter(shell.sink, "stdout")), \
            redirect_stderr(StreamWriter(shell.sink, "stderr")):
        result = shell.run_cell(cell.source, store_history=True)
    cell.outputs = shell.sink.outputs
    cell.execution_count = result.execution_count
    return result.success or ALLOW_ERROR_TAG in tags


class InProcessEngine(Engine):
    """Papermill engine running the notebook in this process (one notebook per process)."""

    @classmethod
    def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, log_output: bool = False,
                                 kernel_cwd: str | None = None,
                                 kernel_env: dict[str, str] | None = None, **kwargs: Any) -> Any:
        """Execute the cells in order, stopping at the first error as nbclient does."""
        if kernel_env is not None:
            os.environ.update(kernel_env)
        if kernel_cwd is not None:
            os.chdir(kernel_cwd)
        shell = start_shell()
        sys.path.insert(0, "")  # a kernel's sys.path starts with its working folder
        for index, cell in enumerate(nb_man.nb.cells):
            nb_man.cell_start(cell, index)
            try:
                if not run_cell(shell, cell):
                    nb_man.cell_exception(cell, cell_index=index)
                    break
            finally:
                nb_man.cell_complete(cell, cell_index=index)
        nb_man.nb.metadata["language_info"] = _wire(IPythonKernel.language_info)
        return nb_man.nb


papermill_engines.register(ENGINE_NAME, InProcessEngine)
