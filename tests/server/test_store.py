"""The conversation store: all-or-nothing loading, the newest-conversation lookup, opening rules."""

import json
import random
from datetime import UTC, datetime

import duckdb
import pytest

from harness.store.conversations import (
    ConversationStore,
    LocatedRecord,
    StoreError,
    lookup_key,
    parse_records,
    read_sources,
)
from tests.factories import conversation_dict
from tests.server.world import FIXTURE_DIR, NUMBER, ORG_A, ORG_B, RECORDS, UK_NUMBER


def jsonl(*records) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records)


def good(conversation_id: str, **changes) -> dict:
    return conversation_dict() | {"id": conversation_id} | changes


@pytest.fixture
def store(tmp_path):
    with ConversationStore.open(tmp_path / "store.duckdb") as opened:
        yield opened


def test_good_jsonl_loads_and_the_lookup_finds_it(tmp_path, store):
    path = tmp_path / "calls.jsonl"
    path.write_text(jsonl(good("c1"), "", good("c2", created_at="2026-10-09T00:00:00Z")))
    located, problems = read_sources([path])
    assert problems == []
    assert [item.where for item in located] == [f"{path}:1", f"{path}:3"]
    assert store.load(located) == []
    assert store.count_conversations() == 2
    newest = store.newest_conversation("org_acme", "+13125550142")
    assert newest == located[1].record


def test_bad_jsonl_is_reported_by_line_and_nothing_is_loaded(tmp_path, store):
    path = tmp_path / "calls.jsonl"
    path.write_text(
        jsonl(good("c1"), "{not json", [1, 2], good("c2", user_id="+1555"), good("c3", created_at="2026-10-02"),
              good("c1"))
    )
    _, problems = read_sources([path])
    assert [str(p) for p in problems] == [
        f"{path}:2: $: invalid JSON at column 2: Expecting property name enclosed in double quotes",
        f"{path}:3: $: expected a JSON object (one conversation record per line)",
        f"{path}:4: $.user_id: expected a string matching ^\\+[1-9][0-9]{{6,14}}$, got '+1555'",
        f"{path}:5: $.created_at: Input should have timezone info (got '2026-10-02')",
        f"{path}:6: $.id: conversation id 'c1' repeats {path}:1",
    ]


def test_ids_already_in_the_store_reject_the_whole_load(store):
    store.load([LocatedRecord("first", RECORDS[0])])
    problems = store.load([LocatedRecord("a.jsonl:1", RECORDS[1]), LocatedRecord("a.jsonl:2", RECORDS[0])])
    assert [str(p) for p in problems] == ["a.jsonl:2: $.id: conversation id 'conv_a_old' is already in the store"]
    assert store.count_conversations() == 1


def test_fixtures_load_from_a_directory_with_their_files_as_locations():
    located, problems = read_sources([FIXTURE_DIR])
    assert problems == []
    assert len(located) == len(list(FIXTURE_DIR.glob("*.json")))
    assert located[0].where.endswith(".json")


def test_newest_conversation_is_per_organisation_and_ordered_by_instant(store):
    store.load([LocatedRecord(r.id, r) for r in reversed(RECORDS)])
    assert store.newest_conversation(ORG_A, NUMBER).id == "conv_a_newest"
    assert store.newest_conversation("org_beta", NUMBER).id == "conv_b_newer"
    assert store.newest_conversation("org_gamma", NUMBER) is None
    assert store.newest_conversation(ORG_A, "+13125550199") is None


def test_the_newest_conversation_stays_right_across_loads(store):
    def call(conversation_id, created_at):
        changed = {"id": conversation_id, "created_at": datetime.fromisoformat(created_at)}
        return LocatedRecord(conversation_id, RECORDS[0].model_copy(update=changed))

    store.load([call("first", "2026-10-02T10:00:00Z")])
    store.load([call("newer", "2026-10-03T10:00:00Z"), call("older", "2026-09-01T10:00:00Z")])
    assert store.newest_conversation(ORG_A, NUMBER).id == "newer"
    store.load([call("oldest", "2026-08-01T10:00:00Z")])
    assert store.newest_conversation(ORG_A, NUMBER).id == "newer"
    store.load([call("same-instant", "2026-10-03T12:00:00+02:00")])  # ties go to the larger id
    assert store.newest_conversation(ORG_A, NUMBER).id == "same-instant"
    assert store.newest_conversation("org_beta", NUMBER) is None


