"""Hand-written helpers for the TurboCI API stubs (not generated): `value` reads,
writes and digests values, `ids` formats and parses compact graph IDs."""
