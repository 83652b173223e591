"""The command line: parse arguments, call the library, turn errors into messages and exit codes.

This is the one place that prints or exits. Exit status: 0 success, 1 `check` found errors,
2 bad input (one line on standard error, no traceback, no output file written).
"""

from __future__ import annotations

import argparse
import io
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TextIO

from derive import progress
from derive.cli_exercise import (
    add_blanks_options,
    add_commands,
    add_presets_show,
    check_guided,
    show_preset,
    write_guided,
)
from derive.errors import DeriveError, UsageError
from derive.files import refuse_inputs, write_atomic, write_files
from derive.formats import (
    FORMATS,
    PACES,
    TRAIN_FORMATS,
    format_for_path,
    plot_format_for_path,
    train_format_for_path,
)
from derive.messages import LANGUAGES
from derive.spec import load_spec, preset_names
from derive.text import visible
from derive.typeset import ENGINES
from derive.version import __version__

EXPLAIN_EXAMPLES = """\
examples:
  derive explain mazur                          the classic 2-2-2 example as Markdown
  derive explain mazur --format json            the numbers, for other programs
  derive explain my_net.toml -o notes.md        a network of your own, to a file
  derive explain russo --digits 6 --detail summary --verify
  derive explain mazur -o mazur.pdf             a PDF handout (nothing but pip needed)
  derive explain mazur -o slides.pdf --slides   the same as slides, one step per slide
  derive explain mazur -o mazur.pdf --engine latex   the PDF through TeX Live instead
  derive explain mazur --format beamer -o deck.tex   Beamer slides to edit
  derive explain mazur --format tex --fragment  the LaTeX body, to \\input into notes
  derive explain mazur -o mazur.html            one self-contained web page (MathML)
"""

CHECK_EXAMPLES = """\
examples:
  derive check notes.md --spec mazur            check a hand-written derivation
  derive check slides.tex --spec net.toml --format json
  derive check notes.txt --spec russo --digits 4 --annotate notes.checked.txt
  derive check hw.md --spec net.toml --names names.toml --hide-answers

exit status: 0 nothing is wrong, 1 something is, 2 bad input
"""

TRAIN_EXAMPLES = """\
examples:
  derive train mazur --steps 10000              the error every 500 steps and the final outputs
  derive train mazur --steps 10000 --every 1000 --format csv -o curve.csv
  derive train mazur --steps 10000 --plot curve.svg
"""

