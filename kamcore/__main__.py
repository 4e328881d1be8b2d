"""``python -m kamcore <command> --db PATH …``: the command line lives in :mod:`kamcore.cli.main`."""
import sys

from kamcore.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
