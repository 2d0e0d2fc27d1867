"""``python -m api.cli``: the same as the ``shoujie`` command."""

import sys

from api.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
