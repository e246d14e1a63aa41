"""Upstream model listings (OpenRouter, models.dev): fetching, caching and normalising them.

Modules: :mod:`.http` (the HTTP client), :mod:`.cache` (the on-disk cache), :mod:`.fetch` (file /
cache / network, with the shrink guard), :mod:`.openrouter` and :mod:`.modelsdev` (one per source:
shapes and field mapping), :mod:`.normalize` (exact units and comparisons), :mod:`.listing` (the
normalised records). This package is imported only by ``catalogmgr diff-upstream``: importing it
here would put httpx on the path of every command, so this file stays empty on purpose.
"""
