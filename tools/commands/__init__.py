"""Subcommands of the ``flashmob`` CLI, one module each.

Each module defines ``NAME``, ``HELP``, ``configure(parser)`` and
``run(args) -> int``. Modules import heavy dependencies inside ``run`` so
``flashmob --help`` and ``flashmob check`` stay fast.
"""
