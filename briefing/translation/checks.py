"""What a machine translation must keep, checked sentence by sentence as CAT tools' QA does.

Xbench, memoQ and Trados' QA Checker look at each target sentence beside its source: numbers
(in any form the target language writes them), dates, paired brackets and quotes, repeated
words, text left untranslated, and length. A weak model drops or changes a number, loops
("東東東東…") or returns the English unchanged; each check here catches one of those. A
check is a small pure function from one `Sentence` (and the `Context` of its model's pass) to
a short reason, or None when the sentence passes; `CHECKS` names them, and the name is what
the build report, the document count and `briefing models evaluate` show.

Glossary terms are placed by the stage, not by the model: their English forms in the source and
their official forms in the target are masked before checking, so that the numbers in a term
("G7") or the Japanese a term brings into an English sentence are never taken as the model's.

Left in English. A sentence whose target holds no letter of the target script while its
source has English words is flagged only when the same model writes the target script
elsewhere in its pass (`Context.writes_target_script`): one English sentence among translated
ones is the off-target copy weak multilingual models are known for. A model that writes no
Japanese (or Korean) in a whole pass is not translating into that language at all; flagging
every sentence would tell the reviewer nothing, so the stage reports that once, for the model.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from briefing.terms.glossary import Glossary
from briefing.translation.numbers import YEAR_RE, source_numbers, target_numbers

# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Sentence:
    """One source sentence and its translation, as the build prints it."""

    source: str
    target: str
    lang: str
    # (English as found in the source, the target form) of each glossary term the stage placed
    terms: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Context:
    """What a check may know beyond its sentence: the pass of the model that made it."""

    writes_target_script: bool = True  # the model writes the target script somewhere


@dataclass(frozen=True)
class Failure:
    check: str  # a name in CHECKS
    detail: str  # what is wrong, for a person: "12 missing"


Check = Callable[[Sentence, Context], "str | None"]

#: Letters of each target language's own script; a target without any is "left in English".
SCRIPT = {
    "ja": re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"),
    "ko": re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]"),
}
MONTHS = [
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
]  # fmt: skip
MONTH_ABBREVIATIONS = {name[:3]: number for number, name in enumerate(MONTHS, 1)} | {"sept": 9}
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
#: How each language writes month N and weekday N (0 = Monday) in a date, after NFKC
#: (which turns the full-width （火） into (火)).
MONTH_FORMS = {"ja": "{}月", "ko": "{}월"}
WEEKDAY_FORMS = {
    "ja": [f"{d}曜" for d in "月火水木金土日"] + [f"({d})" for d in "月火水木金土日"],
    "ko": [f"{d}요일" for d in "월화수목금토일"] + [f"({d})" for d in "월화수목금토일"],
}
WORD_RE = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]")

BRACKETS = {")": "(", "]": "[", "}": "{", "）": "（", "］": "［", "」": "「", "』": "『"}
BRACKETS |= {"】": "【", "〉": "〈", "》": "《", "”": "“", "〕": "〔"}
OPENING = set(BRACKETS.values())

#: A piece of 1 character repeated LOOP_SINGLE times in a row, or of 2-12 LOOP_TIMES times.
LOOP_SINGLE = 4
LOOP_TIMES = 3
LOOP_RE = re.compile(rf"(.)\1{{{LOOP_SINGLE - 1},}}|(.{{2,12}}?)\2{{{LOOP_TIMES - 1},}}", re.S)

#: English words a source needs before "left in English" can apply ("G7 summit" may stay).
MIN_ENGLISH_WORDS = 3
#: Target length against the source's, in characters, terms included: Japanese and Korean
#: run at 0.3-0.8 of the English; beyond these bounds a sentence was cut or runs on.
MIN_LENGTH_RATIO = 0.15
MAX_LENGTH_RATIO = 2.0
LENGTH_SLACK = 20  # characters: short headings vary more
MIN_LENGTH_SOURCE = 20  # characters: a shorter source is not judged as too short


# --------------------------------------------------------------------------- helpers


def normalized(text: str) -> str:
    """Full-width digits and signs as ASCII (１２ → 12, ％ → %), as NFKC gives them."""
    return unicodedata.normalize("NFKC", text)


def masked(text: str, forms: Iterable[str]) -> str:
    """`text` without the glossary forms the stage placed (each occurrence, longest first)."""
    for form in sorted({f for f in forms if f}, key=len, reverse=True):
        text = text.replace(form, " ")
    return text


def source_text(sentence: Sentence) -> str:
    return normalized(masked(sentence.source, (english for english, _ in sentence.terms)))


def target_text(sentence: Sentence) -> str:
    return normalized(masked(sentence.target, (form for _, form in sentence.terms)))


# --------------------------------------------------------------------------- the checks


def numbers(sentence: Sentence, context: Context) -> str | None:
    """Every number of the source is in the target, in any form the target writes it."""
    target = target_numbers(target_text(sentence))
    missing = [written for written, value in source_numbers(source_text(sentence))
               if value not in target]  # fmt: skip
    return f"{', '.join(dict.fromkeys(missing))} missing" if missing else None


def dates(sentence: Sentence, context: Context) -> str | None:
    """Months and weekdays named in the source are in the target (1月 / 1월, 火曜 / 화요일, or
    the English name kept), and every year the target writes is one of the source's."""
    source, target = source_text(sentence), target_text(sentence)
    problems = []
    words = [w.lower().rstrip(".") for w in re.findall(r"[A-Za-z]+\.?", source)]
    target_lower = target.lower()
    month_form = MONTH_FORMS.get(sentence.lang, "{}")
    for word in words:
        month = MONTHS.index(word) + 1 if word in MONTHS else None
        if (
            month is None
            and word in MONTH_ABBREVIATIONS
            and re.search(rf"\b{word}\.?\s*\d", source, re.IGNORECASE)
        ):  # "Jan. 13", not the word "may"
            month = MONTH_ABBREVIATIONS[word]
        if word == "may" and not re.search(r"\b(?:\d{1,2}\s+May|May\s+\d)", source):
            month = None  # the verb, not the month
        if month is not None:
            name = MONTHS[month - 1]
            native = re.search(rf"(?<!\d){month_form.format(month)}", target)
            if not native and not re.search(rf"\b(?:{name}|{name[:3]})\b", target_lower):
                problems.append(f"{MONTHS[month - 1].title()} missing")
        if word in WEEKDAYS:
            day = WEEKDAYS.index(word)
            forms = WEEKDAY_FORMS.get(sentence.lang, [])
            if (
                forms
                and not (forms[day] in target or forms[day + 7] in target)
                and (word not in target_lower)
            ):
                problems.append(f"{word.title()} missing")
    source_values = {value for _, value in source_numbers(source)}
    years = [y for y in YEAR_RE.findall(target) if Fraction(int(y)) not in source_values]
    problems += [f"year {year} not in the source" for year in dict.fromkeys(years)]
    return "; ".join(dict.fromkeys(problems)) or None


