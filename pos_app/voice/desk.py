"""The desk's voice: what the cashier's window calls when a sale is paid (Qt-free).

The window tells it two things: the sale at the counter turned PAID (on screen now), or a
sale away from the counter was paid (late, or followed in the background) and whether
another customer's QR is showing. Each sale is announced at most once.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

from pos_app.services.checkout.state import SaleState
from pos_app.voice.languages import language
from pos_app.voice.phrases import Announcement, VoiceOptions, at_counter, away_from_counter
from pos_app.voice.ready import open_speaker
from pos_app.voice.speaker import Speaker

__all__ = ["SAMPLE_BILL", "SAMPLE_PAISE", "DeskVoice"]

REMEMBERED = 200  # order ids already announced, so a sale is never said twice
SAMPLE_PAISE = 450_00  # what "Test voice" says
SAMPLE_BILL = "42"

Opener = Callable[[], tuple[Speaker | None, str | None]]


class DeskVoice:
    def __init__(self, options: VoiceOptions, opener: Opener = open_speaker) -> None:
        self.options = options
        self._opener = opener
        self._speaker: Speaker | None = None
        self.problem: str | None = None  # why it is silent although switched on
        self._said: OrderedDict[str, None] = OrderedDict()
        if options.enabled:
            self._open()

    @classmethod
    def silent(cls) -> DeskVoice:
        return cls(VoiceOptions(enabled=False))

    @property
    def notice(self) -> str | None:
        """The visible notice when the voice is on but this machine cannot speak."""
        return self.problem if self.options.enabled and self._speaker is None else None

    def reconfigure(self, options: VoiceOptions) -> None:
        self.options = options
        if options.enabled and self._speaker is None:
            self._open()

    def counter_paid(self, state: SaleState) -> bool:
        """The sale at the counter is PAID on screen. True when it is being announced."""
        return self._say(at_counter(state, self.options))

    def paid_elsewhere(self, state: SaleState, *, other_qr_on_screen: bool) -> bool:
        """A sale not at the counter was paid. True when it is being announced."""
        return self._say(
            away_from_counter(state, self.options, other_qr_on_screen=other_qr_on_screen)
        )

    def test(self, options: VoiceOptions) -> str | None:
        """Say the sample with these (unsaved) options; returns the sentence, or None when
        the machine cannot speak (see ``problem``)."""
        if self._speaker is None:
            self._open()
        if self._speaker is None:
            return None
        bill = SAMPLE_BILL if options.say_bill else None
        spoken = language(options.language)
        sentence = Announcement("test", SAMPLE_PAISE, late=False, bill=bill).text(spoken)
        self._speaker.say(sentence, spoken, options.volume)
        return sentence

    def close(self) -> None:
        if self._speaker is not None:
            self._speaker.close()
            self._speaker = None

    def _open(self) -> None:
        self._speaker, self.problem = self._opener()

    def _say(self, announcement: Announcement | None) -> bool:
        speaker = self._speaker
        if announcement is None or speaker is None:
            return False
        if announcement.order_id in self._said:
            return False
        self._said[announcement.order_id] = None
        while len(self._said) > REMEMBERED:
            self._said.popitem(last=False)
        spoken = language(self.options.language)
        return speaker.say(announcement.text(spoken), spoken, self.options.volume)
