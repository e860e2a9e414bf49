"""Messages that are not a direct reply: fan-out to every linked channel identity, the
delivery ledger, and linking one citizen's channels."""