def test_the_lookup_table_agrees_with_order_by_created_at_desc_limit_1(tmp_path):
    """Random calls in random batches: the maintained lookup equals the plain SQL definition."""
    chooser = random.Random(6)
    lines = [(org, f"+1312555{n:04d}") for org in ("org_a", "org_b") for n in range(6)]
    path = tmp_path / "s.duckdb"
    with ConversationStore.open(path) as store:
        for batch in range(5):
            calls = []
            for i in range(12):
                org, number = chooser.choice(lines)
                when = datetime(2026, 10, 1, chooser.randrange(3), tzinfo=UTC)  # frequent ties
                changes = {"id": f"c{batch}_{i:02d}", "org_id": org, "user_id": number, "created_at": when}
                calls.append(LocatedRecord(f"{batch}:{i}", RECORDS[0].model_copy(update=changes)))
            assert store.load(calls) == []
    with ConversationStore.open(path, read_only=True) as store, duckdb.connect(str(path), read_only=True) as sql:
        for org, number in lines:
            expected = sql.execute(
                "SELECT id FROM conversations WHERE org_id = ? AND user_id = ? ORDER BY created_at DESC, id DESC LIMIT 1",
                [org, number],
            ).fetchone()
            found = store.newest_conversation(org, number)
            assert (found.id if found else None) == (expected[0] if expected else None), (org, number)
            # The server's path: the id from the snapshot of the lookup table, then the row by id.
            snapshot_id = store.newest_conversation_ids().get(lookup_key(org, number))
            assert snapshot_id == (expected[0] if expected else None), (org, number)
            assert (store.conversation(snapshot_id) if snapshot_id else None) == found


def test_the_id_snapshot_holds_every_line_and_nothing_else(store):
    store.load([LocatedRecord(r.id, r) for r in RECORDS])
    assert store.newest_conversation_ids() == {
        lookup_key(ORG_A, NUMBER): "conv_a_newest",
        lookup_key(ORG_B, NUMBER): "conv_b_newer",
        lookup_key(ORG_B, UK_NUMBER): "conv_b_uk",
    }
    assert store.conversation("conv_a_old") == RECORDS[0]
    assert store.conversation("no_such_id") is None


def test_insert_rows_takes_generated_rows_and_keeps_the_lookup_current(store):
    total = store.insert_rows(
        "SELECT 'gen_' || i, 'org_gen', '+1312200000' || i, TIMESTAMPTZ '2026-01-01 00:00:00+00' + to_days(i::INTEGER),"
        " 60, '[{\"role\": \"user\", \"content\": \"hi\"}]'::JSON FROM range(3) t(i)"
    )
    assert total == 3
    assert store.newest_conversation("org_gen", "+13122000002").id == "gen_2"
    with pytest.raises(duckdb.ConstraintException):
        store.insert_rows("SELECT * FROM conversations")
    assert store.count_conversations() == 3


def test_messages_round_trip_exactly(store):
    record = RECORDS[0].model_copy(update={"messages": RECORDS[0].messages[:1]})
    tricky = record.messages[0].model_copy(update={"content": 'quotes " backslash \\ accents é 漢字 \n newline'})
    record = record.model_copy(update={"messages": [tricky]})
    store.load([LocatedRecord("x", record)])
    assert store.newest_conversation(record.org_id, record.user_id) == record


def test_parse_records_skips_blank_lines():
    located, problems = parse_records(["\n", json.dumps(good("c1")) + "\n"], "in.jsonl")
    assert problems == [] and located[0].where == "in.jsonl:2"


def test_read_only_opening_refuses_missing_or_foreign_files(tmp_path):
    with pytest.raises(StoreError, match="no conversation store here; create it with `harness store load`"):
        ConversationStore.open(tmp_path / "missing.duckdb", read_only=True)
    with duckdb.connect(str(tmp_path / "other.duckdb")) as other:
        other.execute("CREATE TABLE t (a INTEGER)")
    with pytest.raises(StoreError, match="not an up-to-date conversation store"):
        ConversationStore.open(tmp_path / "other.duckdb", read_only=True)
    (tmp_path / "text.duckdb").write_text("hello")
    with pytest.raises(StoreError, match="cannot open as a DuckDB file"):
        ConversationStore.open(tmp_path / "text.duckdb", read_only=True)


def test_a_read_only_store_cannot_write(tmp_path):
    ConversationStore.open(tmp_path / "s.duckdb").close()
    with ConversationStore.open(tmp_path / "s.duckdb", read_only=True) as reader, pytest.raises(duckdb.Error):
        reader.load([LocatedRecord("x", RECORDS[0])])
