"""Pure domain logic: no Qt, no network, no database.

Everything here must be importable and testable without any I/O library; a test
enforces that (tests/test_layers.py).
"""
