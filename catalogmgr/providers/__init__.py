"""Talking to the providers a catalog configures: ``ping`` (is each endpoint reachable, does the key
work, does it serve the configured ids) and ``add-provider --discover`` (build an entry from a live
server).

Layout, in pipeline order: :mod:`.routes` (per api: the model-list route and the auth headers as
OMP sends them), :mod:`.plan` (which endpoints to ping, from the effective catalog and the
overlays), :mod:`.ping` (run the plan with an injected HTTP client), :mod:`.probe` (``--probe``:
the one-token chat request), :mod:`.report` (the per provider result), :mod:`.doctor` (the
results as one ``doctor --ping`` finding), :mod:`.discover` (ask a live server which models it
serves) and :mod:`.entry` (build and write the ``providers:`` entry for models.yml). Nothing here
prints, exits or reads the process environment.
"""
