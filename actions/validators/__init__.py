"""Validators for form answers, by name: pure functions (text, params, context) -> result.

A form's rules table (intents/forms/<form>.yml) names the validator of each field; a new
kind of answer needs a new function here, nothing else does.
"""

from __future__ import annotations

from actions.validators.choices import extract_choice, validate_choice, validate_yes_no
from actions.validators.dates import extract_date, validate_date
from actions.validators.id_number import extract_id_number, validate_id_number
from actions.validators.phone import extract_phone, validate_phone
from actions.validators.result import Context, Extractor, Invalid, Result, Valid, Validator
from actions.validators.text import (
    extract_email,
    extract_location,
    extract_photo,
    validate_bank_account,
    validate_email,
    validate_location,
    validate_name,
    validate_photo,
    validate_postcode,
    validate_text,
)

VALIDATORS: dict[str, Validator] = {
    "text": validate_text,
    "name": validate_name,
    "date": validate_date,
    "phone": validate_phone,
    "email": validate_email,
    "id_number": validate_id_number,
    "postcode": validate_postcode,
    "bank_account": validate_bank_account,
    "choice": validate_choice,
    "yes_no": validate_yes_no,
    "location": validate_location,
    "photo": validate_photo,
}

# Validators that can find their value inside a longer message (pre-filling).
EXTRACTORS: dict[str, Extractor] = {
    "date": extract_date,
    "phone": extract_phone,
    "email": extract_email,
    "id_number": extract_id_number,
    "choice": extract_choice,
    "location": extract_location,
    "photo": extract_photo,
}

__all__ = ["EXTRACTORS", "VALIDATORS", "Context", "Invalid", "Result", "Valid"]
