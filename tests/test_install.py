"""Installing as users do: ``make repository`` writes the zip and its plugins.xml, served on 127.0.0.1, and QGIS's
own installer (pyplugin_installer), in the real QGIS application under Xvfb with a fresh profile, installs the
plugin from it; the plugin starts and its action opens the dock (tests/install/install_from_repository.py)."""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import shutil
import signal
import subprocess
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tests" / "install" / "install_from_repository.py"


@pytest.fixture
def repository(tmp_path):
    """``make repository`` built for a server on 127.0.0.1; its URL while the server runs."""
    served = tmp_path / "served"
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    url = f"http://127.0.0.1:{server.server_address[1]}"
    subprocess.run(["make", "-s", "-C", str(ROOT), "repository", f"REPOSITORY_URL={url}"], check=True)
    shutil.copytree(ROOT / "dist", served, ignore=shutil.ignore_patterns("segmentation_trainer"))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield url
    server.shutdown()


@pytest.mark.skipif(not (shutil.which("qgis") and shutil.which("xvfb-run")), reason="needs qgis and xvfb-run")
def test_qgis_installs_the_plugin_from_its_repository_and_opens_the_dock(repository, tmp_path):
    xml = (tmp_path / "served" / "plugins.xml").read_text(encoding="utf-8")
    assert f"<download_url>{repository}/segmentation_trainer.zip</download_url>" in xml
    profiles, result = tmp_path / "profiles", tmp_path / "result.json"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "QT_QPA_PLATFORM")}
    env |= {"REPOSITORY": f"{repository}/plugins.xml", "INSTALL_RESULT": str(result), "QT_QPA_PLATFORM": "xcb"}
    args = ["xvfb-run", "-a", "qgis", "--profiles-path", str(profiles), "--nologo", "--noversioncheck"]
    # Xvfb and QGIS in a process group of their own, ended together whatever happens
    qgis = subprocess.Popen([*args, "--code", str(SCRIPT)], env=env, start_new_session=True)
    try:
        qgis.wait(timeout=300)  # the script's own watchdog reports a stuck dialog after 120 s
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(qgis.pid, signal.SIGKILL)
    outcome = json.loads(result.read_text(encoding="utf-8"))
    assert "error" not in outcome, outcome.get("error")
    assert outcome["listed"] and outcome["installed"] and outcome["started"], outcome
    assert Path(outcome["installed_in"]).is_relative_to(profiles)  # into the fresh profile, not a link to the checkout
    assert outcome["dock_visible"] and outcome["dock_tabs"] == ["Data", "Train", "Compare", "Run", "Predict", "Assess"]
