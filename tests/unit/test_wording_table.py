"""The one wording table (services/wording.py): every status and reason code has its words,
and no other module keeps its own status -> words mapping."""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pos_app.domain.money import Money
from pos_app.domain.sale import Method, ReasonCode, Sale, SaleStatus
from pos_app.services import wording
from pos_app.services.wording import STATUS_WORDS, Style, sale_message, words

ROOT = Path(__file__).resolve().parents[2]
PKG = ROOT / "pos_app"
TABLE = PKG / "services" / "wording.py"
# Packages that speak of Cashfree's own order, payment and link statuses, not the till's.
CASHFREE_WORDS = ("gateway", "simulator")
CODE_ENUMS = {"SaleStatus": SaleStatus, "ReasonCode": ReasonCode}


@pytest.mark.parametrize("status", list(SaleStatus))
@pytest.mark.parametrize("code", [None, *ReasonCode])
def test_every_status_and_reason_has_title_name_sentence_and_style(
    status: SaleStatus, code: ReasonCode | None
) -> None:
    said = words(status, code)
    for part in (said.title, said.name, said.sentence):
        assert part.strip() == part and part, (status, code, said)
    assert said.sentence[-1] in ".…", said.sentence  # a whole sentence
    assert isinstance(said.style, Style)
    if code is not None:
        assert said.sentence == wording.REASON_SENTENCES[code]


def test_the_table_has_no_extra_or_missing_rows() -> None:
    assert set(STATUS_WORDS) == set(SaleStatus)
    assert set(wording.REASON_SENTENCES) == set(ReasonCode)


def test_short_names_tell_statuses_apart() -> None:
    names = [w.name for w in STATUS_WORDS.values()]
    titles = [w.title for w in STATUS_WORDS.values()]
    assert len(set(names)) == len(names)
    assert len(set(titles)) == len(titles)


def test_styles_say_how_much_attention_a_status_needs() -> None:
    assert wording.status_style(SaleStatus.PAID) is Style.PAID
    assert wording.status_style(SaleStatus.FAILED) is Style.FAILED
    assert wording.status_style(SaleStatus.UNCERTAIN) is Style.UNCERTAIN
    for status in (SaleStatus.EXPIRED, SaleStatus.CANCELLED):
        assert wording.status_style(status) is Style.ENDED


def test_every_style_has_its_colours_in_the_stylesheet() -> None:
    """The desk turns a style into colours in one place: the stylesheet's kind rules."""
    sheet = (ROOT / "resources" / "style.qss").read_text(encoding="utf-8")
    for style in Style:
        assert f'#resultScreen[kind="{style.value}"] #resultTitle' in sheet, style


def _sale(status: SaleStatus, method: Method, code: ReasonCode | None, **kw: object) -> Sale:
    now = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    return Sale(
        order_id="T1-1",
        terminal_id="T1",
        environment="demo",
        amount=Money(125050),
        method=method,
        status=status,
        idempotency_key="k",
        created_at=now,
        updated_at=now,
        reason_code=code,
        vpa="shopper@upi",
        **kw,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("status", list(SaleStatus))
@pytest.mark.parametrize("method", list(Method))
@pytest.mark.parametrize("code", [None, *ReasonCode])
def test_the_counter_has_a_line_for_every_sale(
    status: SaleStatus, method: Method, code: ReasonCode | None
) -> None:
    assert sale_message(_sale(status, method, code))


def test_the_counter_line_reads_the_reason_code() -> None:
    cancelled = _sale(SaleStatus.CANCELLED, Method.UPI_QR, ReasonCode.CANCELLED_BY_CASHIER)
    assert sale_message(cancelled) == "Cancelled by the cashier. No money was taken."
    # An expiry the demo caused is not "the time ran out".
    restarted = _sale(SaleStatus.EXPIRED, Method.UPI_QR, ReasonCode.DEMO_RESTARTED)
    assert sale_message(restarted) == wording.REASON_SENTENCES[ReasonCode.DEMO_RESTARTED]
    # Cashfree's own words, when it refused, come first.
    refused = _sale(SaleStatus.FAILED, Method.UPI_QR, None, reason="amount too low")
    assert sale_message(refused) == "amount too low"
    # Not confirmed at the counter: never "no money was taken", always "do not charge again".
    for code in (None, ReasonCode.CANCEL_UNCONFIRMED):
        line = sale_message(_sale(SaleStatus.UNCERTAIN, Method.UPI_QR, code))
        assert "do not charge the customer again" in line and "No money" not in line


def test_a_failed_attempt_is_said_the_same_everywhere() -> None:
    assert wording.attempt_failed("Insufficient funds.") == (
        "The customer's attempt failed: Insufficient funds. They can try again."
    )


# ---- nobody else keeps a status -> words mapping ------------------------------------------
def _aliases(tree: ast.Module) -> dict[str, str]:
    """Names that stand for SaleStatus or ReasonCode in a module (`S = SaleStatus`, imports
    under another name)."""
    names = {name: name for name in CODE_ENUMS}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name in CODE_ENUMS and alias.asname:
                    names[alias.asname] = alias.name
        elif (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Name)
            and node.value.id in names
        ):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    names[target.id] = names[node.value.id]
    return names


