"""Domain errors shared by every layer; the API maps them to HTTP in one place."""

from __future__ import annotations

from pathlib import Path


class SkillPathError(Exception):
    """Base class for errors a user can act on."""


class SettingsError(SkillPathError):
    """A SKILLPATH_* variable holds a value its setting cannot take; the message names the variable and the value."""


class InputError(SkillPathError):
    """A source file is malformed: names the file, the line or row, and the field."""

    def __init__(
        self,
        file: str | Path,
        message: str,
        *,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.file = str(file)
        self.line = line
        self.field = field
        self.reason = message
        where = self.file if line is None else f"{self.file}:{line}"
        if field:
            where = f"{where}: field '{field}'"
        super().__init__(f"{where}: {message}")


class UnknownSourceError(SkillPathError):
    """A path whose source type cannot be detected (and no --kind was given)."""


class StoreUnavailableError(SkillPathError):
    """The database cannot be reached or is not migrated."""


class IndexNotReadyError(SkillPathError):
    """No index version has been built yet, or the serving one cannot be loaded."""


class IndexMismatchError(SkillPathError):
    """The index on disk does not match the store or the configured embedder; it is not served."""


class IndexBusyError(SkillPathError):
    """Another `skillpath index` build holds the lock."""


class DiskFullError(SkillPathError):
    """A write ran out of disk space or quota (ENOSPC, EDQUOT); what it wrote is removed, what was there stays."""


class NoPreviousVersionError(SkillPathError):
    """`skillpath index --rollback` with no earlier complete version to go back to."""


class QueryError(SkillPathError):
    """A search request that cannot be answered as asked (empty text, unknown type, k out of range)."""


class LanguageModelError(SkillPathError):
    """The optional LLM endpoint failed (HTTP error, timeout, malformed answer) or is misconfigured."""


class NotFoundError(SkillPathError):
    """A resource asked for by id does not exist (or was deleted), e.g. a chat session."""


class ConflictError(SkillPathError):
    """A change that lost a race with another change of the same thing (409); sending it again works."""


class AuthenticationRequired(SkillPathError):
    """No valid login for a page or route that needs one (401; browsers are sent to the login page)."""


class PermissionDenied(SkillPathError):
    """Logged in, but the role may not do this, or the CSRF token is missing or wrong (403)."""


class AccountError(SkillPathError):
    """A console account cannot be created or changed as asked (duplicate name, unknown role, short password)."""


class LoginFailed(AuthenticationRequired):
    """Wrong username or password, or too many failures for that name; never says whether the user exists.

    `retry_after` is the number of seconds the name stays locked, None when it is not locked.
    """

    def __init__(self, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class AddressLocked(LoginFailed):
    """Too many failed logins from one client address (whatever the names tried); `retry_after` says for how long."""


class RateLimited(SkillPathError):
    """Too many requests from one address or for one conversation (429); `retry_after` is in whole seconds."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
