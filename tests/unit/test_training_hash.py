import shutil
from pathlib import Path

from civic.training import training_hash

ROOT = Path(__file__).resolve().parents[2]


def make_project(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "config.yml", tmp_path / "config.yml")
    shutil.copytree(ROOT / "intents", tmp_path / "intents")
    (tmp_path / "constraints").mkdir()
    shutil.copy(ROOT / "constraints" / "rasa.txt", tmp_path / "constraints" / "rasa.txt")
    return tmp_path


def test_hash_is_stable_and_follows_training_inputs(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    first = training_hash(project)
    assert training_hash(project) == first
    (project / "README.md").write_text("not a training input")
    assert training_hash(project) == first
    nlu = project / "intents" / "nlu" / "en.yml"
    nlu.write_text(nlu.read_text() + "\n    - hello there friend\n")
    assert training_hash(project) != first


def test_hash_follows_the_config(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    first = training_hash(project)
    config = project / "config.yml"
    config.write_text(config.read_text().replace("epochs: 60", "epochs: 61"))
    assert training_hash(project) != first
