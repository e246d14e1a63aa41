"""Drift between an effective catalog and an upstream listing, and the overlay that fixes it.

The pipeline of ``catalogmgr diff-upstream``, in the order it runs:

* :mod:`.diff`: compare a catalog with a normalised listing -> a :class:`~.diff.DriftReport`;
* :mod:`.noise`: hide drift nobody can act on (cosmetic names, placeholder dates, OMP's maxTokens
  headroom, deprecated "new" models, "gone" for providers OMP fills from elsewhere), counted;
* :mod:`.ignore`: the user's accepted differences (an ignore file);
* :mod:`.fixes`: turn what is left into a models.yml overlay and edit it into a file;
* :mod:`.write`: build, validate, re-merge, re-diff and write that overlay (the ``--write-overlay``
  core).

This package imports :mod:`catalogmgr.upstream` (the listings), never the reverse.
"""
