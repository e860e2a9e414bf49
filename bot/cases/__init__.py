"""Cases: submitted forms, stored in SQL with a readable reference number."""
