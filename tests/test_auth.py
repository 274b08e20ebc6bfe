"""Users and access control on a real JSON file, and the `users` CLI through CliRunner."""

from __future__ import annotations

import json
import stat

import pytest
import typer
from typer.testing import CliRunner

from assistant.auth import LOCAL_USER, User, UserStore, can_manage, require_manage
from assistant.cli.users import users_app
from assistant.errors import BadInputError, PermissionDeniedError


@pytest.fixture
def store(tmp_path) -> UserStore:
    users = UserStore(tmp_path / "conf" / "users.json")
    users.add_user("ann", "correct horse", "admin")
    users.add_user("bob.e", "battery staple", "editor")
    users.add_user("vic", "viewer-pass", "viewer")
    users.add_user("wen", "viewer-pass2", "viewer")
    return users


def test_file_format_hashing_and_permissions(store):
    data = json.loads(store.path.read_text(encoding="utf-8"))
    assert set(data) == {"users", "kb_access"}
    ann = data["users"]["ann"]
    assert set(ann) == {"salt", "hash", "role"} and len(bytes.fromhex(ann["salt"])) == 16
    assert "correct horse" not in store.path.read_text(encoding="utf-8")
    assert ann["salt"] != data["users"]["bob.e"]["salt"]
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert [p.name for p in store.path.parent.iterdir()] == ["users.json"]  # no temp file left behind


def test_verify_and_get(store):
    assert store.verify("ann", "correct horse") == User("ann", "admin")
    assert store.verify("ann", "correct horsE") is None
    assert store.verify("nobody", "correct horse") is None
    assert store.verify("ann", "") is None
    assert store.get("bob.e") == User("bob.e", "editor") and store.get("zed") is None
    assert [u.name for u in store.users()] == ["ann", "bob.e", "vic", "wen"]


@pytest.mark.parametrize("name, password, role, message", [
    ("bad name", "longenough", "viewer", "invalid user name"),
    ("x" * 41, "longenough", "viewer", "invalid user name"),
    ("ann\n", "longenough", "viewer", "invalid user name"),
    ("", "longenough", "viewer", "invalid user name"),
    ("carl", "short", "viewer", "at least 8"),
    ("carl", "longenough", "root", "unknown role"),
    ("ann", "longenough", "viewer", "already exists"),
])
def test_add_user_rejects_bad_input(store, name, password, role, message):
    with pytest.raises(BadInputError, match=message):
        store.add_user(name, password, role)


def test_replace_resets_password_and_role(store):
    store.add_user("vic", "new password", "editor", replace=True)
    assert store.verify("vic", "viewer-pass") is None
    assert store.verify("vic", "new password") == User("vic", "editor")


def test_kb_access_rules(store):
    ann, bob, vic, wen = (store.get(n) for n in ("ann", "bob.e", "vic", "wen"))
    assert all(store.can_read(u, "default") for u in (ann, bob, vic, wen))
    assert not store.can_read(None, "default")
    store.restrict_kb("secret", users=["vic"])
    store.restrict_kb("team", roles=["editor"])
    assert store.can_read(vic, "secret") and store.can_read(ann, "secret")
    assert not store.can_read(wen, "secret") and not store.can_read(bob, "secret")
    assert store.can_read(bob, "team") and store.can_read(ann, "team") and not store.can_read(vic, "team")
    assert store.readable_kbs(wen, ["default", "secret", "team"]) == ["default"]
    assert store.readable_kbs(vic, ["team", "secret", "default"]) == ["secret", "default"]
    store.require_read(vic, "secret")
    with pytest.raises(PermissionDeniedError, match="no access to knowledge base 'secret'"):
        store.require_read(wen, "secret")
    with pytest.raises(PermissionDeniedError, match="sign in"):
        store.require_read(None, "default")
    store.unrestrict_kb("secret")
    assert store.can_read(wen, "secret")


def test_restrict_validates(store):
    with pytest.raises(BadInputError, match="no user named 'ghost'"):
        store.restrict_kb("kb1", users=["ghost"])
    with pytest.raises(BadInputError, match="unknown role"):
        store.restrict_kb("kb1", roles=["boss"])
    with pytest.raises(BadInputError, match="knowledge base name"):
        store.restrict_kb("../x", users=["vic"])
    with pytest.raises(BadInputError, match="at least one"):
        store.restrict_kb("kb1")
    store.remove_user("vic")
    store.restrict_kb("kb1", users=["wen"])
    assert store.restrictions() == {"kb1": {"users": ["wen"], "roles": []}}


