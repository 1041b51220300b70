"""The `fusion-rating` command line's arguments: one parser, a subcommand each (rating.cli runs
them)."""

from __future__ import annotations

import argparse
from decimal import Decimal, InvalidOperation
from importlib import metadata
from pathlib import Path

from rating.cli_api import add_commands as add_api_commands
from rating.cli_webhooks import add_commands as add_webhook_commands
from rating.periods import DEFAULT_TIME_ZONE

POST_EXIT_CODES = """exit codes:
  0  every invoice posted (or, without ODOO_URL, written to odoo_outbox)
  1  some invoices held: listed, and in odoo_postings with the reason
  2  nothing tried: a bad argument, or the period is still open
  3  Odoo stopped answering, refused a call every invoice needs, or is not set up
     (`fusion-rating odoo setup` says what is missing)"""

ADJUST_EXIT_CODES = """exit codes:
  0  revisions issued, or nothing to issue (carried below the threshold, net zero)
  1  something waits for a person or a posting: beyond the lookback, catalog changed, no
     snapshot, original or earlier revision not posted, late usage held
  2  nothing adjusted: a bad argument, or the period is not closed
  3  out of memory (the period under way wrote nothing)
  4  stopped by the guard (differences kept pending, why 'guard'), or the balance check
     failed (rolled back)"""


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Keeps descriptions as written and shows each option's default, except the ones that say
    nothing (None, False, an empty list) or that the help already names."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        if action.default in (None, False, [], argparse.SUPPRESS) or "default" in text:
            return text
        return super()._get_help_string(action)


def _version() -> str:
    try:
        return metadata.version("fusion-rating")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "(not installed)"


def build_parser(description: str | None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fusion-rating", description=description,
                                     formatter_class=_HelpFormatter)
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _ingest_options(_command(commands,
        "ingest", help="ingest new usage files into the ledger (each file once)"))
    _rate_options(_command(commands,
        "rate", help="ingest new usage files, then rate one billing period from the ledger"))
    _release_options(_command(commands,
        "release", help="let a held input file go: its content is no longer held (and still "
                        "not used); for files that cannot be removed from the landing zone"))
    _close_options(_command(commands, "close", help="close a rated billing period (month close)"))
    _post_options(_command(commands,
        "post", help="post a closed period's invoices to Odoo", epilog=POST_EXIT_CODES))
    _odoo_options(_command(commands,
        "odoo", help="what posting needs in Odoo: `odoo setup` checks it (a dry run), "
                     "`odoo setup --apply` creates it; `odoo invoice KEY` shows one posted "
                     "invoice as Odoo holds it; `odoo payments --warehouse FILE` reads the "
                     "payment states of the invoices not yet paid"))
    _adjust_options(_command(commands,
        "adjust", help="ingest new usage files, then bill the late usage of closed periods as "
                       "supplementary invoices and credit notes linked to their invoices",
        epilog=ADJUST_EXIT_CODES))
    _finance_options(_command(commands,
        "finance", help="dual run against the legacy billing, and margins, for a period"))
    add_api_commands(commands, _command)
    add_webhook_commands(commands, _command)
    _report_options(_command(commands, "report", help="print a report and write it as HTML"))
    _sample_options(_command(commands,
        "sample", help="write a sample month and a matching catalog",
        description="Write a deterministic sample month: DIR/landing (usage for the five\n"
                    "services, account links, subscriptions, deliberately bad rows, re-pushes,\n"
                    "a corrupt file) and DIR/catalog (the bundled catalog). Both folders are\n"
                    "replaced: sample refuses when they hold files it did not write, unless\n"
                    "--force."))
    return parser


def _command(commands: argparse._SubParsersAction[argparse.ArgumentParser], name: str,
             help: str, description: str | None = None,
             epilog: str | None = None) -> argparse.ArgumentParser:
    """A subcommand whose help shows its options' defaults."""
    return commands.add_parser(name, help=help, description=description, epilog=epilog,
                               formatter_class=_HelpFormatter)


def _progress_options(command: argparse.ArgumentParser) -> None:
    """-q and -v: how much of the work's progress the command shows on stderr."""
    shown = command.add_mutually_exclusive_group()
    shown.add_argument("-q", "--quiet", action="store_true",
                       help="show no progress, only the summary and errors")
    shown.add_argument("-v", "--verbose", action="store_true",
                       help="show each file or batch too, not only each step")


def _ingest_options(ingest: argparse.ArgumentParser) -> None:
    _input_options(ingest)
    _ledger_options(ingest)
    _progress_options(ingest)


