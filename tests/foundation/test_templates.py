import pytest

from chathpc.data import Record, load_template, render_example, render_prompt
from chathpc.errors import ChathpcError

RECORD = Record(question="Parallelize this.", context="Sequential to MPI translation", answer="int main(){}")


def test_default_template_is_chathpc_style():
    prompt = render_prompt(RECORD)
    assert "### Context:\nSequential to MPI translation" in prompt
    assert "### Question:\nParallelize this." in prompt
    assert prompt.endswith("### Answer:\n")
    assert prompt.startswith("You are ChatHPC") and "Sequential to MPI translation" in prompt.splitlines()[0]
    assert load_template().answer_marker == "### Answer:"


def test_example_is_prompt_plus_completion():
    template = load_template("{{ system }}|{{ question }}|{{ answer }}<END>", system="S:{{ context }}")
    prompt, completion = render_example(RECORD, template)
    assert prompt == "S:Sequential to MPI translation|Parallelize this.|"
    assert completion == "int main(){}<END>"
    assert render_prompt(RECORD, template) == prompt


def test_record_system_wins_over_default():
    record = RECORD.model_copy(update={"system": "custom"})
    assert render_prompt(record, load_template("{{ system }} {{ answer }}")) == "custom "


def test_template_from_file(tmp_path):
    path = tmp_path / "t.j2"
    path.write_text("Q: {{ question }}\nA: {{- answer -}}")
    assert render_prompt(RECORD, load_template(str(path))) == "Q: Parallelize this.\nA: "


@pytest.mark.parametrize(
    "spec, message",
    [
        ("{{ question }}", "exactly one answer split point"),
        ("{{ answer }} {{ answer }}", "found 2"),
        ("{{ question }} {% if %} {{ answer }}", "line 1"),
        ("no-such-template", "not a built-in"),
    ],
)
def test_bad_templates(spec, message):
    with pytest.raises(ChathpcError, match=message):
        load_template(spec)


def test_unknown_variable_is_an_error():
    with pytest.raises(ChathpcError, match="'nope' is undefined"):
        render_prompt(RECORD, load_template("{{ nope }}{{ answer }}"))


def test_unreadable_template_files_are_one_line_errors(tmp_path):
    with pytest.raises(ChathpcError, match=r"^template .*: is a directory, expected a file$"):
        load_template(str(tmp_path))
    latin1 = tmp_path / "t.j2"
    latin1.write_bytes(b"caf\xe9 {{ answer }}")
    with pytest.raises(ChathpcError, match=r"^template .*t.j2:1: not UTF-8 text \(byte 0xe9\)$"):
        load_template(str(latin1))
