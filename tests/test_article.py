"""The plan of an article (derive.article): sections, numbers, labels, references, keeps.

These check the plan against the document it is made from and against the network as
the tests themselves describe it (layer sizes, parameter counts), not against a copy
of derive's own output.
"""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
import unicodedata
from collections.abc import Iterator

import pytest

import derive
from derive.article import plan_article, plan_training, section_numbers
from derive.document import (
    Bullets,
    Display,
    Item,
    Keep,
    Paragraph,
    Ref,
    Table,
    Text,
    TrainingReport,
)
from derive.messages import Language

BATCH = {
    "layers": [2, 3, 2],
    "activation": ["relu", "sigmoid"],
    "loss": "sse",
    "learning_rate": 0.1,
    "update_biases": True,
    "batch": "mean",
    "samples": [
        {"inputs": [0.3, -0.2], "targets": [0.1, 0.9]},
        {"inputs": [-0.4, 0.6], "targets": [0.7, 0.2]},
    ],
    "weights": [[[0.2, -0.5], [0.6, 0.1], [-0.3, 0.8]], [[0.4, -0.2, 0.7], [-0.6, 0.3, 0.5]]],
    "bias": "per_neuron",
    "biases": [[0.05, -0.1, 0.2], [0.0, 0.15]],
}
#: two hidden layers of tanh, one linear output, shared biases left fixed
DEEP = {
    "title": "Two hidden layers",
    "layers": [2, 2, 3, 1],
    "activation": ["tanh", "tanh", "linear"],
    "loss": "mse",
    "learning_rate": 0.2,
    "inputs": [1.0, -1.0],
    "targets": [0.25],
    "weights": [
        [[0.1, 0.2], [-0.3, 0.4]],
        [[0.5, -0.6], [0.7, 0.8], [-0.9, 0.1]],
        [[0.3, -0.2, 0.6]],
    ],
    "biases": [0.1, -0.2, 0.3],
}
NETWORKS = {"mazur": "mazur", "russo": "russo", "softmax": "softmax", "batch": BATCH, "deep": DEEP}


def _walkthrough(name: str, **options):
    source = NETWORKS[name]
    spec = source if isinstance(source, str) else derive.spec_from_mapping(source)
    return derive.explain(spec, **options)


def _blocks(blocks) -> Iterator:
    """Every block, those inside keeps and list items included."""
    for b in blocks:
        yield b
        if isinstance(b, Keep):
            yield from _blocks(b.blocks)
        elif isinstance(b, Bullets):
            for item in b.items:
                yield item
                yield from _blocks(item.blocks)


def _texts(article) -> Iterator[Text]:
    for s in article.sections:
        yield s.title
        for b in _blocks(s.blocks):
            if isinstance(b, Paragraph | Item):
                yield b.text
            elif isinstance(b, Table):
                yield from b.head
                yield from (cell for row in b.rows for cell in row)


def _refs(text: Text) -> Iterator[Ref]:
    for piece in text.pieces:
        if isinstance(piece, Ref):
            yield piece
            yield from _refs(piece.text)


@pytest.fixture(scope="module", params=list(NETWORKS))
def planned(request):
    w = _walkthrough(request.param)
    return w, plan_article(w.document)


def test_the_sections_come_in_teaching_order(planned):
    _w, article = planned
    top = [s.label for s in article.sections if s.level == 1]
    assert top == ["network", "forward", "error", "backward", "summary", "again"]
    assert [s.number for s in article.sections if s.level == 1] == ["1", "2", "3", "4", "5", "6"]
    assert article.sections[0].level == 1, "nothing comes before the first section"


def test_the_subsections_of_the_backward_pass_are_numbered_in_a_row(planned):
    w, article = planned
    numbers = section_numbers(article)
    assert len(numbers) == len(set(numbers))
    subs = [n for n in numbers if n.startswith("4.")]
    assert subs == [f"4.{k}" for k in range(1, len(subs) + 1)]
    samples = len(w.document.samples)
    layers = len(w.spec.layers) - 1
    # the local derivatives, then each layer (one sample) or each sample, then combining
    expected = 1 + (layers if samples == 1 else samples + 1)
    assert len(subs) == expected
    # a numbered heading is listed in the contents, and only level 1 and 2 are numbered
    assert all(s.contents for s in article.sections if s.number)
    assert all(s.level <= 2 for s in article.sections if s.number)


