"""What a spec's author is told: every problem at once, where it is, in plain words.

The hostile cases (a BOM, UTF-16, /dev/null or a pipe as the spec, numbers out of range,
TOML nested thousands deep, terminal escapes in a key) each get one clear refusal naming
what is wrong, and never a traceback.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
import threading

import pytest
from conftest import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

import derive
from derive.cli import main
from derive.errors import SpecError
from derive.spec import KNOWN_KEYS, load_spec, preset_text, spec_from_mapping

GOOD = preset_text("mazur")


def run(args, capsys):
    status = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return status, out, err


def refusal(text: str, tmp_path, capsys, name: str = "net.toml") -> str:
    """The error lines derive prints for a spec file holding `text` (exit status 2, no output)."""
    spec = tmp_path / name
    spec.write_text(text, encoding="utf-8")
    status, out, err = run(["explain", spec, "-o", tmp_path / "out.md"], capsys)
    assert status == 2 and out == "" and "Traceback" not in err
    assert not (tmp_path / "out.md").exists()
    return err


def test_every_problem_at_once_each_with_its_line(tmp_path, capsys):
    text = (
        "# a first attempt, written from memory\n"
        "layers = [2, 2, 2]\n"
        "eta = 0.5\n"
        'loss = "bce"\n'
        "inputs = [0.05]\n"
        "targets = [0.01, 0.99]\n"
        "weights = [[[0.15, 0.20], [0.25, 0.30]], [[0.40, 0.45], [0.50, 0.55]]]\n"
        "biases = [[0.35, 0.35], [0.60, 0.60]]\n"
        "digits = 0\n"
    )
    err = refusal(text, tmp_path, capsys)
    lines = err.splitlines()
    assert all(line.startswith("derive: error: ") for line in lines)
    expected = [
        "net.toml:3: eta: unknown key; did you mean 'learning_rate'?",
        "net.toml:4: loss: unknown name 'bce'; did you mean 'binary_cross_entropy'?",
        "net.toml:5: inputs: expected 2 numbers (the input layer has 2), got 1",
        'net.toml:8: biases: a list per layer is one bias per neuron: add bias = "per_neuron"',
        "net.toml:9: digits: expected an integer from 1 to 30, got 0",
        "learning_rate: missing (this key is required)",
    ]
    for message in expected:
        assert sum(message in line for line in lines) == 1, (message, err)
    numbered = [int(m.group(1)) for m in map(re.compile(r".*net.toml:(\d+):").match, lines) if m]
    assert numbered == sorted(numbered)


def test_at_most_a_dozen_problems_are_listed(tmp_path, capsys):
    keys = "".join(f"unknown_{i} = {i}\n" for i in range(30))
    err = refusal(GOOD + keys, tmp_path, capsys)
    assert err.count("\n") == 13 and "and 18 more problems" in err


@pytest.mark.parametrize(
    ("key", "hint"),
    [("eta", "learning_rate"), ("lr", "learning_rate"), ("alpha", "learning_rate"),
     ("x", "inputs"), ("y", "targets"), ("activations", "activation"),
     ("sizes", "layers"), ("precision", "digits")],
)  # fmt: skip
def test_hints_for_the_names_people_use_for_keys(key, hint):
    data = tomllib_data()
    data[key] = data.get(hint, 1)
    with pytest.raises(SpecError) as error:
        spec_from_mapping(data)
    assert f"{key}: unknown key; did you mean {hint!r}?" in str(error.value)


@pytest.mark.parametrize(
    ("key", "name", "hint"),
    [("loss", "bce", "binary_cross_entropy"), ("loss", "BCE", "binary_cross_entropy"),
     ("loss", "mse_loss", "mse"), ("loss", "ce", "cross_entropy"),
     ("loss", "CrossEntropy", "cross_entropy"), ("activation", "logistic", "sigmoid"),
     ("activation", "ReLU", "relu"), ("activation", "identity", "linear")],
)  # fmt: skip
def test_hints_for_the_names_people_use_for_functions(key, name, hint):
    data = tomllib_data()
    data[key] = name
    with pytest.raises(SpecError) as error:
        spec_from_mapping(data)
    assert f"unknown name {name!r}; did you mean {hint!r}?" in str(error.value)


def tomllib_data() -> dict:
    from conftest import preset_data

    return preset_data("mazur")


def test_a_missing_bias_key_is_explained(tmp_path, capsys):
    text = GOOD.replace('bias = "shared"\n', "").replace(
        "biases = [0.35, 0.60]", "biases = [[0.35, 0.35], [0.60, 0.60]]"
    )
    err = refusal(text, tmp_path, capsys)
    assert 'add bias = "per_neuron"' in err and "without a bias key" in err
    assert "expected a number, got a list" not in err


def test_grammar_and_no_python_reprs():
    data = tomllib_data()
    data["layers"] = [1, 2, 2]
    data["inputs"] = [0.05, 0.1]
    with pytest.raises(SpecError) as error:
        spec_from_mapping(data)
    assert "expected 1 number (the input layer has 1), got 2" in str(error.value)
    data = tomllib_data()
    data["layers"] = [2, derive.spec.Decimal("2.0"), 2]
    with pytest.raises(SpecError) as error:
        spec_from_mapping(data)
    assert "layers[1]: expected a positive integer, got 2.0" in str(error.value)
    assert "Decimal" not in str(error.value)


def test_a_utf8_bom_is_accepted(tmp_path):
    spec = tmp_path / "net.toml"
    spec.write_bytes(b"\xef\xbb\xbf" + GOOD.encode("utf-8"))
    assert load_spec(spec) == load_spec("mazur").__class__(
        **{**load_spec("mazur").__dict__, "source": str(spec)}
    )


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_with_a_bom_is_read(tmp_path, encoding):
    spec = tmp_path / "net.toml"
    data = GOOD.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    spec.write_bytes(data)
    assert load_spec(spec).weights == load_spec("mazur").weights


def test_utf16_without_a_bom_is_refused_clearly(tmp_path, capsys):
    spec = tmp_path / "net.toml"
    spec.write_bytes(GOOD.encode("utf-16-le"))
    status, _, err = run(["explain", spec], capsys)
    assert status == 2 and "UTF-16 without a byte-order mark" in err and "UTF-8" in err


def test_an_empty_device_as_the_spec_gets_a_true_message(tmp_path, capsys):
    empty = tmp_path / "empty.toml"
    empty.write_text("")
    status, _, err = run(["explain", empty], capsys)
    assert status == 2 and "is empty" in err and "no such file" not in err
    if os.geteuid() == 0:
        device = tmp_path / "null"
        try:
            os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        except PermissionError:
            return
        status, _, err = run(["explain", device], capsys)
        assert status == 2 and "is empty (not a regular file)" in err


def test_a_pipe_as_the_spec_is_read(tmp_path, capsys):
    pipe = tmp_path / "spec-pipe"
    os.mkfifo(pipe)
    writer = threading.Thread(target=lambda: pipe.write_text(GOOD))
    writer.start()
    status, out, err = run(["explain", pipe, "--format", "json"], capsys)
    writer.join(timeout=30)
    assert status == 0, err
    assert '"errors"' in out


def test_a_spec_that_never_ends_is_cut_off(tmp_path, monkeypatch):
    monkeypatch.setattr(derive.spec, "MAX_SPEC_BYTES", 1000)
    spec = tmp_path / "big.toml"
    spec.write_text(GOOD + "#" * 2000)
    with pytest.raises(SpecError, match="more than 1,000 bytes"):
        load_spec(spec)


@pytest.mark.parametrize(
    "title", ["خانه\u200dها", "family: 👨\u200d👩\u200d👧", "co\u00adop", "a\u200cb"]
)
def test_format_characters_that_shape_text_are_allowed_in_titles(title):
    data = tomllib_data()
    data["title"] = title
    assert spec_from_mapping(data).title == title


@pytest.mark.parametrize("bad", ["\u202e", "\u2066", "\x00", "\x1b", "\u2028", "\ufeff", "\x85"])
def test_real_control_characters_stay_refused(bad):
    data = tomllib_data()
    data["title"] = f"a{bad}b"
    with pytest.raises(SpecError, match=f"control character U\\+{ord(bad):04X}"):
        spec_from_mapping(data)


def test_derives_own_title_is_never_too_long():
    data = {
        "layers": [1] * 200,
        "learning_rate": 0.5,
        "inputs": [0.5],
        "targets": [0.5],
        "weights": [[[0.5]]] * 199,
    }
    spec = spec_from_mapping(data)
    assert "200 layers" in spec.title and len(spec.title) < 100


def test_a_spec_name_without_its_suffix_gets_a_hint(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "net321.toml").write_text(GOOD)
    status, _, err = run(["explain", "net321"], capsys)
    assert status == 2 and "did you mean 'net321.toml'?" in err


@pytest.mark.parametrize("data", [{5: 1}, {"layers": [2, 2], (1, 2): 3}, [1, 2], "layers"])
def test_any_mapping_gives_a_clean_spec_error(data):
    with pytest.raises(SpecError):
        spec_from_mapping(data)


def test_explain_takes_a_dict():
    walkthrough = derive.explain(tomllib_data())
    assert (
        walkthrough.to_json()["errors"]["total"]
        == derive.explain("mazur").to_json()["errors"]["total"]
    )
    with pytest.raises(SpecError, match="layers"):
        derive.explain({"layers": [2]})
    with pytest.raises(SpecError, match="expected a spec file"):
        derive.explain(5)


def test_a_walkthrough_shows_itself_in_one_short_line():
    text = repr(derive.explain("mazur"))
    assert len(text) < 200 and "2-2-2" in text and "\n" not in text
    training = derive.train("mazur", 10)
    assert len(repr(training)) < 200 and "10 steps" in repr(training)


@pytest.mark.parametrize("depth", [5000, 100_000])
def test_toml_nested_thousands_deep_is_refused(tmp_path, capsys, depth):
    err = refusal("x = " + "[" * depth + "]" * depth + "\n", tmp_path, capsys)
    assert "nested too deeply" in err
    document = tmp_path / "notes.md"
    document.write_text("w5 = 0.4\n")
    spec = tmp_path / "net.toml"
    status, _, err = run(["check", document, "--spec", spec], capsys)
    assert status == 2 and "nested too deeply" in err


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("1e-999999999", "expected 0 or a number of magnitude at least 1e-15"),
        ("1e999999999", "expected a number of magnitude at most 1e15"),
        ("1e16", "expected a number of magnitude at most 1e15"),
        ("-1e-16", "expected 0 or a number of magnitude at least 1e-15"),
        ("0." + "1" * 60, "expected at most 50 significant digits"),
        ("1" * 5000, "a number too long to read"),
        ("1" * 1000, "expected a number of magnitude at most 1e15"),
    ],
)
def test_numbers_out_of_the_documented_range_are_refused_naming_the_key(
    tmp_path, capsys, written, message
):
    text = GOOD.replace("learning_rate = 0.5", f"learning_rate = {written}")
    err = refusal(text, tmp_path, capsys)
    assert "learning_rate" in err and message in err and err.count("\n") == 1
    assert len(err) < 300


@pytest.mark.parametrize("value", ["0", "1e-15", "-1e15", "0.000000000000001", "123456789012345"])
def test_numbers_at_the_edges_of_the_range_are_accepted(value):
    data = tomllib_data()
    data["inputs"] = [derive.spec.Decimal(value), derive.spec.Decimal("0.1")]
    assert spec_from_mapping(data).samples[0].inputs[0] == derive.spec.Decimal(value)


def test_terminal_escapes_in_a_key_are_shown_escaped(tmp_path, capsys):
    err = refusal(GOOD + '"\\u001b[2J\\u001b[31mgotcha" = 1\n', tmp_path, capsys)
    assert "\x1b" not in err and "\\x1b[2J\\x1b[31mgotcha: unknown key" in err
    status, _, err = run(["explain", tmp_path / "no\x1b[2Jsuch.toml"], capsys)
    assert status == 2 and "\x1b" not in err and "no\\x1b[2Jsuch.toml" in err


def test_a_file_name_with_newlines_writes_no_markdown_structure(tmp_path, capsys):
    spec = tmp_path / "net\n\n# Injected heading\n- item.toml"
    spec.write_text(GOOD)
    status, out, _ = run(["explain", spec], capsys)
    assert status == 0
    assert "\n# Injected" not in out and "\n- item" not in out
    # shown as typed, escapes and all: net\n\n# Injected heading\n- item.toml
    assert "net\\\\n\\\\n\\# Injected heading\\\\n- item.toml" in out


def test_refusals_never_load_sympy(tmp_path):
    bad = tmp_path / "net.toml"
    bad.write_text("layers = [2]\n")
    for args in (["--help"], ["explain", str(bad)], ["explain", "nosuch"], ["train", "--help"]):
        result = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "derive", *args],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        )
        assert result.returncode in (0, 2) and "Traceback" not in result.stderr
        imported = [line.split("|")[-1].strip() for line in result.stderr.splitlines()
                    if line.startswith("import time:")]  # fmt: skip
        assert "derive.cli" in imported
        assert not any(name == "sympy" or name.startswith("sympy.") for name in imported), args


@pytest.mark.parametrize("fmt", ["md", "tex", "beamer", "typst", "html"])
def test_a_file_name_with_controls_is_literal_in_every_format(tmp_path, fmt):
    spec = tmp_path / "net\n\x1b[2J\u202e.toml"
    spec.write_text(GOOD)
    text = derive.explain(spec).render(fmt)
    line = next(line for line in text.splitlines() if "Generated by derive" in line)
    assert "2J" in line  # the whole name is on the one line that names it
    assert "\x1b" not in text and "\u202e" not in text


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("layers", [2, 10**5000, 2], "layers[1]: expected at most 100,000 neurons"),
        ("learning_rate", 10**5000, "expected a number of magnitude at most 1e15, got 1.0"),
        ("learning_rate", None, "expected a number, got a value of type NoneType"),
        ("learning_rate", 1e-320, "magnitude at least 1e-15, got 1e-320"),
        ("inputs", [[0.1], 0.2], "inputs[0]: expected a number, got a list of 1 item"),
    ],
    ids=["huge layer", "huge integer", "None", "subnormal", "nested list"],
)
def test_odd_python_values_get_plain_messages(key, value, message):
    data = tomllib_data()
    data[key] = value
    with pytest.raises(SpecError) as error:
        spec_from_mapping(data)
    assert message in str(error.value)


_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5)
    | st.decimals(allow_nan=True),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=12,
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(changes=st.dictionaries(st.sampled_from([*sorted(KNOWN_KEYS), "eta", 5]), _values))
def test_any_values_give_a_spec_or_a_spec_error(changes):
    """Property: whatever a program passes, the answer is a spec or a SpecError."""
    data = {**tomllib_data(), **changes}
    try:
        spec_from_mapping(data)
    except SpecError as error:
        assert str(error) and "Traceback" not in str(error)


def test_a_check_report_on_a_terminal_shows_escapes(tmp_path):
    """The report quotes the document's name; on a terminal its escapes must not act."""
    document = tmp_path / "notes\x1b[2J.md"
    document.write_text("w5+ = 0.9\n")
    controller, terminal = os.openpty()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "derive", "check", str(document), "--spec", "mazur"],
            stdout=terminal,
            stderr=subprocess.PIPE,
            cwd=ROOT,
            check=False,
            timeout=300,
        )
        os.close(terminal)
        shown = b""
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(controller)
    assert result.returncode == 1, result.stderr
    assert b"\x1b" not in shown and b"\\x1b[2J" in shown


def test_spec_and_its_registry_are_sympy_free_and_agree_with_the_builders():
    code = (
        "import sys, derive, derive.spec, derive.registry, derive.formats\n"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'sympy'], 'sympy loaded'\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=300)
    from derive import activations, losses, registry

    assert list(activations.ACTIVATIONS) == list(registry.ACTIVATIONS)
    assert list(losses.LOSSES) == list(registry.LOSSES)
    for name, facts in registry.ACTIVATIONS.items():
        built = activations.ACTIVATIONS[name]
        assert (built.properties, built.elementwise) == (facts.properties, facts.elementwise)
    for alias, name in {**registry.ACTIVATION_ALIASES, **registry.LOSS_ALIASES}.items():
        assert name in registry.ACTIVATIONS or name in registry.LOSSES, alias
