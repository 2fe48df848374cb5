"""How tasks run: the registry that finds them, their context, steps side by side, the stamp of `all`."""
