"""build.py as a hostile user meets it: concurrent runs, kills, symlinks out, bad input."""
