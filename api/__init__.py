"""The edges: the JSON API, the server-rendered pages and the ``shoujie`` command line.

Rule for this layer: it reads and writes only through ``cases`` (and ``workflow``'s rules and
labels); it owns requests, responses, sessions and exit codes, never a business rule.
"""
