"""Keep glossary terms intact through machine translation.

A model does not know that 長生炭鉱 is the official rendering of "Chosei Coal Mine", and may
mangle a name it has never seen. So terms are swapped for placeholders the model passes through
(ZX1, ZX2 …), and put back as their official target forms afterwards. The result is checked:
a placeholder lost, repeated or garbled means the segment is retried with the second method,
which translates only the text between terms and places the terms itself. The caller may check
each translation further (`Verify`: numbers, dates, loops…); a sentence with terms that fails is
retried the same way, since the second method gives the model other input. What fails in the
end is flagged for a reviewer, with the reasons. Never silently wrong.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from briefing.languages import LANGUAGES
from briefing.terms.glossary import Glossary, Term

PLACEHOLDER = "ZX{}"
PLACEHOLDER_PATTERN = re.compile(r"Z\s*X\s*(\d+)", re.IGNORECASE)
# A restored placeholder with the sentence punctuation (and the space before it) that follows.
RESTORE_PATTERN = re.compile(r"ZX(\d+)(?:(\s*)([.,:;?!])(\s*))?")
SENTENCE_PUNCTUATION = ".,:;?!"
# Sentence punctuation as Japanese writes it, for what the translation stage itself puts next
# to a term: Japanese ends a sentence with 。 and separates with 、, never "." and ",".
FULL_WIDTH = {
    "ja": str.maketrans({".": "。", ",": "、", ":": "：", ";": "；", "?": "？", "!": "！"})
}

# A batch translator: source strings in, target strings out, same length and order.
Engine = Callable[[list[str]], list[str]]
# Further checks on translations: (sources, targets) in, each target's problems out
# ("numbers: 12 missing"), none for a good one; same length and order.
Verify = Callable[[list[str], list[str]], list[tuple[str, ...]]]
#: Why a sentence whose terms did not come through is flagged, named as the checks are.
TERMS_PROBLEM = "terms: a glossary term or placeholder did not come through"


@dataclass(frozen=True)
class Protected:
    """A segment with its terms replaced, and what each placeholder stands for."""

    source: str
    text: str
    terms: tuple[Term, ...]  # terms[i] is placeholder i+1


@dataclass(frozen=True)
class Outcome:
    text: str
    method: str  # plain | placeholders | split | failed
    flagged: bool
    problems: tuple[str, ...] = ()  # why it is flagged: "check: detail"


def protect(segment: str, glossary: Glossary) -> Protected:
    pieces: list[str] = []
    terms: list[Term] = []
    position = 0
    for start, end, term in glossary.occurrences(segment):
        pieces.append(segment[position:start])
        terms.append(term)
        pieces.append(PLACEHOLDER.format(len(terms)))
        position = end
    pieces.append(segment[position:])
    return Protected(segment, "".join(pieces), tuple(terms))


def terms_key(segment: str, glossary: Glossary, lang: str) -> str:
    """What a segment's translation depends on in the glossary: the target forms of the terms
    found in it, in order (JSON), '' when it holds none. The model sees placeholders, and the
    forms are put in afterwards, so two glossaries that give a segment the same forms give it
    the same translation: the translation memory keys machine entries by this."""
    forms = [term.form(lang) for term in protect(segment, glossary).terms]
    return json.dumps(forms, ensure_ascii=False, separators=(",", ":")) if forms else ""


def restore(protected: Protected, translated: str, lang: str) -> str | None:
    """Put the terms' target forms back; None when the placeholders did not survive intact."""
    found = [int(m.group(1)) for m in PLACEHOLDER_PATTERN.finditer(translated)]
    expected = list(range(1, len(protected.terms) + 1))
    if sorted(found) != expected:
        return None
    exact = re.findall(r"ZX(\d+)", translated)
    if sorted(int(n) for n in exact) != expected:
        return None  # present, but garbled (spaces, case)

    def target(match: re.Match[str]) -> str:
        form = protected.terms[int(match.group(1)) - 1].form(lang)
        space, mark, after = match.group(2) or "", match.group(3) or "", match.group(4) or ""
        if mark and lang in FULL_WIDTH:
            after = ""  # full-width punctuation carries its own space
        return form + punctuation(mark, lang, space) + after

    return RESTORE_PATTERN.sub(target, translated)


def punctuation(mark: str, lang: str, space: str = "") -> str:
    """Sentence punctuation right after a term, as the target language writes it: Japanese
    。、 for ". ,", and no space before it in Korean (or any language but Japanese)."""
    if not mark:
        return space
    table = FULL_WIDTH.get(lang)
    return mark.translate(table) if table else mark


