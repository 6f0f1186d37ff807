"""Every `gdpr` command and its arguments, and nothing else.

Building the parser imports only `argparse`: `gdpr --help`, `gdpr deadline …` and `gdpr assess …` must not
pay for the Temporal client, SQLAlchemy, the web workspace or the HTTP client (issue 11: under 0.2 s).
The code that runs a command lives in its own module (app/cli/offline.py, breach.py, cases.py, requests.py, …),
which app/cli/main.py imports only when that command runs; tests/unit/test_cli_imports.py keeps it that way.
"""

from __future__ import annotations

import argparse
from typing import Any

# The web workspace's roles (web/roles.py `WebRole`), named here so the help does not import the workspace;
# tests/unit/test_cli_imports.py fails when the two disagree.
WEB_ROLES = ("employee", "key_person", "dpo", "management", "system_owner", "operator")

DEFAULT_PAGE = 50  # rows of `gdpr cases` / `gdpr requests` (activities/case_index.py DEFAULT_PAGE)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gdpr", description="GDPR case engine")
    sub = parser.add_subparsers(dest="command", required=True)
    _breach_parsers(sub)
    _offline_parsers(sub)
    _request_parsers(sub)
    _operator_parsers(sub)
    return parser


def _listing(parser: argparse.ArgumentParser, noun: str) -> None:
    """`--limit N` / `--all` / `--json` of the open-case lists, read from the case index."""
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--limit", type=_page_size, default=DEFAULT_PAGE, metavar="N",
                      help=f"show the N most urgent {noun} (default {DEFAULT_PAGE}); the rest are counted")
    size.add_argument("--all", action="store_true", help=f"every open {noun[:-1]}, printed page by page")
    parser.add_argument("--json", action="store_true")


