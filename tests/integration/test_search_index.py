"""Migration 0002: the search indexes exist, follow the coins table through triggers, rebuild, and go away."""

from __future__ import annotations

from sqlalchemy import inspect, select, text

from coinref.search import rebuild_search_index, search_coins, unindexed_coin_ids
from coinref.search.backends import Filters, backend_for
from coinref.search.parser import Term
from coinref.store.db import make_engine, session_scope
from coinref.store.migrate import current_revision, downgrade, upgrade
from coinref.store.models import Coin, Series


def _add_coin(engine, **values) -> int:
    with session_scope(engine) as session:
        series_id = session.scalar(select(Series.id).where(Series.slug == values.pop("series", "morgan-dollars")))
        defaults = {"strike": "MS", "variety": "", "designation": "", "denomination": "$1", "short_name": "",
                    "facts": {}, "source": "test", "lookup_count": 0}
        coin = Coin(series_id=series_id, **(defaults | values))
        session.add(coin)
        session.flush()
        return coin.id


def _fulltext_ids(engine, word: str) -> set[int]:
    backend = backend_for(engine)
    with engine.connect() as conn:
        return {row[0] for row in backend.fulltext(conn, (Term(word, ((word,),)),), Filters(), 50)}


def test_search_objects_exist(engine):
    names = set(inspect(engine).get_table_names())
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            objects = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master"))}
            assert {"coins_fts", "coins_trgm", "coin_search_docs", "coins_search_insert", "coins_search_update",
                    "coins_search_delete"} <= objects | names
        else:
            columns = {c["name"] for c in inspect(engine).get_columns("coins")}
            assert "search_vector" in columns
            indexes = {r[0] for r in conn.execute(text("SELECT indexname FROM pg_indexes WHERE tablename = 'coins'"))}
            assert {"ix_coins_search_vector", "ix_coins_full_name_trgm"} <= indexes
            assert conn.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")).scalar() == 1


def test_triggers_keep_the_index_in_step_with_inserts_updates_and_deletes(engine):
    coin_id = _add_coin(engine, year=1881, mint_mark="S", full_name="1881-S Zanzibar Overstrike Morgan Dollar")
    assert _fulltext_ids(engine, "zanzibar") == {coin_id}
    assert unindexed_coin_ids(engine) == []
    with session_scope(engine) as session:
        session.get(Coin, coin_id).full_name = "1881-S Kilimanjaro Overstrike Morgan Dollar"
    assert _fulltext_ids(engine, "zanzibar") == set()
    assert _fulltext_ids(engine, "kilimanjaro") == {coin_id}
    with session_scope(engine) as session:
        session.get(Coin, coin_id).lookup_count = 5  # not an indexed column: no index work, still in step
    assert unindexed_coin_ids(engine) == []
    with session_scope(engine) as session:
        session.delete(session.get(Coin, coin_id))
    assert _fulltext_ids(engine, "kilimanjaro") == set()
    with engine.connect() as conn:
        assert backend_for(engine).index_consistent(conn)


def test_search_finds_a_new_coin_by_a_misspelt_word_through_the_trigram_index(engine):
    coin_id = _add_coin(engine, year=1881, mint_mark="S", full_name="1881-S Zanzibar Overstrike Morgan Dollar",
                        variety="Zanzibar Overstrike")
    result = search_coins(engine, "zanzbar", record=False)  # no prefix of any indexed word
    assert [c["id"] for c in result.results][:1] == [coin_id]


def test_a_coin_dropped_from_the_index_is_reported_and_rebuild_restores_it(engine):
    coin_id = _add_coin(engine, year=1881, mint_mark="S", full_name="1881-S Zanzibar Overstrike Morgan Dollar")
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text("INSERT INTO coins_fts(coins_fts, rowid, full_name, series_name, denomination, date) "
                              "SELECT 'delete', id, full_name, series_name, denomination, date FROM coin_search_docs "
                              "WHERE id = :id"), {"id": coin_id})
        else:
            conn.execute(text("UPDATE coins SET search_vector = NULL WHERE id = :id"), {"id": coin_id})
    assert unindexed_coin_ids(engine) == [coin_id]
    assert _fulltext_ids(engine, "zanzibar") == set()
    rebuild_search_index(engine)
    assert unindexed_coin_ids(engine) == []
    assert _fulltext_ids(engine, "zanzibar") == {coin_id}


def test_0002_downgrades_and_upgrades_cleanly_with_coins_present(db_url):
    engine = make_engine(db_url)
    try:
        coin_id = _add_coin(engine, year=1881, mint_mark="S", full_name="1881-S Zanzibar Overstrike Morgan Dollar")
        downgrade(engine, "0001")
        assert current_revision(engine) == "0001"
        names = set(inspect(engine).get_table_names())
        assert not {"coins_fts", "coins_trgm"} & names
        if engine.dialect.name == "postgresql":
            assert "search_vector" not in {c["name"] for c in inspect(engine).get_columns("coins")}
        with engine.begin() as conn:  # the coins table works without the triggers (plain SQL: the ORM
            # model may carry columns of later migrations)
            conn.execute(text("UPDATE coins SET full_name = :name WHERE id = :id"),
                         {"name": "1881-S Kilimanjaro Overstrike Morgan Dollar", "id": coin_id})
        upgrade(engine)
        assert _fulltext_ids(engine, "kilimanjaro") == {coin_id}  # the upgrade indexes existing coins
        assert unindexed_coin_ids(engine) == []
    finally:
        engine.dispose()
