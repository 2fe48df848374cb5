"""Hand-written helpers for the TurboCI API stubs (not generated)."""
