"""Password hashing at the production parameters: argon2id, 19 MiB, t=2, p=1 (OWASP minimum)."""

from __future__ import annotations

from civicgrid_identity.domain.passwords import PasswordPolicy


def test_production_policy_hashes_with_argon2id_at_the_owasp_minimum_and_verifies():
    policy = PasswordPolicy()
    stored = policy.hash("correct-horse-battery")

    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert "correct-horse-battery" not in stored
    assert policy.verify(stored, "correct-horse-battery")
    assert not policy.verify(stored, "correct-horse-battery ")
    assert not policy.needs_rehash(stored)


def test_same_password_hashes_differently_each_time():
    policy = PasswordPolicy()
    assert policy.hash("same-password-1") != policy.hash("same-password-1")


def test_unknown_account_and_garbage_hashes_never_verify():
    policy = PasswordPolicy()
    # An unknown account is checked against a decoy, so it costs the same and still fails...
    assert not policy.verify(None, "decoy-password-never-matches")
    # ...and a damaged stored hash is a failed login, not a crash.
    assert not policy.verify("not-a-hash", "whatever")


def test_hashes_made_at_a_cheaper_cost_are_flagged_for_rehashing():
    cheap = PasswordPolicy(time_cost=1, memory_kib=1024)
    assert PasswordPolicy().needs_rehash(cheap.hash("correct-horse-battery"))
    # Still accepted meanwhile: the parameters travel inside the hash.
    assert PasswordPolicy().verify(cheap.hash("correct-horse-battery"), "correct-horse-battery")
