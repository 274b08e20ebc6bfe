"""Glue shared by the tabs: who is signed in, and errors turned into something to show."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import gradio as gr

from assistant.auth import User
from assistant.errors import PermissionDeniedError, QCAError
from assistant.service import Assistant


def user_of(assistant: Assistant, request: gr.Request | None) -> User | None:
    """The signed-in user of a request (None when the app runs without an auth file)."""
    return assistant.user_for(getattr(request, "username", None) if request is not None else None)


def as_json(call: Callable[[], Any]) -> Any:
    """The call's result, or {"error": message} for an error a user can cause."""
    try:
        return call()
    except PermissionDeniedError as exc:
        return {"error": f"permission denied: {exc}"}
    except QCAError as exc:
        return {"error": str(exc)}


def warning(exc: Exception | str) -> str:
    """One Markdown line for an error shown in a tab."""
    return f"⚠️ {html.escape(str(exc))}"
