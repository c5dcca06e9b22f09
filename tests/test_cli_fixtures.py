"""`harness fixtures validate|stats|import` end to end, through the command line."""

import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from harness.cli import cli
from harness.fixtures.load import load_corpus
from tests.factories import conversation_dict, fixture_dict

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fixtures" / "conversations"


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_the_corpus_validates_clean():
    result = run("fixtures", "validate", str(CORPUS))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr.endswith(" fixtures, 0 problems\n")


def malformed_directory(tmp_path: Path) -> Path:
    """Eight broken files and a duplicated id, each with exactly one problem."""

    def bad(name: str, mutate) -> None:
        data = fixture_dict(name)
        mutate(data)
        (tmp_path / f"{name}.json").write_text(json.dumps(data))

    (tmp_path / "broken-json.json").write_text('{"id": "broken-json", ')
    (tmp_path / "not-an-object.json").write_text('"just a string"')
    bad("missing-field", lambda d: d.pop("title"))
    bad("bad-enum", lambda d: d["expected"].update(sentiment="irate"))
    bad(
        "index-out-of-range",
        lambda d: d["expected"]["markers"].append({"message": 99, "type": "frustration"}),
    )
    bad("bad-phone", lambda d: d["conversation"].update(user_id="+15551234567"))
    bad("wrong-file-name", lambda d: d.update(id="another-name"))
    bad("unknown-key", lambda d: d["expected"].update(caller="Maria"))
    (tmp_path / "twin.json").write_text(json.dumps(fixture_dict("twin")))
    sub = tmp_path / "copy"
    sub.mkdir()
    duplicate = fixture_dict("twin")
    duplicate["conversation"]["id"] = "conv_another"
    (sub / "twin.json").write_text(json.dumps(duplicate))
    return tmp_path


def test_malformed_files_get_one_clear_line_each(tmp_path):
    directory = malformed_directory(tmp_path)
    result = run("fixtures", "validate", str(directory), str(directory / "copy"))
    assert result.exit_code == 2
    lines = result.stdout.splitlines()
    by_file = {str(Path(line.split(": ")[0]).relative_to(directory)): line for line in lines}
    assert len(lines) == len(by_file) == 9, lines
    expected_fragments = {
        "broken-json.json": "$: invalid JSON at line 1 column 23",
        "not-an-object.json": "$: expected a JSON object (one fixture per file), got str",
        "missing-field.json": "$.title: missing required key 'title'",
        "bad-enum.json": "$.expected.sentiment: expected one of",
        "index-out-of-range.json": "$.expected.markers[4].message: message index 99 is out of range",
        "wrong-file-name.json": "$.id: the id 'another-name' must equal the file name 'wrong-file-name.json'",
        "unknown-key.json": "$.expected.caller: unknown key 'caller'; allowed keys:",
    }
    for name, fragment in expected_fragments.items():
        assert fragment in by_file[name], by_file[name]
    assert "$.conversation.user_id: '+15551234567' is not a valid number" in by_file["bad-phone.json"]
    assert "$.id: duplicate id 'twin', already used by" in by_file["copy/twin.json"]
    assert "did you mean 'caller_name'?" in by_file["unknown-key.json"]
    assert result.stderr == "9 problem(s) in 10 file(s)\n"  # twin.json itself is fine
    assert "Traceback" not in result.output


def test_duplicate_ids_are_reported(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for sub in ("a", "b"):
        (tmp_path / sub / "x-y.json").write_text(json.dumps(fixture_dict("x-y")))
    result = run("fixtures", "validate", str(tmp_path / "a"), str(tmp_path / "b"))
    assert result.exit_code == 2
    assert f"{tmp_path / 'b' / 'x-y.json'}: $.id: duplicate id 'x-y', already used by" in result.stdout


def test_stats_on_the_corpus_has_no_gap():
    result = run("fixtures", "stats", "--json", "--check", str(CORPUS))
    assert result.exit_code == 0, result.output
    stats = json.loads(result.stdout)
    gaps = [cell for cell in stats["coverage"] if not cell["ok"]]
    assert gaps == []
    labels = stats["labels"]
    assert labels["full gold"] >= 48 and labels["partial gold"] >= 6 and labels["empty gold"] >= 2


def test_stats_check_fails_on_a_gap(tmp_path):
    (tmp_path / "telecom-test-fixture.json").write_text(json.dumps(fixture_dict()))
    result = run("fixtures", "stats", "--check", str(tmp_path))
    assert result.exit_code == 1
    assert "GAP (needs 3)" in result.stdout
    assert "full gold" in result.stdout


def test_import_writes_good_lines_and_reports_bad_ones(tmp_path):
    good = conversation_dict()
    second = conversation_dict() | {"id": "conv/0002", "duration_seconds": None}
    lines = [
        json.dumps(good),
        "",
        "{not json",
        json.dumps(good | {"user_id": "+1555"}),
        json.dumps(["a list"]),
        json.dumps(second),
        json.dumps(good | {"messages": []}),
        json.dumps(good),
    ]
    calls = tmp_path / "calls.jsonl"
    calls.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out"
    result = run("fixtures", "import", str(calls), "--out", str(out), "--domain", "telecom")
    assert result.exit_code == 2
    assert result.stdout.splitlines() == [
        f"{calls}:3: $: invalid JSON at column 2: Expecting property name enclosed in double quotes",
        f"{calls}:4: $.user_id: expected a string matching ^\\+[1-9][0-9]{{6,14}}$, got '+1555'",
        f"{calls}:5: $: expected a JSON object (one conversation record per line)",
        f"{calls}:7: $.messages: List should have at least 1 item after validation, not 0 (got [])",
        f"{calls}:8: $.id: conversation id 'conv_test_0001' repeats line 1",
    ]
    assert sorted(p.name for p in out.iterdir()) == ["conv-0002.json", "conv-test-0001.json"]
    corpus = load_corpus([out])
    assert corpus.problems == []
    imported = {f.id: f for f in corpus.fixtures}
    assert imported["conv-0002"].conversation.duration_seconds is None
    assert imported["conv-test-0001"].domain == "telecom"
    assert json.loads((out / "conv-0002.json").read_text())["expected"] == {}

    again = run("fixtures", "import", str(calls), "--out", str(out))
    assert (
        f"{calls}:1: $.id: {out / 'conv-test-0001.json'} exists; pass --overwrite to replace it"
        in again.stdout
    )


def test_bad_arguments_exit_2_with_one_line(tmp_path):
    result = run("fixtures", "import", str(tmp_path / "none.jsonl"), "--out", str(tmp_path))
    assert result.exit_code == 2
    assert "does not exist" in result.output
    assert run("fixtures", "stats", "--bogus").exit_code == 2


def run_module(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "harness", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=60,
    )


def test_python_dash_m_works_and_defaults_to_the_corpus():
    result = run_module("fixtures", "validate")
    assert result.returncode == 0, result.stderr
    assert run_module("--version").stdout.startswith("harness, version ")


def test_unknown_command_and_missing_paths_exit_2_without_traceback(tmp_path):
    unknown = run_module("frobnicate")
    assert unknown.returncode == 2 and "No such command 'frobnicate'" in unknown.stderr
    missing = run_module("fixtures", "validate", str(tmp_path / "nope"))
    assert missing.returncode == 2
    assert missing.stdout == f"{tmp_path / 'nope'}: $: no such file or directory\n"
    assert "Traceback" not in unknown.stderr + missing.stderr
