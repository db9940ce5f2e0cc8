"""The text of a Word paragraph or table cell as its reader sees it with every change accepted.

Reviewers work with Track Changes on, and Word keeps their edits as revisions beside the text
they replace. python-docx's `text` reads only the runs directly in a paragraph: an inserted
run is missed, a field's result or a content control's text is dropped, and hidden text is
read as if it were shown. A review file is read here as if the reviewer had accepted every
change and printed the result:

- inserted (`w:ins`) and moved-to (`w:moveTo`) text counts; deleted (`w:del`, `w:delText`) and
  moved-from (`w:moveFrom`) text does not; a deleted paragraph mark joins its paragraph to the
  next, an inserted one is a paragraph break like any other;
- hidden text (`w:vanish`, `w:specVanish`, `w:webHidden`, set on the run or by its character
  or paragraph style) does not count, nor do drawings, text boxes and ruby (furigana)
  annotations; a hidden paragraph mark joins its paragraph to the next;
- a field counts as its result, never its instruction (`w:fldSimple`; `w:fldChar` begin,
  separate, end with `w:instrText` between); a content control (`w:sdt`) as its content, unless
  it still shows its placeholder;
- hyperlinks, smart tags, custom XML and bidirectional wrappers count as the text they hold;
  `w:tab` is a tab, `w:br` and `w:cr` a line break, `w:noBreakHyphen` a hyphen, `w:softHyphen`
  nothing, `w:sym` its character.

A symbol from a symbol font (Wingdings and the like, in Unicode's private use area) has no
character of its own: `UnreadableText` says so, and the caller refuses the row.
"""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"

# Subtrees whose text is not part of what the reader sees (or that hold no text at all).
_SKIPPED = frozenset(
    W + name
    for name in (
        "del", "moveFrom", "delText", "instrText", "delInstrText",  # deleted, instructions
        "pPr", "rPr", "tcPr", "trPr", "tblPr", "tblGrid", "tblPrEx",  # properties
        "sdtPr", "sdtEndPr", "customXmlPr", "smartTagPr",
        "drawing", "pict", "object", "rt",  # pictures, text boxes, ruby annotations
        "footnoteReference", "endnoteReference", "commentReference", "annotationRef",
    )
) | {MC + "AlternateContent"}  # fmt: skip
_HIDDEN = (W + "vanish", W + "specVanish", W + "webHidden")
_OFF = frozenset({"0", "false", "off"})
_BREAK = "\n"
# A paragraph's end, told apart from a line break: a deleted or hidden mark joins paragraphs.
_PARAGRAPH_END = "\x00"


SYMBOL_HINT = (
    "Type the character itself (Insert > Symbol, from a Unicode font such as the document's), "
    "or leave it out."
)
FIELD_HINT = (
    "Turn the field into plain text (select it, then Ctrl+Shift+F9 in Word) or delete it, and "
    "save again."
)


class UnreadableText(ValueError):
    """Text a review file holds in a form that has no character to store, or whose end cannot
    be told; `hint` says what the reviewer can do."""

    def __init__(self, message: str, hint: str = SYMBOL_HINT) -> None:
        super().__init__(message)
        self.hint = hint


def accepted_text(element: etree._Element, hidden_styles: frozenset[str] = frozenset()) -> str:
    """The text of a paragraph (`w:p`), a cell (`w:tc`) or any part of a document body, with
    every tracked change accepted and nothing hidden; paragraphs joined by line breaks.
    `hidden_styles`: the ids of the document's styles that hide text (see `hidden_styles`)."""
    fields: list[bool] = []  # one per open complex field: whether its result has begun
    pieces = list(_pieces(element, _Walk(fields, hidden_styles), hidden=False))
    if fields:  # a field that begins and never ends would hide all that follows it
        raise UnreadableText("a field that begins and never ends", FIELD_HINT)
    text = "".join(pieces).rstrip(_PARAGRAPH_END)
    return text.replace(_PARAGRAPH_END, _BREAK)


def hidden_styles(styles: etree._Element | None) -> frozenset[str]:
    """The ids of the paragraph and character styles of a styles part (`w:styles`) that hide
    their text, by their own properties or those of the styles they are based on."""
    if styles is None:
        return frozenset()
    own: dict[str, bool | None] = {}
    based_on: dict[str, str] = {}
    for style in styles.iterfind(W + "style"):
        ident = style.get(W + "styleId", "")
        own[ident] = _flags(style.find(W + "rPr"))
        parent = style.find(W + "basedOn")
        if parent is not None:
            based_on[ident] = parent.get(W + "val", "")

    def hides(ident: str) -> bool:
        seen: set[str] = set()
        while ident in own and ident not in seen:
            seen.add(ident)
            if own[ident] is not None:
                return bool(own[ident])
            ident = based_on.get(ident, "")
        return False

    return frozenset(ident for ident in own if hides(ident))


