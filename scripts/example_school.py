"""An example school-administration database (SQLite) with generated fake people.

Deterministic (fixed seed), so the README walkthrough and the tests can name a family:
Karen Jensen (karen.jensen@example.dk) and her son Emil, elevnummer E1001. `TEST_FAMILIES`
adds the people that identify a person wrongly when identifiers are OR-matched (siblings,
two pupils with the same name, a shared family e-mail, a parent and a child; see
docs/person-resolution.md).
    python scripts/example_school.py data/school.db
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

from faker import Faker

SCHEMA = """
CREATE TABLE elever (id INTEGER PRIMARY KEY, elevnummer TEXT UNIQUE NOT NULL, navn TEXT NOT NULL,
  foedselsdato TEXT, klasse TEXT, adresse TEXT, foraelder_email TEXT, noedkontakt TEXT,
  begraenset INTEGER NOT NULL DEFAULT 0);
CREATE TABLE fravaer (id INTEGER PRIMARY KEY, elevnummer TEXT NOT NULL, dato TEXT, aarsag TEXT,
  begraenset INTEGER NOT NULL DEFAULT 0);
CREATE TABLE karakterer (id INTEGER PRIMARY KEY, elevnummer TEXT NOT NULL, fag TEXT, karakter TEXT, skoleaar TEXT);
CREATE TABLE foto_samtykke (id INTEGER PRIMARY KEY, foraelder_email TEXT, elevnummer TEXT, billede TEXT,
  givet_dato TEXT);
CREATE TABLE nyhedsbrev (id INTEGER PRIMARY KEY, email TEXT NOT NULL, navn TEXT, tilmeldt_dato TEXT,
  frameldt INTEGER NOT NULL DEFAULT 0);
CREATE TABLE betalinger (id INTEGER PRIMARY KEY, foraelder_email TEXT NOT NULL, beloeb TEXT, dato TEXT, tekst TEXT);
"""

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


def _test_families(db: sqlite3.Connection) -> None:
    """Fixed rows (no randomness), so tests can count exactly which rows a request touched."""
    for n, (number, child, email, parent) in enumerate(TEST_FAMILIES):
        db.execute("INSERT INTO elever (elevnummer, navn, foedselsdato, klasse, adresse, foraelder_email) "
                   "VALUES (?, ?, ?, ?, ?, ?)", (number, child, f"2015-0{n % 9 + 1}-1{n}", "5.A",
                                                 f"Testvej {n + 1}, 8000 Aarhus C", email))
        db.execute("INSERT INTO fravaer (elevnummer, dato, aarsag) VALUES (?, '2026-09-0' || ?, 'Syg')", (number, n + 1))
        db.execute("INSERT INTO fravaer (elevnummer, dato, aarsag) VALUES (?, '2026-10-0' || ?, 'Læge')", (number, n + 1))
        db.execute("INSERT INTO karakterer (elevnummer, fag, karakter, skoleaar) VALUES (?, 'Dansk', '7', '2025/26')",
                   (number,))
        db.execute("INSERT INTO foto_samtykke (foraelder_email, elevnummer, billede, givet_dato) "
                   "VALUES (?, ?, 'klassefoto-5A.jpg', '2025-08-15')", (email, number))
        if parent:
            db.execute("INSERT INTO nyhedsbrev (email, navn, tilmeldt_dato) VALUES (?, ?, '2024-09-01')", (email, parent))
            db.execute("INSERT INTO betalinger (foraelder_email, beloeb, dato, tekst) "
                       "VALUES (?, '1850.00', '2026-10-01', 'SFO-betaling oktober')", (email,))


def _family(db: sqlite3.Connection, number: str, child: str, born: str, klass: str, address: str,
            parent: str, email: str, fake: Faker) -> None:
    db.execute("INSERT INTO elever (elevnummer, navn, foedselsdato, klasse, adresse, foraelder_email) "
               "VALUES (?, ?, ?, ?, ?, ?)", (number, child, born, klass, address, email))
    for _ in range(fake.random_int(0, 4)):
        db.execute("INSERT INTO fravaer (elevnummer, dato, aarsag) VALUES (?, ?, ?)",
                   (number, fake.date_between("-1y", "today").isoformat(), fake.random_element(["Syg", "Ferie", "Læge"])))
    for subject in ("Dansk", "Matematik", "Engelsk"):
        db.execute("INSERT INTO karakterer (elevnummer, fag, karakter, skoleaar) VALUES (?, ?, ?, ?)",
                   (number, subject, fake.random_element(["02", "4", "7", "10", "12"]), "2025/26"))
    if fake.boolean(60):
        db.execute("INSERT INTO foto_samtykke (foraelder_email, elevnummer, billede, givet_dato) VALUES (?, ?, ?, ?)",
                   (email, number, f"klassefoto-{klass}.jpg", "2025-08-15"))
    if fake.boolean(50):
        db.execute("INSERT INTO nyhedsbrev (email, navn, tilmeldt_dato) VALUES (?, ?, ?)", (email, parent, "2024-09-01"))
    for month in range(fake.random_int(1, 3)):
        db.execute("INSERT INTO betalinger (foraelder_email, beloeb, dato, tekst) VALUES (?, ?, ?, ?)",
                   (email, "1850.00", f"2026-0{month + 1}-01", "SFO-betaling"))


def create_example_school(path: Path, students: int = 200) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    fake = Faker("da_DK")
    fake.seed_instance(2026)
    with sqlite3.connect(path) as db:
        db.executescript(SCHEMA)
        # The demo family has every kind of data, so each request type shows something.
        number, child, born, klass, address = DEMO_CHILD
        parent, email = DEMO_PARENT
        db.execute("INSERT INTO elever (elevnummer, navn, foedselsdato, klasse, adresse, foraelder_email, noedkontakt) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?)", (number, child, born, klass, address, email, DEMO_EMERGENCY_CONTACT))
        db.execute("INSERT INTO fravaer (elevnummer, dato, aarsag) VALUES (?, '2026-10-02', 'Syg')", (number,))
        for subject, grade in (("Dansk", "10"), ("Matematik", "7")):
            db.execute("INSERT INTO karakterer (elevnummer, fag, karakter, skoleaar) VALUES (?, ?, ?, '2025/26')",
                       (number, subject, grade))
        db.execute("INSERT INTO foto_samtykke (foraelder_email, elevnummer, billede, givet_dato) "
                   "VALUES (?, ?, 'klassefoto-6B.jpg', '2025-08-15')", (email, number))
        db.execute("INSERT INTO nyhedsbrev (email, navn, tilmeldt_dato) VALUES (?, ?, '2024-09-01')", (email, parent))
        db.execute("INSERT INTO betalinger (foraelder_email, beloeb, dato, tekst) "
                   "VALUES (?, '1850.00', '2026-10-01', 'SFO-betaling oktober')", (email,))
        for i in range(2, students + 1):
            last = fake.last_name()
            _family(db, f"E{1000 + i}", f"{fake.first_name()} {last}", fake.date_of_birth(minimum_age=6, maximum_age=16)
                    .isoformat(), f"{fake.random_int(0, 9)}.{fake.random_element('ABC')}",
                    fake.address().replace("\n", ", "), f"{fake.first_name()} {last}", f"forælder{i}@example.dk", fake)
        _test_families(db)
    return path


if __name__ == "__main__":
    target = create_example_school(Path(sys.argv[1] if len(sys.argv) > 1 else "data/school.db"))
    print(f"example school database: {target}")