PRESETS_EXAMPLES = """\
examples:
  derive presets                                list the networks shipped with derive
  derive presets --show mazur                   print a preset's TOML, to copy and edit
"""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and exit status 2, like every other bad input."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {visible(message)}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="derive",
        description="Backpropagation worked examples, derived symbolically and exactly.",
        epilog="examples:\n"
        "  derive explain mazur                  the classic 2-2-2 worked example (Markdown)\n"
        "  derive explain mazur --format json    its numbers as JSON\n"
        "  derive train mazur --steps 10000      the error falling over many steps\n"
        "  derive check notes.md --spec mazur    find the wrong numbers in your own notes\n"
        "  derive presets                        the networks shipped with derive\n\n"
        "Run 'derive COMMAND --help' for the options and examples of a command.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"derive {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    explain = commands.add_parser(
        "explain",
        help="write the worked backpropagation example of a network",
        description="Write the complete worked example of one training step: forward pass, "
        "errors, the chain rule for every parameter, the update, and the forward pass again.",
        epilog=EXPLAIN_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    explain.add_argument(
        "spec", metavar="SPEC", help="a TOML network spec, or a preset name (see 'derive presets')"
    )
    explain.add_argument(
        "--format", "-f", choices=FORMATS, help="output format (default: from -o's suffix, else md)"
    )
    explain.add_argument(
        "-o",
        "--output",
        metavar="PATH",
        help="write to PATH (atomically) instead of standard output ('-': standard output)",
    )
    explain.add_argument(
        "--digits", type=int, metavar="N", help="significant digits shown (default: the spec's, 9)"
    )
    explain.add_argument(
        "--detail",
        choices=("full", "summary"),
        default="full",
        help="summary: one fully worked parameter per layer (default: full)",
    )
    explain.add_argument(
        "--slides",
        action="store_true",
        help="pdf or typst: slides, one step per slide (for LaTeX slides: --format beamer)",
    )
    explain.add_argument(
        "--engine",
        choices=ENGINES,
        help="pdf: typst (default, in-process) or latex (latexmk/pdflatex from TeX Live)",
    )
    explain.add_argument(
        "--diagram",
        choices=("svg", "mermaid"),
        help="md: the drawings as SVG images written beside the Markdown (the default with "
        "-o; GitHub and Pandoc show them), or the network as a Mermaid chart (the default "
        "on standard output)",
    )
    explain.add_argument(
        "--fragment",
        action="store_true",
        help="tex or html: only the body, to include in a document of your own",
    )
    explain.add_argument(
        "--verify",
        action="store_true",
        help="also prove every factorization against sympy.diff of the expanded error",
    )
    explain.add_argument(
        "--steps", type=int, metavar="N", help="append a training run of N gradient-descent steps"
    )
    explain.add_argument(
        "--notation",
        choices=("classic", "layered"),
        default="classic",
        help="classic: net/out, w1..wN (default); layered: z, a, W^(l), δ with the matrix form",
    )
    explain.add_argument(
        "--only", metavar="NAMES", help="show the backward pass only for these parameters: w5,w1"
    )
    _add_lecture_options(explain)
    add_blanks_options(explain)
    _add_limits(explain, "parameters", "steps", "pages")
    explain.set_defaults(run=_explain)
    _add_train(commands)

    check = commands.add_parser(
        "check",
        help="point at every wrong number in a hand-written derivation",
        description="Read a derivation written by hand (Markdown, LaTeX or plain text), find "
        "every claim 'A = B = … = number', and check each against the true values of the "
        "network: the arithmetic, the formula, and the final number at the precision written.",
        epilog=CHECK_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument(
        "document", metavar="DOCUMENT", help="the derivation to check ('-': standard input)"
    )
    check.add_argument(
        "--spec", required=True, metavar="SPEC", help="the network: a TOML spec or a preset name"
    )
    check.add_argument(
        "--format", "-f", choices=("text", "json"), default="text", help="report format"
    )
    check.add_argument(
        "--digits",
        type=_digits,
        default=None,
        metavar="auto|N",
        help="compare at most N significant digits (default auto: as many as written)",
    )
    check.add_argument(
        "--annotate", metavar="PATH", help="also write a copy of DOCUMENT with each error marked"
    )
    check.add_argument(
        "--names",
        metavar="FILE",
        help='a TOML file of the document\'s names: "w_{O1.H21}" = "w9", H21 = "h2_1" '
        "(overrides or completes the notation learned from the document)",
    )
    check.add_argument(
        "--strict",
        action="store_true",
        help="a value is right only as a rounding of the true value (no allowance for the "
        "writer's own rounded numbers carried from earlier lines)",
    )
    check.add_argument(
        "--hide-answers",
        action="store_true",
        help="never print a true value: the kind of slip and the line only (graded homework)",
    )
    check.add_argument(
        "--max-bytes",
        type=_max_bytes,
        default=None,
        metavar="N",
        help="refuse documents larger than N bytes (default 10485760, 10 MiB)",
    )
    check.set_defaults(run=_check)

    presets = commands.add_parser(
        "presets",
        help="list the preset networks",
        description="List the networks shipped with derive.",
        epilog=PRESETS_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    presets.set_defaults(run=_presets)
    add_presets_show(presets)
    add_commands(commands)
    return parser


def _add_language(parser: argparse.ArgumentParser) -> None:
    """--lang and --decimal-comma: the language of the prose and its decimal mark."""
    parser.add_argument(
        "--lang", choices=LANGUAGES, default="en", help="language of the prose (default: en)"
    )
    parser.add_argument(
        "--decimal-comma",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="write 0,5 instead of 0.5 (default: the language's convention: de, fr, es)",
    )


def _add_lecture_options(explain: argparse.ArgumentParser) -> None:
    """Language, decimal mark, pace and title slide: the options for a lecture hall."""
    _add_language(explain)
    explain.add_argument(
        "--pace",
        choices=PACES,
        default="full",
        help="slides: full (every parameter) or lecture (one per layer, the rest as a table)",
    )
    explain.add_argument("--author", default="", help="slides: the title slide's author")
    explain.add_argument("--course", default="", help="slides: the title slide's course")
    explain.add_argument("--date", default="", help="slides: the title slide's date")


def _add_train(commands: argparse._SubParsersAction) -> None:
    train = commands.add_parser(
        "train",
        help="run many steps of gradient descent and report the error curve",
        description="Repeat the update N times (compiled once, run in double precision), "
        "record the total error every K steps, and show the final outputs against the targets.",
        epilog=TRAIN_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    train.add_argument("spec", metavar="SPEC", help="a TOML network spec, or a preset name")
    train.add_argument("--steps", type=int, required=True, metavar="N", help="number of updates")
    train.add_argument(
        "--every", type=int, metavar="K", help="record the error every K steps (default: N/20)"
    )
    train.add_argument(
        "--format", "-f", choices=TRAIN_FORMATS, help="output format (default: from -o, else md)"
    )
    train.add_argument(
        "-o", "--output", metavar="PATH", help="write to PATH ('-' or none: standard output)"
    )
    train.add_argument(
        "--plot",
        metavar="FILE",
        help="also draw the error curve (log scale) to FILE.svg, .pdf (for LaTeX) or .png",
    )
    train.add_argument("--digits", type=int, metavar="N", help="significant digits shown")
    _add_language(train)
    _add_limits(train, "parameters", "steps", "history")
    train.set_defaults(run=_train)


def _add_limits(parser: argparse.ArgumentParser, *names: str) -> None:
    """--max-parameters, --max-steps, …: the declared limits of `derive.limits`, raisable."""
    from derive.limits import DEFAULT, HELP, OPTIONS

    for name in names:
        parser.add_argument(
            OPTIONS[name],
            type=int,
            default=getattr(DEFAULT, name),
            metavar="N",
            help=f"{HELP[name]} (default: {getattr(DEFAULT, name):,})",
        )


def _limits(args: argparse.Namespace):
    from derive.limits import DEFAULT, Limits

    names = ("parameters", "steps", "history", "pages")
    given = {name: getattr(args, f"max_{name}", None) for name in names}
    return Limits(**{k: v if v is not None else getattr(DEFAULT, k) for k, v in given.items()})


def _train(args: argparse.Namespace) -> int:
    output = _output(args.output)
    refuse_inputs(output, {"spec": args.spec})
    if args.plot is not None:
        refuse_inputs(args.plot, {"spec": args.spec, "output": output})
        plot_format_for_path(args.plot)
    fmt = args.format or (train_format_for_path(output) if output else "md")
    spec = load_spec(args.spec)  # a bad spec is refused before SymPy is loaded
    from derive.walkthrough import train_network

    training = train_network(
        spec,
        args.steps,
        every=args.every,
        digits=args.digits,
        limits=_limits(args),
        lang=args.lang,
        decimal_comma=args.decimal_comma,
    )
    text = training.render(fmt)
    files = [(args.plot, training.plot_data(args.plot))] if args.plot else []
    # the plot and the report are written together or not at all
    write_files([*files, *([(output, text)] if output else [])])
    if not output:
        sys.stdout.write(text)
    return 0


def _explain(args: argparse.Namespace) -> int:
    output = _output(args.output)
    refuse_inputs(output, {"spec": args.spec})
    fmt = args.format or (format_for_path(output) if output else "md")
    if fmt == "pdf" and not output:
        raise UsageError("a PDF is binary, not for the terminal: write it with -o FILE.pdf")
    check_guided(args, output, fmt)  # --blanks: the key's file, before any work
    spec = load_spec(args.spec)  # a bad spec is refused before SymPy is loaded
    from derive.walkthrough import build_walkthrough

    walkthrough = build_walkthrough(
        spec,
        digits=args.digits,
        detail=args.detail,
        check=args.verify,
        steps=args.steps,
        notation=args.notation,
        only=args.only,
        limits=_limits(args),
        lang=args.lang,
        decimal_comma=args.decimal_comma,
        pace=args.pace,
        author=args.author,
        course=args.course,
        date=args.date,
    )
    if args.blanks:
        return write_guided(walkthrough, args, output, fmt)
    if args.diagram and fmt != "md":
        raise UsageError(f"--diagram applies to --format md, not {fmt}")
    diagram = args.diagram or ("svg" if output else "mermaid")
    if fmt == "md" and diagram == "svg":
        if not output:
            raise UsageError(
                "--diagram svg writes image files beside the Markdown: give -o FILE.md "
                "(or use --diagram mermaid)"
            )
        walkthrough.save(output, fmt, diagram="svg")
    else:
        data = walkthrough.output(
            fmt, fragment=args.fragment, slides=args.slides, engine=args.engine
        )
        if output:
            write_atomic(output, data)
        else:
            sys.stdout.write(data)
    if walkthrough.verification is not None:
        print(f"derive: {walkthrough.verification}", file=sys.stderr)
    return 0


def _output(path: str | None) -> str | None:
    """The file `-o` names, or None for standard output (no -o, or ``-o -``)."""
    if path == "":
        raise UsageError("-o: expected a file name, or - for standard output, got an empty one")
    return None if path in (None, "-") else path


def _digits(text: str) -> int | None:
    """``auto`` or a whole number of significant digits."""
    if text == "auto":
        return None
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected 'auto' or an integer, got {text!r}") from None


def _max_bytes(text: str) -> int:
    """A positive whole number of bytes."""
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive number of bytes, got {text!r}")
    return value


def _check(args: argparse.Namespace) -> int:
    annotate = _output(args.annotate)
    refuse_inputs(annotate, {"document": args.document, "spec": args.spec})
    spec = load_spec(args.spec)  # a bad spec is refused before SymPy is loaded
    from derive.check import MAX_BYTES, iter_check, read_document
    from derive.check.report import annotate as check_annotated

    text = read_document(args.document, args.max_bytes or MAX_BYTES)
    check = iter_check(
        text, spec, digits=args.digits, source=args.document, names=args.names,
        strict=args.strict, hide_answers=args.hide_answers,
    )  # fmt: skip
    wrong: list = []  # only the wrong findings are kept: what an annotated copy needs
    with _checking_bar(text) as seen, tempfile.SpooledTemporaryFile(1 << 20, "w+") as held:
        check = check.watched(seen)
        if args.annotate == "-":
            status = check.write_text(io.StringIO(), keep=wrong.append)
            _show(check_annotated(text, wrong))
            return status
        # with --annotate FILE the report waits until the file is written: a failed write
        # is then the only output
        out = held if annotate else sys.stdout
        out = _Shown(out) if args.format != "json" else out
        write = check.write_json if args.format == "json" else check.write_text
        status = write(out, keep=wrong.append)
        if annotate:
            write_atomic(annotate, check_annotated(text, wrong))
            held.seek(0)
            shutil.copyfileobj(held, sys.stdout)
    return status


@contextmanager
def _checking_bar(text: str) -> Iterator[Callable[[object], None]]:
    """A bar over the document's lines, advanced as each claim is judged (on a terminal,
    and only when the check takes more than a couple of seconds)."""
    with progress.bar(text.count("\n") + 1, "checking") as bar:
        done = 0

        def seen(finding) -> None:
            nonlocal done
            if finding.line > done:
                bar.update(finding.line - done)
                done = finding.line

        yield seen


class _Shown:
    """Standard output written through `_show`, line by line as the report goes."""

    def __init__(self, out: TextIO) -> None:
        self.out = out

    def write(self, text: str) -> None:
        _show(text, self.out)


def _presets(args: argparse.Namespace) -> int:
    if args.show:
        return show_preset(args.show)
    for name in preset_names():
        spec = load_spec(name)
        sizes = "-".join(map(str, spec.layers))
        print(f"{name:10} {sizes:10} {spec.title}")
    return 0


def _show(text: str, out: TextIO | None = None) -> None:
    """Text quoting a user's document, on standard output: on a terminal, each line with its
    control characters escaped (a note quoting ``\\x1b[2J`` must not clear the screen);
    into a file or a pipe, exactly as it is."""
    out = out or sys.stdout
    if sys.stdout.isatty():
        text = "".join(visible(line) + "\n" for line in text.splitlines())
    out.write(text)


def _print_error(error: DeriveError) -> None:
    """The one place errors reach the terminal: one line per problem, control characters
    escaped, so a key or a file name quoting ``\\x1b[2J`` cannot clear the screen."""
    for problem in getattr(error, "problems", (error,)):
        print(f"derive: error: {visible(str(problem))}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `derive` command; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    progress.enable()
    try:
        return args.run(args)
    except DeriveError as error:
        _print_error(error)
        return error.exit_status
    except KeyboardInterrupt:
        print("derive: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