def _page_size(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if not 1 <= value <= 500:
        raise argparse.ArgumentTypeError("must be between 1 and 500 (use --all for every one)")
    return value


def _breach_parsers(sub: Any) -> None:
    breach = sub.add_parser("breach", help="breach cases").add_subparsers(dest="breach_command", required=True)
    rep = breach.add_parser("report", help="report a possible personal-data breach (you are the reporter: GDPR_TOKEN)")
    rep.add_argument("--reporter-phone", help="a phone number the nøgleperson can call you on")
    rep.add_argument("--organisation", help="the organisation it happened in, if you work in several")
    rep.add_argument("--aware-at", required=True,
                     help="when the first person in the organisation became aware (ISO-8601, or 'now')")
    rep.add_argument("--occurred-at", help="when the breach happened, if known")
    rep.add_argument("--what", required=True, help="what happened")
    rep.add_argument("--how", required=True, help="how it was discovered")
    rep.add_argument("--affected-people", required=True)
    rep.add_argument("--affected-data", required=True)
    rep.add_argument("--role", default="controller", choices=["controller", "processor"])
    rep.add_argument("--controller-name")
    rep.add_argument("--controller-email")
    rep.add_argument("--json", action="store_true")

    case = sub.add_parser("case", help="one case").add_subparsers(dest="case_command", required=True)
    show = case.add_parser("show", help="state, deadline, tasks and timeline")
    show.add_argument("case_id")
    show.add_argument("--json", action="store_true")
    drafts = case.add_parser("drafts", help="every draft version, its status and the DPO's comments")
    drafts.add_argument("case_id")
    drafts.add_argument("--lang", choices=["da", "en"], default="da")
    do = case.add_parser("act", help="perform an action in your name (GDPR_TOKEN; see `gdpr actions`)")
    do.add_argument("case_id")
    do.add_argument("action")
    do.add_argument("--data", help="the action's fields as JSON")
    do.add_argument("--data-file", help="a JSON file with the action's fields")
    do.add_argument("--set", action="append", metavar="KEY=VALUE", help="one field (JSON value or text)")
    do.add_argument("--json", action="store_true")

    _listing(sub.add_parser("cases", help="open cases, least time left first"), "cases")


def _offline_parsers(sub: Any) -> None:
    sub.add_parser("actions", help="the actions and their fields")
    assess_p = sub.add_parser("assess", help="propose the Art. 33/34 decision from a facts file (no server needed)")
    assess_p.add_argument("--facts", required=True, help="a JSON file with the breach facts (see `gdpr facts-schema`)")
    assess_p.add_argument("--json", action="store_true")
    sub.add_parser("facts-schema", help="the JSON Schema of the breach facts")
    deadline = sub.add_parser("deadline", help="compute a legal deadline (no server needed)")
    kinds = deadline.add_subparsers(dest="kind", required=True)
    d_breach = kinds.add_parser("breach", help="72 hours from awareness (Art. 33(1))")
    d_breach.add_argument("--aware", required=True, help="ISO-8601, e.g. 2026-03-27T14:20+01:00")
    d_breach.add_argument("--json", action="store_true")
    d_request = kinds.add_parser("request", help="one month from receipt (Art. 12(3), Regulation 1182/71)")
    d_request.add_argument("--received", required=True, help="date or time of receipt, e.g. 2026-01-31")
    d_request.add_argument("--extended", action="store_true", help="with the two-month extension")
    d_request.add_argument("--json", action="store_true")
    sub.add_parser("diagram", help="the breach state machine as Mermaid")


def _request_parsers(sub: Any) -> None:
    request = sub.add_parser("request", help="data-subject requests").add_subparsers(dest="request_command",
                                                                                     required=True)
    submit = request.add_parser("submit", help="receive a request in your name (GDPR_TOKEN; starts its case)")
    submit.add_argument("--type", required=True,
                        choices=["access", "rectification", "erasure", "restriction", "portability", "objection"])
    submit.add_argument("--channel", required=True, choices=["email", "letter", "phone", "in_person"])
    submit.add_argument("--received", default="now", help="when it was received (ISO-8601 or 'now')")
    submit.add_argument("--requester-name", required=True)
    submit.add_argument("--requester-email", required=True)
    submit.add_argument("--requester-phone")
    submit.add_argument("--subject-name", help="the data subject, if not the requester")
    submit.add_argument("--id", action="append", required=True, metavar="KEY=VALUE",
                        help="how the subject is found in the systems, e.g. email=… or elevnummer=E1001")
    submit.add_argument("--on-behalf", choices=["power_of_attorney", "parental_authority"])
    submit.add_argument("--subject-age", type=int)
    submit.add_argument("--description")
    submit.add_argument("--correction", action="append", metavar="SYSTEM.TABLE.COLUMN=VALUE")
    submit.add_argument("--objection", help="which processing the person objects to")
    submit.add_argument("--transfer-to", help="portability: the new controller's e-mail (confirm it in verify_identity)")
    submit.add_argument("--statement", action="append", metavar="SYSTEM=TEXT",
                        help="rectification: a supplementary statement completing the data in a system (Art. 16)")
    submit.add_argument("--restriction-ground",
                        choices=["accuracy_contested", "unlawful_opposes_erasure", "legal_claims", "objection_pending"],
                        help="restriction: the ground of Art. 18(1) (a)-(d)")
    submit.add_argument("--direct-marketing", action="store_true",
                        help="objection: the processing is direct marketing; the objection is then absolute (Art. 21(3))")
    submit.add_argument("--further-copy-of", metavar="REQUEST_ID",
                        help="access: the person already received a copy in the answer to this earlier access request; "
                             "a fee for the further copy may then be charged (Art. 15(3), action charge_fee)")
    submit.add_argument("--organisation", help="the organisation that received it, if you work in several")
    submit.add_argument("--json", action="store_true")
    show = request.add_parser("show", help="state, deadline, systems done/pending, timeline")
    show.add_argument("request_id")
    show.add_argument("--json", action="store_true")
    answer = request.add_parser("answer", help="the answer letter(s), every version")
    answer.add_argument("request_id")
    do = request.add_parser("act", help="perform an action in your name (GDPR_TOKEN; see `gdpr actions`)")
    do.add_argument("case_id", metavar="request_id")
    do.add_argument("action")
    do.add_argument("--data")
    do.add_argument("--data-file")
    do.add_argument("--set", action="append", metavar="KEY=VALUE")
    do.add_argument("--json", action="store_true")
    _listing(sub.add_parser("requests", help="open requests, least time left first"), "requests")
    inventory = sub.add_parser("inventory", help="the data inventory: systems, owners, purposes, connectors")
    inventory.add_argument("--json", action="store_true")
    controls = sub.add_parser("controls", help="the periodic controls (seed 001)").add_subparsers(
        dest="controls_command", required=True)
    run = controls.add_parser("run", help="run a control now (the schedules run them on the 1st)")
    run.add_argument("kind", choices=["monthly", "quarterly"])
    run.add_argument("--period", help="YYYY-MM (monthly) or YYYY-Qn (quarterly); default: the previous one")
    controls.add_parser("reports", help="stored control reports, newest first")


def _operator_parsers(sub: Any) -> None:
    letters = sub.add_parser("deadletters", help="effects that failed for good: list, retry, discard")
    letters.add_argument("--all", action="store_true", help="also resolved and discarded letters")
    letters.add_argument("--json", action="store_true")
    actions = letters.add_subparsers(dest="deadletters_command")
    for name, text in (("retry", "run the effect again through its case, in your name (GDPR_TOKEN)"),
                       ("discard", "give the effect up for good, with a reason, in your name (GDPR_TOKEN)")):
        action = actions.add_parser(name, help=text)
        action.add_argument("letter_id", help="e.g. breach-2026-0001/1 (see `gdpr deadletters`)")
        if name == "discard":
            action.add_argument("--reason", required=True, help="why it is given up, and what was done instead")

    history = sub.add_parser("history", help="operators: a case's Temporal history, decrypted")
    history.add_argument("case_id")
    history.add_argument("--json", action="store_true")
    shred = sub.add_parser("shred", help="operators: destroy a closed case's key, so its history can never be read")
    shred.add_argument("case_id")
    shred.add_argument("--yes", action="store_true", help="confirm: this cannot be undone")

    user = sub.add_parser("user", help="operators: the web workspace's accounts").add_subparsers(
        dest="user_command", required=True)
    add = user.add_parser("add", help="create an account (the password is read from standard input)")
    add.add_argument("email")
    add.add_argument("--name", required=True)
    add.add_argument("--role", action="append", required=True, metavar="ROLE[,ROLE...]",
                     help=f"one or more of: {', '.join(WEB_ROLES)}")
    login = add.add_mutually_exclusive_group()
    login.add_argument("--password-stdin", action="store_true",
                       help="read the password from standard input (never on the command line)")
    login.add_argument("--sso", action="store_true",
                       help="no password: the account logs in only through single sign-on (GDPR_OIDC_*)")
    add.add_argument("--organisation", action="append", default=[], metavar="ORG[,ORG...]",
                     help="the organisations whose cases the account works in (when several are served)")
    orgs = user.add_parser("organisations", help="set the organisations whose cases an account works in")
    orgs.add_argument("email")
    orgs.add_argument("organisation", nargs="+", metavar="ORG", help="organisation ids (see `gdpr organisation list`)")
    listing = user.add_parser("list", help="every account, its roles and whether it is active")
    listing.add_argument("--json", action="store_true")
    for name, text in (("disable", "no more logins; the account's personal tokens are revoked"),
                       ("enable", "allow logins again (and lift a lock after failed logins)")):
        user.add_parser(name, help=text).add_argument("email")

    reg = sub.add_parser("register", help="the breach register").add_subparsers(dest="register_command", required=True)
    export = reg.add_parser("export", help="export every breach, notified or not")
    export.add_argument("--format", choices=["csv", "json"], default="csv")
    export.add_argument("--organisation", help="only this organisation's register (see `gdpr organisation list`)")

    org = sub.add_parser("organisation", help="operators: the organisations served").add_subparsers(
        dest="organisation_command", required=True)
    org_list = org.add_parser("list", help="every organisation served, its DPO and nøgleperson")
    org_list.add_argument("--json", action="store_true")
    org.add_parser("add", help="serve one more organisation, from its YAML file").add_argument("file")
    verify = reg.add_parser("verify", help="check that the audit trail is complete and unchanged")
    verify.add_argument("--json", action="store_true")