def _is_code(node: ast.expr | None, aliases: dict[str, str]) -> bool:
    """Is `node` a member of SaleStatus or ReasonCode, like SaleStatus.PAID or S.PAID?"""
    if not (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id in aliases
    ):
        return False
    return node.attr in CODE_ENUMS[aliases[node.value.id]].__members__


def _tests_a_code(test: ast.expr, aliases: dict[str, str]) -> bool:
    """`x is SaleStatus.PAID` (alone or within and/or)."""
    return any(
        isinstance(part, ast.Compare)
        and any(_is_code(right, aliases) for right in part.comparators)
        for part in ast.walk(test)
    )


def _returns_words(body: list[ast.stmt]) -> bool:
    """Does this branch return a sentence of its own (`return "..."`, `return x or "..."`)?"""
    for statement in body:
        for node in ast.walk(statement):
            if isinstance(node, ast.Return) and node.value is not None:
                values = node.value.values if isinstance(node.value, ast.BoolOp) else [node.value]
                if any(_is_words(value) for value in values):
                    return True
    return False


def _is_words(node: ast.expr) -> bool:
    return (isinstance(node, ast.Constant) and isinstance(node.value, str)) or isinstance(
        node, ast.JoinedStr
    )


def _names_a_code(node: ast.expr) -> bool:
    """`status`, `sale.status`, `state.reason_code` and the like."""
    name = node.id if isinstance(node, ast.Name) else getattr(node, "attr", "")
    return name in ("status", "reason_code")


def words_outside_the_table(source: str) -> list[str]:
    """Status or reason code -> words, kept by a module itself: a dict literal keyed by
    codes with string values, or a name built from a code's own value
    (`status.value.replace("_", " ").lower()`)."""
    tree = ast.parse(source)
    aliases = _aliases(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            said = [
                branch
                for branch in ast.walk(node)
                if isinstance(branch, ast.If)
                and _tests_a_code(branch.test, aliases)
                and _returns_words(branch.body)
            ]
            if len(said) >= 2:
                found.append(f"line {node.lineno}: {node.name} says words status by status")
        if isinstance(node, ast.Dict):
            pairs = [
                (key, value)
                for key, value in zip(node.keys, node.values, strict=True)
                if _is_code(key, aliases)
            ]
            if pairs and any(_is_words(value) for _, value in pairs):
                found.append(f"line {node.lineno}: a dict of words keyed by status or reason")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("lower", "title", "capitalize", "replace")
            and isinstance(node.func.value, ast.Attribute)
            and node.func.value.attr == "value"
            and _names_a_code(node.func.value.value)
        ):
            found.append(f"line {node.lineno}: words made from a code's value")
    return found


def test_the_detector_finds_a_mapping_of_its_own() -> None:
    assert words_outside_the_table(
        "from pos_app.domain.sale import SaleStatus as St\n"
        "KIND = {St.PAID: 'paid', St.FAILED: 'failed'}\n"
    )
    assert words_outside_the_table(
        "from pos_app.domain.sale import SaleStatus\n"
        "S = SaleStatus\n"
        "NAMES = {S.PAID: f'Paid {1}'}\n"
    )
    assert words_outside_the_table("def f(sale):\n    return sale.status.value.lower()\n")
    assert words_outside_the_table("def f(status):\n    return status.value.title()\n")
    assert words_outside_the_table(
        "from pos_app.domain.sale import SaleStatus\n"
        "def title(status):\n"
        "    if status is SaleStatus.PAID:\n        return 'Paid'\n"
        "    if status is SaleStatus.FAILED:\n        return f'Failed {status}'\n"
        "    return ''\n"
    )
    # Mappings to things that are not words (exit codes, sets of statuses) are fine.
    assert not words_outside_the_table(
        "from pos_app.domain.sale import SaleStatus\n"
        "CODE = {SaleStatus.PAID: 0, SaleStatus.FAILED: 5}\n"
        "TALLY = {s: [0, 0] for s in SaleStatus}\n"
    )


def test_no_module_outside_the_table_keeps_status_words() -> None:
    offenders = []
    for path in sorted(PKG.rglob("*.py")):
        if path == TABLE or path.relative_to(PKG).parts[0] in CASHFREE_WORDS:
            continue
        for finding in words_outside_the_table(path.read_text(encoding="utf-8")):
            offenders.append(f"{path.relative_to(ROOT)} {finding}")
    assert not offenders, "status words belong in services/wording.py:\n" + "\n".join(offenders)
