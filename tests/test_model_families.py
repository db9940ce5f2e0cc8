"""Models of other families: CTranslate2 models converted from Marian, M2M100 and NLLB.

Uses the generated copy models of tests/fixtures/models (make_models.py): laid out as
CTranslate2's converters leave real ones, with copy weights, so that what comes back can be
stated exactly, language tokens included and stripped. Installing, listing, choosing,
building, and refusing broken or mixed layouts before anything is extracted.
"""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
import pytest

from briefing import models
from briefing.models.families import FAMILIES
from briefing.translation.engines.argos import Decoding, load_model
from tests.conftest import COPY_PACKAGES, FIXTURES, NARA, invoke
from tests.fixtures.models.make_models import MODELS, build_models
from tests.test_copy_build import expected
from tests.test_models import listing, package_folders

MODELS_DIR = FIXTURES / "models"
MARIAN = MODELS_DIR / "opus-mt-en-ja-copy.tar.gz"
M2M100 = MODELS_DIR / "m2m100-copy.zip"
NLLB = MODELS_DIR / "nllb-copy.zip"
#: (file, model name, family, its language tokens for en→ja and en→ko: source, output)
FAMILY_MODELS = [
    (MARIAN, "opus-mt-en-ja-copy", "marian", {"ja": ((), ())}),
    (M2M100, "m2m100-copy", "m2m100", {"ja": (("__en__",), ("__ja__",)),
                                         "ko": (("__en__",), ("__ko__",))}),
    (NLLB, "nllb-copy", "nllb", {"ja": (("eng_Latn",), ("jpn_Jpan",)),
                                  "ko": (("eng_Latn",), ("kor_Hang",))}),
]  # fmt: skip
SENTENCE = "Prime Minister met ZX1 in ZX2 on 13 January 2026, and 12 vessels left."


@pytest.fixture(scope="module")
def family_models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every family's model and the Argos copy packages, installed once as a user would."""
    models_dir = tmp_path_factory.mktemp("families") / "models"
    files = [MARIAN, M2M100, NLLB, *COPY_PACKAGES.values()]
    result = invoke("models", "install", *files, "--models-dir", models_dir)
    assert result.returncode == 0, result.output
    return models_dir


def test_the_generator_rebuilds_the_models_byte_for_byte(tmp_path: Path) -> None:
    for path in build_models(tmp_path):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert digest == hashlib.sha256((MODELS_DIR / path.name).read_bytes()).hexdigest()
    assert sorted(MODELS) == sorted(p.name for p in MODELS_DIR.glob("*-copy.*"))


@pytest.mark.parametrize(("file", "name", "family", "tokens"), FAMILY_MODELS)
def test_each_family_translates_with_its_language_tokens_put_in_and_stripped(
    family_models_dir: Path, file: Path, name: str, family: str, tokens: dict[str, Any]
) -> None:
    for lang, (source_tokens, output_tokens) in tokens.items():
        installed = models.find_model(family_models_dir, "en", lang, name)
        assert installed is not None and installed.family == family
        model = load_model(installed.path, models.model_identity(installed), target=lang)
        [encoded] = model.encode([SENTENCE])
        assert tuple(encoded[: len(source_tokens)]) == source_tokens
        assert encoded[-1] == "</s>"
        [output] = model.translate_tokens([encoded], Decoding())
        # The copy weights return the source pieces after the forced language token.
        pieces = encoded[len(source_tokens) : -1]
        assert output == [*output_tokens, *pieces]
        assert model.decode(output) == SENTENCE


def test_a_multilingual_model_shares_one_translator_between_its_languages(
    family_models_dir: Path,
) -> None:
    ja = models.find_model(family_models_dir, "en", "ja", "nllb-copy")
    ko = models.find_model(family_models_dir, "en", "ko", "nllb-copy")
    assert ja is not None and ko is not None and ja.path == ko.path
    identity = models.model_identity(ja)
    assert identity == models.model_identity(ko) == "nllb-copy@1.0"
    loaded_ja = load_model(ja.path, identity, target="ja")
    loaded_ko = load_model(ko.path, identity, target="ko")
    assert loaded_ja is not loaded_ko and loaded_ja.translator is loaded_ko.translator