def _unpaired(text: str) -> str | None:
    stack: list[str] = []
    for char in text:
        if char in OPENING:
            stack.append(char)
        elif char in BRACKETS:
            if not stack or stack[-1] != BRACKETS[char]:
                return f"{char} without {BRACKETS[char]}"
            stack.pop()
    if stack:
        closing = {v: k for k, v in BRACKETS.items()}
        return f"{stack[-1]} without {closing[stack[-1]]}"
    if text.count('"') % 2:
        return 'unpaired "'
    return None


def brackets(sentence: Sentence, context: Context) -> str | None:
    """Brackets and quotation marks in the target open and close in pairs, unless the source's
    do not either (a quotation that runs over several sentences)."""
    problem = _unpaired(sentence.target)
    return problem if problem and not _unpaired(sentence.source) else None


def repetition(sentence: Sentence, context: Context) -> str | None:
    """No piece repeated in a loop (東東東東, 자유 자유 자유) that the source does not repeat."""
    for match in LOOP_RE.finditer(sentence.target):
        piece = match.group(1) or match.group(2)
        if not any(c.isalpha() for c in piece) or match.group(0) in sentence.source:
            continue  # 0000 in a number; a repetition the source has too
        shown = match.group(0) if len(match.group(0)) <= 24 else match.group(0)[:24] + "…"
        return f"{piece.strip()!r} repeated: {shown}"
    return None


