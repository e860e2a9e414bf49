"""What each citizen turn came to, recorded as it happens: the supervisors' insights count these."""
