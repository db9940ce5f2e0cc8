"""What a reader of a changes document is told first: since which version, and how many
statements, participants and sources changed, in the document's language.

The counts come from what the document prints (the localized view), not from the facts file:
a corrected translation changes a Japanese statement while the English one stays. A version
keeps a fingerprint of each item (`inventory`), so that counting needs no earlier facts file.
"""

from __future__ import annotations

import datetime as dt
import gettext
import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from babel.dates import format_datetime, get_timezone
from babel.lists import format_list

from briefing.languages import Language
from briefing.output.document import Notice, Run
from briefing.output.localize import BriefingView

CATEGORIES = ("statements", "participants", "sources")


@dataclass(frozen=True)
class ChangeCounts:
    statements: int = 0
    participants: int = 0
    sources: int = 0


def _items(view: BriefingView) -> dict[str, list[object]]:
    statements: list[object] = [view.summary, *view.background, *view.outcomes, *view.topics]
    statements += view.next_steps
    for difference in view.differences:
        statements += [(difference.topic, account) for account in difference.accounts]
    return {
        "statements": statements,
        "participants": list(view.participants),
        "sources": list(view.sources),
    }


def inventory(views: Sequence[BriefingView]) -> dict[str, tuple[str, ...]]:
    """A fingerprint of every statement, participant and source the document prints (for a
    document in two languages, of each item in both)."""
    found = [_items(view) for view in views]
    result = {}
    for category in CATEGORIES:
        items = zip(*(items[category] for items in found), strict=False)
        result[category] = tuple(
            hashlib.sha256(repr(item).encode("utf-8")).hexdigest()[:16] for item in items
        )
    return result


def count_changes(
    before: dict[str, tuple[str, ...]], after: dict[str, tuple[str, ...]]
) -> ChangeCounts:
    """Items added, removed or edited in each category: an edited item is one gone and one
    new, counted once."""
    counts = {}
    for category in CATEGORIES:
        old, new = Counter(before.get(category, ())), Counter(after.get(category, ()))
        counts[category] = max(sum((new - old).values()), sum((old - new).values()))
    return ChangeCounts(**counts)


def summary_notice(
    counts: ChangeCounts,
    number: int,
    built: dt.datetime,
    language: Language,
    translations: gettext.NullTranslations,
    time_zone: str,
) -> Notice:
    """The boxed lines at the top of a changes document, in `language`."""
    _ = translations.gettext
    ngettext = translations.ngettext
    # Translators: CLDR pattern for when a version of a briefing was built, in the event's time
    # zone; English "13 January 2026, 10:02 Japan Standard Time". zzzz is the zone's long name;
    # Japanese y年M月d日 H時mm分（zzzz）, Korean y. M. d. HH:mm(zzzz).
    pattern = _("d MMMM y, HH:mm zzzz")
    zone = get_timezone(time_zone)
    when = format_datetime(built, pattern, tzinfo=zone, locale=language.locale)
    counted = [
        # Translators: how many statements of the briefing changed, in a list.
        ngettext("%(count)s statement", "%(count)s statements", counts.statements),
        # Translators: how many participants changed (added, removed or edited), in a list.
        ngettext("%(count)s participant", "%(count)s participants", counts.participants),
        # Translators: how many sources changed, in a list.
        ngettext("%(count)s source", "%(count)s sources", counts.sources),
    ]
    values = (counts.statements, counts.participants, counts.sources)
    listed = format_list(
        [text % {"count": value} for text, value in zip(counted, values, strict=True)],
        locale=language.locale,
    )
    # Translators: first line of a changes document: the version its readers have, and when it
    # was built. %(number)s is the version's number, %(time)s when it was built.
    since = _("Changes since version %(number)s of %(time)s.") % {"number": number, "time": when}
    # Translators: follows the line above; %(counts)s lists how many statements, participants
    # and sources changed, e.g. "2 statements, 1 participant and 0 sources".
    changed = _(" Changed: %(counts)s.") % {"counts": listed}
    # Translators: ends the first lines of a changes document; the changes are Word's tracked
    # changes. %(number)s is the earlier version's number.
    how = _(
        " The changes are tracked: accept them all to get the current version, reject them "
        "all to get version %(number)s."
    ) % {"number": number}
    return Notice((Run(since, bold=True), Run(changed + how)))
