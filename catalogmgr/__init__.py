"""catalogmgr: validate, merge, inspect and refresh oh-my-pi model catalogs.

The package is a pure core (load -> validate -> merge -> resolve keys -> diff -> emit) with a thin
click CLI in :mod:`catalogmgr.cli`. The core never prints, exits or reads ``os.environ``.
"""

__version__ = "0.1.0"
