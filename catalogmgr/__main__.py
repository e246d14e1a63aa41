"""Allow ``python -m catalogmgr``."""

from catalogmgr.cli import main

if __name__ == "__main__":
    main()
