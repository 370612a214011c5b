"""The event feed (staff, auditors, subscribers): pages of every collaborative's events."""

from __future__ import annotations

from collections.abc import Callable

from aggregates.tokens import Principal
from engine import authorization
from engine.feed import FeedEvent, FeedPage, read_feed, read_page
from engine.queries.base import Reader

FeedReader = Callable[[int, int], list[FeedEvent]]


class FeedQueries(Reader):
    def feed_page(self, principal: Principal, after: int, limit: int) -> FeedPage:
        """The events after a position, at most `limit`, with the position to continue from."""
        authorization.authorize_feed(principal)
        return read_page(self.engine, after, limit)

    def feed_reader(self, principal: Principal) -> FeedReader:
        """For a stream: `read(after, limit)` pages of events, the caller authorised once, here."""
        authorization.authorize_feed(principal)
        engine = self.engine
        return lambda after, limit: read_feed(engine, after, limit)
