"""Sign-in users with hashed passwords, roles, and per-knowledge-base read access, kept in one JSON file."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.errors import BadInputError, PermissionDeniedError
from assistant.files import atomic_path, path_lock

ROLES = ("viewer", "editor", "admin")  # in rank order: each role can do what the ones before it can
# Matched with fullmatch: "$" would let a trailing newline through.
NAME_RE = re.compile(r"[A-Za-z0-9_.-]{1,40}")
MIN_PASSWORD = 8
MAX_PASSWORD = 1024
# scrypt at n=2**14, r=8 costs ~16 MB and tens of milliseconds per check: cheap for a sign-in, slow for guessing.
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


@dataclass(frozen=True)
class User:
    """A signed-in user."""

    name: str
    role: str


# Without an auth file the app runs open on 127.0.0.1 and the person at the keyboard can do everything.
LOCAL_USER = User("local", "admin")


def _rank(role: str) -> int:
    return ROLES.index(role) if role in ROLES else -1


def hash_password(password: str, salt: bytes) -> str:
    """The hex scrypt digest of a password with a salt."""
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, **_SCRYPT).hex()


def can_manage(user: User | None) -> bool:
    """Editors and admins may upload, delete and correct; viewers may only ask."""
    return user is not None and _rank(user.role) >= _rank("editor")


def require_manage(user: User | None) -> None:
    """Raise PermissionDeniedError unless the user is an editor or admin."""
    if user is None:
        raise PermissionDeniedError("please sign in first")
    if not can_manage(user):
        raise PermissionDeniedError(f"user '{user.name}' ({user.role}) may not change documents; ask an admin")


class UserStore:
    """Users and knowledge-base restrictions in a JSON file, re-read on every call so CLI edits apply at once."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._lock = path_lock(self.path)  # shared by every UserStore of this file in this process

    def _load(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"users": {}, "kb_access": {}}
        except (OSError, ValueError) as exc:
            raise BadInputError(f"auth file {self.path} cannot be read: {exc}") from exc
        if not isinstance(data, dict) or not isinstance(data.get("users", {}), dict):
            raise BadInputError(f"auth file {self.path} must hold a JSON object with a 'users' object")
        data.setdefault("users", {})
        data.setdefault("kb_access", {})
        return data

    def _save(self, data: dict[str, Any]) -> None:
        with atomic_path(self.path, mode=0o600) as tmp:  # password hashes are never world-readable
            tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True), encoding="utf-8")

    def add_user(self, name: str, password: str, role: str, replace: bool = False) -> User:
        """Create a user (or, with replace=True, reset an existing user's password and role)."""
        _check_name(name)
        _check_role(role)
        if not isinstance(password, str) or len(password) < MIN_PASSWORD:
            raise BadInputError(f"password must be at least {MIN_PASSWORD} characters")
        if len(password) > MAX_PASSWORD:
            raise BadInputError(f"password must be at most {MAX_PASSWORD} characters")
        salt = secrets.token_bytes(16)
        with self._lock:
            data = self._load()
            if name in data["users"] and not replace:
                raise BadInputError(f"user '{name}' already exists")
            data["users"][name] = {"salt": salt.hex(), "hash": hash_password(password, salt), "role": role}
            self._save(data)
        return User(name, role)

    def remove_user(self, name: str) -> None:
        """Delete a user and drop them from every knowledge-base restriction."""
        with self._lock:
            data = self._load()
            if data["users"].pop(name, None) is None:
                raise BadInputError(f"no user named '{name}'")
            for access in data["kb_access"].values():
                access["users"] = [u for u in access.get("users", []) if u != name]
            self._save(data)

    def verify(self, name: str, password: str) -> User | None:
        """The user if the password matches, else None (same work either way, so timing reveals no names)."""
        record = self._load()["users"].get(name) if isinstance(name, str) else None
        if not isinstance(password, str) or len(password) > MAX_PASSWORD:
            return None
        try:
            salt, expected = bytes.fromhex(record["salt"]), str(record["hash"])
        except (KeyError, TypeError, ValueError):
            salt, expected, record = b"\0" * 16, "", None  # unknown or damaged entry: hash anyway, then refuse
        matches = hmac.compare_digest(hash_password(password, salt).encode(), expected.encode())
        return User(name, record["role"]) if record and matches and record.get("role") in ROLES else None

    def get(self, name: str) -> User | None:
        """The user of that name, or None."""
        record = self._load()["users"].get(name)
        return User(name, record["role"]) if record else None

    def users(self) -> list[User]:
        """All users, sorted by name."""
        return [User(name, rec["role"]) for name, rec in sorted(self._load()["users"].items())]

    def restrictions(self) -> dict[str, dict[str, list[str]]]:
        """Restricted knowledge bases: {kb: {"users": [...], "roles": [...]}}."""
        return self._load()["kb_access"]

    def restrict_kb(self, kb: str, users: Sequence[str] = (), roles: Sequence[str] = ()) -> None:
        """Limit a knowledge base to these users and roles (replacing any earlier list); admins always read it."""
        from assistant.retrieval.store import validate_kb_name

        validate_kb_name(kb)
        if not users and not roles:
            raise BadInputError("name at least one user or role to restrict a knowledge base to")
        for role in roles:
            _check_role(role)
        with self._lock:
            data = self._load()
            unknown = [u for u in users if u not in data["users"]]
            if unknown:
                raise BadInputError(f"no user named {', '.join(repr(u) for u in unknown)}")
            data["kb_access"][kb] = {"users": sorted(set(users)), "roles": sorted(set(roles), key=_rank)}
            self._save(data)

    def unrestrict_kb(self, kb: str) -> None:
        """Open a knowledge base to every signed-in user again."""
        with self._lock:
            data = self._load()
            if data["kb_access"].pop(kb, None) is not None:
                self._save(data)

    def can_read(self, user: User | None, kb: str) -> bool:
        """Open KBs: anyone signed in; restricted: listed users, users of at least a listed role, and admins."""
        if user is None:
            return False
        if user.role == "admin":
            return True
        access = self._load()["kb_access"].get(kb)
        if access is None:
            return True
        if user.name in access.get("users", []):
            return True
        return any(_rank(user.role) >= _rank(role) for role in access.get("roles", []) if role in ROLES)

    def can_manage(self, user: User | None) -> bool:
        """Editors and admins may upload, delete and correct."""
        return can_manage(user)

    def readable_kbs(self, user: User | None, kbs: Iterable[str]) -> list[str]:
        """The knowledge bases of kbs this user may read, in the given order."""
        return [kb for kb in kbs if self.can_read(user, kb)]

    def require_read(self, user: User | None, kb: str) -> None:
        """Raise PermissionDeniedError unless the user may read the knowledge base."""
        if user is None:
            raise PermissionDeniedError("please sign in first")
        if not self.can_read(user, kb):
            raise PermissionDeniedError(f"user '{user.name}' has no access to knowledge base '{kb}'; ask an admin")

    def require_manage(self, user: User | None) -> None:
        """Raise PermissionDeniedError unless the user is an editor or admin."""
        require_manage(user)


def _check_name(name: str) -> None:
    if not isinstance(name, str) or not NAME_RE.fullmatch(name):
        raise BadInputError(f"invalid user name '{name}': use 1-40 letters, digits, '_', '.' or '-'")


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise BadInputError(f"unknown role '{role}' (use {', '.join(ROLES)})")
