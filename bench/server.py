"""Start gunicorn on a free loopback port, wait until /healthz answers, and stop it again."""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from bench.load import LOOPBACK, fetch


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


class Server:
    """``with Server(...) as server:`` runs gunicorn and always stops it, also on error."""

    def __init__(
        self,
        *,
        root: Path,
        env: dict[str, str],
        log_path: Path,
        workers: int,
        worker_class: str,
        threads: int,
        task_worker: bool = False,
    ) -> None:
        self.root = root
        self.env = env
        self.log_path = log_path
        self.workers = workers
        self.worker_class = worker_class
        self.threads = threads
        # With TASKS_BACKEND=database, as in production: `manage.py db_worker` runs in the same
        # process group as gunicorn, so its CPU counts as the server's and it stops with it.
        self.task_worker = task_worker
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "gongzhi.wsgi:application",
            "--bind",
            f"{LOOPBACK}:{self.port}",
            "--workers",
            str(self.workers),
            "--worker-class",
            self.worker_class,
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
            "--log-level",
            "warning",
        ]
        if self.worker_class == "gthread":
            command += ["--threads", str(self.threads)]
        if self.task_worker:
            worker = [sys.executable, "manage.py", "db_worker", "--interval", "0.5"]
            script = f"{shlex.join(worker)} & exec {shlex.join(command)}"
            return ["/bin/sh", "-c", script]
        return command

    def __enter__(self) -> Server:
        self.port = free_port()
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                self.command(),
                cwd=self.root,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stopped as one below
            )
        try:
            self.wait_healthy()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def wait_healthy(self, timeout: float = 60) -> None:
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited with {self.process.returncode}:\n{self.log_tail()}"
                )
            try:
                status, body, _headers = fetch(self.port, "/healthz", {}, timeout=5)
            except OSError:
                time.sleep(0.2)
                continue
            if status == 200 and body == b"ok":
                return
            raise RuntimeError(f"/healthz answered {status}: {body[:200]!r}\n{self.log_tail()}")
        raise RuntimeError(f"gunicorn did not answer /healthz in {timeout} s\n{self.log_tail()}")

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()  # gunicorn's master stops its workers on SIGTERM
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # the group we created: master and workers
            process.wait(timeout=15)
        if self.task_worker:
            # The task worker is in the same group but not gunicorn's child: stop it too.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])
