"""iCalendar (RFC 5545) rendering of festival occurrences."""

import datetime as dt

from icalendar import Calendar, Event

from django.conf import settings


def render(events, request, name: str) -> bytes:
    """``events`` are (first day, last day, festival page) tuples."""
    feed = Calendar()
    feed.add("prodid", "-//Di san so DTTS//Festival calendar//VI")
    feed.add("version", "2.0")
    feed.add("calscale", "GREGORIAN")
    feed.add("x-wr-calname", name)
    feed.add("x-wr-timezone", settings.TIME_ZONE)
    host = request.get_host().split(":")[0]
    stamp = dt.datetime.now(dt.UTC)
    for first, last, festival in events:
        event = Event()
        event.add("uid", f"{festival.identifier}-{first.isoformat()}@{host}")
        event.add("dtstamp", stamp)
        # A festival not yet translated keeps its Vietnamese title and summary, marked with RFC 5545's LANGUAGE.
        language = {"LANGUAGE": festival.text_language} if festival.text_language else None
        event.add("summary", festival.title, parameters=language)
        event.add("dtstart", first)
        event.add("dtend", last + dt.timedelta(days=1))  # DTEND of an all-day event is exclusive
        event.add("url", request.build_absolute_uri(festival.get_url(request)))
        if festival.summary:
            event.add("description", festival.summary, parameters=language)
        event.add("transp", "TRANSPARENT")
        feed.add_component(event)
    return feed.to_ical()
