"""`qcassist users`: add, list and remove sign-in users and restrict knowledge bases (exit 2 on bad input)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from assistant.cli.io import fail
from assistant.errors import QCAError

users_app = typer.Typer(no_args_is_help=True, help="Manage sign-in users and knowledge-base access (QCA_AUTH_FILE).")

AuthFileOpt = Annotated[Path | None, typer.Option(
    "--auth-file", help="Users JSON file; defaults to QCA_AUTH_FILE (environment or .env).")]


def _store(auth_file: Path | None):
    from assistant.auth import UserStore
    from assistant.config import Settings

    path = auth_file or Settings().auth_file  # read now: QCA_AUTH_FILE from the environment or .env
    if not path:
        fail("no auth file: pass --auth-file PATH or set QCA_AUTH_FILE")
    return UserStore(Path(path))


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        # Only the line ending is stripped: spaces inside or around a password are part of it.
        return sys.stdin.readline().rstrip("\r\n")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


@users_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="User name: 1-40 letters, digits, '_', '.' or '-'.")],
    role: Annotated[str, typer.Option("--role", help="viewer | editor | admin")] = "viewer",
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin.")] = False,
    replace: Annotated[bool, typer.Option("--replace", help="Reset an existing user's password and role.")] = False,
    auth_file: AuthFileOpt = None,
) -> None:
    """Add a user (the password is prompted for twice unless --password-stdin)."""
    store = _store(auth_file)
    try:
        user = store.add_user(name, _read_password(password_stdin), role, replace=replace)
    except QCAError as exc:
        fail(exc)
    typer.echo(f"user '{user.name}' saved with role {user.role} in {store.path}")


@users_app.command("list")
def list_users(auth_file: AuthFileOpt = None) -> None:
    """List users with their roles, then the restricted knowledge bases."""
    store = _store(auth_file)
    try:
        users, restricted = store.users(), store.restrictions()
    except QCAError as exc:
        fail(exc)
    for user in users:
        typer.echo(f"{user.name}\t{user.role}")
    for kb, access in sorted(restricted.items()):
        who = ", ".join([*access.get("users", []), *(f"role:{r}" for r in access.get("roles", []))])
        typer.echo(f"kb {kb}: {who} (and admins)")


@users_app.command("remove")
def remove(name: Annotated[str, typer.Argument(help="User to delete.")], auth_file: AuthFileOpt = None) -> None:
    """Delete a user and drop them from every knowledge-base restriction."""
    store = _store(auth_file)
    try:
        store.remove_user(name)
    except QCAError as exc:
        fail(exc)
    typer.echo(f"user '{name}' removed")


@users_app.command("restrict")
def restrict(
    kb: Annotated[str, typer.Argument(help="Knowledge base name.")],
    user: Annotated[list[str] | None, typer.Option("--user", help="User who may read it (repeatable).")] = None,
    role: Annotated[list[str] | None, typer.Option("--role", help="Least role that may read it (repeatable).")] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Lift the restriction again.")] = False,
    auth_file: AuthFileOpt = None,
) -> None:
    """Limit a knowledge base to the given users and roles (replaces the earlier list; admins always read it)."""
    store = _store(auth_file)
    try:
        if clear:
            if user or role:
                fail("--clear takes no --user or --role")
            store.unrestrict_kb(kb)
            typer.echo(f"knowledge base '{kb}' is open to every signed-in user")
            return
        store.restrict_kb(kb, users=user or [], roles=role or [])
    except QCAError as exc:
        fail(exc)
    typer.echo(f"knowledge base '{kb}' restricted to {', '.join([*(user or []), *(f'role:{r}' for r in role or [])])}")
