"""`briefing glossary check`: lint glossary files before they reach a build.

A term's `reading` and `short` (per target language) are checked like its forms: an empty one,
or one for English or for a language briefing does not know, is an error.

Reads each file leniently, term by term, so that one broken term does not hide the others, and
reports with file:line:column:
  * errors: a missing or empty `en`, `ja` or `ko` (also in a `title`), a duplicate id, an
    English form that names two terms, a form containing placeholder syntax (`ZX1`, `{name}`,
    `%(name)s`, `%s`, `{{ }}`), which the translation stage or the templates would take for
    their own;
  * warnings: English forms that differ only in case, dashes or spacing but name different
    terms (which one matches then depends on typography), a form repeated within a term, and an
    English form claimed by terms of different files (layers), as the build reports it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from briefing.errors import InputError, Problem
from briefing.languages import LANGUAGES
from briefing.terms.glossary import Term
from briefing.yamlsource.positions import LoadedYaml, load_yaml

LANGS = tuple(LANGUAGES)
PLACEHOLDER_SYNTAX = re.compile(
    r"Z\s*X\s*\d+|\{\{|\}\}|\{[A-Za-z_][A-Za-z0-9_]*\}|%\([^)]*\)[sdr]|%[sd]", re.IGNORECASE
)
DASHES = dict.fromkeys(map(ord, "‐‑‒–—―−"), "-")


def normal_form(form: str) -> str:
    """What a form is once case, dashes and spacing are set aside."""
    text = unicodedata.normalize("NFKC", form).translate(DASHES).casefold()
    text = re.sub(r"\s*-\s*", "-", text)
    return " ".join(text.split())


@dataclass
class CheckResult:
    files: int = 0
    terms: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for p in self.problems if p.severity == "warning")


@dataclass(frozen=True)
class _Seen:
    term_id: str
    loaded: LoadedYaml
    loc: tuple[str | int, ...]

    def where(self) -> str:
        line, column = self.loaded.position(self.loc)
        return f"{self.loaded.path}:{line}:{column}" if line else str(self.loaded.path)


def _forms(raw: dict[str, Any]) -> list[tuple[tuple[str | int, ...], str, str]]:
    """(path within the term, language, text) of every form a term gives."""
    found: list[tuple[tuple[str | int, ...], str, str]] = []
    for lang in LANGS:
        if isinstance(raw.get(lang), str):
            found.append(((lang,), lang, raw[lang]))
    for j, variant in enumerate(raw.get("variants") or []):
        if isinstance(variant, str):
            found.append((("variants", j), "en", variant))
    title = raw.get("title")
    if isinstance(title, dict):
        for lang in LANGS:
            if isinstance(title.get(lang), str):
                found.append((("title", lang), lang, title[lang]))
    for field_name in ("reading", "short"):
        printed = raw.get(field_name)
        if isinstance(printed, dict):
            for lang, text in printed.items():
                if isinstance(text, str) and lang in LANGS:
                    found.append(((field_name, lang), lang, text))
    return found


def check_terms(
    loaded: LoadedYaml,
    prefix: tuple[str, ...],
    raws: list[Any],
    earlier: dict[str, _Seen],
    earlier_normal: dict[str, _Seen],
) -> list[Problem]:
    """Problems in one file's (or one facts file's) list of terms; `earlier` holds forms of
    files checked before it, and is updated."""
    problems: list[Problem] = []
    here: dict[str, _Seen] = {}
    here_normal: dict[str, _Seen] = {}
    ids: dict[str, int] = {}
    for i, raw in enumerate(raws):
        loc: tuple[str | int, ...] = (*prefix, i)
        if not isinstance(raw, dict):
            problems.append(
                loaded.problem(loc, "a term must be a mapping with id, kind, en, ja, ko")
            )
            continue
        term_id = str(raw.get("id", f"#{i + 1}"))
        for lang in LANGS:
            value = raw.get(lang)
            if not isinstance(value, str) or not value.strip():
                problems.append(
                    loaded.problem(
                        (*loc, lang) if lang in raw else loc,
                        f"term '{term_id}' has no {lang} form",
                        f"Add `{lang}:` with the official form"
                        + (" (see `checked:` for where you found it)." if lang != "en" else "."),
                    )
                )
        title = raw.get("title")
        if isinstance(title, dict):
            for lang in LANGS:
                value = title.get(lang)
                if not isinstance(value, str) or not value.strip():
                    problems.append(
                        loaded.problem(
                            (*loc, "title"), f"the title of '{term_id}' has no {lang} form"
                        )
                    )
        try:
            Term.model_validate(raw)
        except ValidationError as err:
            for item in err.errors(include_url=False):
                if item["type"] == "missing" and item["loc"][-1] in LANGS:
                    continue  # reported above, with the hint
                if item["type"] == "value_error" and "every entry names each" in item["msg"]:
                    continue  # a missing form (of the term or its title), reported above
                if (
                    item["type"] == "string_too_short"
                    and item["loc"][-1] in LANGS
                    and item["loc"][0] not in ("reading", "short")
                ):
                    continue  # an empty form, reported above
                where = (*loc, *item["loc"])
                problems.append(loaded.problem(where, f"term '{term_id}': {item['msg']}"))
        if term_id in ids:
            problems.append(
                loaded.problem(
                    (*loc, "id"), f"duplicate term id '{term_id}'", "Ids must be unique."
                )
            )
        ids[term_id] = i
        in_term: set[str] = set()
        for path, lang, text in _forms(raw):
            if PLACEHOLDER_SYNTAX.search(text):
                problems.append(
                    loaded.problem(
                        (*loc, *path),
                        f"'{text}' contains placeholder syntax "
                        f"({PLACEHOLDER_SYNTAX.search(text).group(0)!r})",  # type: ignore[union-attr]
                        "Placeholders (ZX1, {name}, %(name)s) belong to the translation stage and "
                        "the templates; write the name as it is printed.",
                    )
                )
            if lang != "en" or path[0] in ("title", "reading", "short"):
                continue
            seen = _Seen(term_id, loaded, (*loc, *path))
            if text in in_term:
                problems.append(
                    loaded.problem(
                        seen.loc, f"'{text}' is given twice in '{term_id}'", severity="warning"
                    )
                )
            in_term.add(text)
            other = here.get(text)
            if other is not None and other.term_id != term_id:
                problems.append(
                    loaded.problem(
                        seen.loc,
                        f"'{text}' names both '{other.term_id}' ({other.where()}) and '{term_id}'",
                        "An English form may name one term only; remove it from one of them.",
                    )
                )
            elif text in earlier and earlier[text].term_id != term_id:
                first = earlier[text]
                problems.append(
                    loaded.problem(
                        seen.loc,
                        f"'{text}' also names '{first.term_id}' in an earlier layer "
                        f"({first.where()}); '{term_id}' wins in a build",
                        f"Give this term the id '{first.term_id}' if it should replace that one.",
                        "warning",
                    )
                )
            normal = normal_form(text)
            similar = here_normal.get(normal) or earlier_normal.get(normal)
            if similar is not None and similar.term_id != term_id and text not in here:
                other_text = _text_at(similar)
                if other_text != text:
                    problems.append(
                        loaded.problem(
                            seen.loc,
                            f"'{text}' ('{term_id}') and '{other_text}' ('{similar.term_id}', "
                            f"{similar.where()}) differ only in case, dashes or spacing",
                            "Which term a text matches would depend on its typography; make them "
                            "one term, or make the forms clearly different.",
                            "warning",
                        )
                    )
            here.setdefault(text, seen)
            here_normal.setdefault(normal, seen)
    earlier.update(here)
    for normal, seen in here_normal.items():
        earlier_normal.setdefault(normal, seen)
    return problems


def _text_at(seen: _Seen) -> str:
    value: Any = seen.loaded.data
    for part in seen.loc:
        value = value[part]
    return str(value)


def check_files(paths: list[Path]) -> CheckResult:
    """Lint glossary files given lowest layer first (base, workspace, event)."""
    result = CheckResult()
    earlier: dict[str, _Seen] = {}
    earlier_normal: dict[str, _Seen] = {}
    ids: set[str] = set()
    links: list[tuple[LoadedYaml, tuple[str | int, ...], str]] = []  # every `same_as`
    for path in paths:
        try:
            loaded = load_yaml(path)
        except InputError as error:
            result.problems.extend(error.problems or [Problem(path, None, None, str(error))])
            continue
        result.files += 1
        data = loaded.data
        if isinstance(data, dict) and "event" in data and "terms" not in data:
            prefix: tuple[str, ...] = ("glossary",)  # a facts file: its own glossary
            raws = data.get("glossary") or []
        elif isinstance(data, dict):
            prefix = ("terms",)
            raws = data.get("terms") or []
            if "version" not in data:
                result.problems.append(
                    loaded.problem((), "missing field 'version'", 'Add `version: "1"` at the top.')
                )
        else:
            result.problems.append(
                Problem(path, 1, 1, "a glossary must be a mapping with `version:` and `terms:`")
            )
            continue
        if not isinstance(raws, list):
            result.problems.append(loaded.problem(prefix, f"`{prefix[0]}:` must be a list"))
            continue
        result.terms += len(raws)
        result.problems.extend(check_terms(loaded, prefix, raws, earlier, earlier_normal))
        for i, raw in enumerate(raws):
            if isinstance(raw, dict):
                ids.add(str(raw.get("id")))
                if isinstance(raw.get("same_as"), str):
                    links.append((loaded, (*prefix, i, "same_as"), raw["same_as"]))
    for loaded, loc, target in links:
        if target not in ids:
            result.problems.append(
                loaded.problem(
                    loc,
                    f"same_as names '{target}', which no term of these glossaries has",
                    "Give the id of the term that names the same thing, or remove `same_as`.",
                    "warning",
                )
            )
    return result
