"""The sample's accounts and subscriptions in each service, and the two reference files
written from them (accounts/accounts.csv, subscriptions/subscriptions.csv)."""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rating.periods import first_of_next_month
from rating.samples.deterministic import mix, uniform
from rating.samples.files import write_csv
from rating.samples.spec import SERVICES, SamplePeriod, Service, local_midnight, seconds_from

_EN_FIRST = ("Maple", "Cedar", "Northern", "Granite", "Harbour", "Prairie", "Aurora",
             "Lakeshore", "Summit", "Birch", "Kestrel", "Tamarack", "Muskoka", "Fundy",
             "Algonquin", "Rideau")
_EN_SECOND = ("Software", "Logistics", "Dental", "Realty", "Foods", "Consulting", "Outfitters",
              "Media", "Health", "Motors", "Studios", "Analytics", "Clinics", "Freight")
_EN_SUFFIX = ("Inc.", "Ltd.", "Corp.", "Co.")
_FR_FIRST = ("Boréal", "Laurentides", "Saint-Laurent", "Érablière", "Mont-Royal", "Outaouais",
             "Beauce", "Charlevoix")
_FR_SECOND = ("Logiciels", "Transport", "Conseil", "Alimentation", "Médias", "Santé",
              "Immobilier")


@dataclass(frozen=True)
class Account:
    index: int  # 1-based
    account_id: str
    customer: int
    size: float  # lognormal scale of its usage, median 1
    agents: int
    start: str | None  # subscription start as written, None = no subscription
    end: str  # "" = open-ended
    active_from: int  # seconds from period start when usage may begin
    active_to: int  # seconds from period start when usage must end
    prior: tuple[str, str] | None  # an earlier, closed subscription (start, end)

    @property
    def full_month(self) -> bool:
        return self.start is not None and self.prior is None and self.end == "" \
            and self.active_from == 0


def service_accounts(service_index: int, service: Service, count: int, period: SamplePeriod,
                     seed: int) -> list[Account]:
    accounts: list[Account] = []
    first = period.first_day
    for i in range(1, count + 1):
        gauss = math.sqrt(-2.0 * math.log(1.0 - uniform(seed, service_index, i, 1))) * math.cos(
            2.0 * math.pi * uniform(seed, service_index, i, 2))
        size = min(30.0, max(0.05, math.exp(0.9 * gauss)))
        agents = max(2, min(60, round(8 * size ** 0.7)))
        start: str | None
        end = ""
        active_from, active_to = 0, period.seconds
        prior: tuple[str, str] | None = None
        long_ago = first - dt.timedelta(days=45 + mix(seed, service_index, i, 3) % 900)
        start = _date_text(long_ago, timestamp=i % 9 == 4)
        if i == count:
            start = None  # the account without a subscription: a newcomer, last three days only
            last_day = first_of_next_month(first) - dt.timedelta(days=3)
            active_from = seconds_from(period, last_day)
        elif i % 25 == 11:
            mid = first + dt.timedelta(days=14)
            start = mid.isoformat()
            active_from = seconds_from(period, mid)
        elif i % 25 == 19:
            stop = first + dt.timedelta(days=19)
            end = stop.isoformat()
            active_to = seconds_from(period, stop)
        elif i % 37 == 3:
            prior = (_date_text(long_ago - dt.timedelta(days=400), timestamp=False),
                     _date_text(long_ago, timestamp=False))
        accounts.append(Account(i, f"{service.prefix}-{i:06d}", _customer(service_index, i),
                                size, agents, start, end, active_from, active_to, prior))
    return accounts


def _date_text(day: dt.date, *, timestamp: bool) -> str:
    return local_midnight(day).isoformat() if timestamp else day.isoformat()


def _customer(service_index: int, i: int) -> int:
    """The customer number: a few customers hold accounts in several services."""
    if service_index == 0 or (service_index == 1 and i % 20 == 2) or (
            service_index == 2 and i % 60 == 42) or (service_index == 3 and i % 50 == 17):
        return i
    return service_index * 10_000 + i


def _customer_details(customer: int, seed: int) -> tuple[str, str, str]:
    """(name, email, province) of a customer; the same in every service."""
    u = uniform(seed, customer, 11)
    province = "ON" if u < 0.62 else "QC" if u < 0.80 else "BC" if u < 0.91 else "AB"
    pick = mix(seed, customer, 12)
    if province == "QC":
        name = (f"{_FR_SECOND[pick % len(_FR_SECOND)]} "
                f"{_FR_FIRST[(pick >> 8) % len(_FR_FIRST)]} inc.")
        mailbox = "facturation"
    else:
        name = (f"{_EN_FIRST[pick % len(_EN_FIRST)]} {_EN_SECOND[(pick >> 8) % len(_EN_SECOND)]} "
                f"{_EN_SUFFIX[(pick >> 16) % len(_EN_SUFFIX)]}")
        mailbox = "billing"
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    words = [w for w in "".join(c.lower() if c.isalnum() else " " for c in ascii_name).split()
             if w not in {"inc", "ltd", "corp", "co"}]
    email = f"{mailbox}+c{customer:05d}@{'-'.join(words)}.ca"
    return name, email, province


_LETTERS = "ABCEGHJKLMNPRSTVXY"  # the letters Canadian postal codes use
# A city and the first two characters of its postal codes, per province of _customer_details.
_CITIES = {"ON": ("Toronto", "M5"), "QC": ("Montréal", "H3"), "BC": ("Vancouver", "V6"),
           "AB": ("Calgary", "T2")}
_STREETS = ("King St W", "Rue Sainte-Catherine O", "Main St", "Avenue Road", "Bay St")


def write_accounts_and_subscriptions(landing: Path, accounts: dict[str, list[Account]],
                                     seed: int) -> None:
    write_csv(landing / "accounts" / "accounts.csv",
              ["service", "account_id", "customer_key", "name", "email", "country", "province",
               "street", "city", "postal_code"],
              _account_rows(accounts, seed))
    write_csv(landing / "subscriptions" / "subscriptions.csv",
              ["subscription_id", "service", "account_id", "plan_code", "start", "end"],
              _subscription_rows(accounts))


def _account_rows(accounts: dict[str, list[Account]], seed: int) -> Iterator[list[str]]:
    for service in SERVICES:
        for account in accounts[service.code]:
            name, email, province = _customer_details(account.customer, seed)
            city, postal_prefix = _CITIES[province]
            street = f"{100 + account.customer % 900} {_STREETS[account.customer % 5]}"
            n = account.customer  # Canadian form A1A 1A1
            postal = (f"{postal_prefix}{_LETTERS[n % 18]} {n % 10}"
                      f"{_LETTERS[(n // 10) % 18]}{(n // 180) % 10}")
            yield [service.code, account.account_id, f"C{account.customer:05d}", name, email,
                   "CA", province, street, city, postal]


def _subscription_rows(accounts: dict[str, list[Account]]) -> Iterator[list[str]]:
    for service in SERVICES:
        for account in accounts[service.code]:
            sub = f"SUB-{service.prefix.upper()}-{account.index:06d}"
            if account.prior is not None:
                yield [f"{sub}-0", service.code, account.account_id, service.plan, *account.prior]
            if account.start is not None:
                yield [f"{sub}-1", service.code, account.account_id, service.plan, account.start,
                       account.end]
