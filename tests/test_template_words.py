"""No human-language word is written in a template; a translated page has none left.

Every word a reader sees or hears (a heading, a caption, an alt text, an aria-label, a
skip link, the title of the table of contents) comes from the message catalog, so the
templates of every format (HTML, Markdown, LaTeX, Typst, the slides, the exercise sheets,
the SVG drawings) hold only markup. The first test reads each template's own text (the
Jinja2 lexer separates it from the expressions; each format's comments and markup are
taken out) and looks for the words of the English catalog in it; a few markup keywords
that happen to be English words are allowed, each named below. The others render the
page in German, French and Spanish and read its text and its attributes for English
words, and follow the page's keyboard order as a reader with no mouse would.
"""

from __future__ import annotations

import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import derive
from derive.messages import locale_dir
from derive.render import environment, latex_escape, template_dir, typst_string

LANGS = ("de", "fr", "es")

#: short English words a sentence would hold that the catalog's words may miss
FUNCTION_WORDS = {
    "the", "and", "for", "with", "from", "into", "this", "that", "not", "its", "see",
    "equation", "figure", "contents", "skip", "caption", "scroll", "scrolls", "page",
}  # fmt: skip

#: markup keywords that are English words too, where the templates use them as markup
MARKUP = {
    # Typst and LaTeX/TikZ layout keys and values
    "size", "line", "style", "page", "table", "weight", "figure", "label", "base", "start",
    "scale", "pattern", "below", "above", "solid", "dashed", "left", "right", "edge", "off",
    "rounded", "flipped", "minus", "here", "show", "natural", "else", "number",
    # the names of derive's own TeX colours and commands (\derivekeep, derivefactor1)
    "derive", "factor", "slide",
}  # fmt: skip

#: attributes whose value is read to the reader (the other attributes are markup)
SPOKEN = ("alt", "title", "aria-label", "aria-description", "placeholder")


@cache
def _vocabulary(lang: str | None = None) -> frozenset[str]:
    """The words (three letters or more, lower case) of the English messages, or with
    `lang` of that language's translations; fields such as {count} are left out."""
    path = locale_dir() / "derive.pot"
    if lang:
        path = locale_dir() / lang / "LC_MESSAGES" / "derive.po"
    with path.open("rb") as source:
        catalog = read_po(source)
    words: set[str] = set()
    for message in catalog:
        if not message.id:
            continue
        texts = message.string if lang else message.id
        for text in texts if isinstance(texts, tuple) else (texts,):
            text = re.sub(r"\{[^}]*\}", " ", text or "")
            words.update(w.lower() for w in re.findall(r"[^\W\d_]{3,}", text))
    return frozenset(words)


def _english() -> frozenset[str]:
    return _vocabulary() | FUNCTION_WORDS


def _kind(path: Path) -> str:
    if ".html" in path.name or ".svg" in path.name:
        return "html"
    if ".tex" in path.name or ".typ" in path.name:
        return "bracket"
    return "markdown"


def _spoken_attributes(tag: re.Match[str]) -> str:
    """An HTML/SVG tag reduced to the values a screen reader says."""
    names = "|".join(SPOKEN)
    values = re.findall(rf'\b(?:{names})="([^"]*)"', tag.group(0))
    return " " + " ".join(values) + " "


def _words_of_markup(text: str, name: str) -> set[str]:
    """The words left in a template's own text once its format's comments and markup
    are taken out."""
    text = re.sub(r"<!--.*?-->|/\*.*?\*/|<style>.*?</style>|<!DOCTYPE[^>]*>", " ", text, flags=re.S)
    text = re.sub(r"<[^<>]*>", _spoken_attributes, text)
    if ".tex" in name:
        text = re.sub(r"(?<!\\)%.*", " ", text)
        environments = r"\\(?:usepackage|documentclass|begin|end|usetikzlibrary)"
        text = re.sub(environments + r"\s*(\[[^\]]*\])?\{[^}]*\}", " ", text)
        text = re.sub(r"\\[A-Za-z@]+", " ", text)
    if ".typ" in name:
        text = re.sub(r"(?<![:\\])//.*", " ", text)
        text = re.sub(r'font:\s*(\([^)]*\)|"[^"]*")', " ", text)
        text = re.sub(r"#[A-Za-z][\w.-]*|\b[a-z][\w-]*:", " ", text)
    return set(re.findall(r"[^\W\d_]{3,}", text))


