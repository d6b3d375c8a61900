"""Engine, sessions and migrate-on-start. SQLite gets WAL and foreign keys; any SQLAlchemy URL works."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from app.errors import StartupError, StorageFull

PROJECT_DIR = Path(__file__).resolve().parent.parent


class Database:
    """The engine and a session factory; `session()` is one transaction."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._factory = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in a transaction: committed on success, rolled back on error.

        A full disk becomes StorageFull, with a message that says where and that nothing was written.
        """
        try:
            with self._factory() as session, session.begin():
                yield session
        except OperationalError as exc:
            if "disk is full" in str(exc.orig):  # SQLITE_FULL: "database or disk is full"
                raise StorageFull(
                    f"The database could not be written: the disk holding {self.location} is full "
                    f"({exc.orig}). Free some space and try again; this change was not saved, nothing "
                    "else was lost."
                ) from None
            raise

    @property
    def location(self) -> str:
        """Where the data lives, for messages: the SQLite file, or the URL without its password."""
        return (
            self.engine.url.database
            if self.engine.url.get_backend_name() == "sqlite"
            else (self.engine.url.render_as_string(hide_password=True))
        )

    def dispose(self) -> None:
        self.engine.dispose()


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite connections get WAL, foreign keys and a busy timeout."""
    is_sqlite = url.startswith("sqlite")
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False} if is_sqlite else {})
    if is_sqlite:
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def alembic_config(url: str) -> Config:
    """Alembic config pointing at this project's migrations and the given database."""
    config = Config(str(PROJECT_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_DIR / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(database: Database) -> None:
    """Upgrade the schema to head; refuse a newer or corrupt database with a StartupError."""
    config = alembic_config(database.url)
    script = ScriptDirectory.from_config(config)
    try:
        with database.engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    except (DatabaseError, OperationalError) as exc:
        raise StartupError(
            f"The database {database.url} cannot be opened ({exc.orig}). It may be corrupt: restore a backup "
            "or move it away to start fresh; nothing was changed."
        ) from None
    if current is not None and current not in {rev.revision for rev in script.walk_revisions()}:
        raise StartupError(
            f"The database {database.url} comes from a newer CaptionForge (schema {current}). "
            "Update CaptionForge or use another --data-dir; nothing was changed."
        )
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