def test_remove_user_drops_them_from_restrictions(store):
    store.restrict_kb("kb1", users=["vic", "wen"])
    store.remove_user("vic")
    assert store.get("vic") is None and store.restrictions()["kb1"]["users"] == ["wen"]
    with pytest.raises(BadInputError):
        store.remove_user("vic")


def test_manage_and_local_user(tmp_path, store):
    assert [can_manage(store.get(n)) for n in ("ann", "bob.e", "vic")] == [True, True, False]
    assert not can_manage(None) and store.can_manage(store.get("bob.e"))
    require_manage(store.get("bob.e"))
    with pytest.raises(PermissionDeniedError, match="may not change documents"):
        store.require_manage(store.get("vic"))
    assert User("local", "admin") == LOCAL_USER and can_manage(LOCAL_USER)
    no_file = UserStore(tmp_path / "missing.json")  # no auth configured: the local admin reads everything
    assert no_file.can_read(LOCAL_USER, "anything") and no_file.verify("local", "whatever1") is None


def test_damaged_file_is_a_clear_error(tmp_path):
    path = tmp_path / "users.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(BadInputError, match="cannot be read"):
        UserStore(path).get("ann")


# --- CLI -------------------------------------------------------------------------------------------------------

def _cli() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(users_app, name="users")
    return app


def test_cli_add_list_restrict(tmp_path, monkeypatch):
    path = tmp_path / "users.json"
    monkeypatch.setenv("QCA_AUTH_FILE", str(path))
    runner, app = CliRunner(), _cli()
    result = runner.invoke(app, ["users", "add", "ann", "--role", "admin", "--password-stdin"], input="s3cret pw!\n")
    assert result.exit_code == 0, result.output
    assert "s3cret" not in result.output
    other = tmp_path / "other.json"
    result = runner.invoke(app, ["users", "add", "vic", "--password-stdin", "--auth-file", str(other)],
                           input="pw-vic-123\n")
    assert result.exit_code == 0, result.output
    assert UserStore(other).verify("vic", "pw-vic-123") == User("vic", "viewer") and UserStore(path).get("vic") is None
    runner.invoke(app, ["users", "add", "li", "--role", "editor", "--password-stdin"], input="pw-li-1234\n")
    assert UserStore(path).verify("ann", "s3cret pw!") == User("ann", "admin")
    result = runner.invoke(app, ["users", "restrict", "secret", "--user", "li", "--role", "admin"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["users", "list"])
    assert result.exit_code == 0
    assert result.output.splitlines() == ["ann\tadmin", "li\teditor", "kb secret: li, role:admin (and admins)"]
    result = runner.invoke(app, ["users", "restrict", "secret", "--clear"])
    assert result.exit_code == 0 and UserStore(path).restrictions() == {}


def test_cli_prompts_for_password_with_confirmation(tmp_path):
    path = tmp_path / "users.json"
    result = CliRunner().invoke(_cli(), ["users", "add", "bob", "--role", "editor", "--auth-file", str(path)],
                                input="long password\nlong password\n")
    assert result.exit_code == 0, result.output
    assert UserStore(path).verify("bob", "long password") == User("bob", "editor")


@pytest.mark.parametrize("args, stdin, message", [
    (["users", "add", "bad name", "--password-stdin"], "longenough\n", "invalid user name"),
    (["users", "add", "carl", "--password-stdin"], "short\n", "at least 8"),
    (["users", "add", "carl", "--role", "root", "--password-stdin"], "longenough\n", "unknown role"),
    (["users", "restrict", "kb1", "--user", "ghost"], "", "no user named"),
    (["users", "restrict", "kb1"], "", "at least one"),
])
def test_cli_bad_input_exits_2(tmp_path, monkeypatch, args, stdin, message):
    monkeypatch.setenv("QCA_AUTH_FILE", str(tmp_path / "users.json"))
    result = CliRunner().invoke(_cli(), args, input=stdin)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and message in result.stderr and len(result.stderr.splitlines()) == 1


def test_cli_without_auth_file_is_an_error(monkeypatch):
    monkeypatch.delenv("QCA_AUTH_FILE", raising=False)
    result = CliRunner().invoke(_cli(), ["users", "list"])
    assert result.exit_code == 2 and "QCA_AUTH_FILE" in result.stderr
