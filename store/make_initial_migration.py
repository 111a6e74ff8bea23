"""Regenerate the initial migration from the models (development only, before the first release).

    python -m store.make_initial_migration
"""
import tempfile
from pathlib import Path

from alembic import command

from store.db import MIGRATIONS, alembic_config, make_engine

INITIAL = MIGRATIONS / "versions" / "0001_initial.py"


def main() -> None:
    INITIAL.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'empty.db'}")
        command.revision(alembic_config(engine), message="initial schema", autogenerate=True, rev_id="0001")
    generated = next((MIGRATIONS / "versions").glob("0001_*.py"))
    generated.rename(INITIAL)
    print(f"wrote {INITIAL}")


if __name__ == "__main__":
    main()
