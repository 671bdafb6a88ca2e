import json
import os
import subprocess
import sys

import pytest
import yaml

from chathpc.cli import main


def run_cli(*args, env=None):
    """The real console entry point in a subprocess (what users run)."""
    return subprocess.run(
        [sys.executable, "-m", "chathpc", *args], capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=120
    )


def test_help_lists_foundation_verbs_without_ml_imports():
    code = (
        "import sys; from chathpc.cli import build_parser; build_parser(); "
        "print(sorted(m for m in ('torch', 'transformers', 'peft', 'trl') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    proc = run_cli("--help")
    assert proc.returncode == 0
    for verb in ("env", "init", "config", "data"):
        assert f"    {verb} " in proc.stdout


def test_unknown_flag_is_one_line_exit_2():
    proc = run_cli("data", "validate", "x.json", "--bogus")
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "unrecognized arguments: --bogus" in proc.stderr


@pytest.mark.mpi
def test_env_reports_mpi_and_tools():
    proc = run_cli("env", "--json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["mpi"]["available"] and report["mpi"]["implementation"]
    assert report["cores"] >= 1 and "torch" in report["packages"]


def test_env_without_mpi_exits_nonzero_with_advice(tmp_path):
    proc = run_cli("env", env={"PATH": str(tmp_path)})
    assert proc.returncode == 1
    assert "MPI not found" in proc.stderr and "openmpi" in proc.stderr.lower()
    assert "Traceback" not in proc.stderr


def test_init_writes_config_and_refuses_to_overwrite(tmp_path, capsys):
    path = tmp_path / "run.yaml"
    assert main(["init", str(path)]) == 0
    assert "harness:" in path.read_text()
    path.write_text("mine\n")
    assert main(["init", str(path)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert path.read_text() == "mine\n"


def test_config_show_reports_sources(tmp_path, capsys, monkeypatch):
    path = tmp_path / "run.yaml"
    path.write_text("training:\n  seed: 5\n")
    monkeypatch.setenv("CHATHPC_LORA__R", "4")
    assert main(["config", "show", "-c", str(path), "--set", "harness.ranks=1,3", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["config"]["training"]["seed"] == 5 and shown["sources"]["training.seed"] == f"file {path}"
    assert shown["config"]["lora"]["r"] == 4 and shown["sources"]["lora.r"] == "env"
    assert shown["config"]["harness"]["ranks"] == [1, 3] and shown["sources"]["harness.ranks"] == "cli"
    assert main(["config", "show", "-c", str(path)]) == 0
    text = capsys.readouterr().out
    assert "seed: 5" in text and "# env" in text


def test_config_show_bad_input(tmp_path):
    path = tmp_path / "run.yaml"
    path.write_text("harness:\n  rank: [1]\n")
    proc = run_cli("config", "show", "-c", str(path))
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"chathpc: error: {path}: unknown key 'harness.rank' (did you mean 'ranks'?)"


def test_data_validate_stats_convert(tmp_path, capsys):
    src = tmp_path / "d.yaml"
    src.write_text(yaml.safe_dump([
        {"question": "Parallelize:\nint main(){}", "context": "Sequential to MPI translation", "answer": "x" * 350},
        {"prompt": "q", "context": "Kokkos", "response": "y"},
    ]))
    assert main(["data", "validate", str(src)]) == 0
    assert "ok, 2 records" in capsys.readouterr().out
    assert main(["data", "stats", str(src), "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["items"] == 2 and stats["per_context"] == {"Sequential to MPI translation": 1, "Kokkos": 1}
    assert stats["answer_tokens_max"] == 100
    out = tmp_path / "d.jsonl"
    assert main(["data", "convert", str(src), str(out), "--to", "messages"]) == 0
    line = json.loads(out.read_text().splitlines()[0])
    assert [m["role"] for m in line["messages"]] == ["user", "assistant"]
    back = tmp_path / "back.yaml"
    assert main(["data", "convert", str(out), str(back)]) == 0
    assert yaml.safe_load(back.read_text()) == yaml.safe_load(src.read_text().replace("prompt", "question").replace("response", "answer"))


@pytest.mark.parametrize(
    "content, message",
    [(b"", "empty dataset file"), (b"\xff\xfe", "not UTF-8"), (b'[{"answer": "a"}]', "item 0: missing 'question'")],
)
def test_data_bad_input_one_line_exit_2(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    proc = run_cli("data", "validate", str(path))
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"chathpc: error: {path}") and message in proc.stderr
    assert proc.stderr.strip().count("\n") == 0


def test_convert_does_not_clobber(tmp_path, capsys):
    src = tmp_path / "a.json"
    src.write_text(json.dumps([{"question": "q"}]))
    dst = tmp_path / "b.jsonl"
    dst.write_text("keep")
    assert main(["data", "convert", str(src), str(dst)]) == 2
    assert dst.read_text() == "keep" and "use --force" in capsys.readouterr().err


def test_debug_shows_traceback(tmp_path):
    proc = run_cli("--debug", "data", "validate", str(tmp_path / "none.json"))
    assert proc.returncode == 2 and "Traceback" in proc.stderr


@pytest.mark.parametrize(
    "argv",
    [
        ["init", "{file}/x.yaml"],  # a file where a directory is needed
        ["data", "export-tasks", "--out", "{file}/sub"],
        ["data", "convert", "{src}", "{file}/x.jsonl"],
    ],
)
def test_unwritable_output_path_is_one_line_exit_2(tmp_path, capsys, argv):
    file = tmp_path / "file.txt"
    file.write_text("keep")
    src = tmp_path / "a.json"
    src.write_text(json.dumps([{"question": "q"}]))
    argv = [a.format(file=file, src=src) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("chathpc: error: ") and err.count("\n") == 1, err
    assert f"{file}: is a file, expected a directory" in err
    assert file.read_text() == "keep"


def test_os_errors_are_usage_errors_not_internal(tmp_path, capsys, monkeypatch):
    import chathpc.cli.init as init_verb

    def denied(args):
        raise PermissionError(13, "Permission denied", str(tmp_path / "out.yaml"))

    monkeypatch.setattr(init_verb, "run", denied)
    assert main(["init", str(tmp_path / "out.yaml")]) == 2
    err = capsys.readouterr().err
    assert err == f"chathpc: error: {tmp_path / 'out.yaml'}: Permission denied\n"


def test_multi_line_error_messages_are_printed_as_one_line(capsys, monkeypatch):
    import chathpc.cli.init as init_verb
    from chathpc.errors import ChathpcError

    def failing(args):
        raise ChathpcError("the sequential program does not compile: ld: error\ncollect2: error\n" + "x" * 2000)

    monkeypatch.setattr(init_verb, "run", failing)
    assert main(["init"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "ld: error | collect2: error" in err and err.endswith("...\n")
    assert len(err) < 600


def test_hub_retry_warnings_do_not_add_lines_to_an_error(capsys, monkeypatch):
    import logging

    import chathpc.cli.init as init_verb
    from chathpc.errors import ChathpcError

    def offline(args):
        logging.getLogger("huggingface_hub.utils._http").warning("'Name or service not known' thrown while requesting HEAD")
        raise ChathpcError("cannot load the tokenizer of 'x/y': We couldn't connect to 'https://huggingface.co'")

    monkeypatch.setattr(init_verb, "run", offline)
    logger = logging.getLogger("huggingface_hub.utils._http")
    monkeypatch.setattr(logger, "level", logging.NOTSET)
    shown: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = shown.append
    logger.addHandler(handler)
    try:
        assert main(["init"]) == 2
    finally:
        logger.removeHandler(handler)
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("chathpc: error: cannot load the tokenizer"), err
    assert shown == []


def _verb_parsers(parser=None, path=()):
    """Every (verb path, parser) of the CLI, nested actions (``data convert``) included."""
    import argparse

    from chathpc.cli import build_parser

    parser = parser or build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*path, name), sub
                yield from _verb_parsers(sub, (*path, name))


def _option(parser, flag):
    return next((a for a in parser._actions if flag in a.option_strings), None)


def test_every_verb_has_help(capsys):
    paths = [path for path, _ in _verb_parsers()]
    assert len(paths) > 20 and ("data", "convert") in paths and ("pareval", "score") in paths
    for path in paths:
        with pytest.raises(SystemExit) as exit_info:
            main([*path, "--help"])
        assert exit_info.value.code == 0, path
        assert capsys.readouterr().out.startswith(f"usage: chathpc {' '.join(path)}")


# every verb that writes an output path, with the positionals it needs
WRITERS = {
    ("bench",): [], ("compare",): [], ("data", "export-tasks"): [], ("export", "gguf"): ["RUN"], ("generate",): [], ("merge",): ["RUN"],
    ("model", "import"): ["smollm2"], ("parallelize",): ["seq.c"], ("pareval", "import"): ["PAREVAL"],
    ("pareval", "score"): ["PAREVAL", "outputs.json"], ("quickstart",): [], ("recheck",): ["samples.jsonl"],
    ("refine",): ["results.jsonl"], ("review",): ["results.jsonl"], ("synth",): [], ("test",): [], ("verify",): [],
}


def test_o_is_the_output_path_on_every_verb_that_writes_one():
    from chathpc.cli import build_parser

    with_o = {path for path, parser in _verb_parsers() if _option(parser, "-o")}
    assert with_o == set(WRITERS)
    for path, parser in _verb_parsers():
        for flag in ("--out", "--output"):
            assert (_option(parser, flag) is None) == (path not in WRITERS), (path, flag)
    for path, positionals in WRITERS.items():
        for flag in ("-o", "--out", "--output"):
            args = build_parser().parse_args([*path, *positionals, flag, "where"])
            assert args.out == "where", (path, flag)
    assert build_parser().parse_args(["review", "results.jsonl", "--refine-out", "where"]).out == "where"


def test_quiet_and_no_progress_are_one_option_on_every_verb():
    from chathpc.cli import build_parser

    with_progress = {path for path, parser in _verb_parsers() if _option(parser, "--no-progress")}
    assert {("bench",), ("compare",), ("data", "export-tasks"), ("generate",), ("parallelize",), ("pareval", "score"), ("quickstart",),
            ("recheck",), ("synth",), ("test",), ("train",), ("verify",)} == with_progress
    for path, parser in _verb_parsers():
        for flag in ("-q", "--quiet"):
            assert _option(parser, flag) is _option(parser, "--no-progress"), (path, flag)
    for path in with_progress:
        positionals = [*WRITERS[path], "-o", "where"] if path in WRITERS else []
        assert not build_parser().parse_args([*path, *positionals]).no_progress
        for flag in ("-q", "--quiet", "--no-progress"):
            assert build_parser().parse_args([*path, *positionals, flag]).no_progress, (path, flag)


def test_short_flags_mean_the_same_on_every_verb():
    dests: dict[str, set[str]] = {}
    for _, parser in _verb_parsers():
        for action in parser._actions:
            for flag in action.option_strings:
                if len(flag) == 2 and flag != "-h":
                    dests.setdefault(flag, set()).add(action.dest)
    assert dests["-m"] <= {"model", "models"} and dests["-o"] == {"out"} and dests["-q"] == {"no_progress"}
    assert all(len(names) == 1 for flag, names in dests.items() if flag != "-m"), dests


def test_resume_and_force_exclude_each_other_wherever_both_exist(capsys):
    both = [path for path, parser in _verb_parsers() if _option(parser, "--resume") and _option(parser, "--force")]
    assert {("compare",), ("generate",), ("pareval", "score"), ("recheck",), ("synth",), ("test",), ("train",), ("verify",)} == set(both)
    for path in both:
        with pytest.raises(SystemExit) as exit_info:
            main([*path, *WRITERS.get(path, []), "--resume", "--force"])
        assert exit_info.value.code == 2
        assert "not allowed with argument" in capsys.readouterr().err


@pytest.mark.parametrize("verb", [["check", "{seq}", "{seq}"], ["parallelize", "{seq}", "-m", "reference"], ["run", "-m", "reference"]])
@pytest.mark.parametrize("option", ["--args", "--perf-args"])
def test_bad_args_quote_is_the_same_one_line_error_on_every_verb(tmp_path, capsys, verb, option):
    seq = tmp_path / "seq.c"
    seq.write_text("int main(void) { return 0; }\n")
    assert main([a.format(seq=seq) for a in verb] + [option, "'7"]) == 2
    assert capsys.readouterr().err == f"chathpc: error: {option} \"'7\": No closing quotation\n"
