"""The versions kept beside the manifest: recorded once per distinct model, bounded, oldest
dropped first but never the version sent, readable by a later briefing, and the version a
comparison asks for found or refused with what there is."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import zlib
from pathlib import Path

import pytest

from briefing.output.document import Document, Heading, Metadata, Paragraph, Run
from briefing.versions import (
    VersionError,
    VersionStore,
    choose,
    describe,
    parse_since,
)

START = dt.datetime(2026, 1, 13, 1, 0, tzinfo=dt.timezone.utc)


def model(text: str) -> Document:
    meta = Metadata("Summit", "Briefing", "en-GB", "Unit", dt.datetime(2026, 1, 13))
    return Document(meta, (Heading(0, (Run("Summit"),)), Paragraph((Run(text),))))


def record(store: VersionStore, document: Path, count: int) -> None:
    for number in range(count):
        when = START + dt.timedelta(hours=number)
        store.record(document, model(f"statement {number}"), {"statements": ("x",)}, when)


def test_a_version_is_recorded_only_when_the_model_changed(tmp_path: Path) -> None:
    store = VersionStore(tmp_path)
    document = tmp_path / "nara.en.docx"
    first = store.record(document, model("a"), {}, START)
    again = store.record(document, model("a"), {}, START + dt.timedelta(hours=1))
    assert again.number == first.number == 1
    assert again.built == START  # the version's time is when that model was first built
    second = store.record(document, model("b"), {}, START + dt.timedelta(hours=2))
    assert [v.number for v in store.versions(document)] == [1, 2]
    assert store.load(document, 2).document == model("b")
    assert second.digest != first.digest


def test_versions_beyond_the_bound_are_dropped_oldest_first(tmp_path: Path) -> None:
    store = VersionStore(tmp_path, kept=3)
    document = tmp_path / "nara.ja.docx"
    record(store, document, 6)
    assert [v.number for v in store.versions(document)] == [4, 5, 6]
    assert [v.built for v in store.versions(document)] == [
        START + dt.timedelta(hours=hours) for hours in (3, 4, 5)
    ]


def test_the_version_sent_is_never_dropped(tmp_path: Path) -> None:
    store = VersionStore(tmp_path, kept=3)
    document = tmp_path / "nara.ko.docx"
    record(store, document, 2)
    store.release(document, START + dt.timedelta(minutes=90))
    for number in range(2, 7):
        store.record(document, model(f"later {number}"), {}, START + dt.timedelta(hours=number))
    versions = store.versions(document)
    assert [v.number for v in versions] == [2, 6, 7]
    assert versions[0].sent == START + dt.timedelta(minutes=90)
    sent = choose(versions, "sent", "nara.ko")
    assert sent is not None and sent.number == 2


def test_a_record_from_a_later_briefing_with_more_fields_still_loads(tmp_path: Path) -> None:
    store = VersionStore(tmp_path)
    document = tmp_path / "nara.en.docx"
    store.record(document, model("a"), {"statements": ("1",)}, START)
    path = store.folder(document) / "1.json.gz"
    data = json.loads(gzip.decompress(path.read_bytes()))
    data["reviewer"] = "someone"
    data["document"]["blocks"][1]["id"] = "p1"
    path.write_bytes(gzip.compress(json.dumps(data).encode()))
    loaded = VersionStore(tmp_path).load(document, 1)  # as the later briefing reads it
    assert loaded.document == model("a")
    assert loaded.inventory == {"statements": ("1",)}


def test_a_record_in_a_newer_format_is_refused_clearly(tmp_path: Path) -> None:
    store = VersionStore(tmp_path)
    document = tmp_path / "nara.en.docx"
    store.record(document, model("a"), {}, START)
    path = store.folder(document) / "1.json.gz"
    data = json.loads(gzip.decompress(path.read_bytes()))
    data.update(format=99, tool="9.0")
    path.write_bytes(gzip.compress(json.dumps(data).encode()))
    with pytest.raises(Exception, match=r"newer briefing \(9\.0\).*upgrade"):
        VersionStore(tmp_path).load(document, 1)


def test_a_missing_version_names_those_kept(tmp_path: Path) -> None:
    store = VersionStore(tmp_path)
    document = tmp_path / "nara.en.docx"
    record(store, document, 5)
    versions = store.versions(document)
    with pytest.raises(VersionError, match="no version 7; the versions kept are 1–5"):
        choose(versions, 7, "nara.en")
    with pytest.raises(VersionError, match="no version of nara.en was marked as sent"):
        choose(versions, "sent", "nara.en")
    previous = choose(versions, "previous", "nara.en")
    assert previous is not None and previous.number == 4
    default = choose(versions, None, "nara.en")  # nothing sent: the previous one
    assert default is not None and default.number == 4
    assert choose(versions[:1], None, "nara.en") is None  # a first version: nothing earlier


def test_since_takes_numbers_and_names_only() -> None:
    assert parse_since("3") == 3
    assert parse_since(" Sent ") == "sent"
    assert parse_since("previous") == "previous"
    with pytest.raises(VersionError.__mro__[1], match="give a version number"):
        parse_since("yesterday")


def test_numbers_are_described_as_ranges(tmp_path: Path) -> None:
    store = VersionStore(tmp_path, kept=20)
    document = tmp_path / "nara.en.docx"
    record(store, document, 5)
    (store.folder(document) / "3.json.gz").unlink()
    assert describe(store.versions(document)) == "1–2, 4–5"


def test_a_bilingual_table_and_landscape_pages_survive_the_record() -> None:
    """The parallel layout's heading row over the columns, its rows kept on one page and its
    sideways pages are part of what a changes document must write again."""
    from dataclasses import replace

    from briefing.output import model_json
    from briefing.output.document import Table

    cell = (Run("Sanae Takaichi", marked=True),)
    table = Table(
        ((Run("Name"),), (Run("氏名"),)),
        ((cell, (Run("高市早苗"),)),),
        groups=(((Run("English"),), 1), ((Run("日本語"),), 1)),
        keep_rows_together=True,
    )
    document = Document(
        replace(
            Metadata("t", "s", "ja-JP", "a", dt.datetime(2026, 1, 13)),
            landscape=True,
        ),
        (table,),
    )
    assert model_json.decode(json.loads(json.dumps(model_json.encode(document)))) == document


def test_a_planted_record_that_unpacks_to_gigabytes_is_refused_without_unpacking_it(
    tmp_path: Path,
) -> None:
    """The output folder may be shared: a gzip bomb in it costs no more than the limit."""
    import resource

    store = VersionStore(tmp_path)
    document = tmp_path / "nara.en.docx"
    store.record(document, model("a"), {}, START)
    path = store.folder(document) / "1.json.gz"
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = b" " * (1 << 24)
    bomb = b"".join(compressor.compress(chunk) for _ in range(128)) + compressor.flush()
    path.write_bytes(bomb)  # 2 GB of spaces in about 2 MB
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(Exception, match="damaged version record.*unpacks to more than 64 MB"):
        VersionStore(tmp_path).load(document, 1)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 400


def test_a_record_cut_short_is_damaged_not_read_in_part(tmp_path: Path) -> None:
    store = VersionStore(tmp_path)
    document = tmp_path / "nara.en.docx"
    store.record(document, model("a"), {}, START)
    path = store.folder(document) / "1.json.gz"
    path.write_bytes(path.read_bytes()[:-12])
    with pytest.raises(Exception, match="damaged version record"):
        VersionStore(tmp_path).load(document, 1)
