"""Manager PIN: scrypt hashes, new-PIN rules, and the growing lockout (with a fake clock)."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest

from pos_app.domain.validate import ValidationError
from pos_app.services.manager.pin import (
    MAX_LOCKOUT,
    PinGuard,
    PinLockedError,
    hash_pin,
    lockout_seconds,
    validate_new_pin,
    verify_pin,
)

PIN = "2580"
WRONG = "2581"


class FakeClock:
    def __init__(self, now: float = 1_750_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(scope="module")
def encoded() -> str:
    return hash_pin(PIN)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


# ---- hashing ---------------------------------------------------------------------------------
def test_hash_format_and_parameters(encoded: str) -> None:
    scheme, n, r, p, salt_b64, key_b64 = encoded.split("$")
    assert (scheme, n, r, p) == ("scrypt", "16384", "8", "1")
    salt = base64.b64decode(salt_b64, validate=True)
    key = base64.b64decode(key_b64, validate=True)
    assert len(salt) == 16
    # The stored hash is exactly scrypt(PIN, salt, n=2**14, r=8, p=1).
    assert key == hashlib.scrypt(PIN.encode(), salt=salt, n=2**14, r=8, p=1, dklen=len(key))
    assert PIN not in encoded


def test_each_hash_gets_its_own_salt(encoded: str) -> None:
    again = hash_pin(PIN)
    assert again != encoded
    assert again.split("$")[4] != encoded.split("$")[4]
    assert verify_pin(PIN, again)


def test_verify(encoded: str) -> None:
    assert verify_pin(PIN, encoded) is True
    assert verify_pin(WRONG, encoded) is False
    assert verify_pin("", encoded) is False
    assert verify_pin(PIN + "0", encoded) is False
    assert verify_pin(None, encoded) is False  # type: ignore[arg-type]


def test_hash_refuses_an_empty_pin() -> None:
    with pytest.raises(ValueError):
        hash_pin("")


def _with(encoded: str, index: int, value: str) -> str:
    parts = encoded.split("$")
    parts[index] = value
    return "$".join(parts)


@pytest.mark.parametrize(
    "damage",
    [
        lambda e: "",
        lambda e: "2580",
        lambda e: e.replace("scrypt", "bcrypt", 1),
        lambda e: e + "$extra",
        lambda e: e.rsplit("$", 1)[0],
        lambda e: _with(e, 1, "16000"),  # not a power of two
        lambda e: _with(e, 1, str(2**30)),  # gigabytes of memory
        lambda e: _with(e, 1, "x"),
        lambda e: _with(e, 2, "0"),
        lambda e: _with(e, 4, "not base64!"),
        lambda e: _with(e, 5, base64.b64encode(b"short").decode()),
    ],
)
def test_a_damaged_hash_is_reported_not_treated_as_a_wrong_pin(
    encoded: str, damage: object
) -> None:
    assert callable(damage)
    with pytest.raises(ValueError, match="The stored manager PIN is damaged"):
        verify_pin(PIN, damage(encoded))


# ---- new PIN rules ---------------------------------------------------------------------------------
@pytest.mark.parametrize("pin", ["2580", "1357", "0852", "90210", "1243", "12345679", "1122"])
def test_new_pin_accepts(pin: str) -> None:
    assert validate_new_pin(pin) == pin


@pytest.mark.parametrize(
    ("pin", "message"),
    [
        ("", "Enter a PIN of 4 to 8 digits."),
        ("258", "A PIN has 4 to 8 digits; this one has 3."),
        ("258025802", "A PIN has 4 to 8 digits; this one has 9."),
        ("25a0", "A PIN has digits (0-9) only."),
        (" 2580", "A PIN has digits (0-9) only."),
        ("٢٥٨٠", "A PIN has digits (0-9) only."),
        ("२५८०", "A PIN has digits (0-9) only."),
        ("1111", "A PIN cannot be one digit repeated (like 1111)."),
        ("00000000", "A PIN cannot be one digit repeated (like 1111)."),
        ("1234", "A PIN cannot be a run of digits (like 1234 or 9876)."),
        ("0123", "A PIN cannot be a run of digits (like 1234 or 9876)."),
        ("6789", "A PIN cannot be a run of digits (like 1234 or 9876)."),
        ("7890", "A PIN cannot be a run of digits (like 1234 or 9876)."),
        ("4321", "A PIN cannot be a run of digits (like 1234 or 9876)."),
        ("98765432", "A PIN cannot be a run of digits (like 1234 or 9876)."),
        ("12345678", "A PIN cannot be a run of digits (like 1234 or 9876)."),
    ],
)
def test_new_pin_refuses(pin: str, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        validate_new_pin(pin)
    assert info.value.field == "manager_pin"
    assert info.value.message == message


# ---- lockout ----------------------------------------------------------------------------------
def test_lockout_schedule() -> None:
    assert [lockout_seconds(n) for n in range(1, 14)] == [
        0,
        0,
        0,
        0,
        30,
        60,
        120,
        240,
        480,
        960,
        1920,
        3600,
        3600,
    ]
    assert lockout_seconds(10_000) == MAX_LOCKOUT == 3600


def test_five_wrong_tries_lock_for_thirty_seconds(encoded: str, clock: FakeClock) -> None:
    guard = PinGuard(clock)
    for tries in range(1, 5):
        assert guard.check(WRONG, encoded) is False
        assert guard.failures == tries
        assert guard.locked_until() is None
    assert guard.check(WRONG, encoded) is False  # the fifth starts the lock
    assert guard.locked_until() == clock.now + 30
    # While locked not even the right PIN is looked at.
    with pytest.raises(PinLockedError) as info:
        guard.check(PIN, encoded)
    assert info.value.seconds_left == 30
    assert str(info.value) == "Too many wrong PINs. Try again in 30 seconds."
    clock.advance(29.5)
    with pytest.raises(PinLockedError) as info:
        guard.check(PIN, encoded)
    assert info.value.seconds_left == pytest.approx(0.5)
    assert str(info.value) == "Too many wrong PINs. Try again in 1 second."
    clock.advance(0.5)
    assert guard.locked_until() is None
    assert guard.check(PIN, encoded) is True
    assert guard.failures == 0


def test_the_lock_doubles_up_to_an_hour(encoded: str, clock: FakeClock) -> None:
    guard = PinGuard(clock)
    for _ in range(4):
        guard.check(WRONG, encoded)
    locks = []
    for _ in range(9):
        assert guard.check(WRONG, encoded) is False
        until = guard.locked_until()
        assert until is not None
        locks.append(until - clock.now)
        clock.advance(until - clock.now)
    assert locks == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_the_right_pin_resets_the_count(encoded: str, clock: FakeClock) -> None:
    guard = PinGuard(clock)
    for _ in range(6):
        clock.advance(3600)
        guard.check(WRONG, encoded)
    clock.advance(3600)
    assert guard.check(PIN, encoded) is True
    assert guard.failures == 0
    for _ in range(4):
        guard.check(WRONG, encoded)
    assert guard.locked_until() is None
    guard.check(WRONG, encoded)
    assert guard.locked_until() == clock.now + 30  # back to the first step


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (30, "30 seconds"),
        (59, "59 seconds"),
        (59.2, "1 minute"),
        (60, "1 minute"),
        (61, "2 minutes"),
        (3600, "60 minutes"),
    ],
)
def test_locked_message_wording(seconds: float, text: str) -> None:
    assert str(PinLockedError(seconds)) == f"Too many wrong PINs. Try again in {text}."


def test_a_clock_set_back_never_locks_for_more_than_an_hour(encoded: str, clock: FakeClock) -> None:
    guard = PinGuard(clock)
    for _ in range(5):
        guard.check(WRONG, encoded)
    clock.advance(-7 * 24 * 3600)
    until = guard.locked_until()
    assert until is not None
    assert until - clock.now == MAX_LOCKOUT


def test_a_damaged_hash_does_not_count_as_a_wrong_try(encoded: str, clock: FakeClock) -> None:
    guard = PinGuard(clock)
    with pytest.raises(ValueError):
        guard.check(PIN, "scrypt$broken")
    assert guard.failures == 0


# ---- persistence ------------------------------------------------------------------------------
def test_the_count_survives_a_restart(encoded: str, clock: FakeClock, tmp_path: Path) -> None:
    state = tmp_path / "state" / "pin.json"
    first = PinGuard(clock, state)
    for _ in range(5):
        first.check(WRONG, encoded)
    assert json.loads(state.read_text(encoding="utf-8")) == {
        "version": 1,
        "failures": 5,
        "locked_until": clock.now + 30,
    }
    restarted = PinGuard(clock, state)
    assert restarted.failures == 5
    assert restarted.locked_until() == clock.now + 30
    with pytest.raises(PinLockedError):
        restarted.check(PIN, encoded)
    clock.advance(30)
    assert restarted.check(WRONG, encoded) is False
    assert restarted.locked_until() == clock.now + 60  # continues where the first left off
    clock.advance(60)
    assert PinGuard(clock, state).check(PIN, encoded) is True
    assert json.loads(state.read_text(encoding="utf-8"))["failures"] == 0


def test_without_a_state_path_a_new_guard_starts_fresh(encoded: str, clock: FakeClock) -> None:
    first = PinGuard(clock)
    for _ in range(5):
        first.check(WRONG, encoded)
    assert PinGuard(clock).locked_until() is None


def test_two_guards_on_one_file_share_the_count(
    encoded: str, clock: FakeClock, tmp_path: Path
) -> None:
    state = tmp_path / "pin.json"
    gui, cli = PinGuard(clock, state), PinGuard(clock, state)
    for guard in (gui, cli, gui, cli):
        guard.check(WRONG, encoded)
    assert cli.check(WRONG, encoded) is False
    with pytest.raises(PinLockedError):
        gui.check(PIN, encoded)


@pytest.mark.parametrize(
    "content",
    [
        "",
        "not json",
        "[]",
        '{"failures": -1, "locked_until": null}',
        '{"failures": "0"}',
        '{"failures": true, "locked_until": null}',
        '{"failures": 0, "locked_until": "soon"}',
    ],
)
def test_a_damaged_state_file_does_not_reset_the_count(
    encoded: str, clock: FakeClock, tmp_path: Path, content: str
) -> None:
    state = tmp_path / "pin.json"
    state.write_text(content, encoding="utf-8")
    guard = PinGuard(clock, state)
    assert guard.failures == 4
    assert guard.check(WRONG, encoded) is False
    assert guard.locked_until() == clock.now + 30
    assert json.loads(state.read_text(encoding="utf-8"))["failures"] == 5


def test_an_unusable_state_path_still_locks_in_memory(
    encoded: str, clock: FakeClock, tmp_path: Path
) -> None:
    state = tmp_path / "taken"
    state.mkdir()  # a folder where the file should be: cannot be read or replaced
    (state.parent / "taken.tmp").mkdir()
    guard = PinGuard(clock, state)
    for _ in range(5):
        assert guard.check(WRONG, encoded) is False
    with pytest.raises(PinLockedError):
        guard.check(PIN, encoded)