def _template_text(path: Path) -> tuple[str, list[str]]:
    """A template's own text (its expressions and tags each a space) and the string
    literals of its expressions that are not names (of a template, a key, a kind)."""
    env = environment(_kind(path))
    own, literals = [], []
    for _, token, value in env.lex(path.read_text("utf-8")):
        if token == "data":
            own.append(value)
        else:
            own.append(" ")
            if token == "string" and not re.fullmatch(r"""["'][\w./-]*["']""", value):
                literals.append(value)
    return "".join(own), literals


TEMPLATES = sorted(template_dir().rglob("*.j2"))


def test_every_format_has_templates_to_read():
    names = {p.relative_to(template_dir()).as_posix() for p in TEMPLATES}
    for name in ("walkthrough.html.j2", "html/macros.html.j2", "walkthrough.tex.j2",
                 "walkthrough.typ.j2", "walkthrough.md.j2", "slides.tex.j2", "slides.typ.j2",
                 "svg/network.svg.j2", "exercise/sheet.html.j2"):  # fmt: skip
        assert name in names


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.relative_to(template_dir()).as_posix())
def test_no_template_writes_an_english_word(path):
    own, literals = _template_text(path)
    words = _words_of_markup(own, path.name)
    for literal in literals:
        words |= _words_of_markup(literal, path.name)
    english = sorted(w for w in words if w.lower() in _english() and w.lower() not in MARKUP)
    assert not english, english


def test_the_scan_finds_an_english_word_where_one_is_written():
    """The reading above sees a word in an attribute, in text and in a string literal,
    and leaves comments and markup alone (not a test that passes on anything)."""
    sample = (
        '<div class="eq" aria-label="equation (scrolls sideways)">Skip to the contents</div>'
        '<!-- the comment --><span class="drawing"></span>'
    )
    found = {"equation", "scrolls", "sideways", "Skip", "the", "contents"}
    assert _words_of_markup(sample, "x.html.j2") == found
    tex = "\\tableofcontents % the contents\nContents"
    assert _words_of_markup(tex, "x.tex.j2") == {"Contents"}
    typst = "#outline(title: [Contents]) // the outline"
    assert _words_of_markup(typst, "x.typ.j2") == {"Contents"}


