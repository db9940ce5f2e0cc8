"""How the build time grows with the participants table: 100, 250, 500 and 1,000 participants.

A delegation list runs to hundreds of names at a multilateral meeting, and every participant is
one row of the participants table (and, in the bilingual layout, one row with both languages'
cells). Each size is a facts file made from the Nara example with that many participants, each
a person of the file's own glossary (English, Japanese and Korean forms), so nothing is kept in
English and nothing warns. For each size: the English document, and the parallel English and
Japanese document with the copy test package (tests/fixtures/argos), built with --force after
one warm-up build that fills the memory (the free text is the same at every size, so what
grows is the table). Figures are medians of --repeat runs, in wall seconds and in CPU seconds
of this process (the build's own work, whatever else shares the machine; the render process
is apart); the last line is the ratio time(1000) / time(500), about 2 when the build is linear
in the participants, about 4 when it is quadratic.

    .venv/bin/python benchmarks/participants.py [--sizes 100,250,500,1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path

from common import GLOSSARY, NARA, ROOT, median, timed

from briefing import models
from briefing.build import BuildRequest, build
from briefing.languages import parse_languages
from briefing.memory.sqlite import TranslationMemory
from briefing.terms.layers import load_term_base
from briefing.translation.engines.argos import ArgosEngine
from briefing.translation.stage import TranslationStage

COPY_PACKAGE = ROOT / "tests" / "fixtures" / "argos" / "translate-en_ja-copy.argosmodel"
SIZES = (100, 250, 500, 1000)
# Family and given names with their Japanese and Korean forms: 32 × 32 distinct people.
FAMILY = [
    ("Sato", "佐藤", "사토"), ("Suzuki", "鈴木", "스즈키"), ("Takahashi", "高橋", "다카하시"),
    ("Tanaka", "田中", "다나카"), ("Ito", "伊藤", "이토"), ("Watanabe", "渡辺", "와타나베"),
    ("Yamamoto", "山本", "야마모토"), ("Nakamura", "中村", "나카무라"),
    ("Kobayashi", "小林", "고바야시"), ("Kato", "加藤", "가토"), ("Yoshida", "吉田", "요시다"),
    ("Yamada", "山田", "야마다"), ("Sasaki", "佐々木", "사사키"), ("Yamaguchi", "山口", "야마구치"),
    ("Matsumoto", "松本", "마쓰모토"), ("Inoue", "井上", "이노우에"), ("Kimura", "木村", "기무라"),
    ("Hayashi", "林", "하야시"), ("Shimizu", "清水", "시미즈"), ("Yamazaki", "山崎", "야마자키"),
    ("Mori", "森", "모리"), ("Abe", "阿部", "아베"), ("Ikeda", "池田", "이케다"),
    ("Hashimoto", "橋本", "하시모토"), ("Ishikawa", "石川", "이시카와"),
    ("Ogawa", "小川", "오가와"), ("Okada", "岡田", "오카다"), ("Goto", "後藤", "고토"),
    ("Hasegawa", "長谷川", "하세가와"), ("Murakami", "村上", "무라카미"),
    ("Kondo", "近藤", "곤도"), ("Ishii", "石井", "이시이"),
]  # fmt: skip
GIVEN = [
    ("Hiroshi", "博", "히로시"), ("Takashi", "隆", "다카시"), ("Akira", "明", "아키라"),
    ("Makoto", "誠", "마코토"), ("Satoshi", "聡", "사토시"), ("Kenji", "健二", "겐지"),
    ("Yuki", "由紀", "유키"), ("Yoko", "洋子", "요코"), ("Keiko", "恵子", "게이코"),
    ("Naoko", "直子", "나오코"), ("Tomoko", "智子", "도모코"), ("Kazuo", "和夫", "가즈오"),
    ("Masao", "正夫", "마사오"), ("Shigeru", "茂", "시게루"), ("Osamu", "修", "오사무"),
    ("Taro", "太郎", "다로"), ("Jiro", "次郎", "지로"), ("Haruka", "遥", "하루카"),
    ("Emi", "恵美", "에미"), ("Mai", "舞", "마이"), ("Ryo", "涼", "료"), ("Sho", "翔", "쇼"),
    ("Daisuke", "大輔", "다이스케"), ("Kenta", "健太", "겐타"), ("Yusuke", "雄介", "유스케"),
    ("Mayumi", "真由美", "마유미"), ("Akiko", "明子", "아키코"), ("Noriko", "典子", "노리코"),
    ("Hideo", "英雄", "히데오"), ("Isamu", "勇", "이사무"), ("Minoru", "実", "미노루"),
    ("Tsuyoshi", "剛", "쓰요시"),
]  # fmt: skip
OFFICES = (
    ("Prime Minister of Japan", "Japan"),
    ("Minister for Foreign Affairs of Japan", "Japan"),
    ("President of the Republic of Korea", "Republic of Korea"),
    ("Minister of Foreign Affairs of the Republic of Korea", "Republic of Korea"),
)


def participants_facts(count: int) -> str:
    """The Nara example with `count` participants, each a person of the file's glossary."""
    people, terms = [], []
    for index in range(count):
        family = FAMILY[index % len(FAMILY)]
        given = GIVEN[index // len(FAMILY) % len(GIVEN)]
        office, country = OFFICES[index % len(OFFICES)]
        name = f"{given[0]} {family[0]}"
        role = "host" if index == 0 else "guest" if index == 1 else "delegation"
        people.append(
            f"  - name: {name}\n    title: {office}\n    country: {country}\n"
            f"    role: {role}\n    sources: [japan-news]\n"
        )
        terms.append(
            f"  - id: person-{index:04d}\n    kind: person\n    en: {name}\n"
            f"    ja: {family[1]}{given[1]}\n    ko: {family[2]} {given[2]}\n"
        )
    text = NARA.read_text(encoding="utf-8")
    start = text.index("participants:\n")
    end = text.index("\nsummary:")
    return (
        text[:start]
        + "participants:\n"
        + "".join(people)
        + text[end:]
        + "\nglossary:\n"
        + "".join(terms)
    )


def build_seconds(
    path: Path, out: Path, layout: str, lang: str, stage: TranslationStage | None, repeat: int
) -> tuple[float, float]:
    """The median wall and CPU seconds of `repeat` forced builds of one document, after a
    warm-up."""
    request = BuildRequest(
        [path],
        parse_languages(lang),
        out,
        glossary=load_term_base([], [path]),
        layout=layout,
        force=True,
    )
    walls, cpus = [], []
    for attempt in range(repeat + 1):
        cpu = time.process_time()
        with timed() as took:
            report = build(request, stage)
        cpu = time.process_time() - cpu
        assert report.exit_code == 0, report.problems
        if attempt:  # the first run fills the memory and warms the caches
            walls.append(took[0])
            cpus.append(cpu)
    return median(walls), median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    sizes = [int(size) for size in options.sizes.split(",")]
    print(f"{platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores, "
          f"load {os.getloadavg()[0]:.1f}; medians of {options.repeat} runs")  # fmt: skip
    print(f"{'participants':>12} {'facts KB':>9} {'en wall':>8} {'en CPU':>8} {'en-ja wall':>11} "
          f"{'en-ja CPU':>10}")  # fmt: skip
    figures: dict[int, tuple[tuple[float, float], tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="briefing-bench-") as temporary:
        work = Path(temporary)
        models_dir = work / "models"
        models.install_file(COPY_PACKAGE, models_dir)
        with TranslationMemory(work / "memory.sqlite") as memory:
            for size in sizes:
                sources = work / f"p{size}"
                sources.mkdir()
                (sources / "glossary.yaml").write_bytes(GLOSSARY.read_bytes())
                path = sources / f"participants-{size}.yaml"
                path.write_text(participants_facts(size), encoding="utf-8")
                glossary = load_term_base([], [path]).without_event().glossary
                stage = TranslationStage(ArgosEngine(models_dir), glossary, memory)
                out = work / f"out{size}"
                english = build_seconds(path, out, "single", "en", None, options.repeat)
                parallel = build_seconds(path, out, "parallel", "ja", stage, options.repeat)
                figures[size] = (english, parallel)
                kilobytes = path.stat().st_size / 1024
                print(
                    f"{size:12d} {kilobytes:9.0f} {english[0]:8.2f} {english[1]:8.2f} "
                    f"{parallel[0]:11.2f} {parallel[1]:10.2f}",
                    flush=True,
                )
    if 500 in figures and 1000 in figures:
        (en_wall, en_cpu), (ja_wall, ja_cpu) = (
            tuple(a / b for a, b in zip(big, half, strict=True))
            for big, half in zip(figures[1000], figures[500], strict=True)
        )
        print(
            f"time(1000) / time(500): en {en_wall:.2f} wall, {en_cpu:.2f} CPU; "
            f"en-ja {ja_wall:.2f} wall, {ja_cpu:.2f} CPU (linear: about 2, quadratic: about 4)"
        )


if __name__ == "__main__":
    main()