class _Walk:
    """What a walk carries along: the open complex fields and the styles that hide text."""

    def __init__(self, fields: list[bool], hidden_styles: frozenset[str]) -> None:
        self.fields = fields
        self.hidden_styles = hidden_styles


def _is_on(flag: etree._Element) -> bool:
    return flag.get(W + "val", "true").lower() not in _OFF


def _flags(properties: etree._Element | None) -> bool | None:
    """Whether run properties hide text: True or False when they say so, None when silent."""
    if properties is None:
        return None
    found = [flag for flag in map(properties.find, _HIDDEN) if flag is not None]
    return any(map(_is_on, found)) if found else None


def _style_hides(properties: etree._Element | None, tag: str, walk: _Walk) -> bool:
    style = properties.find(tag) if properties is not None else None
    return style is not None and style.get(W + "val", "") in walk.hidden_styles


def _run_hidden(run: etree._Element, inherited: bool, walk: _Walk) -> bool:
    """The run's own formatting first, then its character style, then its paragraph's."""
    properties = run.find(W + "rPr")
    explicit = _flags(properties)
    if explicit is not None:
        return explicit
    return _style_hides(properties, W + "rStyle", walk) or inherited


def _mark_removed(paragraph: etree._Element) -> bool:
    """Whether the paragraph's mark is deleted or hidden: it then runs on into the next."""
    mark = paragraph.find(f"{W}pPr/{W}rPr")
    if mark is None:
        return False
    if mark.find(W + "del") is not None or mark.find(W + "moveFrom") is not None:
        return True
    return any(flag is not None and _is_on(flag) for flag in map(mark.find, _HIDDEN))


def _symbol(sym: etree._Element) -> str:
    code = sym.get(W + "char", "")
    try:
        value = int(code, 16)
    except ValueError:
        raise UnreadableText(f"a symbol with no character code ({code!r})") from None
    if 0xE000 <= value <= 0xF8FF or value > 0x10FFFF:
        font = sym.get(W + "font", "a symbol font")
        raise UnreadableText(
            f"a symbol from {font} (U+{value:04X}), which has no character outside that font"
        )
    return chr(value)


def _run(run: etree._Element, walk: _Walk, inherited: bool) -> Iterator[str]:
    hidden = _run_hidden(run, inherited, walk)
    fields = walk.fields
    for child in run:
        tag = child.tag
        if tag == W + "fldChar":  # the field's structure counts even in hidden runs
            kind = child.get(W + "fldCharType")
            if kind == "begin":
                fields.append(False)
            elif kind == "separate" and fields:
                fields[-1] = True
            elif kind == "end" and fields:
                fields.pop()
            continue
        if hidden or not all(fields) or tag in _SKIPPED:
            continue
        if tag == W + "t":
            yield child.text or ""
        elif tag in (W + "tab", W + "ptab"):
            yield "\t"
        elif tag in (W + "br", W + "cr"):
            yield _BREAK
        elif tag == W + "noBreakHyphen":
            yield "-"
        elif tag == W + "sym":
            yield _symbol(child)
        elif tag == W + "ruby":
            base = child.find(W + "rubyBase")
            if base is not None:
                yield from _pieces(base, walk, hidden)


def _pieces(element: etree._Element, walk: _Walk, hidden: bool) -> Iterator[str]:
    """`hidden`: whether runs without formatting of their own are hidden (a paragraph style)."""
    for child in element:
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIPPED:
            continue  # comments, processing instructions; deleted or hidden parts
        if tag == W + "r":
            yield from _run(child, walk, hidden)
        elif tag == W + "p":
            styled = _style_hides(child.find(W + "pPr"), W + "pStyle", walk)
            yield from _pieces(child, walk, styled)
            if not _mark_removed(child):
                yield _PARAGRAPH_END
        elif tag == W + "sdt":
            placeholder = child.find(f"{W}sdtPr/{W}showingPlcHdr")
            content = child.find(W + "sdtContent")
            if content is not None and (placeholder is None or not _is_on(placeholder)):
                yield from _pieces(content, walk, hidden)
        else:  # w:ins, w:moveTo, w:hyperlink, w:fldSimple, w:smartTag, w:customXml, w:bdo …
            yield from _pieces(child, walk, hidden)
