"""The teaching commands of the command line: init, exercise, mark (and presets --show).

Kept apart from `derive.cli` so the commands of other issues merge without conflict;
`add_commands` registers them on the main parser. Like `derive.cli`, this module only
parses arguments, calls the library and prints; errors reach `derive.cli.main`.
"""

from __future__ import annotations

import argparse
import sys

INIT_EXAMPLES = """\
examples:
  derive init -o net.toml                a small commented network to edit
  derive init mazur -o course.toml       the classic 2-2-2 example, with an [exercise] table
  derive init russo -o - | less          to standard output
"""

EXERCISE_EXAMPLES = """\
examples:
  derive exercise course.toml --variants 30 --seed 2024 -o sheets
  derive exercise mazur --variants 30 --seed 1 --ask net_h1,dE/dw5,dE/dw1,w1+ --format pdf -o sheets
  derive exercise course.toml --variants 30 --seed 1 --roster class.csv --format moodle-xml -o quiz
  derive exercise course.toml --variants 30 --seed 1 --lang de --course "ML I" --format pdf -o blatt
"""

MARK_EXAMPLES = """\
examples:
  derive mark returned.csv --exercise sheets -o marks
  derive mark moodle-responses.csv --exercise quiz -o marks --show-answers
  derive mark antworten.csv --exercise blatt -o noten --lang de
"""


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Register `init`, `exercise` and `mark` on the main parser's subcommands."""
    init = commands.add_parser(
        "init",
        help="write a commented spec to start from",
        description="Write a commented network spec (a preset's, or a small template) with an "
        "[exercise] table; it validates as it stands.",
        epilog=INIT_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    init.add_argument("preset", nargs="?", metavar="PRESET", help="start from this preset")
    init.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="where to write (default: PRESET.toml or network.toml; '-' for standard output)",
    )
    init.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    init.set_defaults(run=_init)
    _add_exercise(commands)
    _add_mark(commands)


def add_presets_show(presets: argparse.ArgumentParser) -> None:
    """`derive presets --show NAME`: print a preset's TOML."""
    presets.add_argument("--show", metavar="NAME", help="print the TOML of the preset NAME")


def show_preset(name: str) -> int:
    from derive.errors import UsageError
    from derive.spec import _did_you_mean, preset_names, preset_text

    if name not in preset_names():
        hint = _did_you_mean(name, preset_names())
        raise UsageError(f"no preset {name!r}{hint} (presets: {', '.join(preset_names())})")
    sys.stdout.write(preset_text(name))
    return 0


def add_blanks_options(explain: argparse.ArgumentParser) -> None:
    """`derive explain --blanks NAMES|every:N [--key PATH]`: a guided exercise and its key."""
    explain.add_argument(
        "--blanks",
        metavar="NAMES|every:N",
        help="a guided exercise: these steps (w5,net_h1,…) and what depends on them left "
        "blank, or every N-th worked value; the key goes to --key",
    )
    explain.add_argument(
        "--key",
        metavar="PATH",
        help="with --blanks: where the key goes (default: beside -o as NAME-key.EXT)",
    )


def check_guided(args: argparse.Namespace, output: str | None, fmt: str) -> str | None:
    """Before any work: where the key of `--blanks` goes, refused if it is an input or the
    exercise itself (`--key` without `--blanks` is refused too). Loads no SymPy: a bad
    spec is still refused before it is."""
    from pathlib import Path

    from derive.errors import UsageError
    from derive.files import refuse_inputs, same_file

    if args.key is not None and not args.blanks:
        raise UsageError("--key: only with --blanks (the key of a guided exercise)")
    if not args.blanks:
        return None
    if args.fragment or args.slides or (args.engine and args.engine != "typst"):
        raise UsageError("--blanks: the article only (no --fragment, --slides or --engine latex)")
    if args.key == "":
        raise UsageError("--key: expected a file name, got an empty one")
    # notes.md → notes-key.md beside it
    key_path = (
        Path(output).with_name(f"{Path(output).stem}-key{Path(output).suffix}") if output else None
    )
    target = args.key or (str(key_path) if key_path else None)
    if target is None and fmt == "pdf":
        raise UsageError("--blanks: a PDF needs -o FILE.pdf")
    refuse_inputs(target, {"spec": args.spec})
    if target and output and same_file(target, output):
        raise UsageError(f"{target}: is both -o and --key; the key needs a file of its own")
    return target


def write_guided(walkthrough, args: argparse.Namespace, output: str | None, fmt: str) -> int:
    """Write the guided exercise (to -o or standard output) and its key (to --key), the
    two files all or none."""
    from derive.blanks import guided
    from derive.files import write_files

    target = check_guided(args, output, fmt)
    exercise, key = guided(walkthrough, args.blanks, fmt)
    files = [(path, data) for path, data in ((output, exercise), (target, key)) if path]
    write_files(files)  # type: ignore[arg-type]
    if not output:
        sys.stdout.write(exercise)  # type: ignore[arg-type]
    if target:
        print(f"derive: the key is in {target}", file=sys.stderr)
    return 0


def _init(args: argparse.Namespace) -> int:
    from derive.init import init_text, write_init

    if args.output == "-":
        sys.stdout.write(init_text(args.preset))
        return 0
    output = args.output or f"{args.preset or 'network'}.toml"
    path = write_init(args.preset, output, force=args.force)
    print(f"derive: wrote {path}; try 'derive explain {path}'", file=sys.stderr)
    return 0


