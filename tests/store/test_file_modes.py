"""What careloop creates on disk is private: the SQLite database 0600 (its WAL files too) in a data directory
0700, the generated secret key's directory 0700. Checked under the usual umask 022."""
import os
import stat

from careloop.secret import secret_key
from store.db import connect, session_scope
from store.models import Source


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_database_file_and_data_directory_are_private(tmp_path, monkeypatch):
    previous = os.umask(0o022)
    try:
        data = tmp_path / "data" / "careloop"
        engine = connect(f"sqlite:///{data / 'careloop.db'}")
        with session_scope(engine) as session:
            session.add(Source(name="feed", type="feed", cursor={}))
        assert _mode(data) == 0o700 and _mode(data / "careloop.db") == 0o600
        assert _mode(data / "careloop.db-wal") == 0o600
        engine.dispose()
        connect.cache_clear()

        monkeypatch.delenv("CARELOOP_SECRET_KEY", raising=False)
        monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
        secret_key()
        assert _mode(tmp_path / "xdg" / "careloop") == 0o700
        assert _mode(tmp_path / "xdg" / "careloop" / "secret_key") == 0o600
    finally:
        os.umask(previous)
