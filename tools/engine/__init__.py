"""How tasks run: the registry, their context, steps side by side, the stamp of `all`."""
