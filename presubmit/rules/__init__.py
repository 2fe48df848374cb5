"""One module per rule; presubmit.registry lists them."""
