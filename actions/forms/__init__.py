"""Guided forms declared as data: a domain file (intents/domain/forms/<form>.yml: slots,
questions in both languages) and a rules table (intents/forms/<form>.yml: each field's
validator by name). One generic validation action per form is made from the rules."""