def test_install_list_and_the_non_commercial_licence(tmp_path: Path, isolated_home: Path) -> None:
    models_dir = tmp_path / "models"
    result = invoke("models", "install", NLLB, M2M100, "--models-dir", models_dir)
    assert result.returncode == 0, result.output
    assert "installed en→ja 1.0 (nllb-copy@1.0" in result.stdout
    assert "installed en→ko 1.0 (nllb-copy@1.0" in result.stdout
    assert "family nllb; licence CC-BY-NC-4.0: not for commercial use" in result.stdout
    assert "warning: nllb-copy is licensed CC-BY-NC-4.0, which forbids commercial use" in (
        result.stderr
    )
    assert "m2m100-copy: family m2m100; licence MIT" in result.stdout  # found from the vocabulary
    assert package_folders(models_dir) == [".argos", "m2m100-copy-1_0", "nllb-copy-1_0"]

    listed = invoke("models", "list", "--models-dir", models_dir, env={"COLUMNS": "250"})
    assert listed.returncode == 0
    rows = [line for line in listed.stdout.splitlines() if "copy" in line and "│" in line]
    assert len(rows) == 4  # two models, two pairs each
    nllb_rows = [row for row in rows if "nllb-copy" in row]
    assert all("CC-BY-NC-4.0: not for commercial use" in row for row in nllb_rows)
    # Without a choice builds use the first by name: m2m100-copy for both languages.
    assert [("use it" in row) for row in rows] == [True, False, True, False]


def test_install_from_a_folder_and_a_newer_version_replaces_only_its_own_model(
    tmp_path: Path, isolated_home: Path
) -> None:
    models_dir = tmp_path / "models"
    folder = tmp_path / "opus-mt-en-ja-copy"
    with tarfile.open(MARIAN) as archive:
        archive.extractall(tmp_path, filter="data")
    assert (
        invoke("models", "install", COPY_PACKAGES["ja"], "--models-dir", models_dir).returncode == 0
    )
    result = invoke("models", "install", folder, "--models-dir", models_dir)
    assert result.returncode == 0, result.output
    card = json.loads((folder / "briefing-model.json").read_text(encoding="utf-8"))
    (folder / "briefing-model.json").write_text(json.dumps({**card, "version": "1.1"}))
    result = invoke("models", "install", folder, "--models-dir", models_dir)
    assert result.returncode == 0, result.output
    assert "    replaced en→ja 1.0" in result.stdout
    assert package_folders(models_dir) == [
        ".argos", "opus-mt-en-ja-copy-1_1", "translate-en_ja-0_2",
    ]  # fmt: skip
    older = invoke("models", "install", MARIAN, "--models-dir", models_dir)
    assert older.returncode == 2 and "opus-mt-en-ja-copy 1.1 is installed, newer" in older.stderr
    removed = invoke("models", "remove", "opus-mt-en-ja-copy", "--models-dir", models_dir)
    assert removed.returncode == 0, removed.output
    assert package_folders(models_dir) == [".argos", "translate-en_ja-0_2"]


# --------------------------------------------------------------------------- choosing, building