def _add_exercise(commands: argparse._SubParsersAction) -> None:
    from derive.exercise_settings import EXERCISE_FORMATS

    exercise = commands.add_parser(
        "exercise",
        help="personal exercise sheets, their keys, a cover table (and a Moodle quiz)",
        description="Draw N variants of a network (values on a grid, degenerate draws "
        "redrawn), and write for each a student sheet, a key and its spec, plus answers.csv "
        "and the lecturer's cover table.",
        epilog=EXERCISE_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    exercise.add_argument("spec", metavar="SPEC", help="a TOML network spec, or a preset name")
    exercise.add_argument("--variants", type=int, required=True, metavar="N")
    exercise.add_argument(
        "--seed",
        type=int,
        required=True,
        metavar="S",
        help="the same seed and spec give the same files",
    )
    exercise.add_argument(
        "--ask",
        metavar="NAMES",
        help="the questions, e.g. net_h1,dE/dw5,w1+,E_total+ (default: the spec's [exercise] ask)",
    )
    exercise.add_argument(
        "--vary", metavar="KINDS", help="drawn anew per variant: weights,inputs,targets,biases"
    )
    exercise.add_argument(
        "--digits",
        type=int,
        metavar="N",
        help="significant digits asked (default: [exercise] digits, 4)",
    )
    exercise.add_argument(
        "--format",
        "-f",
        choices=EXERCISE_FORMATS,
        default="md",
        help="sheets and keys as md, html, tex or pdf; moodle-xml: quiz.xml; "
        "qti: quiz-qti.zip (sheets in md)",
    )
    exercise.add_argument(
        "--roster", metavar="FILE.csv", help="student names, one per variant, for the cover table"
    )
    _add_language(exercise, "the sheets, keys, cover and quiz")
    exercise.add_argument("--author", default="", help="the sheets' byline: the lecturer")
    exercise.add_argument("--course", default="", help="the sheets' byline: the course")
    exercise.add_argument("--date", default="", help="the sheets' byline: the date")
    exercise.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="DIR",
        help="a new or empty folder, or one derive exercise wrote (replaced whole)",
    )
    exercise.set_defaults(run=_exercise)


def _add_language(parser: argparse.ArgumentParser, what: str) -> None:
    from derive.messages import LANGUAGES

    parser.add_argument(
        "--lang", choices=LANGUAGES, default="en", help=f"language of {what} (default: en)"
    )
    parser.add_argument(
        "--decimal-comma",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="write 0,5 instead of 0.5 (default: the language's convention: de, fr, es)",
    )


def _exercise(args: argparse.Namespace) -> int:
    from derive.asking import split_names
    from derive.errors import SpecError, UsageError
    from derive.exercise import check_output, make_exercise, read_roster, write_exercise
    from derive.exercise_settings import vary_kinds
    from derive.slides import Byline

    def fail(key: str, message: str) -> SpecError:
        return SpecError(message, key=key)

    inputs = {"spec": args.spec, "roster": args.roster}
    check_output(args.output, inputs)  # before any work: a folder that cannot be written
    vary = vary_kinds(split_names(args.vary), "--vary", fail) if args.vary else None
    if args.digits is not None and not 1 <= args.digits <= 12:
        raise UsageError(f"--digits: expected 1 to 12, got {args.digits}")
    roster = read_roster(args.roster) if args.roster else None
    exercise = make_exercise(
        args.spec,
        args.variants,
        args.seed,
        ask=split_names(args.ask) if args.ask else None,
        vary=vary,
        fmt=args.format,
        digits=args.digits,
        roster=roster,
        lang=args.lang,
        decimal_comma=args.decimal_comma,
        byline=Byline(args.author, args.course, args.date),
    )
    write_exercise(exercise, args.output, inputs)
    draw = exercise.draw
    redrawn = ", ".join(f"{rule} {n}" for rule, n in draw.rejected.items() if n) or "none"
    print(
        f"derive: {len(draw.variants)} variant{'s' if len(draw.variants) != 1 else ''} in "
        f"{args.output} (seed {args.seed}; "
        f"asked: {', '.join(draw.asked)}); draws rejected and redrawn: {redrawn}",
        file=sys.stderr,
    )
    return 0


def _add_mark(commands: argparse._SubParsersAction) -> None:
    mark = commands.add_parser(
        "mark",
        help="mark returned answers, naming the likely slip of each wrong one",
        description="Grade each answer at the precision asked; for a wrong one, name the "
        "likely slip (sign flipped, activation derivative missing, updated weights used, "
        "another quantity's value, a digit dropped, ...) without giving the right value away.",
        epilog=MARK_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    mark.add_argument(
        "answers",
        metavar="ANSWERS.csv",
        help="columns student,variant,quantity,answer; or a Moodle responses export",
    )
    mark.add_argument(
        "--exercise", required=True, metavar="DIR", help="the folder derive exercise wrote"
    )
    mark.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="MARKS",
        help="a new or empty folder, or one derive mark wrote (replaced whole)",
    )
    mark.add_argument(
        "--show-answers",
        action="store_true",
        help="also write answers-shown.csv: each answer beside the right one and the "
        "checker's full diagnosis",
    )
    _add_language(mark, "the Markdown summaries and the chart of slips")
    mark.set_defaults(run=_mark)


def _mark(args: argparse.Namespace) -> int:
    from derive.marking import check_output, mark_file, write_marks
    from derive.messages import Language

    lang = Language.of(args.lang, args.decimal_comma)
    inputs = {"answers": args.answers, "exercise folder": args.exercise}
    check_output(args.output, inputs)  # before any work
    marks = mark_file(args.answers, args.exercise)
    write_marks(marks, args.output, show_answers=args.show_answers, lang=lang, inputs=inputs)
    right = sum(m.verdict == "right" for m in marks.rows)
    print(
        f"derive: {right} of {len(marks.rows)} answers right; marks in {args.output}",
        file=sys.stderr,
    )
    return 0
