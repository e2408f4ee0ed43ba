"""Spoken confirmation, like a soundbox: "₹450 received" said aloud when a sale is PAID.

Qt-free. ``languages`` turns amounts into words (Indian grouping: lakh, crore; paise),
``phrases`` decides what is said for a sale, ``engine`` renders speech to WAV (espeak-ng,
run as a child process), ``speaker`` plays announcements one after another on a worker
thread, ``wav`` reads, measures and scales the audio.
"""
