"""Engine, sessions and migrate-on-start. SQLite gets WAL and foreign keys; any SQLAlchemy URL works."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from app.errors import StartupError, StorageFull

PROJECT_DIR = Path(__file__).resolve().parent.parent


Publisher = Callable[[str, Mapping[str, Any]], None]
_OUTBOX = "change_events"  # session.info key: the events queued by `queue_event`, sent after commit


def queue_event(session: Session, kind: str, payload: Mapping[str, Any]) -> None:
    """Queue a change event on this transaction; it is published only once the transaction has committed."""
    session.info.setdefault(_OUTBOX, []).append((kind, payload))


class Database:
    """The engine and a session factory; `session()` is one transaction."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._factory = sessionmaker(self.engine, expire_on_commit=False)
        # Receives each change event after its commit (app.core connects it to the event bus).
        self.publish: Publisher | None = None

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in a transaction: committed on success, rolled back on error. Change events queued on it
        (`queue_event`) are published after the commit, and dropped on a rollback.

        A full disk becomes StorageFull, with a message that says where and that nothing was written.
        """
        try:
            with self._factory() as session:
                with session.begin():
                    yield session
                self._publish(session.info.pop(_OUTBOX, []))
        except OperationalError as exc:
            if "disk is full" in str(exc.orig):  # SQLITE_FULL: "database or disk is full"
                raise StorageFull(
                    f"The database could not be written: the disk holding {self.location} is full "
                    f"({exc.orig}). Free some space and try again; this change was not saved, nothing "
                    "else was lost."
                ) from None
            raise

    def _publish(self, events: list[tuple[str, Mapping[str, Any]]]) -> None:
        if self.publish is not None:
            for kind, payload in events:
                self.publish(kind, payload)

    @property
    def location(self) -> str:
        """Where the data lives, for messages: the SQLite file, or the URL without its password."""
        return (
            str(self.engine.url.database or ":memory:")
            if self.engine.url.get_backend_name() == "sqlite"
            else (self.engine.url.render_as_string(hide_password=True))
        )

    def checkpoint(self) -> None:
        """Fold SQLite's write-ahead log into the database file (at stop: a copy of database.db is whole)."""
        if self.engine.url.get_backend_name() != "sqlite":
            return
        try:
            with self.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        except (DatabaseError, OperationalError):
            pass  # a busy or read-only database keeps its WAL; SQLite replays it on the next open

    def dispose(self) -> None:
        self.engine.dispose()


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite connections get WAL, foreign keys and a busy timeout.

    An unknown dialect or a driver that is not installed is a StartupError in one line; a SQLite file's
    missing folder is created.
    """
    is_sqlite = url.startswith("sqlite")
    try:
        parsed = make_url(url)
        if is_sqlite:
            _make_sqlite_folder(parsed.database)
        engine = create_engine(
            url, connect_args={"timeout": 30, "check_same_thread": False} if is_sqlite else {}
        )
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        shown = make_url(url).render_as_string(hide_password=True) if "://" in url else url
        raise StartupError(
            f"The database URL {shown!r} cannot be used ({exc}). Use an SQLAlchemy URL such as "
            "sqlite:///path/to/captionforge.db or postgresql+psycopg://user@host/db (its driver installed), "
            "or leave --database-url out for SQLite in the data dir."
        ) from None
    if is_sqlite:
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _make_sqlite_folder(database: str | None) -> None:
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    folder = Path(database).expanduser().parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StartupError(
            f"The database folder {folder} does not exist and cannot be created ({exc.strerror}). "
            "Create it, or choose another path in --database-url."
        ) from None


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # A 100,000-image library is ~200 MB of rows read in random order (UUID keys): reading them through a
    # memory map instead of one read() per page, and a bigger page cache, halve a dataset load. Both are
    # address space and cache, not a fixed allocation: pages the OS already holds are shared, not copied.
    cursor.execute("PRAGMA mmap_size=268435456")
    cursor.execute("PRAGMA cache_size=-16384")
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
