"""`civic train`: retrain the Rasa model only when its inputs changed (content hash)."""

from __future__ import annotations

import fcntl
import hashlib
import os
import subprocess
from pathlib import Path

from civic.progress import StepFailed, step

TRAINING_INPUTS = ("config.yml", "intents", "constraints/rasa.txt")


def training_hash(root: Path) -> str:
    """sha256 over every training input (config, domain, NLU, rules, stories, Rasa version)."""
    digest = hashlib.sha256()
    files: list[Path] = []
    for name in TRAINING_INPUTS:
        path = root / name
        if path.is_dir():
            files += sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix in (".yml", ".yaml")
            )
        elif path.is_file():
            files.append(path)
    for path in files:
        digest.update(str(path.relative_to(root)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def model_path(root: Path) -> Path:
    return root / "models" / f"civic-{training_hash(root)}.tar.gz"


def rasa_bin(root: Path) -> Path:
    return Path(os.environ.get("CIVIC_RASA_BIN") or root / ".venv-rasa" / "bin" / "rasa")


def rasa_env(root: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "RASA_TELEMETRY_ENABLED": "false",
            "PYTHONHASHSEED": "0",
            "TF_DETERMINISTIC_OPS": "1",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        }
    )
    env.update(extra or {})
    # rasa_ext/: our code inside Rasa (sitecustomize patches, the tracker store endpoints.yml
    # names, metadata slots); see the module docstrings there
    ext = str(root / "rasa_ext")
    env["PYTHONPATH"] = ext + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def train(root: Path, force: bool = False, quiet: bool = False) -> Path:
    """Train if the inputs changed since the last model; return the model's path.

    A file lock makes concurrent callers (two test runs, `civic up` twice) train once.
    """
    (root / "models").mkdir(exist_ok=True)
    with (root / "models" / ".train.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _train_locked(root, force, quiet)


def _train_locked(root: Path, force: bool, quiet: bool) -> Path:
    target = model_path(root)
    if target.exists() and not force:
        if not quiet:
            print(f"✓ Rasa model is up to date: {target.relative_to(root)}")
        return target
    log = root / "var" / "log" / "rasa-train.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    argv = [
        str(rasa_bin(root)),
        "train",
        "--config",
        "config.yml",
        "--domain",
        "intents/domain",
        "--data",
        "intents/nlu",
        "intents/rules",
        "intents/stories",
        "--out",
        "models",
        "--fixed-model-name",
        target.name.removesuffix(".tar.gz"),
    ]
    with (
        step("Training the Rasa model (first run, or the training data changed)", quiet),
        log.open("wb") as out,
    ):
        result = subprocess.run(
            argv, cwd=root, env=rasa_env(root), stdout=out, stderr=subprocess.STDOUT, check=False
        )
    if result.returncode != 0 or not target.exists():
        raise StepFailed(
            "training the Rasa model",
            f"rasa train exited with code {result.returncode}",
            str(log),
            "check the YAML files named in the log (intents/, config.yml); run `make setup` "
            "if .venv-rasa is missing",
        )
    return target
