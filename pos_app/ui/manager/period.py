"""The days a report covers, said as dates ("Thursday 26 Nov 2026"), never as midnights."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

__all__ = ["day_period"]


def day_period(start: datetime, end: datetime, zone: tzinfo) -> str:
    """[start, end) in local days: one day by its date, several as first to last day."""
    first = start.astimezone(zone)
    last = (end - timedelta(microseconds=1)).astimezone(zone)
    if first.date() == last.date():
        whole = first.time() == datetime.min.time() and (end - start) >= timedelta(hours=23)
        day = f"{first:%A} {first:%d %b %Y}"
        return day if whole else f"{day}, {first:%H:%M} to {end.astimezone(zone):%H:%M}"
    return f"{first:%d %b %Y} to {last:%d %b %Y}"
