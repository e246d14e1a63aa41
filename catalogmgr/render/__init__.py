"""Output formats. Each renderer is a pure function that returns a string; the CLI prints it.

:mod:`catalogmgr.render.problems` renders validation problems (text, json, github).
"""
