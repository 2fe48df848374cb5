"""The tasks of build.py, one module each, named as the task; see README "Adding a task"."""
