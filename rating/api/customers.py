"""POST /customers (upsert) and GET /customers/{external_id}: account links in Lago's shape.

A Lago customer of a service is one account link (rating.ingest.tables): external_id is the
app's account_id, `state` the province, `zipcode` the postal code, address_line1 and 2 the
street (joined for the Odoo partner, kept apart for the answer), and
`billing_configuration.document_locale` the partner's language (Lago's `fr` is Odoo's `fr_CA`,
`en` is `en_CA`). Two extension fields: `customer_key`, the customer (one Odoo partner across
services) the account belongs to, and `language`, an Odoo language code that wins over the locale.

Lago's upsert keeps what a request leaves out; so does this one: a field absent from the request
keeps its value in the new version, a field sent as null clears it. A new account without a
customer_key gets `<service>:<external_id>`: never the bare external_id, since two services'
account ids may be equal and would then merge two clients into one partner.

An account the rating holds as ambiguous_account (its rows tied as the latest version link it to
different customer keys, e.g. two hand-landed files) is never resolved by a guess: GET answers
409 ambiguous_account, and an upsert must say which customer it belongs to (`customer_key`; 422
otherwise), since keeping the key "as it is" would pick one of the files.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict

from rating.api import errors
from rating.api.auth import Service
from rating.api.landed_references import ReferenceStore, store_of
from rating.api.settings import ApiSettings

router = APIRouter(tags=["customers"])
NAMESPACE = uuid.UUID("4f0c8b6e-3c55-4d7e-9a51-0d5a4a1f2b61")
"""lago_id is derived, never stored: the same customer always has the same one."""

# Lago's document locales to the Odoo languages our partners use; others are kept as sent.
LOCALES = {"fr": "fr_CA", "en": "en_CA"}


class BillingConfiguration(BaseModel):
    model_config = ConfigDict(extra="ignore")
    document_locale: str | None = None


class CustomerInput(BaseModel):
    """Lago's customer fields this API keeps (others are accepted and ignored)."""

    model_config = ConfigDict(extra="ignore")
    external_id: str | None = None
    name: str | None = None
    email: str | None = None
    legal_name: str | None = None
    address_line1: str | None = None
    address_line2: str | None = None
    city: str | None = None
    zipcode: str | None = None
    state: str | None = None
    country: str | None = None
    billing_configuration: BillingConfiguration | None = None
    customer_key: str | None = None
    """Extension: the customer (Odoo partner) this account belongs to."""
    language: str | None = None
    """Extension: the partner's Odoo language code (e.g. fr_CA)."""


class CustomerRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    customer: CustomerInput


def lago_id(kind: str, service: str, external_id: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{kind}\0{service}\0{external_id}"))


def store(request: Request) -> ReferenceStore:
    settings: ApiSettings = request.app.state.settings
    return store_of(request.app.state, settings.landing, settings.catalog, settings.time_zone)


def _text(value: str | None) -> str | None:
    stripped = None if value is None else value.strip()
    return stripped or None


def _language(sent: CustomerInput) -> str | None:
    if "language" in sent.model_fields_set:
        return _text(sent.language)
    locale = _text(sent.billing_configuration.document_locale
                   if sent.billing_configuration else None)
    return None if locale is None else LOCALES.get(locale, locale.replace("-", "_"))


# A request field and the version's column it sets.
_FIELDS = {"name": "name", "email": "email", "legal_name": "legal_name",
           "address_line1": "address_line1", "address_line2": "address_line2", "city": "city",
           "zipcode": "postal_code", "state": "province", "country": "country"}


def _new_version(service: str, sent: CustomerInput, current: dict[str, Any] | None,
                 updated_at: dt.datetime) -> dict[str, Any]:
    """The account link's new row: the current version's fields, those sent replacing them."""
    assert sent.external_id is not None
    row: dict[str, Any] = {column: (current or {}).get(column)
                           for column in (*_FIELDS.values(), "customer_key", "language")}
    if current is not None and current.get("address_line1") is None:
        row["address_line1"] = current.get("street")  # a hand-landed link: its one line
    for field, column in _FIELDS.items():
        if field in sent.model_fields_set:
            row[column] = _text(getattr(sent, field))
    if "language" in sent.model_fields_set or (
            sent.billing_configuration is not None
            and "document_locale" in sent.billing_configuration.model_fields_set):
        row["language"] = _language(sent)
    row["customer_key"] = (_text(sent.customer_key) or row["customer_key"]
                           or f"{service}:{sent.external_id}")
    lines = [row["address_line1"], row["address_line2"]]
    row["street"] = ", ".join(line for line in lines if line) or None
    if row["country"] is not None:
        row["country"] = row["country"].upper()
    return {**row, "service": service, "account_id": sent.external_id, "updated_at": updated_at}


def timestamp_text(value: dt.datetime | None) -> str | None:
    """An instant as Lago writes it: UTC, ISO 8601, `Z`."""
    return None if value is None else value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def customer_body(service: str, row: dict[str, Any], currency: str | None,
                  time_zone: str) -> dict[str, Any]:
    """A version of an account link as Lago's customer object."""
    language = row.get("language")
    line1 = row.get("address_line1") if row.get("address_line1") is not None else row["street"]
    return {"customer": {
        "lago_id": lago_id("customer", service, row["account_id"]),
        "external_id": row["account_id"], "name": row.get("name"),
        "legal_name": row.get("legal_name"), "email": row.get("email"),
        "address_line1": line1, "address_line2": row.get("address_line2"),
        "city": row.get("city"), "zipcode": row.get("postal_code"),
        "state": row.get("province"), "country": row.get("country"),
        "currency": currency, "applicable_timezone": time_zone,
        # A link landed by hand has no updated_at: its file's time stands in (Lago's clients
        # require both).
        "created_at": timestamp_text(row.get("created_at") or row.get("landed_at")),
        "updated_at": timestamp_text(row.get("updated_at") or row.get("landed_at")),
        "billing_configuration": {
            "document_locale": None if language is None else language.split("_")[0]},
        "customer_key": row["customer_key"], "language": language}}


@router.post("/customers")
def upsert_customer(body: CustomerRequest, service: Service, request: Request) -> dict[str, Any]:
    """Create the account link, or land a new version of it (Lago's upsert on external_id)."""
    sent = body.customer
    sent.external_id = _text(sent.external_id)
    if sent.external_id is None:
        raise errors.validation({"external_id": ["value_is_mandatory"]})
    references = store(request)
    with references.write_lock:
        current = references.accounts.latest(service, sent.external_id)
        if current is not None and current["ambiguous"] and _text(sent.customer_key) is None:
            raise errors.validation({"customer_key": ["ambiguous_account"]})
        updated_at = references.accounts.next_version_time(
            service, sent.external_id, None if current is None else current["updated_at"])
        row = _new_version(service, sent, current, updated_at)
        references.write("accounts", service, row)
    created = current.get("created_at") if current else None
    return customer_body(service, {**row, "created_at": created or updated_at},
                         references.currencies.get(service), references.time_zone)


@router.get("/customers/{external_id}")
def get_customer(external_id: str, service: Service, request: Request) -> dict[str, Any]:
    """The customer (account link) in force for this service; 404 in another service's."""
    references = store(request)
    found = references.accounts.latest(service, external_id)
    if found is None:
        raise errors.not_found("customer")
    if found["ambiguous"]:
        raise errors.ApiError(409, "ambiguous_account")
    return customer_body(service, found, references.currencies.get(service),
                         references.time_zone)
