"""The ``pia-kg`` command line: one module per group of commands, registered on one app.

``app`` (global options, the error boundary ``main``), ``documents`` (load, remove), ``ask``
(query, sparql, queries, describe, export, graphs), ``law`` (law load, law fetch), ``demo``,
``serve``, ``impact``.
"""

from pia_kg.cli import ask, demo, documents, impact, law, serve  # noqa: F401  (registers commands)
from pia_kg.cli.app import app, main, state

__all__ = ["app", "main", "state"]