def test_the_levels_never_skip_one(planned):
    _, article = planned
    levels = [s.level for s in article.sections]
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels))


def test_labels_are_unique_and_safe_for_every_format(planned):
    _, article = planned
    labels = article.labels
    assert len(labels) == len(set(labels))
    assert all(re.fullmatch(r"[a-z][a-z0-9-]*", label) for label in labels), labels


def test_every_parameter_is_worked_once_per_sample(planned):
    w, article = planned
    sizes = w.spec.layers
    weights = sum(a * b for a, b in itertools.pairwise(sizes))
    names = {
        str(s)
        for layer in w.document.samples[0].backward
        for st in layer.steps
        for s in (st.parameter,)
    }
    samples = len(w.document.samples)
    headed = [
        s.label for s in article.sections if s.level >= 3 and re.search(r"(^|-)[wb]\d+$", s.label)
    ]
    assert len(headed) == len(names) * samples
    for name in names:
        found = [label for label in headed if label.split("-")[-1] == name]
        assert len(found) == samples, (name, found)
    # the summary lists every weight and bias of the network once
    summary = next(s for s in article.sections if s.label == "summary")
    table = next(b for b in summary.blocks if isinstance(b, Table))
    params = [row[0].pieces[0].expr for row in table.rows]
    assert len(params) == len(set(params))
    assert sum(str(p).startswith("w") for p in params) == weights


def test_every_reference_points_to_an_earlier_section(planned):
    _, article = planned
    seen: set[str] = set()
    refs = 0
    for s in article.sections:
        seen.add(s.label)
        for b in _blocks(s.blocks):
            text = getattr(b, "text", None)
            if not isinstance(text, Text):
                continue
            for ref in _refs(text):
                refs += 1
                assert ref.label in seen, (ref.label, s.label)
                assert ref.label in article.targets
    assert article.targets <= set(article.labels)
    assert refs == sum(1 for _ in _all_refs(article))


def _all_refs(article) -> Iterator[Ref]:
    for text in _texts(article):
        yield from _refs(text)


def test_the_presets_refer_back_to_factors_found_before():
    """mazur's w6 reuses two factors of w5: both references point to w5's section."""
    article = plan_article(derive.explain("mazur").document)
    w6 = next(s for s in article.sections if s.label == "w6")
    refs = [r for b in _blocks(w6.blocks) if isinstance(b, Item) for r in _refs(b.text)]
    assert [r.label for r in refs] == ["w5", "w5"]


def test_a_lead_in_keeps_with_its_equation(planned):
    _, article = planned
    keeps = [b for s in article.sections for b in _blocks(s.blocks) if isinstance(b, Keep)]
    assert keeps
    for keep in keeps:
        first, second = keep.blocks[0], keep.blocks[1]
        assert isinstance(first, Paragraph)
        assert first.text.plain.rstrip().endswith(":"), first.text.plain
        assert isinstance(second, Display | Bullets)
    # every "By the chain rule:" is a lead-in kept with its chain
    chains = [
        b
        for s in article.sections
        for b in s.blocks
        if isinstance(b, Paragraph) and b.text.plain == "By the chain rule:"
    ]
    assert not chains, "a chain rule's lead-in outside a keep"


def test_each_parameter_section_opens_with_its_path_and_chain_rule():
    article = plan_article(derive.explain("russo").document)
    for s in article.sections:
        if re.fullmatch(r"[wb]\d+", s.label):
            kinds = [b.kind for b in s.blocks[:2]]
            assert kinds == ["diagram", "keep"], (s.label, kinds)
            assert s.blocks[0].parameter is not None
            assert str(s.blocks[0].parameter) == s.label


def test_the_plan_is_in_the_documents_language():
    w = _walkthrough("mazur", lang="de")
    article = plan_article(w.document, lang=Language.of("de"))
    assert article.lang == "de"
    titles = [s.title.plain for s in article.sections if s.level == 1]
    assert "The network" not in titles
    w6 = next(s for s in article.sections if s.label == "w6")
    ref = next(r for b in _blocks(w6.blocks) if isinstance(b, Item) for r in _refs(b.text))
    assert ref.page.plain.startswith("(Seite")


