"""The statements the services share: tables, the hot path's statements, rows and the event chain.

Every function takes a ``Connection`` inside the caller's transaction and commits nothing.
"""
