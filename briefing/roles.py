"""What a participant did at the event, in the words the two governments use.

The facts give a role (`host`, `chair`, `visitor`, `participant`, `delegation`, `other`, and
the older `guest`); the word printed follows the event as well: a visitor to a bilateral meeting
is visiting (訪日 / 방한 when the host is Japan or Korea), anyone but the host and the chair at
a meeting of three or more sides is attending (出席 / 참석), as Japan's foreign minister at a
G7 meeting in Rome is. The words are catalog messages like the kinds of event (kinds.py).
"""

from __future__ import annotations

from enum import Enum

from briefing.kinds import N_, NC_


class Role(str, Enum):
    """A participant's role as the facts file gives it."""

    host = "host"
    chair = "chair"
    visitor = "visitor"
    participant = "participant"
    delegation = "delegation"
    other = "other"
    guest = "guest"  # the older word: visiting or attending, as the event decides


WORDS: dict[str, str] = {
    # Translators: role of who hosts the event: ja 主催 / ko 주최 ("日米豪印外相会合を主催した米国",
    # https://www.mofa.go.jp/mofaj/na/na1/us/pageit_000001_02111.html).
    "host": N_("Host"),
    # Translators: role of who chairs a meeting of three or more sides: ja 議長 / ko 의장
    # ("議長として", https://www.mofa.go.jp/mofaj/gaiko/bluebook/2024/html/tokushu1_02.html).
    "chair": N_("Chair"),
    # Translators: role of who visits the host for talks, where no word for visiting that
    # country is given below: ja 訪問 (not 来訪, which is said from the host's side) / ko 방문.
    "visitor": N_("Visitor"),
    # Translators: role of who attends a meeting of three or more sides, the host's own people
    # too: ja 出席 / ko 참석 ("日米豪印外相会合に出席するため",
    # https://www.mofa.go.jp/mofaj/na/na1/us/pageit_000001_02111.html;
    # "G7 외교장관회의…에 참석 중인", https://pak-islamabad.mofa.go.kr/www/brd/m_4076/view.do?seq=371132).
    "participant": N_("Participant"),
    # Translators: role of a member of a delegation: ja 随員 ("随員と共に…来日",
    # https://www.mofa.go.jp/mofaj/kaidan/yojin/arc_05/0504.html) / ko 수행원.
    "delegation": N_("Delegation"),
    # Translators: any other role.
    "other": N_("Other"),
}

# The word for a visitor, by the host country's term id: 訪日 / 방일 for Japan and so on.
VISITING: dict[str, tuple[str, str]] = {
    # Translators: role of who visits Japan: ja 訪日 ("訪日中の趙顕(チョ・ヒョン)韓国外交部長官",
    # https://www.mofa.go.jp/mofaj/press/release/pressit_000001_02492.html) / ko 방일.
    "japan": NC_("visiting Japan", "Visitor"),
    # Translators: role of who visits Korea: ja 訪韓 / ko 방한 ("방한한 모테기 도시미쓰 일본
    # 외무대신", https://ww2.asiatoday.co.kr/kn/view.php?key=20251029010012647).
    "republic-of-korea": NC_("visiting Korea", "Visitor"),
    # Translators: role of who visits the United States: ja 訪米 / ko 방미.
    "united-states": NC_("visiting the United States", "Visitor"),
    # Translators: role of who visits China: ja 訪中 / ko 방중.
    "china": NC_("visiting China", "Visitor"),
}

VISITS = frozenset({"state visit", "official visit", "working visit"})


def printed_role(role: Role, kind: str, sides: int, at_home: bool) -> str:
    """The role word's key in WORDS: `kind` is the event's vocabulary word (or a term's
    English), `sides` how many countries or organisations take part, `at_home` whether the
    participant's country hosts the event."""
    if role in (Role.visitor, Role.guest):
        if kind in VISITS:
            return "visitor"
        if sides >= 3 or at_home:
            return "participant"
        return "visitor"
    return role.value
