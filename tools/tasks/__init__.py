"""The build tasks; each is a plain function, build.py is a thin CLI over them."""
