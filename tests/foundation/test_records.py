import json
from itertools import permutations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chathpc.data import Record, detect_format, dump_records, load_records, save_records
from chathpc.errors import DataError

SUFFIX = {"json": ".json", "jsonl": ".jsonl", "yaml": ".yaml", "messages": ".jsonl"}


def test_aliases_are_case_insensitive(tmp_path):
    path = tmp_path / "d.json"
    path.write_text(json.dumps([
        {"Prompt": "q1", "Context": "c", "RESPONSE": "a1"},
        {"user": "q2", "assistant": "a2", "system": "s"},
        {"question": "q3", "answer": "a3", "id": 7},
    ]))
    records = load_records(path)
    assert [r.question for r in records] == ["q1", "q2", "q3"]
    assert [r.answer for r in records] == ["a1", "a2", "a3"]
    assert records[1].system == "s" and records[2].id == "7"


def test_messages_format_is_detected_and_read(tmp_path):
    path = tmp_path / "chat.jsonl"
    line = {"messages": [{"role": "system", "content": "S"}, {"role": "user", "content": "Q"},
                         {"role": "assistant", "content": "A"}], "context": "C"}
    path.write_text(json.dumps(line) + "\n")
    assert detect_format(path) == "messages"
    assert load_records(path) == [Record(question="Q", answer="A", system="S", context="C")]


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("empty.json", b"", "empty dataset file"),
        ("blank.jsonl", b"\n\n", "empty dataset file"),
        ("bytes.json", b'[{"question": "caf\xe9"}]', "bytes.json:1: not UTF-8 text"),
        ("obj.json", b'{"a": 1, "b": 2}', "expected a list of records, got dict"),
        ("bad.jsonl", b'{"question": "q"}\n{"question": \n', "bad.jsonl:2: invalid JSON"),
        ("nokey.json", b'[{"question": "q"}, {"answer": "a"}]', "nokey.json:item 1: missing 'question'"),
        ("typo.json", b'[{"questoin": "q"}]', "unknown key 'questoin' (did you mean 'question'?)"),
        ("type.json", b'[{"question": ["q"]}]', "'question' must be text"),
        ("dup.json", b'[{"question": "q", "prompt": "p"}]', "repeats the field 'question'"),
        ("role.jsonl", b'{"messages": [{"role": "tool", "content": "x"}]}\n', "unknown role 'tool'"),
        ("bad.yaml", b"- question: [\n", "bad.yaml:2: invalid YAML"),
        ("data.csv", b"question,answer\n", "unknown dataset format '.csv'"),
    ],
)
def test_bad_dataset_files_give_one_line_errors(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DataError) as err:
        load_records(path)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(DataError, match="file not found"):
        load_records(tmp_path / "none.json")
    (tmp_path / "dir.json").mkdir()
    with pytest.raises(DataError, match="is a directory"):
        load_records(tmp_path / "dir.json")


text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
records_strategy = st.lists(
    st.builds(
        Record,
        question=text.filter(lambda s: s.strip()),
        context=text,
        answer=text,
        system=st.none() | text,
        id=st.none() | st.text("abc123_", min_size=1, max_size=5),
        metadata=st.dictionaries(st.text("xyz", min_size=1, max_size=3), st.integers() | text, max_size=2),
    ),
    min_size=1,
    max_size=4,
)


@settings(max_examples=40, deadline=None)
@given(records=records_strategy)
def test_round_trip_is_lossless_between_all_formats(tmp_path_factory, records):
    tmp = tmp_path_factory.mktemp("rt")
    for src, dst in permutations(SUFFIX, 2):
        a = save_records(records, tmp / f"a-{src}-{dst}{SUFFIX[src]}", src)
        b = save_records(load_records(a, src), tmp / f"b-{src}-{dst}{SUFFIX[dst]}", dst)
        assert load_records(b, dst) == records


def test_yaml_keeps_code_readable():
    text = dump_records([Record(question="int main() {\n  return 0;\n}\n", answer="ok")], "yaml")
    assert "question: |" in text


def test_save_never_overwrites_without_permission(tmp_path):
    path = tmp_path / "out.jsonl"
    path.write_text("precious\n")
    with pytest.raises(DataError, match="already exists"):
        save_records([Record(question="q")], path)
    assert path.read_text() == "precious\n"
    save_records([Record(question="q")], path, overwrite=True)
    assert load_records(path) == [Record(question="q")]
