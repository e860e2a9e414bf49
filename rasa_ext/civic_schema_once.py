"""Imported first in the Rasa process: by sitecustomize.py when rasa_ext/ is on Rasa's
PYTHONPATH (`civic up`), by the `civic-rasa` entry point in the Rasa image (civic_rasa.py).

Rasa 3.6 validates every action-server response with `jsonschema.validate(result, schema)`,
which re-checks the (constant) schema against its meta-schema and builds a new validator on
every call: measured with py-spy, that was 76% of Rasa's CPU time per message. This keeps
validation exactly as strict, but checks each distinct schema once and reuses its validator.
"""

import json
from typing import Any

import jsonschema
from jsonschema import exceptions, validators

_original_validate = jsonschema.validate
_validators: dict[tuple[Any, str], Any] = {}


def validate(instance: Any, schema: Any, cls: Any = None, *args: Any, **kwargs: Any) -> Any:
    if args or kwargs:
        return _original_validate(instance, schema, cls, *args, **kwargs)
    key = (cls, json.dumps(schema, sort_keys=True, default=str))
    validator = _validators.get(key)
    if validator is None:
        kind = cls or validators.validator_for(schema)
        kind.check_schema(schema)
        validator = _validators[key] = kind(schema)
    error = exceptions.best_match(validator.iter_errors(instance))
    if error is not None:
        raise error


jsonschema.validate = validate
