"""Storage: SQLAlchemy models, migrations and the few queries each stage needs.

The only package that knows SQL dialects (SQLite by default, PostgreSQL by URL).
"""