class _Page(HTMLParser):
    """A page's spoken text (outside math, style and script) with the spoken attributes,
    and its keyboard stops in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.quiet = 0
        self.spoken: list[tuple[str, str]] = []
        self.stops: list[dict[str, str]] = []
        self.ids: set[str] = set()
        self.nav = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        if tag in ("math", "style", "script"):
            self.quiet += 1
        if tag == "nav":
            self.nav += 1
        if "id" in attributes:
            self.ids.add(attributes["id"])
        for key in SPOKEN:
            if attributes.get(key):
                self.spoken.append((f"{tag}@{key}", attributes[key]))
        if "tabindex" in attributes or (tag == "a" and "href" in attributes):
            self.stops.append({"tag": tag, "nav": str(self.nav > 0), **attributes})

    def handle_endtag(self, tag: str) -> None:
        if tag in ("math", "style", "script"):
            self.quiet -= 1
        if tag == "nav":
            self.nav -= 1

    def handle_data(self, data: str) -> None:
        if not self.quiet and data.strip():
            self.spoken.append(("text", data))


#: the spec's own names written in the drawing (net, out, target, total: as given)
NAMES = {"net", "out", "target", "total"}


@cache
def _page(network: str, lang: str) -> tuple[_Page, str]:
    walkthrough = derive.explain(network, lang=lang, steps=1200)
    html = walkthrough.render("html")
    page = _Page()
    page.feed(html.replace(walkthrough.document.title, ""))  # the spec's title: as given
    return page, html


def _english_only(text: str, lang: str) -> list[str]:
    """The words of `text` that are English and not words of `lang` too."""
    only = _english() - _vocabulary(lang)
    return [w for w in re.findall(r"[^\W\d_]{3,}", text) if w.lower() in only - NAMES]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("network", ["mazur", "softmax"])
def test_a_translated_page_says_no_english_word(network, lang):
    """Text and spoken attributes alike (aria-label, alt, title, the SVG's title/desc)."""
    page, _ = _page(network, lang)
    assert any(where.endswith("@aria-label") for where, _ in page.spoken)
    left = [(where, text[:60]) for where, text in page.spoken if _english_only(text, lang)]
    assert not left, left


def test_the_english_page_is_found_english():
    """The check above sees English where it is (the reading is not blind)."""
    page, _ = _page("mazur", "en")
    english = [text for _, text in page.spoken if _english_only(text, "de")]
    assert len(english) > 20
    labels = [text for where, text in page.spoken if where.endswith("@aria-label")]
    assert labels and all(_english_only(label, "de") for label in labels)


@pytest.mark.parametrize("lang", ["en", *LANGS])
def test_the_keyboard_reaches_the_contents_then_each_scrolling_part(lang):
    """Tab order: the skip link first, then the table of contents' links (each to a
    heading of the page), then every display and drawing that scrolls sideways, each a
    labelled group in the page's language; no tabindex reorders the page. (Links inside
    the text, "as found for w5", come in their place among the parts.)"""
    page, html = _page("mazur", lang)
    stops = page.stops
    assert stops[0]["tag"] == "a" and stops[0].get("class") == "skip"
    assert stops[0]["href"] == "#contents" and "contents" in page.ids
    contents = [s for s in stops if s["nav"] == "True"]
    assert stops[1 : len(contents) + 1] == contents  # right after the skip link
    links = [s for s in stops if s["tag"] == "a"]
    groups = [s for s in stops if s["tag"] != "a"]
    assert len(contents) >= 6 and all(s["href"][1:] in page.ids for s in links)
    assert all(s["tabindex"] == "0" for s in groups)
    assert groups and all(s.get("role") == "group" and s.get("aria-label") for s in groups)
    equations = [s for s in groups if "eq" in s.get("class", "").split()]
    figures = [s for s in groups if "figure" in s.get("class", "").split()]
    assert equations and figures
    assert len(figures) == html.count('<figure class="drawing">')
    labels = {s["aria-label"] for s in equations}
    assert len(labels) == 1  # one wording, from the catalog
    if lang != "en":
        assert not _english_only(labels.pop(), lang)


@pytest.mark.parametrize("lang", LANGS)
def test_the_pdf_articles_head_their_contents_in_the_language(lang):
    """LaTeX's \\tableofcontents and Typst's outline would head the list with their own
    word ("Contents", or Typst's for the `lang`); both take the catalog's word instead, as
    the HTML page does."""
    walkthrough = derive.explain("mazur", lang=lang)
    word = walkthrough.render("html").split('<h2 id="contents-title">')[1].split("<")[0]
    assert word and _english_only(word, lang) == []
    assert f"\\renewcommand{{\\contentsname}}{{{word}}}" in walkthrough.render("tex")
    assert f"#outline(title: [{word}]" in walkthrough.render("typst")


def _prose_of(text: str, fmt: str) -> str:
    """A rendered article or deck without its math, its labels and references (names of
    sections such as `backward`) and its typesetting code."""
    if fmt == "tex":
        text = re.sub(
            r"\\(?:label|ref|pageref|hyperref|hypertarget)\s*(\[[^\]]*\])?\{[^}]*\}", " ", text
        )
        text = re.sub(r"(?<!\\)\$.*?(?<!\\)\$|\\\[.*?\\\]", " ", text, flags=re.S)
    else:
        text = re.sub(r"\$\$.*?\$\$|(?<!\\)\$.*?(?<!\\)\$", " ", text, flags=re.S)
        text = re.sub(r"<[\w-]+>|\.[a-z-]+\(", " ", text)
    return text


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("fmt", ["md", "tex", "typst", "beamer", "slides"])
def test_the_other_formats_say_no_english_word(fmt, lang):
    """The Markdown, LaTeX and Typst articles and both decks, read as the templates are
    (comments and markup out), then without math and labels: no English word."""
    walkthrough = derive.explain("softmax", lang=lang, steps=1200)
    title = walkthrough.document.title
    if fmt == "slides":
        text, name = walkthrough.render("typst", slides=True), "x.typ"
    else:
        text = walkthrough.render(fmt)
        name = {"md": "x.md", "tex": "x.tex", "beamer": "x.tex", "typst": "x.typ"}[fmt]
    for spelled in (title, latex_escape(title), typst_string(title)[1:-1]):
        text = text.replace(spelled, " ")
    prose = _prose_of(text, "tex" if name == "x.tex" else "other")
    words = _words_of_markup(prose, name)
    only = _english() - _vocabulary(lang) - NAMES - MARKUP
    assert not sorted(w for w in words if w.lower() in only)


def test_the_english_article_is_found_english():
    """The reading of the other formats sees English where it is."""
    text = derive.explain("softmax").render("typst")
    words = _words_of_markup(_prose_of(text, "other"), "x.typ")
    only = _english() - _vocabulary("de") - NAMES - MARKUP
    assert len({w.lower() for w in words} & only) > 40
