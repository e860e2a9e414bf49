"""Loaded by the Rasa process only (the launcher puts rasa_ext/ on its PYTHONPATH).

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

try:  # Rasa's action-server calls over pooled connections (see civic_http.py)
    import civic_http  # noqa: F401
except ImportError:  # a Python without Rasa (the module is only for the Rasa process)
    pass

try:  # lang / simple_mode / channel slots from message metadata (see civic_metadata_slots.py)
    import civic_metadata_slots  # noqa: F401
except ImportError:
    pass
