"""Models and migrations agree, and the migration chain goes down and up again."""

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from app.db import Database, alembic_config, migrate
from app.models import Base

SEED_TABLES = {
    "tracked_folders",
    "tracked_files",
    "datasets",
    "dataset_files",
    "caption_sets",
    "captions",
    "caption_jobs",
    "export_history",
    "vision_models",
    "caption_revisions",
}


def test_models_and_migrations_agree(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'a.db'}")
    migrate(db)
    with db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []
    assert set(inspect(db.engine).get_table_names()) >= SEED_TABLES


def test_upgrade_downgrade_upgrade(tmp_path):
    url = f"sqlite:///{tmp_path / 'b.db'}"
    db = Database(url)
    migrate(db)
    config = alembic_config(url)
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert not SEED_TABLES & set(inspect(db.engine).get_table_names())
    migrate(db)
    assert set(inspect(db.engine).get_table_names()) >= SEED_TABLES


def test_sqlite_runs_with_wal_and_foreign_keys(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'c.db'}")
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
