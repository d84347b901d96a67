"""The README's Python example (clients/python/examples/quickstart.py, shown there verbatim) runs
against a fresh hub and does what the README says."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from flatmachines_hub import HubClient
from hubproc import REPO, Hub

EXAMPLE = REPO / "clients" / "python" / "examples" / "quickstart.py"


def test_the_readme_shows_the_example_verbatim():
    readme = (REPO / "README.md").read_text()
    assert "\n## Python\n" in readme
    section = readme.split("\n## Python\n", 1)[1].split("\n## ", 1)[0]
    assert EXAMPLE.read_text().strip() in section


def test_the_example_runs_against_a_fresh_hub():
    hub = Hub()
    try:
        env = {**os.environ, "HUB_URL": hub.url, "HUB_TOKEN": "", "PYTHONPATH": os.pathsep.join(sys.path)}
        done = subprocess.run([sys.executable, str(EXAMPLE)], env=env, capture_output=True, text=True, timeout=60, cwd=Path(EXAMPLE).parent)
        assert done.returncode == 0, done.stderr
        lines = done.stdout.splitlines()
        assert lines[0] == "pending papers: 0"
        assert lines[1] == "completed 1, failed 1"
        client = HubClient(hub.url)
        [paper] = list(client.iter_items("papers"))
        assert (paper["status"], paper["result"]) == ("completed", {"summary": "read arxiv:2401.00001"})
        pool = client.get_pool("thumbnails")
        assert (pool["completed"], pool["poisoned"]) == (1, 1)
        assert client.get_worker("analyzer-1")["status"] == "terminated"
    finally:
        hub.stop()
