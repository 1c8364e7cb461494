"""search indexes

SQLite: ``coins_fts``, an FTS5 table whose external content is the view ``coin_search_docs``
(full name, series name, denomination, date), and ``coins_trgm``, an FTS5 trigram table over the
coin's full name for typo tolerance; both kept in sync with ``coins`` by triggers.

PostgreSQL: a ``search_vector`` tsvector column on ``coins`` (weights A full name, B series
name, C denomination, D year and year+mint), kept by a trigger, with a GIN index; and the
pg_trgm extension with a trigram GIN index on the lower-cased full name.

Text is folded the same way on both: lower case, every run of characters other than a-z and 0-9
is a separator (``1909-S`` gives ``1909`` and ``s``; the date column adds ``1909s``).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 12:00:00
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_SQLITE_DOC = (
    "{v}.full_name, (SELECT name FROM series WHERE id = {v}.series_id), {v}.denomination, "
    "{v}.year || ' ' || {v}.year || lower({v}.mint_mark)"
)
_SQLITE_INSERT = (
    "INSERT INTO coins_fts(rowid, full_name, series_name, denomination, date) VALUES (new.id, "
    + _SQLITE_DOC.format(v="new") + ");\n"
    "  INSERT INTO coins_trgm(rowid, full_name) VALUES (new.id, new.full_name);"
)
_SQLITE_DELETE = (
    "INSERT INTO coins_fts(coins_fts, rowid, full_name, series_name, denomination, date) VALUES ('delete', old.id, "
    + _SQLITE_DOC.format(v="old") + ");\n"
    "  INSERT INTO coins_trgm(coins_trgm, rowid, full_name) VALUES ('delete', old.id, old.full_name);"
)

SQLITE_UPGRADE = [
    """CREATE VIEW coin_search_docs AS
    SELECT c.id AS id, c.full_name AS full_name, s.name AS series_name, c.denomination AS denomination,
           c.year || ' ' || c.year || lower(c.mint_mark) AS date
    FROM coins c JOIN series s ON s.id = c.series_id""",
    """CREATE VIRTUAL TABLE coins_fts USING fts5(
        full_name, series_name, denomination, date,
        content='coin_search_docs', content_rowid='id', tokenize='unicode61 remove_diacritics 2')""",
    """CREATE VIRTUAL TABLE coins_trgm USING fts5(
        full_name, content='coins', content_rowid='id', tokenize='trigram')""",
    f"CREATE TRIGGER coins_search_insert AFTER INSERT ON coins BEGIN\n  {_SQLITE_INSERT}\nEND",
    f"CREATE TRIGGER coins_search_delete AFTER DELETE ON coins BEGIN\n  {_SQLITE_DELETE}\nEND",
    "CREATE TRIGGER coins_search_update AFTER UPDATE OF full_name, series_id, denomination, year, mint_mark "
    f"ON coins BEGIN\n  {_SQLITE_DELETE}\n  {_SQLITE_INSERT}\nEND",
    "INSERT INTO coins_fts(coins_fts) VALUES ('rebuild')",
    "INSERT INTO coins_trgm(coins_trgm) VALUES ('rebuild')",
]
SQLITE_DOWNGRADE = [
    "DROP TRIGGER IF EXISTS coins_search_update",
    "DROP TRIGGER IF EXISTS coins_search_delete",
    "DROP TRIGGER IF EXISTS coins_search_insert",
    "DROP TABLE IF EXISTS coins_trgm",
    "DROP TABLE IF EXISTS coins_fts",
    "DROP VIEW IF EXISTS coin_search_docs",
]

POSTGRES_UPGRADE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "ALTER TABLE coins ADD COLUMN search_vector tsvector",
    """CREATE FUNCTION coinref_search_text(value text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT btrim(regexp_replace(lower(coalesce(value, '')), '[^a-z0-9]+', ' ', 'g')) $$""",
    """CREATE FUNCTION coinref_coin_search_vector(text, integer, text, integer, text) RETURNS tsvector
    LANGUAGE sql STABLE
    AS $$
      SELECT setweight(to_tsvector('simple', coinref_search_text($1)), 'A')
          || setweight(to_tsvector('simple', coinref_search_text((SELECT s.name FROM series s WHERE s.id = $2))), 'B')
          || setweight(to_tsvector('simple', coinref_search_text($3)), 'C')
          || setweight(to_tsvector('simple', $4::text || ' ' || $4::text || lower($5)), 'D')
    $$""",
    """CREATE FUNCTION coinref_coins_search_trigger() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
    BEGIN
      NEW.search_vector := coinref_coin_search_vector(NEW.full_name, NEW.series_id, NEW.denomination, NEW.year,
                                                      NEW.mint_mark);
      RETURN NEW;
    END
    $$""",
    """CREATE TRIGGER coins_search_vector
    BEFORE INSERT OR UPDATE OF full_name, series_id, denomination, year, mint_mark ON coins
    FOR EACH ROW EXECUTE FUNCTION coinref_coins_search_trigger()""",
    "UPDATE coins SET search_vector = coinref_coin_search_vector(full_name, series_id, denomination, year, mint_mark)",
    "CREATE INDEX ix_coins_search_vector ON coins USING gin (search_vector)",
    "CREATE INDEX ix_coins_full_name_trgm ON coins USING gin (lower(full_name) gin_trgm_ops)",
]
POSTGRES_DOWNGRADE = [
    "DROP INDEX IF EXISTS ix_coins_full_name_trgm",
    "DROP INDEX IF EXISTS ix_coins_search_vector",
    "DROP TRIGGER IF EXISTS coins_search_vector ON coins",
    "DROP FUNCTION IF EXISTS coinref_coins_search_trigger()",
    "DROP FUNCTION IF EXISTS coinref_coin_search_vector(text, integer, text, integer, text)",
    "DROP FUNCTION IF EXISTS coinref_search_text(text)",
    "ALTER TABLE coins DROP COLUMN IF EXISTS search_vector",
    # the extension may serve other objects of the database: drop it only when nothing uses it
    """DO $$ BEGIN
      DROP EXTENSION IF EXISTS pg_trgm;
    EXCEPTION WHEN dependent_objects_still_exist THEN NULL;
    END $$""",
]


def _run(statements: list[str]) -> None:
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    _run(SQLITE_UPGRADE if op.get_bind().dialect.name == "sqlite" else POSTGRES_UPGRADE)


def downgrade() -> None:
    _run(SQLITE_DOWNGRADE if op.get_bind().dialect.name == "sqlite" else POSTGRES_DOWNGRADE)