def _rate_options(rate: argparse.ArgumentParser) -> None:
    _input_options(rate)
    rate.add_argument("--period", required=True, help="billing period, YYYY-MM")
    _ledger_options(rate)
    rate.add_argument("--accept-changes", action="store_true",
                      help="write the new rating even if the guard objects (the total falls by "
                           "more than --max-drop or an invoice vanishes), and retire reference "
                           "files that are gone from the landing zone")
    rate.add_argument("--max-drop", default=Decimal(5), type=_percent, metavar="PERCENT",
                      help="largest fall of the period's total the guard lets through "
                           "(default 5)")
    rate.add_argument("--threads", type=int, default=None, help="DuckDB threads (default: cores)")
    rate.add_argument("--memory-limit", default=None,
                      help="DuckDB memory limit, e.g. 2GB; above it DuckDB spills to disk")
    rate.add_argument("--temp-directory", default=None, help="where DuckDB spills")
    _progress_options(rate)


def _release_options(release: argparse.ArgumentParser) -> None:
    release.add_argument("--warehouse", required=True, type=Path, help="DuckDB warehouse file")
    release.add_argument("--kind", required=True, choices=["usage", "subscriptions", "accounts"],
                         help="the kind of file, as `held_inputs` shows it")
    release.add_argument("--file", required=True, dest="file_path",
                         help="the file's path relative to the landing root, as held_inputs "
                              "shows it")
    release.add_argument("--reason", required=True, help="why, in your words (kept with it)")


def _close_options(close: argparse.ArgumentParser) -> None:
    close.add_argument("--warehouse", required=True, type=Path, help="DuckDB warehouse file")
    close.add_argument("--period", required=True, help="billing period, YYYY-MM")
    close.add_argument("--time-zone", default=DEFAULT_TIME_ZONE, help="billing time zone")


def _post_options(post: argparse.ArgumentParser) -> None:
    post.add_argument("--warehouse", required=True, type=Path, help="DuckDB warehouse file")
    post.add_argument("--period", required=True, help="billing period, YYYY-MM")
    post.add_argument("--drafts-only", action="store_true",
                      help="create or update drafts, post nothing (allowed on an open period)")
    post.add_argument("--adjustments-only", action="store_true",
                      help="post only the adjustments issued for the period, not its invoices "
                           "(after a nightly `adjust`)")
    post.add_argument("--batch-size", type=int, default=50, help="invoices per Odoo call")
    post.add_argument("--journal", action="append", default=[], metavar="SERVICE=CODE",
                      help="sales journal code for a service's invoices (repeatable)")
    post.add_argument("--no-create-products", action="store_true",
                      help="hold invoices whose product is missing in Odoo instead of "
                           "creating it")
    post.add_argument("--catalog", type=Path, default=Path("catalog"),
                      help="catalog folder whose services' `odoo:` settings book the invoices "
                           "(default: ./catalog)")
    _progress_options(post)


def _odoo_options(odoo: argparse.ArgumentParser) -> None:
    odoo.add_argument("action", choices=["setup", "invoice", "payments"])
    odoo.add_argument("key", nargs="?", default=None,
                      help="invoice: its key, <customer>/<service>/<period>")
    odoo.add_argument("--catalog", type=Path, default=Path("catalog"),
                      help="catalog folder (default: ./catalog)")
    odoo.add_argument("--warehouse", type=Path, default=None,
                      help="payments: the warehouse whose posted invoices are read")
    odoo.add_argument("--apply", action="store_true",
                      help="create or change what the plan lists (the custom field and "
                           "the precision need an Odoo administrator)")
    odoo.add_argument("--price-digits", type=int, default=None,
                      help="raise Odoo's 'Product Price' precision to this (default: "
                           "leave it); it applies to every price in Odoo, sales and "
                           "price lists included, and is never lowered again")
    odoo.add_argument("--quantity-digits", type=int, default=None,
                      help="Odoo's 'Product Unit' precision to ask for (default: leave "
                           "it); it applies to every product, stock included")
    odoo.add_argument("--language", action="append", default=None,
                      help="a language to activate for customers' invoices "
                           "(default: fr_CA; repeatable)")


