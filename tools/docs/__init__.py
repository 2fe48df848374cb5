"""API reference docs: compiled descriptors in, Markdown pages with Mermaid out.

`model` reads a descriptor set into plain dataclasses, `lifecycle` finds the
state machines documented on enums, and `render` turns both into pages.
"""