def _is_punctuation(text: str) -> bool:
    stripped = text.strip()
    return bool(stripped) and all(ch in SENTENCE_PUNCTUATION for ch in stripped)


def join_parts(parts: list[str], lang: str) -> str:
    """Terms and translated pieces joined as the language writes them: Korean puts a space
    between words but none before punctuation; Japanese puts no space, except between two
    Latin-script parts (a name kept in English beside an untranslated piece), and writes 。、."""
    language = LANGUAGES[lang]
    text = ""
    for part in parts:
        if not part:
            continue
        if _is_punctuation(part):
            text += punctuation(part.strip(), lang)
        else:
            text += (language.separator_between(text, part) if text else "") + part
    return text


def _split_parts(segment: str, glossary: Glossary) -> list[str | Term]:
    parts: list[str | Term] = []
    position = 0
    for start, end, term in glossary.occurrences(segment):
        parts.append(segment[position:start])
        parts.append(term)
        position = end
    parts.append(segment[position:])
    return parts


def _needs_translation(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def translate_protected(
    segments: list[str],
    glossary: Glossary,
    lang: str,
    engine: Engine,
    verify: Verify | None = None,
) -> list[Outcome]:
    """Translate `segments` with terms protected, checked by `verify` where given; one engine
    call per method, never per segment."""
    protected = [protect(segment, glossary) for segment in segments]
    first = engine([p.text for p in protected]) if protected else []
    outcomes: list[Outcome | None] = []
    retry: list[int] = []
    for index, (item, translated) in enumerate(zip(protected, first, strict=True)):
        if not item.terms:
            text = translated.strip()
            if text and not PLACEHOLDER_PATTERN.search(text):
                outcomes.append(Outcome(text, "plain", False))
            else:
                outcomes.append(Outcome(text or segments[index], "failed", True, (TERMS_PROBLEM,)))
            continue
        restored = restore(item, translated, lang)
        if restored is not None and restored.strip():
            outcomes.append(Outcome(restored.strip(), "placeholders", False))
        else:
            outcomes.append(None)
            retry.append(index)
    first_choice = _verified(segments, outcomes, verify)
    retry += [i for i, o in first_choice.items() if o.flagged and protected[i].terms]
    for index, outcome in first_choice.items():
        outcomes[index] = outcome

    if retry:
        split = _translate_split(segments, sorted(retry), glossary, lang, engine)
        for index, outcome in _verified(segments, split, verify).items():
            earlier = outcomes[index]
            if earlier is None or len(outcome.problems) < len(earlier.problems):
                outcomes[index] = outcome
    return [o for o in outcomes if o is not None]


def _verified(
    segments: list[str], outcomes: list[Outcome | None] | dict[int, Outcome], verify: Verify | None
) -> dict[int, Outcome]:
    """The outcomes (by position) with `verify`'s problems added; those with any are flagged."""
    found = dict(enumerate(outcomes)) if isinstance(outcomes, list) else dict(outcomes)
    present = {index: o for index, o in found.items() if o is not None}
    checkable = [index for index, o in present.items() if not o.flagged]
    if verify is None or not checkable:
        return present
    problems = verify([segments[i] for i in checkable], [present[i].text for i in checkable])
    for index, found_problems in zip(checkable, problems, strict=True):
        if found_problems:
            present[index] = replace(present[index], flagged=True, problems=found_problems)
    return present


def _translate_split(
    segments: list[str], retry: list[int], glossary: Glossary, lang: str, engine: Engine
) -> dict[int, Outcome]:
    """The second method for the segments at `retry`: the text between terms translated, the
    terms placed by us; all pieces in one engine call."""
    plans = {index: _split_parts(segments[index], glossary) for index in retry}
    pieces = [
        part
        for index in retry
        for part in plans[index]
        if isinstance(part, str) and _needs_translation(part)
    ]
    translated_pieces = iter(engine([p.strip() for p in pieces]) if pieces else [])
    outcomes: dict[int, Outcome] = {}
    for index in retry:
        joined: list[str] = []
        ok = True
        for part in plans[index]:
            if isinstance(part, Term):
                joined.append(part.form(lang))
            elif _needs_translation(part):
                piece = next(translated_pieces).strip()
                ok = ok and bool(piece) and not PLACEHOLDER_PATTERN.search(piece)
                joined.append(piece)
            else:
                joined.append(part.strip())
        text = join_parts(joined, lang)
        if ok:
            outcomes[index] = Outcome(text, "split", False)
        else:
            outcomes[index] = Outcome(text, "failed", True, (TERMS_PROBLEM,))
    return outcomes
