"""`gdpr` run as a file (`python starter.py ARGS`); the installed `gdpr` command calls the same main.

The parser and the dispatch are app/cli/main.py.
"""

from app.cli.main import main

if __name__ == "__main__":
    main()
