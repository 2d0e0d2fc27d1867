"""The ``shoujie`` command line, one module per group of commands; ``main`` holds the parser."""
