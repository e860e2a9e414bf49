"""Channel adapters: each only translates platform I/O to and from bot messages."""
