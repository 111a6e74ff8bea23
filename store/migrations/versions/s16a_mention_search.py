"""mention_search: full-text search over mentions and their drafts, kept in sync by triggers; mentions by author

One search document per mention: its title, its text and the text of its drafts (reply and follow-ups). The
database keeps it current itself (triggers), so every writer (ingest, drafting, edits in the inbox, imports)
is covered without remembering to. Existing rows are indexed here.

SQLite: an FTS5 table (unicode61 tokenizer, remove_diacritics 2: "zaruka" finds "záruka").
PostgreSQL: a table of tsvectors ('simple' configuration) with a GIN index, over careloop_fold(): lower case and
Latin diacritics removed with translate(), which needs no extension (unaccent is a contrib extension that a
managed server may not offer, and is not IMMUTABLE). Cyrillic is left as it is on both (SQLite's tokenizer does
not fold "ё" either), so both backends find the same mentions.

Revision ID: s16a
Revises: c16a
"""
import unicodedata

from alembic import op

from store.search import SQLITE_REPLIES, SQLITE_TRIGGERS


revision = 's16a'
down_revision = 'c16a'
branch_labels = None
depends_on = None


def _latin_folds() -> tuple[str, str]:
    """(accented, plain): every lower-case letter of Latin-1 Supplement and Latin Extended-A/B whose canonical
    decomposition is one ASCII letter plus marks ("á" → "a", "ř" → "r", "ů" → "u"). Canonical decompositions
    never change (Unicode stability policy), so this is the same on every Python."""
    accented, plain = [], []
    for code in range(0xC0, 0x250):
        char = chr(code)
        if char != char.lower():
            continue
        base = unicodedata.normalize("NFD", char)[0]
        if base != char and base.isascii() and base.isalpha():
            accented.append(char)
            plain.append(base)
    return "".join(accented), "".join(plain)


def upgrade() -> None:
    # a customer's history on the mention page: the same author on the same source type
    op.create_index("ix_mentions_source_type_author", "mentions", ["source_type", "author"])
    if op.get_context().dialect.name == "sqlite":
        _upgrade_sqlite()
    else:
        _upgrade_postgresql()


def _upgrade_sqlite() -> None:
    op.execute("CREATE VIRTUAL TABLE mention_search USING fts5(title, body, replies, "
               "tokenize = 'unicode61 remove_diacritics 2')")
    op.execute("INSERT INTO mention_search (rowid, title, body, replies) SELECT m.id, coalesce(m.title, ''), m.text, "
               + SQLITE_REPLIES.format(id="m.id") + " FROM mentions m")
    for statement in SQLITE_TRIGGERS:
        op.execute(statement)


def _upgrade_postgresql() -> None:
    accented, plain = _latin_folds()
    # "<" and ">" become spaces: PostgreSQL's text-search parser drops whatever looks like an HTML tag, and
    # "<script>alert(1)</script>" in a mention is words the agent may search for (mentions are plain text).
    op.execute(f"""CREATE FUNCTION careloop_fold(value text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
        AS $$ SELECT translate(lower(value), '{accented}<>', '{plain}  ') $$""")
    op.execute("""CREATE FUNCTION careloop_search_document(mention integer) RETURNS tsvector LANGUAGE sql STABLE
        AS $$ SELECT to_tsvector('simple', careloop_fold(coalesce(m.title, '') || ' ' || m.text || ' ' ||
              coalesce((SELECT string_agg(d.text, ' ') FROM drafts d WHERE d.mention_id = m.id), '')))
              FROM mentions m WHERE m.id = mention $$""")
    op.execute("""CREATE TABLE mention_search (
        mention_id integer PRIMARY KEY REFERENCES mentions (id) ON DELETE CASCADE,
        document tsvector NOT NULL)""")
    op.execute("INSERT INTO mention_search SELECT id, careloop_search_document(id) FROM mentions")
    op.execute("CREATE INDEX ix_mention_search_document ON mention_search USING gin (document)")
    op.execute("""CREATE FUNCTION careloop_search_refresh(mention integer) RETURNS void LANGUAGE sql
        AS $$ INSERT INTO mention_search SELECT mention, careloop_search_document(mention) WHERE mention IS NOT NULL
              AND EXISTS (SELECT 1 FROM mentions WHERE id = mention)
              ON CONFLICT (mention_id) DO UPDATE SET document = excluded.document $$""")
    op.execute("""CREATE FUNCTION careloop_search_mention_changed() RETURNS trigger LANGUAGE plpgsql
        AS $$ BEGIN PERFORM careloop_search_refresh(NEW.id); RETURN NULL; END $$""")
    # A draft moved to another mention (never today, but possible) refreshes both documents.
    op.execute("""CREATE FUNCTION careloop_search_draft_changed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        IF TG_OP <> 'INSERT' THEN PERFORM careloop_search_refresh(OLD.mention_id); END IF;
        IF TG_OP = 'INSERT' OR TG_OP = 'UPDATE' AND NEW.mention_id IS DISTINCT FROM OLD.mention_id THEN
            PERFORM careloop_search_refresh(NEW.mention_id); END IF;
        RETURN NULL; END $$""")
    op.execute("""CREATE TRIGGER mention_search_mention AFTER INSERT OR UPDATE OF title, text ON mentions
        FOR EACH ROW EXECUTE FUNCTION careloop_search_mention_changed()""")
    op.execute("""CREATE TRIGGER mention_search_draft AFTER INSERT OR UPDATE OF text, mention_id OR DELETE ON drafts
        FOR EACH ROW EXECUTE FUNCTION careloop_search_draft_changed()""")


def downgrade() -> None:
    op.drop_index("ix_mentions_source_type_author", "mentions")
    if op.get_context().dialect.name == "sqlite":
        for trigger in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {trigger.split()[5]}")
        op.execute("DROP TABLE mention_search")
        return
    op.execute("DROP TRIGGER mention_search_draft ON drafts")
    op.execute("DROP TRIGGER mention_search_mention ON mentions")
    op.execute("DROP TABLE mention_search")
    for function in ("careloop_search_draft_changed()", "careloop_search_mention_changed()",
                     "careloop_search_refresh(integer)", "careloop_search_document(integer)", "careloop_fold(text)"):
        op.execute(f"DROP FUNCTION {function}")