def test_a_training_run_is_section_seven():
    w = derive.explain("mazur", steps=20)
    article = plan_article(w.document)
    run, parameters = article.sections[-2:]
    assert (run.label, run.number, run.level) == ("training", "7", 1)
    assert (parameters.label, parameters.number, parameters.level) == (
        "training-parameters",
        "",
        2,
    )
    kinds = [b.kind for b in run.blocks]
    assert kinds == ["chart", "keep", "paragraph", "keep"]
    # the history holds step 0, every few steps and the last step (20 updates)
    history = run.blocks[1].blocks[1]
    steps = [row[0].plain for row in history.rows]
    assert (steps[0], steps[-1]) == ("0", "20")
    # every weight and bias of the 2-2-2 network (8 + 2) once, at start and after
    table = parameters.blocks[0]
    assert len(table.rows) == 10


def test_derive_train_is_planned_like_an_article():
    """The report of ``derive train``: its run before the first heading, then the
    parameters; the Markdown is laid out by the article's own template."""
    w = derive.explain("mazur", steps=20)
    training = w.document.training
    report = TrainingReport("T", "here", "0", 50, 9, training)
    article = plan_training(report)
    assert [b.kind for b in article.front] == ["chart", "keep", "paragraph", "keep"]
    assert [s.label for s in article.sections] == ["training-parameters"]


# -- a reference in a typeset PDF names the page its target is on -----------------------
#: "as found for w5 (page 4)" as pdftotext reads it (the subscript runs into the name)
REFERENCE = re.compile(r"as found for ([wb]\d+) \(page (\d+)\)")
#: a parameter's heading, "w5 : the weight from …" / "b2 : the bias of …"
TARGET = re.compile(r"^\s*([wb]\d+) ?: the (?:weight|bias)", re.MULTILINE)


def _pages(pdf: bytes, tmp_path) -> list[str]:
    path = tmp_path / "article.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    # Typst sets math letters as mathematical italics (𝑤5): read them as plain letters
    return unicodedata.normalize("NFKC", text).split("\f")


def _check_page_references(pages: list[str]) -> int:
    """Every reference's printed page is the page its target heading is on; the number
    of references checked."""
    where = {}
    for number, page in enumerate(pages, start=1):
        for name in TARGET.findall(page):
            where.setdefault(name, number)
    checked = 0
    for page in pages:
        for name, printed in REFERENCE.findall(page):
            assert where[name] == int(printed), (name, printed, where[name])
            checked += 1
    return checked


@pytest.mark.skipif(not shutil.which("pdflatex"), reason="needs pdflatex")
@pytest.mark.parametrize("name", ["mazur", "russo"])
def test_a_reference_in_the_latex_pdf_shows_the_page_of_its_target(name, tmp_path):
    pages = _pages(derive.explain(name).pdf(engine="latex"), tmp_path)
    assert len(pages) > 5
    # every factor met before is referred back (mazur: 2 for each of w6, w8, w2, w4 and
    # 4 for b2: 12), and each reference is checked against where its target really is
    assert _check_page_references(pages) >= 12


@pytest.mark.parametrize("name", ["mazur", "russo"])
def test_a_reference_in_the_typst_pdf_shows_the_page_of_its_target(name, tmp_path):
    pages = _pages(derive.explain(name).pdf(), tmp_path)
    assert len(pages) > 5
    assert _check_page_references(pages) >= 12


@pytest.mark.parametrize("lang", ["de", "fr"])
def test_a_translated_pdf_refers_to_pages_in_its_language(lang, tmp_path):
    """The page reference is worded in the article's language, and still right."""
    word = {"de": "Seite", "fr": "page"}[lang]
    pages = _pages(derive.explain("mazur", lang=lang).pdf(), tmp_path)
    text = "\f".join(pages)
    found = re.findall(rf"([wb]\d+) \({word} (\d+)\)", text)
    assert len(found) >= 12
    headings = {}
    for number, page in enumerate(pages, start=1):
        for name in re.findall(r"^\s*([wb]\d+) ?:", page, re.MULTILINE):
            headings.setdefault(name, number)
    for name, printed in found:
        assert headings[name] == int(printed), (name, printed)


