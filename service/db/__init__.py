"""The service's database: SQLAlchemy models, engine and Alembic migrations."""