def _adjust_options(adjust: argparse.ArgumentParser) -> None:
    _input_options(adjust)
    adjust.add_argument("--period", default=None, metavar="YYYY-MM",
                        help="a closed period to adjust on purpose, whatever its age (default: "
                             "the nightly run: the closed periods in the lookback, and older "
                             "ones held when touched)")
    adjust.add_argument("--ledger", type=Path, default=None,
                        help="ledger folder (default: <warehouse>.ledger beside the warehouse)")
    adjust.add_argument("--pushed-at-tolerance", type=float, default=24, metavar="HOURS",
                        help="how far past its file's ingestion a pushed_at may be before the "
                             "row is quarantined (default 24)")
    adjust.add_argument("--dry-run", action="store_true",
                        help="show what would be issued and roll it back (new files are "
                             "still ingested)")
    adjust.add_argument("--accept-changes", action="store_true",
                        help="issue although the guard objects or the period's catalog or "
                             "references changed since it was rated (with --period)")
    adjust.add_argument("--ignore-threshold", action="store_true",
                        help="issue every difference, however small")
    adjust.add_argument("--threshold", type=_amount, default=None, metavar="AMOUNT",
                        help="smallest net change per invoice that is issued; smaller ones are "
                             "carried forward (default: FUSION_ADJUST_THRESHOLD, else 1.00)")
    adjust.add_argument("--lookback", type=_count, default=None, metavar="N",
                        help="latest closed periods adjusted without a person (default: "
                             "FUSION_ADJUST_LOOKBACK, else 2)")
    adjust.add_argument("--current-references", action="store_true",
                        help="re-rate with the subscriptions and account links in force today, "
                             "not as the period stood (with --period)")
    adjust.add_argument("--settle", default=None, metavar="KEY",
                        help="first settle the invoice KEY a person changed in Odoo after it "
                             "was posted: a revision brings what Odoo billed to what was rated "
                             "(with --period and --reason; reads Odoo: ODOO_URL)")
    adjust.add_argument("--reason", default=None, metavar="TEXT",
                        help="why the settled invoice was changed in Odoo (with --settle)")
    adjust.add_argument("--threads", type=int, default=None,
                        help="DuckDB threads (default: cores)")
    adjust.add_argument("--memory-limit", default=None,
                        help="DuckDB memory limit, e.g. 2GB; above it DuckDB spills to disk")
    adjust.add_argument("--temp-directory", default=None, help="where DuckDB spills")
    _progress_options(adjust)


def _finance_options(finance: argparse.ArgumentParser) -> None:
    finance.add_argument("--landing", required=True, help="landing root (folder or s3://...)")
    finance.add_argument("--catalog", required=True, type=Path, help="catalog folder")
    finance.add_argument("--warehouse", required=True, type=Path, help="DuckDB warehouse file")
    finance.add_argument("--period", required=True, help="billing period, YYYY-MM")
    finance.add_argument("--tolerance", default="0.01",
                         help="largest difference per line that still matches (CAD)")
    finance.add_argument("--readiness-periods", type=int, default=2,
                         help="closed periods the cut-over readiness looks at")
    finance.add_argument("--time-zone", default=DEFAULT_TIME_ZONE, help="billing time zone")
    _progress_options(finance)


def _report_options(report: argparse.ArgumentParser) -> None:
    report.add_argument("name", choices=["margin"])
    report.add_argument("--warehouse", required=True, type=Path, help="DuckDB warehouse file")
    report.add_argument("--period", required=True, help="billing period, YYYY-MM")
    report.add_argument("--out", type=Path, default=None,
                        help="HTML file (default: margin-<period>.html beside the warehouse)")
    report.add_argument("--time-zone", default=DEFAULT_TIME_ZONE,
                        help="billing time zone, in which the page shows every time")


def _sample_options(sample: argparse.ArgumentParser) -> None:
    sample.add_argument("--out", required=True, type=Path, metavar="DIR",
                        help="folder to write landing/ and catalog/ into")
    sample.add_argument("--rows", type=_rows, default=100_000, metavar="N",
                        help="usage rows in readable files (exact from 1,200 up)")
    sample.add_argument("--period", default="2026-10", metavar="YYYY-MM",
                        help="the billing period the usage falls in")
    sample.add_argument("--seed", type=int, default=7,
                        help="the same seed gives byte-identical files")
    sample.add_argument("--clean", action="store_true",
                        help="no deliberately bad rows, corrections or corrupt file")
    sample.add_argument("--force", action="store_true",
                        help="replace DIR/landing and DIR/catalog even when they hold files "
                             "the sample did not write (they are deleted)")
    _progress_options(sample)


def _rows(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of rows") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} rows: give at least 1 (e.g. --rows 100000)")
    return value


def _amount(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"{text!r} is not an amount (e.g. 1.00)") from None
    if not value.is_finite() or value < 0:
        raise argparse.ArgumentTypeError(f"{text!r}: give an amount of 0 or more (e.g. 1.00)")
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text}: give 0 or more (e.g. 2)")
    return value


def _percent(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value.is_finite() or not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"{text!r} is not a percentage from 0 to 100")
    return value


def _input_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--landing", required=True,
                         help="landing root (folder or s3://bucket/prefix)")
    command.add_argument("--catalog", required=True, type=Path,
                         help="catalog folder of YAML files")
    command.add_argument("--warehouse", required=True, type=Path, help="DuckDB warehouse file")
    command.add_argument("--time-zone", default=DEFAULT_TIME_ZONE, help="billing time zone")


def _ledger_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--ledger", type=Path, default=None,
                         help="ledger folder (default: <warehouse>.ledger beside the warehouse)")
    command.add_argument("--rebuild", action="store_true",
                         help="empty the ledger and ingest every landed file again")
    command.add_argument("--pushed-at-tolerance", type=float, default=24, metavar="HOURS",
                         help="how far past its file's ingestion a pushed_at may be before the "
                              "row is quarantined (default 24)")