def untranslated(sentence: Sentence, context: Context) -> str | None:
    """Not left in English: the target is not the source unchanged, and holds some of the
    target script when the source has English words (see the module's note)."""
    script = SCRIPT.get(sentence.lang)
    if script is None or not context.writes_target_script:
        return None
    source, target = source_text(sentence), target_text(sentence)
    if len(WORD_RE.findall(source)) < MIN_ENGLISH_WORDS:
        return None
    if " ".join(sentence.target.split()) == " ".join(sentence.source.split()):
        return "identical to the source"
    if not script.search(target):
        return "left in English"
    return None


def length(sentence: Sentence, context: Context) -> str | None:
    """The target's length (characters) is within bounds of the source's."""
    source, target = len(sentence.source.strip()), len(sentence.target.strip())
    if target > MAX_LENGTH_RATIO * source + LENGTH_SLACK:
        return f"{target} characters for a source of {source}: too long"
    if source >= MIN_LENGTH_SOURCE and target < MIN_LENGTH_RATIO * source:
        return f"{target} characters for a source of {source}: too short"
    return None


CHECKS: dict[str, Check] = {
    "numbers": numbers,
    "dates": dates,
    "brackets": brackets,
    "repetition": repetition,
    "untranslated": untranslated,
    "length": length,
}


def writes_target_script(sentences: Iterable[Sentence]) -> bool:
    """Whether any of the sentences (one model's, one language) holds the target script
    beyond the glossary forms the stage put in."""
    for sentence in sentences:
        script = SCRIPT.get(sentence.lang)
        if script is None or script.search(target_text(sentence)):
            return True
    return False


def check(sentence: Sentence, context: Context | None = None) -> tuple[Failure, ...]:
    """Every check the sentence fails, in CHECKS order."""
    context = context or Context()
    failures = []
    for name, function in CHECKS.items():
        detail = function(sentence, context)
        if detail:
            failures.append(Failure(name, detail))
    return tuple(failures)


def check_all(
    sentences: list[Sentence], context: Context | None = None
) -> list[tuple[Failure, ...]]:
    """Each sentence's failures; the context, unless given, is what these sentences show."""
    if context is None:
        context = Context(writes_target_script(sentences))
    return [check(sentence, context) for sentence in sentences]


class PassChecks:
    """The checks over one model's translations into one language in a build: each sentence
    with the glossary terms the stage placed in it, and the context of everything the model
    wrote (its earlier output read from the memory included). Called as term protection's
    `Verify`: sources and targets in, each target's problems ("numbers: 12 missing") out."""

    def __init__(self, lang: str, glossary: Glossary, earlier: Mapping[str, str]) -> None:
        self.lang = lang
        self.glossary = glossary
        self.writes_target_script = writes_target_script(
            self.sentence(source, target) for source, target in earlier.items()
        )

    def sentence(self, source: str, target: str) -> Sentence:
        terms = tuple(
            (source[start:end], term.form(self.lang))
            for start, end, term in self.glossary.occurrences(source)
        )
        return Sentence(source, target, self.lang, terms)

    def __call__(self, sources: list[str], targets: list[str]) -> list[tuple[str, ...]]:
        sentences = [self.sentence(s, t) for s, t in zip(sources, targets, strict=True)]
        if not self.writes_target_script:
            self.writes_target_script = writes_target_script(sentences)
        context = Context(self.writes_target_script)
        return [
            tuple(f"{failure.check}: {failure.detail}" for failure in check(sentence, context))
            for sentence in sentences
        ]
