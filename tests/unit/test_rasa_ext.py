"""rasa_ext/sitecustomize.py, run in Rasa's own Python: validation stays exactly as strict."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"

PROGRAM = """
import jsonschema
from rasa.core.actions.action import RemoteAction
assert jsonschema.validate.__module__ == "sitecustomize", jsonschema.validate.__module__
spec = RemoteAction.action_response_format_spec()
good = {"events": [{"event": "slot", "name": "lang", "value": "zh"}], "responses": []}
for _ in range(3):
    jsonschema.validate(good, spec)
for bad in ({"events": "not a list"}, {"events": [{"no_event_key": 1}]}):
    try:
        jsonschema.validate(bad, spec)
    except jsonschema.ValidationError:
        pass
    else:
        raise SystemExit(f"accepted {bad}")
try:
    jsonschema.validate({}, {"type": "nonsense-type"})
except jsonschema.SchemaError:
    pass
else:
    raise SystemExit("an invalid schema was not reported")
print("ok")
"""


@pytest.mark.skipif(not RASA_PYTHON.exists(), reason=".venv-rasa is not installed")
def test_schema_checked_once_validation_unchanged() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "rasa_ext")}
    done = subprocess.run(
        [str(RASA_PYTHON), "-c", PROGRAM], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().endswith("ok")
