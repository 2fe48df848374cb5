"""The turboci-proto toolchain: pinned tools, the shared compile and build tasks."""
