"""The test programs (``tests/programs/*.py``) run as child processes, with every wait on them
bounded. A thread per pipe reads the child's stdout and stderr into queues as they come, so a read
has a deadline, a chatty child never blocks on a full pipe, and a failure can quote what the child
wrote to stderr without waiting for it to exit. On a timeout the child is killed and the test fails
with what it printed; nothing here can wait for ever."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO, Dict, List, NoReturn, Optional, Tuple

PROGRAMS = Path(__file__).resolve().parent / "programs"

TIMEOUT = 30.0
"""Seconds any one wait on a child may take: ample for a loaded 2-core CI machine."""


class Program:
    """``python tests/programs/<script> args...``, with this interpreter and this ``sys.path``."""

    def __init__(self, script: str, *args: str) -> None:
        self.script = script
        # Unbuffered, so that a line printed without flush=True reaches the test at once too.
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "PYTHONUNBUFFERED": "1"}
        argv = [sys.executable, str(PROGRAMS / script), *args]
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        self._unread: Dict[str, queue.Queue[Optional[str]]] = {"stdout": queue.Queue(), "stderr": queue.Queue()}
        self._all: Dict[str, List[str]] = {"stdout": [], "stderr": []}
        self._readers = [
            threading.Thread(target=self._pump, args=(name, pipe), name=f"{script} {name}", daemon=True)
            for name, pipe in (("stdout", self.proc.stdout), ("stderr", self.proc.stderr))
        ]
        for reader in self._readers:
            reader.start()

    def _pump(self, name: str, pipe: IO[str]) -> None:
        for line in pipe:
            line = line.rstrip("\n")
            self._all[name].append(line)
            self._unread[name].put(line)
        pipe.close()
        self._unread[name].put(None)  # end of file

    def next_line(self, what: str = "a line", stream: str = "stdout", timeout: float = TIMEOUT) -> str:
        """The next line the child writes to ``stream``; fails after ``timeout`` or at its end."""
        try:
            line = self._unread[stream].get(timeout=timeout)
        except queue.Empty:
            self.fail(f"{what} did not come on its {stream} in {timeout:g} s")
        if line is None:
            self._unread[stream].put(None)  # still at the end for the next reader
            self.fail(f"its {stream} ended (exit code {self.proc.poll()}) before {what}")
        return line

    def wait_for(self, text: str, stream: str = "stderr", timeout: float = TIMEOUT) -> str:
        """Skips ``stream``'s lines until one that contains ``text`` (e.g. a log line), and returns it."""
        deadline = time.monotonic() + timeout
        while True:
            line = self.next_line(repr(text), stream, max(0.0, deadline - time.monotonic()))
            if text in line:
                return line

    def send_signal(self, sig: int) -> None:
        self.proc.send_signal(sig)

    def exit(self, timeout: float = TIMEOUT) -> Tuple[int, List[str]]:
        """Waits for the child to exit; returns its exit code and the stdout lines not yet read."""
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.fail(f"it did not exit in {timeout:g} s")
        self._join()
        try:
            rest = list(iter(self._unread["stdout"].get_nowait, None))
        except queue.Empty:
            self.fail("its stdout stayed open after it exited")
        self._unread["stdout"].put(None)
        return self.proc.returncode, rest

    def stderr(self) -> str:
        """What the child wrote to stderr so far; never waits."""
        return "\n".join(self._all["stderr"])

    def kill(self) -> None:
        """SIGKILL (unless it has exited) and reap it; safe to call twice."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self._join()

    def fail(self, why: str) -> NoReturn:
        """Kills the child and fails the test with ``why``, what it printed and its stderr."""
        self.kill()
        out = "\n".join(self._all["stdout"]) or "(nothing)"
        err = self.stderr() or "(nothing)"
        raise AssertionError(f"{self.script}: {why}\n--- its stdout ---\n{out}\n--- its stderr ---\n{err}")

    def _join(self) -> None:
        # The pipes end when the child does (the test programs start no processes of their own);
        # the bound is only so that a stray grandchild holding them cannot hang the test.
        for reader in self._readers:
            reader.join(5)
