"""Who a reviewed entry names: the person who stored it, never a name a file alone asserts.

Both imports that store reviewed translations (a review file, a TMX file) record the person
importing: the name given with `--reviewer`, else the login name of the account that runs the
command. A name is cleaned as facts text is and held to MAX_LABEL characters.
"""

from __future__ import annotations

import getpass

from briefing.errors import InputError
from briefing.memory.interface import MAX_LABEL
from briefing.yamlsource.cleaning import clean_outside, fold_whitespace


def login_name() -> str | None:
    """The account running the command (LOGNAME, USER, … then the password database); None when
    the system cannot say."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        return None
    return clean_name(name) or None


def clean_name(name: str) -> str:
    """A name as stored: cleaned as facts text is, white space folded."""
    return str(fold_whitespace(clean_outside(name)))


def importer(given: str | None) -> str | None:
    """The name to record for the person importing: `given` (cleaned), else the login name;
    None when neither is known. A given name over the limit is refused."""
    name = clean_name(given or "")
    if len(name) > MAX_LABEL:
        raise InputError(
            f"--reviewer is {len(name):,} characters long; a reviewer's name may have at most "
            f"{MAX_LABEL}"
        )
    return name or login_name()


def required_importer(given: str | None, why: str) -> str:
    """`importer(given)`, or a refusal saying that the import needs a name (`why`)."""
    name = importer(given)
    if name is None:
        raise InputError(
            f"{why}, and the system does not say who is running the command: "
            "give your name with --reviewer NAME"
        )
    return name
