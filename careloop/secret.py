"""careloop's one secret: signs inbox sessions and the links in messages (unsubscribe). Imports nothing of careloop,
so any layer can sign without loading the web app."""
from __future__ import annotations

import os
import secrets
from pathlib import Path


def secret_key_file() -> Path:
    data_home = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data_home) / "careloop" / "secret_key"


def secret_key() -> str:
    """CARELOOP_SECRET_KEY, else a key generated once into the user's data dir (0600), shared by all workers."""
    from_env = os.environ.get("CARELOOP_SECRET_KEY")
    if from_env:
        return from_env
    path = secret_key_file()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        # O_EXCL: when two workers start at once, exactly one writes the key and the other reads it.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(secrets.token_urlsafe(48))
    return path.read_text(encoding="ascii").strip()
