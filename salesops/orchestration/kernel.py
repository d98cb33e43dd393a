"""A papermill engine whose kernels start one at a time and are retried once on a failed start.

Concurrent kernel starts race (papermill #511, #776; ipykernel #412): jupyter_client picks free
ports by binding and releasing them, so two starts at once can pick the same port, and a busy
machine can miss the 60 s ready deadline. Maintainers' advice is to retry a failed start with
fresh ports. Here port choice and launch hold a process-wide lock (jupyter_client's
``LocalPortCache`` then never hands out a port twice in this process), kernels warm up and
execute concurrently, and a start that fails anyway (another process took a port, or the
kernel did not answer in time) is retried with a fresh kernel manager.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

import zmq
from jupyter_client.kernelspec import NoSuchKernel
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from traitlets.config import Config

ENGINE_NAME = "salesops-serial-start"
START_ATTEMPTS = 3

#: Encrypt kernel traffic (CurveZMQ) when libzmq supports it; jupyter_client applies it only
#: to kernels whose spec declares support (ipykernel does).
KERNEL_CONFIG = Config(
    {"KernelManager": {"transport_encryption": "auto" if zmq.has("curve") else "disabled"}}
)

#: jupyter_client interrupts every kernel before shutting it down, and an idle ipykernel logs
#: that as "ERROR | KeyboardInterrupt caught in kernel" on the terminal: noise in cron mail.
#: Cell errors still reach the notebook and the report; only the kernel's own log is quieted.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=CRITICAL"]

#: Native thread pools (BLAS, OpenMP) each default to one thread per core; with one kernel per
#: core that oversubscribes the machine (measured: the forecast report 12 s -> 9 s when limited).
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")

log = logging.getLogger(__name__)


def kernel_environment(threads: int | None) -> dict[str, str] | None:
    """Environment for kernels limited to ``threads`` native threads each (None: inherit as is).

    Variables the user has set are left alone.
    """
    if threads is None:
        return None
    return {**os.environ, **{v: str(threads) for v in THREAD_VARS if v not in os.environ}}
_START_LOCK = threading.Lock()


class SerialStartClient(PapermillNotebookClient):
    """Papermill's notebook client with serialised, retried kernel start-up."""

    kernel_env: dict[str, str] | None = None
    kernel_cwd: str | None = None  # the kernel's working folder (papermill's cwd= is a
    # process-wide chdir, unsafe with notebooks running in threads)

    def start_new_kernel(self, **kwargs: Any) -> None:
        """Launch the kernel under the lock, wait until it answers; retry with fresh ports."""
        if self.kernel_env is not None:
            kwargs.setdefault("env", self.kernel_env)
        if self.kernel_cwd is not None:
            kwargs["cwd"] = self.kernel_cwd
        for attempt in range(1, START_ATTEMPTS + 1):
            try:
                with _START_LOCK:
                    super().start_new_kernel(**kwargs)
                self.start_new_kernel_client()
                return
            except NoSuchKernel:
                raise
            except Exception as exc:
                self._discard_kernel()
                if attempt == START_ATTEMPTS:
                    raise
                log.warning("kernel start failed (%s); retrying with a fresh kernel (%d/%d)",
                            exc, attempt + 1, START_ATTEMPTS)

    def _discard_kernel(self) -> None:
        """Shut down whatever a failed start left and make a new kernel manager (new ports)."""
        if self.km is not None:
            try:
                self._cleanup_kernel()
            except Exception:  # the kernel may be half-started; a fresh manager replaces it
                log.debug("cleanup after failed kernel start failed", exc_info=True)
        self.kc = None
        self.km = self.create_kernel_manager()


class SerialStartEngine(NBClientEngine):
    """NBClient engine executing through ``SerialStartClient``."""

    @classmethod
    def execute_managed_notebook(
        cls, nb_man: Any, kernel_name: str, log_output: bool = False, stdout_file: Any = None,
        stderr_file: Any = None, start_timeout: int = 60, execution_timeout: int | None = None,
        **kwargs: Any,
    ) -> Any:
        """Execute the managed notebook's cells in a kernel started by ``SerialStartClient``."""
        kwargs.pop("input_path", None)
        kernel_env = kwargs.pop("kernel_env", None)
        kernel_cwd = kwargs.pop("kernel_cwd", None)
        client = SerialStartClient(
            nb_man, kernel_name=kernel_name, startup_timeout=start_timeout,
            timeout=execution_timeout, log=log, config=KERNEL_CONFIG, log_output=log_output,
            extra_arguments=KERNEL_ARGUMENTS,
            stdout_file=stdout_file, stderr_file=stderr_file, **kwargs,
        )
        client.kernel_env, client.kernel_cwd = kernel_env, kernel_cwd
        return client.execute()


papermill_engines.register(ENGINE_NAME, SerialStartEngine)
