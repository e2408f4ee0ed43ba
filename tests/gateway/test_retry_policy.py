"""RetryPolicy: exponential backoff, capped, jittered, only for retryable errors."""

from __future__ import annotations

import random

import pytest

from pos_app.gateway import errors
from pos_app.gateway.retry import RetryPolicy, full_jitter


def identity(delay: float) -> float:
    return delay


SERVER = errors.ServerError("internal Server Error", http_status=500)


def test_backoff_doubles_until_attempts_run_out() -> None:
    policy = RetryPolicy(jitter=identity)
    assert [policy.delay_for(n, SERVER) for n in (1, 2, 3, 4, 5)] == [0.5, 1.0, 2.0, None, None]


def test_backoff_is_capped() -> None:
    policy = RetryPolicy(max_attempts=10, base_delay=1.0, max_delay=8.0, jitter=identity)
    assert [policy.delay_for(n, SERVER) for n in range(1, 7)] == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]


def test_huge_attempt_numbers_stay_finite() -> None:
    policy = RetryPolicy(max_attempts=10**6, jitter=identity)
    assert policy.delay_for(10**5, SERVER) == 8.0


def test_jitter_gets_the_capped_backoff() -> None:
    seen: list[float] = []

    def jitter(delay: float) -> float:
        seen.append(delay)
        return 0.25

    policy = RetryPolicy(max_attempts=8, jitter=jitter)
    assert [policy.delay_for(n, SERVER) for n in (1, 6)] == [0.25, 0.25]
    assert seen == [0.5, 8.0]


@pytest.mark.parametrize(
    "error",
    [
        errors.InvalidRequestError("bad", http_status=400),
        errors.AuthenticationError("auth", http_status=401),
        errors.NotFoundError("nf", http_status=404),
        errors.DuplicateOrderError("dup", http_status=409),
        errors.IdempotencyConflictError("idem", http_status=422),
    ],
)
def test_never_retries_what_is_not_retryable(error: errors.GatewayError) -> None:
    assert RetryPolicy(jitter=identity).delay_for(1, error) is None


@pytest.mark.parametrize(
    "error",
    [
        errors.ServerError("x"),
        errors.BankError("x"),
        errors.GatewayTimeout("x"),
        errors.GatewayUnreachable("x"),
        errors.BadResponseError("x"),
        errors.RateLimitedError("x"),
    ],
)
def test_retries_what_is_retryable(error: errors.GatewayError) -> None:
    assert RetryPolicy(jitter=identity).delay_for(1, error) == 0.5


def test_rate_limited_waits_at_least_retry_after() -> None:
    policy = RetryPolicy(jitter=identity)
    assert policy.delay_for(1, errors.RateLimitedError("x", retry_after=5.0)) == 5.0
    assert policy.delay_for(3, errors.RateLimitedError("x", retry_after=0.5)) == 2.0
    assert policy.delay_for(1, errors.RateLimitedError("x", retry_after=None)) == 0.5
    assert policy.delay_for(4, errors.RateLimitedError("x", retry_after=5.0)) is None


def test_one_attempt_means_no_retry() -> None:
    assert RetryPolicy(max_attempts=1, jitter=identity).delay_for(1, SERVER) is None


def test_bad_arguments() -> None:
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError):
        RetryPolicy(base_delay=-1.0)
    with pytest.raises(ValueError):
        RetryPolicy().delay_for(0, SERVER)


def test_full_jitter_stays_within_the_backoff() -> None:
    random.seed(1234)
    samples = [full_jitter(2.0) for _ in range(500)]
    assert all(0.0 <= s <= 2.0 for s in samples)
    assert min(samples) < 0.2 and max(samples) > 1.8  # spread over the whole range
    assert full_jitter(0.0) == 0.0


def test_default_policy_uses_full_jitter() -> None:
    random.seed(99)
    delays = {RetryPolicy().delay_for(3, SERVER) for _ in range(50)}
    assert all(d is not None and 0.0 <= d <= 2.0 for d in delays)
    assert len(delays) > 1
