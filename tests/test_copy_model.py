"""The copy packages behave as their generator says: input pieces out, in order, then the end.

Uses the copy packages (tests/fixtures/argos/*-copy.argosmodel) through CTranslate2 itself:
every sentence of the bundled examples, with the placeholders glossary protection puts in,
comes back as exactly its own pieces at beam 1 and 2, with int8 and float32 computation.
The end-to-end tests rely on this.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import ctranslate2
import pytest
import sentencepiece as spm

from briefing.facts.load import load_facts
from briefing.terms.glossary import load_glossary
from briefing.terms.protect import PLACEHOLDER_PATTERN, protect
from briefing.translation.segments import split_segments
from briefing.translation.texts import texts_to_translate
from tests.conftest import COPY_PACKAGES, GLOSSARY, ROOT, TINY_PACKAGES


def example_sentences() -> list[str]:
    """Every free-text sentence of sources/*.yaml, as the translation stage sends it:
    split into sentences, glossary terms replaced by placeholders."""
    glossary = load_glossary(GLOSSARY)
    texts = [
        text
        for path in sorted((ROOT / "sources").glob("*.yaml"))
        if path != GLOSSARY
        for text in texts_to_translate(load_facts(path)[0])
    ]
    segments = dict.fromkeys(s for text in texts for s in split_segments(text))
    return [protect(segment, glossary).text for segment in segments]


def unpack(package: Path, into: Path) -> Path:
    with zipfile.ZipFile(package) as archive:
        archive.extractall(into)
    (folder,) = into.iterdir()
    return folder


def test_the_examples_have_sentences_with_placeholders_to_copy() -> None:
    sentences = example_sentences()
    assert len(sentences) >= 40
    assert sum(1 for s in sentences if PLACEHOLDER_PATTERN.search(s)) >= 20


@pytest.mark.parametrize("lang", ["ja", "ko"])
def test_every_example_sentence_comes_back_as_its_own_pieces(lang: str, tmp_path: Path) -> None:
    folder = unpack(COPY_PACKAGES[lang], tmp_path)
    tokenizer = spm.SentencePieceProcessor(model_file=str(folder / "sentencepiece.model"))
    sources = [tokenizer.encode(s, out_type=str) for s in example_sentences()]
    assert max(len(s) for s in sources) > 100  # long sentences too
    assert any("ZX" in s for s in sources)
    for compute_type in ("int8", "float32"):
        translator = ctranslate2.Translator(str(folder / "model"), compute_type=compute_type)
        for beam in (1, 2):
            results = translator.translate_batch(
                sources,
                beam_size=beam,
                max_batch_size=16,
                max_decoding_length=256,
                replace_unknowns=True,  # as the product asks; pieces outside the vocabulary
                length_penalty=0.2,  # (ZX, “, ’ …) come back through the attention
            )
            outputs = [r.hypotheses[0] for r in results]
            wrong = [(s, o) for s, o in zip(sources, outputs, strict=True) if s != o]
            assert not wrong, f"{compute_type}, beam {beam}: {wrong[:2]}"


@pytest.mark.parametrize("lang", ["ja", "ko"])
def test_copy_and_tiny_packages_share_their_sentencepiece_model(lang: str) -> None:
    def sentencepiece(package: Path) -> bytes:
        with zipfile.ZipFile(package) as archive:
            (name,) = [n for n in archive.namelist() if n.endswith("/sentencepiece.model")]
            return archive.read(name)

    assert sentencepiece(COPY_PACKAGES[lang]) == sentencepiece(TINY_PACKAGES[lang])


def test_the_copy_packages_are_small() -> None:
    assert all(p.stat().st_size < 500_000 for p in COPY_PACKAGES.values())
