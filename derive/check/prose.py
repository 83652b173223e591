"""Claims written in words: "the total error drops from 0.2984 to 0.2910", "die Ausgabe von
o1 beträgt 0,7514", "l'erreur totale passe de 0,298 à 0,291", "总误差从0.298下降到0.291".

A sentence is read when it names a quantity (the error, the learning rate, the output, net
input or target of a neuron, the gradient for a weight, a name such as ``w5`` or
``net_h1``), then says it *is* a number (or *falls from* one number *to* another) in one of
the languages below, and the number follows at once. Anything else in between — another
noun, a clause, a neuron named where no neuron is expected — and nothing is read: a
sentence that might mean two things stays unread rather than misread.

Numbers are the document's: its decimal commas have been written as points before the
sentence gets here (`derive.check.reader.with_decimal_points`), so ``0,7514`` in a document
that writes decimal points is no number to these patterns (it is ambiguous there).

Languages: English, German (with its inverted order: "Nach der Aktualisierung sinkt der
Gesamtfehler von … auf …"), French, Spanish, Italian, Portuguese and Chinese (whose name
comes before its noun: "o1 的输出为 0.7514").
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator

from derive.check.expression import Name, parse
from derive.check.lexer import tokenize
from derive.check.names import Atom

NUMBER = r"[-−]?\d+\.\d+(?:[eE][-−]?\d+)?"
#: the number ends there: no more digits, no per cent, no "times" ("is 0.2984 times larger"
#: says nothing of the quantity's value), no operator ("the error is 0.5 · (0.01 − 0.7514)²
#: = 0.2748": the number is a factor, not the error) nor a bracket right after it ("0.5(…"; a
#: spaced one is a remark: "0.2910 (it was 0.2984)")
_ENDS = (
    r"(?![\d.]*\d|\s*%|\s*(?:(?:times|mal|fois|veces|volte|vezes)(?!\w)|倍)"
    r"|\s*(?:[·*×/^+\-−]|\\cdot|\\times)|\()"
)

# -- subjects (the noun first: every language here but Chinese) ---------------------------
_ARTICLE = (
    r"(?:\b(?:the|our|its|der|die|den|das|le|la|les|notre|el|nuestro|il|lo|nostro|o|a|nosso)"
    r"\s+|\bl['’])"
)
_ERROR = (
    r"(?:(?:total|overall|new|network'?s?|gesamte|neue|nouvelle|nuevo|nuovo|novo)\s+)?"
    r"\b(?:error|loss|cost|Gesamtfehler|Fehler|Gesamtverlust|Verlust|erreur|perte|coût|"
    r"errore|erro|pérdida|perdita|perda|coste|costo|custo)\b"
    r"(?:\s+(?:totale?|globale?|insgesamt|complessivo))?"
)
#: the total error's symbol set after its noun: "the total error E_total drops from …",
#: "$E_{total}$", "E(total)" (never E_o1: an output's error is not the total)
_TOTAL_NAME = r"E\s*\(\s*total\s*\)|E_\{?(?:\\(?:text|mathrm)\{)?total\}?\}?"
_TOTAL_SYMBOL = rf"(?:\s+\$?\s*(?:{_TOTAL_NAME}|E(?![\w{{(\\]))\s*\$?)"
_RATE = (
    r"(?P<rate>learning\s+rate|Lernrate|taux\s+d['’]apprentissage|tasa\s+de\s+aprendizaje|"
    r"tasso\s+di\s+apprendimento|taxa\s+de\s+aprendiza(?:gem|do))"
)
#: what a neuron has: its output, net input or target (`_kind` sorts them)
_KIND = (
    r"(?P<kind>actual\s+output|output|net\s+input|activation|input|target(?:\s+(?:value|output))?|"
    r"desired\s+output|expected\s+output|"
    r"Ausgabe|Ausgang|Aktivierung|Netzeingabe|Nettoeingabe|Zielwert|Sollwert|"
    r"sortie|entrée\s+nette|(?:valeur\s+)?cible|sortie\s+(?:attendue|désirée)|"
    r"salida|activación|entrada\s+neta|(?:valor\s+)?objetivo|salida\s+deseada|"
    r"uscita|attivazione|ingresso\s+netto|valore\s+(?:obiettivo|atteso|target)|uscita\s+desiderata|"
    r"saída|ativação|entrada\s+líquida|(?:valor\s+)?alvo|saída\s+desejada)"
)
_OF = r"(?:of|for|von|vom|des|de|du|del|di|della|do|da|para|per|pour)"
_UNIT = (
    r"(?:(?:the|dem|le|la|l['’]|el|il|o|a)\s*)?(?:(?:neuron|unit|node|Neurons?|Knotens?|Einheit|"
    r"neurone|unité|nœud|noeud|neurona|unidad|nodo|unità|neurônio|neurónio|unidade|nó)\s+)?"
)
_NEURON = r"(?P<neuron>[A-Za-z]{1,3}_?\d+)(?![\w\[(])"
_GRADIENT = (
    r"(?P<gradient>\b(?:(?:the|der|die|le|la|el|il|o|a)\s+)?"
    r"(?:gradient|derivative|partial(?:\s+derivative)?|slope|Ableitung|partielle\s+Ableitung|"
    r"dérivée(?:\s+partielle)?|gradiente|derivada(?:\s+parcial)?|derivata(?:\s+parziale)?)"
    r"\s+(?:for|of|with\s+respect\s+to|w\.?r\.?t\.?|für|von|bezüglich|nach|de|du|pour|"
    r"par\s+rapport\s+(?:à|au)|del|para|(?:con\s+)?respecto\s+(?:a|al|de)|di|per|"
    r"rispetto\s+(?:a|al)|em\s+relação\s+(?:a|ao)|do)\s+"
    r"(?:(?:the|dem|das|le|el|il|o)\s+)?(?:(?:weight|bias|Gewicht|poids|biais|peso|sesgo|viés)\s+)?)?"
)
_WORD = r"\b(?P<word>(?:w|b)_?\d+|(?:net|out|E)_[A-Za-z0-9]+|E_?total)(?![\w\[(])"
#: the one output of a network, or its one target, named by no neuron
_BARE = (
    r"(?P<bare>\b(?:(?:the|our|its)\s+(?:network'?s?\s+|model'?s?\s+|final\s+)?"
    r"(?:prediction|predicted\s+(?:output|value)|actual\s+output|output|"
    r"target(?:\s+(?:value|output))?|desired\s+output|expected\s+output)"
    r"|(?:die|der)\s+(?:Vorhersage|Prognose|Zielwert)|la\s+(?:prédiction|valeur\s+cible|cible)|"
    r"la\s+(?:predicción|previsione|predizione)|el\s+valor\s+objetivo|"
    r"il\s+valore\s+(?:obiettivo|atteso|target)|a\s+previsão|o\s+valor\s+(?:alvo|desejado))"
    r"(?!\s+(?:of|for|layer|neuron|unit|node|von|des|de|du|del|di|da|do|per|para|pour)\b))"
)
#: every subject starts a word (the engine gives up at once inside one)
SUBJECT = (
    rf"(?P<subject>\b(?:{_ARTICLE}?{_ERROR}{_TOTAL_SYMBOL}?"
    rf"|{_ARTICLE}?{_KIND}\s+{_OF}\s+{_UNIT}{_NEURON}"
    rf"|{_ARTICLE}?{_RATE}"
    rf"|{_GRADIENT}{_WORD}"
    rf"|{_BARE}))"
)

# -- verbs ---------------------------------------------------------------------------------
#: "now", "then", "thus" between the verb and the number ("ist damit 0,5933", "vaut donc …")
_NOW = (
    r"(?:\s+(?:now|then|thus|therefore|hence|nun|jetzt|dann|damit|also|somit|daher|folglich|"
    r"maintenant|alors|désormais|donc|ainsi|ahora|entonces|pues|por\s+(?:lo\s+)?tanto|ora|"
    r"adesso|quindi|dunque|perciò|agora|então|portanto|assim|logo))?"
)
_ABOUT = (
    r"(?:\s+(?:about|approximately|roughly|only|etwa|ungefähr|rund|circa|nur|environ|"
    r"approximativement|seulement|aproximadamente|alrededor\s+de|solo|solamente|cerca\s+de|"
    r"apenas))?"
)
VERB = (
    r"(?P<verb>(?:was|is|becomes|became|equals|has\s+become|(?:drops?|dropped|falls?|fell|"
    r"goes\s+down|went\s+down|decreases?|decreased|rises?|rose|changes?|changed|comes?\s+out)"
    r"\s+to|comes?\s+to"
    # German
    r"|ist(?:\s+gleich)?|war|beträgt|betrug|wird(?:\s+zu)?|ergibt\s+sich\s+zu|liegt\s+bei|"
    r"beläuft\s+sich\s+auf|"
    r"(?:sinkt|sank|fällt|fiel|steigt|stieg|ändert\s+sich)\s+auf"
    # French
    r"|est(?:\s+(?:de|égale?\s+à))?|était(?:\s+de)?|vaut|valait|devient|"
    r"(?:passe|tombe|descend|baisse|diminue|monte|chute)\s+à"
    # Spanish
    r"|es(?:\s+(?:de|igual\s+a))?|era|vale|valía|resulta\s+(?:ser|en)|queda\s+en|"
    r"(?:pasa|baja|cae|disminuye|desciende|sube)\s+a|se\s+reduce\s+a|se\s+convierte\s+en"
    # Italian
    r"|è(?:\s+(?:di|pari\s+a|uguale\s+a))?|valeva|risulta(?:\s+essere)?|diventa|"
    r"(?:scende|cala|passa|sale|diminuisce)\s+a|si\s+riduce\s+a"
    # Portuguese
    r"|é(?:\s+(?:de|igual\s+a))?|valia|fica\s+em|passa\s+a\s+ser|torna-se|"
    r"(?:cai|desce|diminui|sobe|passa)\s+para"
    rf"){_NOW}{_ABOUT})"
)
#: the words that say a second value is after a change ("was …, and is now …")
CHANGED = re.compile(
    r"now|become|became|drop|fall|fell|down|decrease|rise|rose|change|nun|jetzt|sinkt|sank|"
    r"fällt|fiel|maintenant|désormais|passe|tombe|descend|baisse|diminu|ahora|baja|cae|ora|"
    r"adesso|scende|cala|agora|cai|desce|现在|降|变",
    re.I,
)

#: the verbs of a change: the value said is the one the change gives ("w5 becomes 0.3589",
#: "der Gesamtfehler sinkt auf 0,2910"); "is now" is not one ("now" also means "at this step")
BECOMES = re.compile(
    r"become|became|drop|fall|fell|down|decrease|rise|rose|change|wird|sinkt|sank|fällt|"
    r"fiel|steigt|stieg|ändert|devient|passe|tombe|descend|baisse|diminu|monte|chute|pasa|baja|"
    r"cae|disminu|desciende|sube|reduce|convierte|diventa|scende|cala|passa|sale|riduce|torna|cai|"
    r"desce|sobe|"
    r"变|降|减",
    re.I,
)

_PROSE = re.compile(rf"{SUBJECT}\s+{VERB}\s+(?P<number>{NUMBER}){_ENDS}", re.I)
#: German puts the verb first after an opening phrase: "Damit beträgt der Gesamtfehler 0,2910"
_INVERTED = re.compile(
    rf"\b(?P<verb>ist|war|beträgt|betrug|liegt|wird){_NOW}\s+{SUBJECT}{_NOW}{_ABOUT}"
    r"(?:\s+bei|\s+gleich|\s+zu)?"
    rf"\s+(?P<number>{NUMBER}){_ENDS}",
    re.I,
)
_MORE = re.compile(
    rf"\s*,?\s*(?:and|but|und|aber|et|mais|y|pero|e|ma|mas|,|\()\s*(?:it\s+)?(?:now\s+)?{VERB}"
    rf"\s+(?P<number>{NUMBER}){_ENDS}",
    re.I,
)
#: "0.2910 (was 0.2984)", "= 0.2910 (it was 0.2984 before)": the value, then the earlier one
WAS = re.compile(
    rf"(?P<value>{NUMBER})\s*\(\s*(?:it\s+|this\s+)?(?:was|previously|before:?)\s+"
    rf"(?P<was>{NUMBER})(?:\s+before)?\s*\)"
)

_FALLS = (
    r"(?:(?:has|had|ist|hat\s+sich|est|a|ha|è|é|se|si)\s+)?"
    r"(?:dropped|drops|fell|falls|went|goes|rose|rises|decreased|decreases|increased|increases|"
    r"changed|changes|improved|improves|"
    r"sinkt|sank|gesunken|fällt|fiel|geht|ging|steigt|stieg|verringert\s+sich|"
    r"verbessert\s+sich|reduziert\s+sich|ändert\s+sich|nimmt|ist|hat\s+sich|"
    r"pass(?:e|é|ée)|tomb(?:e|é|ée)|descend(?:u|ue)?|baiss(?:e|é|ée)|diminu(?:e|é|ée)|chute|"
    r"évolue|augmente|monte|"
    r"baja|bajó|bajado|pasa|pasó|pasado|cae|cayó|caído|disminuye|disminuyó|disminuido|"
    r"desciende|descendió|sube|subió|reduce|redujo|reducido|mejora|mejoró|"
    r"scende|scesa|sceso|passata|passato|cala|calata|calato|diminuisce|diminuita|diminuito|"
    r"riduce|ridotta|ridotto|sale|aumenta|"
    r"cai|caiu|passou|diminui|diminuiu|desce|desceu|baixa|baixou|sobe|subiu|reduz|reduziu)"
)
_FROM = rf"(?:\s+(?:down|up|ab))?\s+(?:from|von|de|desde|da)\s+(?P<number>{NUMBER})"
_TO = rf"\s+(?:to|auf|zu|à|a|hasta|para)\s+(?P<second>{NUMBER}){_ENDS}"
_FROM_TO = re.compile(rf"{SUBJECT}\s+{_FALLS}{_FROM}{_TO}", re.I)
#: "Nach der Aktualisierung sinkt der Gesamtfehler von 0,2984 auf 0,2910"
_FROM_TO_INVERTED = re.compile(
    r"\b(?:sinkt|sank|fällt|fiel|steigt|stieg|geht|ging|verringert\s+sich|ändert\s+sich)"
    rf"\s+{SUBJECT}{_FROM}{_TO}",
    re.I,
)

# -- Chinese: the name first, then 的 and the noun; no spaces needed ----------------------
_ZH_NAME = r"(?<![A-Za-z0-9_])"
_ZH_SUBJECT = (
    r"(?P<subject>"
    rf"{_ZH_NAME}(?P<neuron>[A-Za-z]{{1,3}}_?\d+)\s*的?\s*(?P<kind>输出值?|激活值?|净输入|目标值|目标输出)"
    rf"|(?:(?:总?误差|损失)\s*)?(?:对|关于)?\s*{_ZH_NAME}(?P<word>(?:w|b)_?\d+)(?![\w\[(])\s*的?\s*"
    r"(?P<gradient>梯度|偏导数?|导数)"
    r"|(?P<rate>学习率)"
    rf"|(?:总误差|总损失|整体误差)(?:\s*(?:{_TOTAL_NAME}|E_?\{{?(?:total|总)\}}?))?"
    r"|(?<!\w)(?<!\w\s)(?:误差|损失)(?!\s*[对关])"
    r"|(?P<bare>预测值|预测输出|目标值|目标输出)"
    r")"
)
_ZH_VERB = (
    r"(?P<verb>(?:现在|此时|目前)?\s*(?:约为|约等于|等于|变为|变成|降为|降至|降到|下降到|下降至|"
    r"减少到|减小到|为|是))"
)
_ZH_PROSE = re.compile(rf"{_ZH_SUBJECT}\s*{_ZH_VERB}\s*(?P<number>{NUMBER}){_ENDS}")
_ZH_FROM_TO = re.compile(
    rf"{_ZH_SUBJECT}\s*(?:已经|已)?\s*(?:从|由)\s*(?P<number>{NUMBER})\s*"
    rf"(?:下降|降低|减少|减小|降|变化|变|上升|增加|增大|升)?\s*(?:到|至|为|成)\s*"
    rf"(?P<second>{NUMBER}){_ENDS}"
)

#: what one sentence says: (subject span, name, [(verb, number start, number end), …],
#: whether the name is a gradient's)
Said = tuple[tuple[int, int], Atom, list, bool]

#: sentences up to this long have what they say remembered
_REMEMBERED = 1_000


def said_in_prose(text: str) -> Iterable[Said]:
    """(subject span, name, [(verb, number start, number end), …], gradient) for each subject
    of `text` said to have a value (and then another): one regular-expression pass each
    (remembered for short sentences, which documents repeat)."""
    if len(text) > _REMEMBERED:
        return _said_in_prose(text)
    return _remembered_prose(text)


@functools.lru_cache(maxsize=4096)
def _remembered_prose(text: str) -> tuple[Said, ...]:
    return tuple(_said_in_prose(text))


#: a prose claim has a number with decimals; a Chinese one, a Chinese character; a fall
#: "from" a number, the word for "from" right before it; "is" a number, a verb right before
#: it (each pattern is run only if its sign is there: the subjects' many words are costly
#: to look for at every word)
_DECIMAL = re.compile(r"\d\.\d")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_FROM_NUMBER = re.compile(r"\b(?:from|von|de|desde|da)\s+[-−]?\d", re.I)
_VERB_NUMBER = re.compile(rf"(?<!\w){VERB}\s+{NUMBER}", re.I)


def _said_in_prose(text: str) -> Iterator[Said]:
    if _DECIMAL.search(text) is None:
        return
    chinese = _HAN.search(text) is not None
    falls = _FROM_NUMBER.search(text) is not None
    taken: list[tuple[int, int]] = []  # the numbers read: a number has one subject
    for pattern in (
        _FROM_TO if falls else None,
        _FROM_TO_INVERTED if falls else None,
        _ZH_FROM_TO if chinese else None,
    ):
        if pattern is None:
            continue
        for match in pattern.finditer(text):  # "the error drops from 0.2984 to 0.2910"
            atom = _subject_atom(match)
            if atom is not None and not _overlaps(match.span("number"), taken):
                values = [("from", *match.span("number")), ("changed to", *match.span("second"))]
                taken += [match.span("number"), match.span("second")]
                yield match.span("subject"), atom, values, bool(match.group("gradient"))
    states = _VERB_NUMBER.search(text) is not None
    for pattern in (_PROSE if states else None, _INVERTED, _ZH_PROSE if chinese else None):
        if pattern is None:
            continue
        for match in pattern.finditer(text):
            atom = _subject_atom(match)
            if atom is None or _overlaps(match.span("number"), taken):
                continue
            values = [(match.group("verb"), match.start("number"), match.end("number"))]
            more = _MORE.match(text, match.end()) if pattern is not _ZH_PROSE else None
            while more is not None:
                values.append((more.group("verb"), more.start("number"), more.end("number")))
                more = _MORE.match(text, more.end())
            taken += [(start, end) for _, start, end in values]
            yield match.span("subject"), atom, values, bool(match.group("gradient"))


def _overlaps(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return any(start < span[1] and span[0] < end for start, end in taken)


_NET = re.compile(r"net|Netz|Netto|nette|neta|netto|líquida|净", re.I)
_TARGET = re.compile(r"target|desired|expected|Ziel|Soll|cible|attendue|désirée|objetivo|"
                     r"deseada|obiettivo|atteso|desiderata|alvo|desejad|目标", re.I)  # fmt: skip


def _kind(words: str) -> str:
    """The quantity a neuron's noun names: ``target``, ``net`` (its net input) or ``out``."""
    if _TARGET.search(words):
        return "target"
    if _NET.search(words) or re.search(r"\binput\b", words, re.I):
        return "net"
    return "out"


def _subject_atom(match: re.Match) -> Atom | None:
    """The name a sentence's subject is about (None: not one the network can have)."""
    if match.group("rate"):
        return Atom("eta")
    if match.group("word"):
        tokens = tokenize(match.group("word"), 0, None, math=True)
        parsed = parse(tokens, 0)
        if not parsed or not isinstance(parsed[0], Name):
            return None
        if match.group("gradient") and match.group("word")[0] not in "wb":
            return None  # "the derivative of out_h1 is …": of what, by what? Not read
        return parsed[0].atom
    if match.group("neuron"):
        return Atom(_kind(match.group("kind")), match.group("neuron").replace("_", ""))
    if match.group("bare"):  # the one output's: read only where the document's claims agree
        return Atom("target") if _TARGET.search(match.group("bare")) else Atom("yhat")
    return Atom("E")
