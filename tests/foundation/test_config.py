import json

import pytest

from chathpc.config import RunConfig, example_config_yaml, load_config, resolve_config
from chathpc.errors import ConfigError


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_are_valid_and_documented():
    config = RunConfig()
    assert config.model.base == "codellama/CodeLlama-7b-hf"
    assert config.harness.ranks == [1, 2, 3, 4]
    assert config.training.max_seq_length >= 2048
    for section in RunConfig.model_fields:
        model = type(getattr(config, section))
        assert all(field.description for field in model.model_fields.values()), section


def test_precedence_defaults_file_env_cli(tmp_path):
    path = write(tmp_path, "run.yaml", "training:\n  seed: 1\n  batch_size: 8\nlora:\n  r: 4\n")
    env = {"CHATHPC_TRAINING__SEED": "2", "CHATHPC_LORA__R": "8", "CHATHPC_UNRELATED": "x"}
    resolved = resolve_config(path, ["training.seed=3"], environ=env)
    config = resolved.config
    assert config.training.seed == 3 and resolved.sources["training.seed"] == "cli"
    assert config.lora.r == 8 and resolved.sources["lora.r"] == "env"
    assert config.training.batch_size == 8 and resolved.sources["training.batch_size"] == f"file {path}"
    assert config.training.epochs == 3.0 and resolved.sources["training.epochs"] == "default"


def test_json_config_and_list_values(tmp_path):
    path = write(tmp_path, "run.json", json.dumps({"harness": {"ranks": [1, 3]}}))
    assert load_config(path).harness.ranks == [1, 3]
    config = load_config(None, ["harness.ranks=2,5", "harness.cflags=-O3 -march=native", "lora.target_modules=all-linear"])
    assert config.harness.ranks == [2, 5]
    assert config.harness.cflags == ["-O3", "-march=native"]
    assert config.lora.target_modules == "all-linear"


@pytest.mark.parametrize(
    "text, message",
    [
        ("trainng:\n  seed: 1\n", "unknown section 'trainng' (did you mean 'training'?)"),
        ("training:\n  lerning_rate: 0.1\n", "unknown key 'training.lerning_rate' (did you mean 'learning_rate'?)"),
        ("training:\n  batch_size: many\n", "training.batch_size: Input should be a valid integer"),
        ("lora:\n  dropout: 1.5\n", "lora.dropout: Input should be less than 1"),
        ("harness:\n  launcher: mpirun -np 4\n", "launcher template must contain {n}"),
        ("- just\n- a list\n", "a config must be a mapping of sections"),
        ("training: [1, 2]\n", "section 'training' must be a mapping"),
        ("training:\n  seed: [1\n", "not valid YAML"),
        ("training:\n  seed: 1\n  seed: 2\n", "line 3 not valid YAML: duplicate key 'seed'"),
        ("training:\n  seed: 1\ntraining:\n  epochs: 2\n", "line 3 not valid YAML: duplicate key 'training'"),
    ],
)
def test_bad_config_files_name_the_problem(tmp_path, text, message):
    path = write(tmp_path, "run.yaml", text)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_a_json_key_given_twice_is_refused(tmp_path):
    path = write(tmp_path, "run.json", '{"training": {"seed": 1, "seed": 2}}')
    with pytest.raises(ConfigError, match="not valid JSON: duplicate key 'seed'"):
        load_config(path)


def test_unreadable_config(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "missing.yaml")
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes(b"model:\n  base: caf\xe9\n")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(bad)


def test_bad_env_and_cli_overrides():
    with pytest.raises(ConfigError, match="CHATHPC_TRAINING__SEEDS.*did you mean 'seed'"):
        resolve_config(environ={"CHATHPC_TRAINING__SEEDS": "1"})
    with pytest.raises(ConfigError, match="expected section.key=value"):
        load_config(None, ["training.seed"])
    with pytest.raises(ConfigError, match=r"^cli: harness.ranks: .*>= 1"):
        load_config(None, ["harness.ranks=0,2"])


def test_example_config_round_trips(tmp_path):
    text = example_config_yaml()
    assert "# Rank counts for correctness runs" in text
    path = write(tmp_path, "example.yaml", text)
    resolved = resolve_config(path, environ={})
    assert resolved.config == RunConfig()
    assert all(source.startswith("file") for source in resolved.sources.values())


def test_list_item_errors_name_the_right_source():
    with pytest.raises(ConfigError, match=r"^cli: harness.ranks.0: "):
        load_config(None, ["harness.ranks=a,b"])
    with pytest.raises(ConfigError, match=r"^env: harness.ranks.0: "):
        resolve_config(environ={"CHATHPC_HARNESS__RANKS": "abc"})


@pytest.mark.parametrize("assignment", ["harness.timeout=.inf", "harness.rtol=.nan", "generation.temperature=.nan"])
def test_non_finite_numbers_are_rejected(assignment):
    with pytest.raises(ConfigError, match="finite number"):
        load_config(None, [assignment])


@pytest.mark.parametrize("assignment", ["harness.ranks=1,,2", "harness.ranks=1,2,", "lora.target_modules=q_proj,,v_proj"])
def test_empty_items_in_comma_lists_are_rejected(assignment):
    with pytest.raises(ConfigError, match=r"^cli: .*empty item in the comma-separated list"):
        load_config(None, [assignment])
    assert load_config(None, ["harness.ranks=1,2"]).harness.ranks == [1, 2]
