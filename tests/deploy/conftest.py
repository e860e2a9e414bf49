"""Shared by the deployment tests: the images' file trees (assembled once per session) and
how to start a process from them like a container would."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.deploy.image_tree import ROOT, Image, assemble

# no CAP_DAC_OVERRIDE: root is held to file permissions, so the read-only tree is read-only
NO_OVERRIDE = ["/usr/bin/setpriv", "--bounding-set", "-dac_override,-dac_read_search,-fowner", "--"]
# the editable install of this repository in .venv must not fill in what the tree lacks
ISOLATE = """
import sys
sys.meta_path[:] = [f for f in sys.meta_path if "__editable__" not in repr(f)]
sys.path[:] = [p for p in sys.path if not p.startswith(({roots!r}))]
"""


def isolation(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    roots = tuple({str(ROOT), str(ROOT.resolve()), "/work/main"} - {""})
    (directory / "sitecustomize.py").write_text(ISOLATE.format(roots=roots))
    return directory


@pytest.fixture(scope="session")
def trees(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Image]:
    base = tmp_path_factory.mktemp("images")
    app = assemble(ROOT / "Dockerfile", base / "app")
    rasa = assemble(ROOT / "Dockerfile.rasa", base / "rasa")
    app.make_read_only(writable=("/app/var", "/tmp"))
    rasa.make_read_only(writable=("/tmp",))
    return {"app": app, "rasa": rasa}


def app_env(app: Image, isolate: Path, **extra: str) -> dict[str, str]:
    """The gateway/action-server image's environment, this checkout hidden from it."""
    env = app.env(**extra)
    env["PYTHONPATH"] = f"{isolate}{os.pathsep}{env['PYTHONPATH']}"
    return env
