"""Verifiable transcripts: a participant's credit lines, each with the position of the
event it came from, signed with the provider's Ed25519 key (QI_CREDIT_KEY, kept outside the
database), so a board or an employer checks it offline with the published public key
(`qi credits verify FILE --public-key PEM`).

The file is JSON: {"transcript": {...}, "signature": {"alg", "key_id", "value"}}. What is
signed is the transcript's canonical bytes (keys sorted, no spaces: orjson with
OPT_SORT_KEYS), so changing any byte of a line, a total or the name breaks the signature,
and the same ledger, date and key make the same bytes again (Ed25519 signatures are
deterministic, RFC 8032). Online, `superseded_by` tells whether a line was reversed since
the transcript was made (a corrected attendance): the earlier transcript still verifies,
and reads as superseded.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from engine.audit_key import SigningKey, VerifyingKey, load_signing_key
from engine.errors import NotConfigured
from projections.credits.schemas import Transcript

FORMAT = "qi-transcript/1"
SETTING = "QI_CREDIT_KEY"


class CreditKeyMissing(NotConfigured):
    def __init__(self) -> None:
        super().__init__(
            f"transcripts are unsigned: {SETTING} is not set; create a key with `qi audit keygen --out FILE` "
            f"and set {SETTING}=FILE (or the PEM itself)"
        )


def credit_key(value: str | None) -> SigningKey:
    if not value or not value.strip():
        raise CreditKeyMissing()
    return load_signing_key(value, SETTING)


def canonical(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def document(transcript: Transcript, provider: str, as_of: datetime) -> dict[str, Any]:
    """The transcript as signed: its lines in ledger order, each with its source position."""
    lines = [
        {
            "entry_id": e.entry_id, "credit_type": e.credit_type.value, "amount": e.amount, "unit": e.unit,
            "credit_date": e.credit_date.isoformat(), "activity": e.activity_title, "accrediting_body": e.accrediting_body,
            "rule_version": e.rule_version, "source_position": e.source_position, "reverses": e.reverses,
        }
        for e in sorted([*transcript.entries, *transcript.reversals], key=lambda e: (e.source_position, e.entry_id))
    ]  # fmt: skip
    totals = [
        {"credit_type": t.credit_type.value, "amount": t.amount, "unit": t.unit} for t in transcript.totals
    ]
    return {
        "format": FORMAT, "provider": provider, "participant_id": str(transcript.participant_id),
        "name": transcript.name, "licences": transcript.licences, "as_of": as_of.isoformat(),
        "lines": lines, "totals": totals,
    }  # fmt: skip


def sign(doc: dict[str, Any], key: SigningKey) -> bytes:
    """The signed transcript file's bytes."""
    signature = base64.b64encode(key.sign(canonical(doc))).decode()
    signed = {
        "transcript": doc,
        "signature": {"alg": "Ed25519", "key_id": key.verifying.id, "value": signature},
    }
    return orjson.dumps(signed, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2) + b"\n"


@dataclass(frozen=True)
class Checked:
    valid: bool
    reason: str  # in words: why it does not verify, or what it is
    transcript: dict[str, Any] | None = None


def verify(data: bytes, key: VerifyingKey) -> Checked:
    """Whether `data` is a transcript signed by `key`, unchanged."""
    try:
        signed = orjson.loads(data)
        doc, signature = signed["transcript"], signed["signature"]
        value = base64.b64decode(signature["value"], validate=True)
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return Checked(False, "this is not a signed transcript (its JSON or signature block is malformed)")
    if doc.get("format") != FORMAT:
        return Checked(False, f"this transcript's format is {doc.get('format')!r}, not {FORMAT}")
    if signature.get("key_id") != key.id:
        return Checked(False, f"signed with key {signature.get('key_id')}, not with {key.id}")
    if not key.verifies(value, canonical(doc)):
        return Checked(False, "the signature does not match: the transcript was changed after it was signed")
    return Checked(
        True, f"a transcript of {doc['name']} as of {doc['as_of']}, signed by {doc['provider']}", doc
    )


def superseded_by(doc: dict[str, Any], now: Transcript) -> dict[str, str]:
    """The transcript's lines reversed since it was made: entry id → the reversal's id."""
    reversed_now = {e.entry_id: e.reversed_by for e in now.entries if e.reversed_by}
    return {
        line["entry_id"]: reversed_now[line["entry_id"]]
        for line in doc["lines"]
        if line["entry_id"] in reversed_now
    }
