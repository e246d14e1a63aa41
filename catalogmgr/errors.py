"""The error hierarchy and the exit codes, in one place.

Every failure that stops a run is a :class:`CatalogmgrError`; the CLI turns it into one line on
stderr and its :attr:`exit_code`. Anything else that escapes is a bug and keeps its traceback
(exit code :data:`EXIT_BUG`).

Exit codes (documented in the README; keep them stable):

====  ===========================================================================
 0    success: clean / no drift / keys all usable
 1    problems found: validation errors (or warnings with ``--strict``), drift, unusable keys
 2    usage error: bad options or arguments (click's own convention)
 3    could not run: unreadable or unparsable input, network failure, refused write, the OMP
      engine (``--engine omp``) not found, failed, timed out or tried the network
 4    internal error (a bug): the traceback is printed
130   interrupted (Ctrl-C)
====  ===========================================================================
"""

from __future__ import annotations

from catalogmgr.problems import Position

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_CANNOT_RUN = 3
EXIT_BUG = 4
EXIT_INTERRUPTED = 130


class CatalogmgrError(Exception):
    """Base of every expected failure. ``str(error)`` is the one-line message for the user."""

    exit_code: int = EXIT_CANNOT_RUN


class UsageError(CatalogmgrError):
    """The command line asks for something impossible (conflicting or missing options)."""

    exit_code = EXIT_USAGE


class InputError(CatalogmgrError):
    """An input file cannot be read or parsed. Carries a location when one is known."""

    exit_code = EXIT_CANNOT_RUN

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        position: Position | None = None,
        rule: str = "load",
    ) -> None:
        self.message = message
        self.file = file
        self.position = position
        self.rule = rule
        super().__init__(self.located())

    def located(self) -> str:
        """``file:line:col: message`` with whatever location is known."""
        if self.file is None:
            return self.message
        if self.position is None:
            return f"{self.file}: {self.message}"
        return f"{self.file}:{self.position.line}:{self.position.column}: {self.message}"


class RefusedInputError(InputError):
    """A file the reader refuses as OMP's parser would (``catalogmgr parse``): exit code 1, the
    verdict of a checker, where a file that cannot be read at all stays :class:`InputError`."""

    exit_code = EXIT_PROBLEMS

    @classmethod
    def from_error(cls, error: InputError) -> RefusedInputError:
        return cls(error.message, file=error.file, position=error.position, rule=error.rule)


class InvalidOverlayError(CatalogmgrError):
    """An overlay failed validation where a valid one is required (merge, keys, diff).

    ``problems`` holds the located errors; the CLI prints each one. Exit code 1, like a validator.
    """

    exit_code = EXIT_PROBLEMS

    def __init__(self, file: str, problems: list[object]) -> None:
        self.file = file
        self.problems = problems
        super().__init__(f"{file}: invalid overlay ({len(problems)} error(s))")


class NotFoundError(CatalogmgrError):
    """Something named on the command line does not exist (a model id, a provider, a base catalog)."""

    exit_code = EXIT_CANNOT_RUN


class UpstreamError(CatalogmgrError):
    """An upstream listing could not be fetched or understood (DNS, TLS, timeout, HTTP, bad JSON)."""

    exit_code = EXIT_CANNOT_RUN


class WriteError(CatalogmgrError):
    """An output file could not be written; the original is left untouched."""

    exit_code = EXIT_CANNOT_RUN


class OmpEngineError(CatalogmgrError):
    """The exact engine (``--engine omp``) could not answer: no usable OMP or bun, the bridge
    failed, timed out or tried the network. ``details`` keeps the bridge's stderr for a bug report.
    """

    exit_code = EXIT_CANNOT_RUN

    def __init__(self, message: str, *, details: str = "") -> None:
        self.details = details
        super().__init__(message)
