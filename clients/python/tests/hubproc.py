"""Real hubs for the tests: the built hub (``next build`` first; ``npm test`` does) started as
``npm start`` serves it, on a free port of 127.0.0.1 with a fresh SQLite file, or on a fresh
PostgreSQL database of its own that is dropped afterwards."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Optional

REPO = Path(__file__).resolve().parents[3]
PG_MAINTENANCE_URL = os.environ.get("HUB_TEST_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Hub:
    def __init__(self, env: Optional[dict] = None, database_url: Optional[str] = None) -> None:
        if not (REPO / ".next" / "BUILD_ID").exists():
            raise RuntimeError(f"the hub is not built: run `npx next build` in {REPO} first (npm test does)")
        node = os.environ.get("HUB_TEST_NODE") or shutil.which("node")
        if not node:
            raise RuntimeError("node is not on PATH (set HUB_TEST_NODE)")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._dir = tempfile.mkdtemp(prefix="fmh-py-")
        self.database_url = database_url or os.path.join(self._dir, "hub.db")
        self.log_path = os.path.join(self._dir, "hub.log")
        full_env = {**os.environ, "NODE_ENV": "production", "HOST": "127.0.0.1", **(env or {})}
        full_env.update(DATABASE_URL=self.database_url, PORT=str(self.port))
        for k in [k for k in full_env if k.startswith("HUB_") and k not in (env or {}) and not k.startswith("HUB_TEST_")]:
            del full_env[k]  # only the settings this test asks for
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [node, "--require", "tsx/cjs", str(REPO / "scripts" / "serve.ts")],
            cwd=REPO,
            env=full_env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the hub exited with {self.proc.returncode}:\n{self.output()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as res:
                    if res.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.proc.kill()
                raise RuntimeError(f"the hub did not answer /healthz in 60 s:\n{self.output()}")
            time.sleep(0.1)

    def output(self) -> str:
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
        shutil.rmtree(self._dir, ignore_errors=True)


def _psql(sql: str) -> None:
    psql = shutil.which("psql")
    if not psql:
        raise RuntimeError("psql is not installed (apt-get install -y postgresql-client)")
    subprocess.run([psql, PG_MAINTENANCE_URL, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql], check=True, capture_output=True, text=True)


class PgDatabase:
    """A fresh database on the test PostgreSQL server; ``drop()`` removes it."""

    def __init__(self, label: str) -> None:
        self.name = f"fmh_py_{label}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        for attempt in range(6):
            try:
                _psql(f"CREATE DATABASE {self.name}")
                break
            except subprocess.CalledProcessError as err:
                # Two CREATE DATABASE at once on one server (other test runs) fail with "source
                # database template1 is being accessed by other users": try again shortly.
                if "being accessed by other users" not in err.stderr or attempt == 5:
                    raise RuntimeError(f"could not create a database on {PG_MAINTENANCE_URL}: {err.stderr.strip()}") from None
                time.sleep(0.5 + attempt)
        base, _, _ = PG_MAINTENANCE_URL.rpartition("/")
        self.url = f"{base}/{self.name}"

    def drop(self) -> None:
        _psql(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")
