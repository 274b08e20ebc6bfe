"""Errors a user can cause; each message is fit to show as-is in the UI or the CLI."""


class QCAError(Exception):
    """Base class for user-facing errors."""


class BadInputError(QCAError):
    """A request the user can fix: bad argument, unknown knowledge base, malformed file list."""


class IngestError(QCAError):
    """One file could not be ingested; the message says why in one line."""


class EmbeddingMismatchError(QCAError):
    """The knowledge base was built with another embedding model than the configured one."""


class StoreUnavailableError(QCAError):
    """The Chroma server cannot be reached."""


class BackendError(QCAError):
    """An answer backend (LLM server, local model) failed or timed out; the message names where and why."""


class PermissionDeniedError(QCAError):
    """The signed-in user may not read this knowledge base or manage documents; the message says which."""


class SetupError(QCAError):
    """The machine lacks something a feature needs (a font, a tool); the message says what to install."""
