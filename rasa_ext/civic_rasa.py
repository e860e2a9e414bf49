"""`civic-rasa`: the Rasa command line with our patches applied first (the Rasa image's entry
point; `civic-rasa run ...` takes exactly `rasa run ...`'s arguments).

The patches must be in place before Rasa imports `jsonschema.validate` by name, which is why
they are imported here, before anything of Rasa's. Installed as a package (rasa_ext/
pyproject.toml), so the image needs no PYTHONPATH and no sitecustomize.
"""

import sys

import civic_http  # noqa: F401  (pooled action-server connections)
import civic_metadata_slots  # noqa: F401  (slots from message metadata)
import civic_schema_once  # noqa: F401  (before Rasa binds jsonschema.validate)


def main() -> None:
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