def test_a_dead_relu_is_remarked_under_each_weight_into_it():
    """The 3-4-4-2 network's ReLU neurons whose net input is below 0 (computed here from
    the spec, in plain floats): each weight into one is said to be stuck, no other."""
    from test_slides import NET_3442, NET_3442_DATA

    data = NET_3442_DATA
    out = list(data["inputs"])
    dead = set()
    for layer, (weights, biases) in enumerate(zip(data["weights"][:2], data["biases"][:2])):
        nets = [sum(w * o for w, o in zip(row, out)) + b for row, b in zip(weights, biases)]
        dead |= {f"h{layer + 1}_{j + 1}" for j, net in enumerate(nets) if net < 0}
        out = [max(net, 0.0) for net in nets]
    assert dead, "the network is chosen to have a dead neuron"
    article = plan_article(derive.explain(NET_3442).document)
    remarked = set()
    for s in article.sections:
        notes = [
            b for b in s.blocks if isinstance(b, Paragraph) and "is a dead ReLU" in b.text.plain
        ]
        if notes:
            (note,) = notes
            neuron = str(note.text.pieces[0].expr)
            remarked.add(neuron)
            assert s.title.pieces[-1].expr == note.text.pieces[0].expr  # "… to h1_2"
    assert remarked == dead


def test_why_the_net_input_derivative_is_the_source_output():
    article = plan_article(derive.explain("mazur").document)
    w5 = next(s for s in article.sections if s.label == "w5")
    items = [i for b in w5.blocks if isinstance(b, Bullets) for i in b.items]
    reasons = [b.blocks[0].text.plain for i in items for b in i.blocks if isinstance(b, Keep)]
    assert any("only its term" in r for r in reasons), reasons
    # said once: the next weight's factor comes without it
    w6 = next(s for s in article.sections if s.label == "w6")
    items = [i for b in w6.blocks if isinstance(b, Bullets) for i in b.items]
    assert not [b for i in items for b in i.blocks if isinstance(b, Keep)]


# -- 6. the outputs against the targets, before and after the update ---------------------
def _data(name: str) -> dict:
    from conftest import preset_data

    source = NETWORKS[name]
    return preset_data(source) if isinstance(source, str) else source


def _outputs_table(article) -> Table:
    """The table that closes section 6 (the forward pass again)."""
    again = [s for s in article.sections if s.label.startswith("again")]
    return [b for b in again[-1].blocks if isinstance(b, Table)][-1]


@pytest.mark.parametrize("name", list(NETWORKS))
def test_the_outputs_are_tabled_against_the_targets_before_and_after(name):
    """One row per output (and sample): its target and its output before and after the
    update, every number as tests/reference.py computes it; never wider than four columns
    (five with the sample), however many outputs."""
    from reference import mp, neuron_names, reference_step

    article = plan_article(_walkthrough(name).document)
    data = _data(name)
    ref = reference_step(data)
    table = _outputs_table(article)
    outputs = neuron_names(data["layers"])[-1]
    samples = data.get("samples") or [{"inputs": data["inputs"], "targets": data["targets"]}]
    several = len(samples) > 1
    assert len(table.head) == 4 + several
    assert len(table.rows) == len(outputs) * len(samples)
    rows = iter(table.rows)
    for k, sample in enumerate(samples):
        before = ref["samples"][k]["forward"]
        after = ref["after_samples"][k]["forward"]
        for o, target in zip(outputs, sample["targets"], strict=True):
            row = next(rows)
            expected = (mp.mpf(str(target)), before[o]["out"], after[o]["out"])
            written = [float(cell.pieces[0].value) for cell in row[-3:]]
            assert written == pytest.approx([float(v) for v in expected], rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("lang", ["en", "de", "fr", "es"])
def test_the_outputs_table_is_in_the_articles_language(lang):
    article = plan_article(_walkthrough("mazur").document, lang=Language(lang))
    table = _outputs_table(article)
    words = {"en": "Target", "de": "Zielwert", "fr": "Cible", "es": "Objetivo"}
    assert table.head[1].plain == words[lang]
