"""The commented starter facts file written by `briefing new` and `briefing init`: it validates
and builds as it is, every name it uses held by the base term base or its own glossary."""

from __future__ import annotations

import os
from pathlib import Path

from briefing.terms.glossary import GLOSSARY_NAME


def glossary_place(glossaries: list[Path], root: Path) -> str:
    """Where a build finds the workspace glossary of a facts file in the workspace at `root`,
    in the words of the starter's comments: the files the setting names (relative to the
    current folder, or absolute), else the glossary.yaml beside the facts file, the rule of
    terms.layers.workspace_glossaries."""
    if not glossaries:
        return f"{GLOSSARY_NAME} beside this file, when there is one"
    shown = []
    for path in glossaries:
        absolute = Path(os.path.abspath(path))
        try:
            shown.append(
                f"{absolute.relative_to(os.path.abspath(root)).as_posix()} in the workspace folder"
            )
        except ValueError:
            shown.append(str(absolute))
    return ", ".join(shown) + " (briefing.toml's `glossaries`)"


STARTER = """\
# Facts for one event. Every statement cites one or more ids from `sources:` at the end.
# Status (optional, default confirmed): confirmed | reported ("is believed to") | expected
# ("was expected to"). Names, places and countries are written in English as in the glossaries,
# which give their official Japanese and Korean forms: the base term base shipped with briefing;
# the workspace glossary, {glossaries};
# and this file's own `glossary:` at the end, each over the one before. A name none of them
# holds is printed in English and marked in the Japanese and Korean documents.
# Check the file with:  briefing validate {path}
# Build it with:        briefing build {path}

event:
  title: Japan–Republic of Korea Summit Meeting  # the event's name, as in a glossary
  kind: summit meeting                     # one of: summit meeting, bilateral meeting,
  #   trilateral summit, foreign ministers' meeting, ministerial meeting, telephone talks,
  #   video conference, state visit, official visit, working visit, multilateral conference
  #   (anything else needs a glossary term with that English form)
  date: 2026-01-13                         # YYYY-MM-DD, local date at the venue
  # end_date: 2026-01-14                   # optional last day of an event over several days
  # time: "14:30"                          # optional local start time, HH:MM (quoted)
  time_zone: Asia/Tokyo                    # IANA time zone of the venue
  city: Nara
  # venue: JW Marriott Hotel Nara          # optional
  host_country: Japan

document:
  author: Policy Briefing Unit             # goes into the document properties
  keywords: [summit]
  # date: 2026-01-12T18:00                 # optional: as of when the briefing is written
                                           # (printed, and the document's creation date)

# style:                                   # optional, as briefing.toml's [style], for this event
#   mark: internal                         # none | internal | limited | draft
#   dates: {{ja: western, ko: cldr}}         # ja era|western, ko official|cldr

participants:
  - name: Sanae Takaichi                   # as in the glossary
    title: Prime Minister
    country: Japan
    role: host           # host | chair | visitor | participant | delegation | other
    sources: [report-1]
  - name: Lee Jae Myung
    title: President
    country: Republic of Korea
    role: visitor
    sources: [report-1]

summary:
  text: >
    One or two sentences, in your own words, on what happened and why it matters.
  sources: [report-1]

background:
  - text: Context the reader needs, one point per entry.
    sources: [report-1]

outcomes:
  - heading: Short heading
    text: What was agreed, in a sentence or two.
    sources: [report-1]

topics:
  - heading: Short heading
    text: What was discussed.
    sources: [report-1]
    status: reported

next_steps:
  - text: What happens next, and when.
    sources: [report-1]
    status: expected

# Where reports disagree, keep every account; the briefing shows them side by side.
differences: []
#  - topic: What they differ on
#    accounts:
#      - text: What the first report says.
#        sources: [report-1]
#      - text: What the second report says.
#        sources: [report-2]

sources:
  - id: report-1
    publisher: Publisher name
    title: Title of the report
    date: 2026-01-13
    # url: https://example.org/report      # or a note where there is no address
    note: Where the report can be found.

# The event's own glossary (optional): names particular to this event, over the workspace's.
# Each term gives the official forms and where they were seen (government pages first).
glossary:
  - id: japan-rok-summit-2026-nara
    kind: event                            # person | place | organisation | office | event | thing
    en: Japan–Republic of Korea Summit Meeting
    ja: 日韓首脳会談
    ko: 한일 정상회담
    variants: [Japan-ROK Summit Meeting]
    checked:
      ja: "https://www.nippon.com/ja/news/yjj2026011300687/ (Jiji) — 「日韓首脳会談を前に」"
      ko: "https://news.sbs.co.kr/news/endPage.do?news_id=N1008402541 (SBS) — 「한일 정상회담」"
  - id: nara-city
    kind: place
    en: Nara
    ja: 奈良市
    ko: 나라시
    checked:
      ja: "https://www.nippon.com/ja/news/yjj2026011300687/ (Jiji) — 「奈良市で会談」"
      ko: "https://news.sbs.co.kr/news/endPage.do?news_id=N1008402541 (SBS) — 「나라시」"
"""
