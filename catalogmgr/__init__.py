"""catalogmgr: validate, merge, inspect and refresh oh-my-pi model catalogs.

The package is a pure core (load -> validate -> merge -> resolve keys -> diff -> emit) with a thin
click CLI in :mod:`catalogmgr.cli`. The core never prints, exits or reads ``os.environ``.
"""

# The one version source: pyproject.toml reads it ([tool.hatch.version]); release tags are v<this>.
__version__ = "0.1.0"
# Where the project lives: the schemas' $id URLs, the SchemaStore entry and the package's URLs
# (pyproject.toml) name this repository; tests/unit/test_packaging.py keeps them in step.
REPOSITORY_URL = "https://github.com/catalogmgr/catalogmgr"
# The published schemas, as editors and SchemaStore fetch them (the main branch's raw files).
SCHEMA_BASE_URL = "https://raw.githubusercontent.com/catalogmgr/catalogmgr/main/schemas/"
