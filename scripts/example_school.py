"""An example school-administration database with generated fake people, on SQLite or PostgreSQL.

Deterministic (fixed seed), so the README walkthrough and the tests can name a family:
Karen Jensen (karen.jensen@example.dk) and her son Emil, elevnummer E1001. `TEST_FAMILIES`
adds the people that identify a person wrongly when identifiers are OR-matched (siblings,
two pupils with the same name, a shared family e-mail, a parent and a child; see
docs/person-resolution.md).
    python scripts/example_school.py data/school.db
    python scripts/example_school.py postgresql+psycopg://user:password@host/school
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from faker import Faker
from sqlalchemy import Column, Integer, MetaData, Table, Text, create_engine, insert

# The school's own tables, as a school system might have them (not the register's: no migrations here).
metadata = MetaData()
TABLES = {table.name: table for table in (
    Table("elever", metadata, Column("id", Integer, primary_key=True),
          Column("elevnummer", Text, unique=True, nullable=False), Column("navn", Text, nullable=False),
          Column("foedselsdato", Text), Column("klasse", Text), Column("adresse", Text),
          Column("foraelder_email", Text), Column("noedkontakt", Text),
          Column("begraenset", Integer, nullable=False, server_default="0")),
    Table("fravaer", metadata, Column("id", Integer, primary_key=True), Column("elevnummer", Text, nullable=False),
          Column("dato", Text), Column("aarsag", Text), Column("begraenset", Integer, nullable=False, server_default="0")),
    Table("karakterer", metadata, Column("id", Integer, primary_key=True), Column("elevnummer", Text, nullable=False),
          Column("fag", Text), Column("karakter", Text), Column("skoleaar", Text)),
    Table("foto_samtykke", metadata, Column("id", Integer, primary_key=True), Column("foraelder_email", Text),
          Column("elevnummer", Text), Column("billede", Text), Column("givet_dato", Text)),
    Table("nyhedsbrev", metadata, Column("id", Integer, primary_key=True), Column("email", Text, nullable=False),
          Column("navn", Text), Column("tilmeldt_dato", Text), Column("frameldt", Integer, nullable=False, server_default="0")),
    Table("betalinger", metadata, Column("id", Integer, primary_key=True), Column("foraelder_email", Text, nullable=False),
          Column("beloeb", Text), Column("dato", Text), Column("tekst", Text)),
)}


class _Rows:
    """The rows of every table in the order they were made (so ids come out as a row-by-row insert gives them)."""

    def __init__(self) -> None:
        self.rows: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}

    def add(self, table: str, **values: Any) -> None:
        self.rows[table].append(values)

    def insert_into(self, conn: Any) -> None:
        for name, table in TABLES.items():
            # Every row names every column (one statement for all rows); a flag left out is 0, anything else NULL.
            defaults = {c.name: (0 if c.server_default is not None else None) for c in table.columns if c.name != "id"}
            if self.rows[name]:
                conn.execute(insert(table), [defaults | row for row in self.rows[name]])


DEMO_PARENT = ("Karen Jensen", "karen.jensen@example.dk")
DEMO_CHILD = ("E1001", "Emil Jensen", "2014-05-17", "6.B", "Skolevej 12, 8000 Aarhus C")
# Information about another person on the child's row: left out of an access export (Art. 15(4)).
DEMO_EMERGENCY_CONTACT = "Morfar Jens Poulsen, 20 11 22 33"



# (elevnummer, pupil, parent e-mail, parent name or None when the parent is on no parent list)
TEST_FAMILIES = [
    # siblings sharing their parent's e-mail
    ("E9001", "Oliver Lund", "sofie.lund@example.dk", "Sofie Lund"),
    ("E9002", "Ida Lund", "sofie.lund@example.dk", None),
    # two pupils with the same name in different families
    ("E9011", "Mads Nielsen", "peter.nielsen@example.dk", "Peter Nielsen"),
    ("E9012", "Mads Nielsen", "hanne.nielsen@example.dk", "Hanne Nielsen"),
    # a shared family e-mail on two pupils' rows (a stepfamily: different surnames)
    ("E9021", "Alma Berg", "familien.berg@example.dk", "Anne Berg"),
    ("E9022", "Noah Holm", "familien.berg@example.dk", None),
    # a parent and a child: the parent has data of their own (newsletter, payments)
    ("E9031", "Freja Holt", "lars.holt@example.dk", "Lars Holt"),
]
# A deliberately mismatched pair: Oliver Lund's elevnummer with Lars Holt's e-mail (different families).
MISMATCHED_PAIR = {"elevnummer": "E9001", "email": "lars.holt@example.dk"}


def _test_families(db: _Rows) -> None:
    """Fixed rows (no randomness), so tests can count exactly which rows a request touched."""
    for n, (number, child, email, parent) in enumerate(TEST_FAMILIES):
        db.add("elever", elevnummer=number, navn=child, foedselsdato=f"2015-0{n % 9 + 1}-1{n}", klasse="5.A",
               adresse=f"Testvej {n + 1}, 8000 Aarhus C", foraelder_email=email)
        db.add("fravaer", elevnummer=number, dato=f"2026-09-0{n + 1}", aarsag="Syg")
        db.add("fravaer", elevnummer=number, dato=f"2026-10-0{n + 1}", aarsag="Læge")
        db.add("karakterer", elevnummer=number, fag="Dansk", karakter="7", skoleaar="2025/26")
        db.add("foto_samtykke", foraelder_email=email, elevnummer=number, billede="klassefoto-5A.jpg",
               givet_dato="2025-08-15")
        if parent:
            db.add("nyhedsbrev", email=email, navn=parent, tilmeldt_dato="2024-09-01")
            db.add("betalinger", foraelder_email=email, beloeb="1850.00", dato="2026-10-01", tekst="SFO-betaling oktober")


def _family(db: _Rows, number: str, child: str, born: str, klass: str, address: str,
            parent: str, email: str, fake: Faker) -> None:
    db.add("elever", elevnummer=number, navn=child, foedselsdato=born, klasse=klass, adresse=address,
           foraelder_email=email)
    for _ in range(fake.random_int(0, 4)):
        db.add("fravaer", elevnummer=number, dato=fake.date_between("-1y", "today").isoformat(),
               aarsag=fake.random_element(["Syg", "Ferie", "Læge"]))
    for subject in ("Dansk", "Matematik", "Engelsk"):
        db.add("karakterer", elevnummer=number, fag=subject, karakter=fake.random_element(["02", "4", "7", "10", "12"]),
               skoleaar="2025/26")
    if fake.boolean(60):
        db.add("foto_samtykke", foraelder_email=email, elevnummer=number, billede=f"klassefoto-{klass}.jpg",
               givet_dato="2025-08-15")
    if fake.boolean(50):
        db.add("nyhedsbrev", email=email, navn=parent, tilmeldt_dato="2024-09-01")
    for month in range(fake.random_int(1, 3)):
        db.add("betalinger", foraelder_email=email, beloeb="1850.00", dato=f"2026-0{month + 1}-01", tekst="SFO-betaling")


def create_example_school(target: Path | str, students: int = 200) -> Path | str:
    """Make the school afresh: a file path is a SQLite file (replaced), a string with "://" any SQLAlchemy
    URL (its school tables are dropped and made again). Returns `target`."""
    if isinstance(target, str) and "://" in target:
        url = target
    else:
        path = Path(target)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    fake = Faker("da_DK")
    fake.seed_instance(2026)
    db = _Rows()
    # The demo family has every kind of data, so each request type shows something.
    number, child, born, klass, address = DEMO_CHILD
    parent, email = DEMO_PARENT
    db.add("elever", elevnummer=number, navn=child, foedselsdato=born, klasse=klass, adresse=address,
           foraelder_email=email, noedkontakt=DEMO_EMERGENCY_CONTACT)
    db.add("fravaer", elevnummer=number, dato="2026-10-02", aarsag="Syg")
    for subject, grade in (("Dansk", "10"), ("Matematik", "7")):
        db.add("karakterer", elevnummer=number, fag=subject, karakter=grade, skoleaar="2025/26")
    db.add("foto_samtykke", foraelder_email=email, elevnummer=number, billede="klassefoto-6B.jpg", givet_dato="2025-08-15")
    db.add("nyhedsbrev", email=email, navn=parent, tilmeldt_dato="2024-09-01")
    db.add("betalinger", foraelder_email=email, beloeb="1850.00", dato="2026-10-01", tekst="SFO-betaling oktober")
    for i in range(2, students + 1):
        last = fake.last_name()
        _family(db, f"E{1000 + i}", f"{fake.first_name()} {last}", fake.date_of_birth(minimum_age=6, maximum_age=16)
                .isoformat(), f"{fake.random_int(0, 9)}.{fake.random_element('ABC')}",
                fake.address().replace("\n", ", "), f"{fake.first_name()} {last}", f"forælder{i}@example.dk", fake)
    _test_families(db)
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            metadata.drop_all(conn)
            metadata.create_all(conn)
            db.insert_into(conn)
    finally:
        engine.dispose()
    return target


if __name__ == "__main__":
    target = create_example_school(sys.argv[1] if len(sys.argv) > 1 else Path("data/school.db"))
    print(f"example school database: {target}")
