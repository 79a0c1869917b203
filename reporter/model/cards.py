"""What the Jira source knows about a card, as stored in the week's snapshot."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Comment:
    id: str
    author: str  # display name
    author_id: str  # accountId (Cloud) or user name (Server)
    created: str  # ISO 8601 with offset, as Jira sent it
    body: str  # plain text (wiki markup and ADF already flattened)
    mine: bool = False


@dataclass(frozen=True)
class Attachment:
    id: str
    filename: str  # as Jira names it (unsanitised; never used as a path)
    mime_type: str
    size: int
    created: str
    local_path: str | None = None  # relative to data_dir, when downloaded
    skipped: str | None = None  # why a measurement-looking file was not downloaded


@dataclass(frozen=True)
class RemoteLink:
    url: str
    title: str = ""


@dataclass(frozen=True)
class StatusChange:
    """One status transition from the card's changelog."""

    date: str  # ISO 8601 with offset, as Jira sent it
    from_status: str
    to_status: str


@dataclass(frozen=True)
class Card:
    key: str
    summary: str | None
    status: str | None = None
    status_category: str | None = None
    resolution: str | None = None
    updated: str | None = None
    comments: tuple[Comment, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    remote_links: tuple[RemoteLink, ...] = ()
    status_changes: tuple[StatusChange, ...] = ()  # the week's, oldest first

    @property
    def project(self) -> str:
        return self.key.split("-", 1)[0]

    @property
    def is_done(self) -> bool:
        return self.status_category == "Done"


@dataclass(frozen=True)
class JiraSnapshot:
    """One pull of Jira for one week: `data/snapshots/<week>/jira.json`."""

    pulled_at: str  # ISO 8601, aware
    server: str | None
    jql: str | None
    cards: tuple[Card, ...] = ()

    def card(self, key: str) -> Card | None:
        for card in self.cards:
            if card.key == key:
                return card
        return None
