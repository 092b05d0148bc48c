"""Entry point for `python -m etl`."""

from etl import files
from etl.cli import main

files.owner_only_umask()  # what the command line creates (warehouse, backups, exports) is the owner's only
main()
