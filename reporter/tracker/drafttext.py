"""Writes a drafted week as a new notes file: block style, a header comment, empty bullets."""

from __future__ import annotations

from reporter.store.yamltext import block_item_lines, key_text, mapping_value_lines
from reporter.tracker.carry import Draft
from reporter.week import week_start

INDENT = 2


def draft_text(draft: Draft) -> str:
    """The YAML text of the draft, in the layout of SPEC section 4."""
    lines = _header(draft)
    lines.append("sections:")
    for section in draft.sections:
        lines.append(f"{' ' * INDENT}{key_text(section.title)}:")
        col = 2 * INDENT
        if section.note is not None:
            lines.extend(mapping_value_lines("note", section.note, col))
        if not section.cards:
            lines.append(f"{' ' * col}cards: {{}}")
        else:
            lines.append(f"{' ' * col}cards:")
        for card in section.cards:
            ccol = col + INDENT
            if not card.links and card.summary is None:
                lines.append(f"{' ' * ccol}{key_text(card.key)}: []")
                continue
            lines.append(f"{' ' * ccol}{key_text(card.key)}:")
            if card.summary is not None:
                lines.extend(mapping_value_lines("summary", card.summary, ccol + INDENT))
            if card.links:
                lines.append(f"{' ' * (ccol + INDENT)}links:")
            for link in card.links:
                lines.extend(block_item_lines(link, ccol + 2 * INDENT))
            lines.append(f"{' ' * (ccol + INDENT)}notes: []")
        lines.append(f"{' ' * col}misc: []")
    if draft.issues:
        lines.append("issues:")
        for issue in draft.issues:
            lines.extend(block_item_lines(issue, INDENT))
    else:
        lines.append("issues: []")
    return "\n".join(lines) + "\n"


def _header(draft: Draft) -> list[str]:
    week = draft.week_end
    first = week_start(week)
    origin = (f"carried forward from the week ending {draft.source_week} by `reporter draft`"
              if draft.source_week else "started by `reporter draft` from the configuration")
    if draft.jira_week is not None:
        origin += f" and the Jira pull of the week ending {draft.jira_week}"
    lines = [
        f"# Notes for the week ending {week} ({first:%a %b} {first.day} to "
        f"{week:%a %b} {week.day}),",
        f"# {origin}.",
    ]
    if draft.dropped:
        closed = ", ".join(f"{d.key} ({d.status})" if d.status else d.key for d in draft.dropped)
        lines.append(f"# Closed in Jira and dropped: {closed}.")
    if draft.added:
        lines.append(f"# New in Jira: {', '.join(draft.added)}.")
    lines += [
        "#",
        "# Write one bullet per item under a card: `- text`, or `- |` and indented lines.",
        "# A card is a list of bullets or {summary: ..., links: [...], notes: [...]} (summary:",
        "# its title when Jira has none); `misc` holds bullets of no card. From the shell:",
        "# reporter note KEY \"text\"; reporter note --issue \"text\".",
        f"# See the email: reporter preview --week {week}",
    ]
    return lines