def build(models_dir: Path, out: Path, *args: str, env: dict[str, str] | None = None) -> str:
    result = invoke(
        "build", NARA, "--models-dir", models_dir, "--tm", out / "tm.sqlite", "--out", out,
        *args, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.output
    return result.output


def notice(out: Path, lang: str) -> str:
    document = docx.Document(str(out / f"{NARA.stem}.{lang}.docx"))
    [text] = [
        p.text for p in document.paragraphs if p.style is not None and p.style.name == "Notice"
    ]
    return text


def test_the_chosen_model_builds_the_documents_and_names_the_memory_keys(
    family_models_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    build(family_models_dir, out, "--model", "ja=opus-mt-en-ja-copy", "--model", "ko=nllb-copy")
    assert "opus-mt-en-ja-copy@1.0" in notice(out, "ja")
    assert "nllb-copy@1.0" in notice(out, "ko")
    with sqlite3.connect(out / "tm.sqlite") as connection:
        keys = set(connection.execute("SELECT target_lang, model FROM entries"))
    assert keys == {("ja", "opus-mt-en-ja-copy@1.0"), ("ko", "nllb-copy@1.0")}
    # The exact output: each English statement with every glossary term in its official form.
    text = "\n".join(p.text for p in docx.Document(str(out / f"{NARA.stem}.ko.docx")).paragraphs)
    english = (
        "The visit continues shuttle diplomacy, the practice of reciprocal visits by the two "
        "leaders that was resumed in 2023."
    )
    assert expected(english, "ko") in text

    # Unset, builds use the Argos package: its output never mixes with the other models'.
    again = tmp_path / "again"
    build(family_models_dir, again)
    assert "translate-en_ja@0.2" in notice(again, "ja")


def test_the_choice_from_the_environment_and_from_briefing_toml(
    family_models_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "briefing.toml").write_text(
        '[translation]\nmodels = {ja = "m2m100-copy", ko = "nllb-copy"}\n', encoding="utf-8"
    )
    out = tmp_path / "out"
    build(family_models_dir, out, "--lang", "ja,ko", env={"BRIEFING_MODEL_KO": "m2m100-copy"})
    assert "m2m100-copy@1.0" in notice(out, "ja")
    assert "m2m100-copy@1.0" in notice(out, "ko")  # the environment over briefing.toml
    config = invoke("config", env={"BRIEFING_MODEL_KO": "m2m100-copy"})
    assert "translation.models.ja      m2m100-copy" in config.stdout
    assert "briefing.toml:2" in config.stdout and "env BRIEFING_MODEL_KO" in config.stdout


def test_a_chosen_model_that_is_not_installed_fails_its_language_only(
    family_models_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = invoke(
        "build", NARA, "--models-dir", family_models_dir, "--tm", out / "tm.sqlite",
        "--out", out, "--model", "ja=opus-mt-en-jap",
    )  # fmt: skip
    assert result.returncode == 1, result.output
    assert "the model opus-mt-en-jap chosen for ja (setting translation.models.ja) is not " in (
        result.stderr
    )
    assert "m2m100-copy, nllb-copy, opus-mt-en-ja-copy, translate-en_ja" in result.stderr
    assert (out / f"{NARA.stem}.ko.docx").exists()
    assert not (out / f"{NARA.stem}.ja.docx").exists()
    wrong = invoke("build", NARA, "--model", "de=x", "--out", out)
    assert wrong.returncode == 2 and "--model de=x: give LANG=NAME" in wrong.stderr


# --------------------------------------------------------------------------- refused layouts


def archive_members(path: Path) -> dict[str, bytes]:
    """A family model's files, by path inside its archive."""
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            return {i.filename: archive.read(i) for i in archive.infolist() if not i.is_dir()}
    with tarfile.open(path) as archive:
        return {
            m.name: archive.extractfile(m).read()  # type: ignore[union-attr]
            for m in archive.getmembers()
            if m.isfile()
        }


def rewrite(path: Path, source: Path, change: Callable[[dict[str, bytes]], object]) -> Path:
    files = archive_members(source)
    change(files)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def card_edit(**fields: object) -> Callable[[dict[str, bytes]], None]:
    def change(files: dict[str, bytes]) -> None:
        name = next(n for n in files if n.endswith("briefing-model.json"))
        card = {**json.loads(files[name]), **fields}
        files[name] = json.dumps({k: v for k, v in card.items() if v is not None}).encode()

    return change


def tar_with(path: Path, member: tarfile.TarInfo, data: bytes = b"") -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for name, content in archive_members(MARIAN).items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
        archive.addfile(member, io.BytesIO(data) if data else None)
    return path


def symlink(name: str, target: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = tarfile.SYMTYPE, target
    return info


def plain(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    return info


LAYOUT_REFUSALS: dict[str, tuple[Callable[[Path], Path], str]] = {
    "no description": (
        lambda d: rewrite(d / "m.zip", M2M100, lambda f: f.pop("m2m100-copy/briefing-model.json")),
        "no briefing-model.json beside model.bin in m2m100-copy/: write one",
    ),
    "no model.bin": (
        lambda d: rewrite(d / "m.zip", NLLB, lambda f: f.pop("nllb-copy/model.bin")),
        "no CTranslate2 model (missing model.bin in nllb-copy/)",
    ),
    "no vocabulary": (
        lambda d: rewrite(d / "m.zip", NLLB, lambda f: f.pop("nllb-copy/shared_vocabulary.json")),
        "no vocabulary (shared_vocabulary.json or target_vocabulary.json)",
    ),
    "marian without target.spm": (
        lambda d: rewrite(d / "m.zip", MARIAN, lambda f: f.pop("opus-mt-en-ja-copy/target.spm")),
        "says family marian, but its tokenizer file(s) target.spm are missing",
    ),
    "mixed layout": (
        lambda d: rewrite(
            d / "m.zip",
            MARIAN,
            lambda f: f.update(
                {"opus-mt-en-ja-copy/sentencepiece.bpe.model": f["opus-mt-en-ja-copy/source.spm"]}
            ),
        ),
        "mixed layout: it holds both Marian's source.spm and target.spm",
    ),
    "family contradicts the files": (
        lambda d: rewrite(d / "m.zip", M2M100, card_edit(family="nllb")),
        "says family nllb, but the files are m2m100's",
    ),
    "unknown family": (
        lambda d: rewrite(d / "m.zip", M2M100, card_edit(family="t5")),
        "unknown family 't5'; known: marian, m2m100, nllb",
    ),
    "no language token": (
        lambda d: rewrite(d / "m.zip", M2M100, card_edit(target=["ja", "ru"])),
        "the model's vocabulary has no token '__ru__' for en→ru",
    ),
    "marian into two languages": (
        lambda d: rewrite(d / "m.zip", MARIAN, card_edit(target=["ja", "ko"])),
        "a Marian model translates into one language",
    ),
    "not from English": (
        lambda d: rewrite(d / "m.zip", NLLB, card_edit(source="de")),
        "briefing translates from English",
    ),
    "no name": (
        lambda d: rewrite(d / "m.zip", NLLB, card_edit(name=None)),
        "'name' is missing or unusable",
    ),
    "a name that climbs": (
        lambda d: rewrite(d / "m.zip", NLLB, card_edit(name="../../evil")),
        "'name' is missing or unusable (found '../../evil')",
    ),
    "a link in a tar": (
        lambda d: tar_with(d / "m.tar.gz", symlink("opus-mt-en-ja-copy/x", "/etc/passwd")),
        "member 'opus-mt-en-ja-copy/x' is a link",
    ),
    "a climbing path in a tar": (
        lambda d: tar_with(d / "m.tar.gz", plain("opus-mt-en-ja-copy/../../x", 1), b"x"),
        "climbs out of the package folder",
    ),
    "a tar bomb": (
        lambda d: tar_with(
            d / "m.tar.gz", plain("opus-mt-en-ja-copy/zeros", 64 * 1024**2), bytes(64 * 1024**2)
        ),
        "beyond the 200:1 limit",
    ),  # fmt: skip
    "a model that does not load": (
        lambda d: rewrite(
            d / "m.zip", NLLB, lambda f: f.update({"nllb-copy/model.bin": b"garbage"})
        ),
        "does not load as a model",
    ),
}


@pytest.mark.parametrize("case", sorted(LAYOUT_REFUSALS))
def test_a_broken_or_mixed_layout_is_refused_before_anything_is_extracted(
    case: str, tmp_path: Path, isolated_home: Path
) -> None:
    make, reason = LAYOUT_REFUSALS[case]
    work = tmp_path / "work"
    work.mkdir()
    package = make(work)
    models_dir = tmp_path / "models"
    before = listing(tmp_path)
    result = invoke("models", "install", package, "--models-dir", models_dir)
    assert result.returncode == 2, result.output
    assert reason in result.stderr, result.stderr
    assert "Traceback" not in result.output
    assert [p for p in package_folders(models_dir) if p != ".argos"] == []
    assert {p for p in listing(tmp_path) - before if not p.startswith("models")} == set()


def test_every_family_is_documented_with_its_tokenizer_files() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    for family in FAMILIES.values():
        for tokenizer in family.tokenizers:
            assert tokenizer in readme
