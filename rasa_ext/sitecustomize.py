"""Loaded by the Rasa process only (the launcher puts rasa_ext/ on its PYTHONPATH).

Python imports `sitecustomize` before anything else, so the patches below are in place before
Rasa imports `jsonschema.validate` by name. The Rasa image does not rely on this file (its
Python may have a sitecustomize of its own): it starts Rasa through the `civic-rasa` entry
point of the installed package (civic_rasa.py), which applies the same patches first.
"""

import civic_schema_once  # noqa: F401  (action-response schema checked once)

try:  # Rasa's action-server calls over pooled connections (see civic_http.py)
    import civic_http  # noqa: F401
except ImportError:  # a Python without Rasa (the module is only for the Rasa process)
    pass

try:  # lang / simple_mode / channel slots from message metadata (see civic_metadata_slots.py)
    import civic_metadata_slots  # noqa: F401
except ImportError:
    pass
