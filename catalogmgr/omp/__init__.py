"""Everything that is "what OMP X.Y.Z does", behind one seam.

The rest of catalogmgr asks a :class:`~catalogmgr.omp.profile.Profile` instead of naming a
version: which schema and rules a ``models.yml`` is checked against, which merge semantics apply,
which runtime policies shape the catalog OMP actually runs, where an installation keeps its
bundled catalog, and how to ask an installed OMP itself (the bridge behind ``--engine omp``).

Layout (one module per concern, one registry per extension point):

``profile.py``    :class:`Profile`, the ``PROFILES`` registry, version parsing and selection
``install.py``    locating an installed OMP (node_modules, version, bundled catalog, bun)
``policies.py``   OMP's runtime model policies (``#applyHardcodedModelPolicies`` and friends)
``bridge.py``     the exact engine: the installed OMP's own ``ModelRegistry`` run under bun
``data/``         per-version tables generated from the published tarballs (``scripts/``)

Adding an OMP release is a data refresh (the generator script) plus, where semantics changed,
a named switch on the profile.
"""
