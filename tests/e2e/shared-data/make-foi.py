#!/usr/bin/env python3
"""make-foi.py - write the illustrative FOI rounds used by shared-data.sh.

These are NOT real FOI answers. Each trust code gets a status picked by a
hash of the code, so the files are the same on every run and every
machine:

  foi-nhs-hospitals.csv  one row per distinct ParentODSCode among the NHS
                         website's "NHS Sector" hospital rows whose parent
                         is a 3-character code starting with R
  foi-ods-trusts.csv     one row per open trust (close date empty) in the
                         ODS etr.csv extract

Usage: make-foi.py [DATA_DIR] [OUT_DIR]
DATA_DIR defaults to ../shared/data beside the repository root; OUT_DIR to
this script's folder. Python 3 standard library only.
"""
import csv
import hashlib
import os
import sys

STATUSES = ["Yes", "Partially", "No", "No response"]
NOTE = "Illustrative answer for tests, not a real FOI result"


def answer(code):
    """(status, notes) for a trust code, fixed by SHA-256 of the code."""
    h = hashlib.sha256(code.encode("ascii")).digest()
    status = STATUSES[h[0] % len(STATUSES)]
    notes = NOTE if h[1] % 8 == 0 else ""
    return status, notes


def write(path, codes):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["code", "status", "notes"])
        for code in sorted(codes):
            w.writerow([code, *answer(code)])
    print(f"{path}: {len(codes)} rows")


def hospital_parents(path):
    codes = set()
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            parent = row["ParentODSCode"].strip()
            if (row["Sector"].strip() == "NHS Sector" and len(parent) == 3
                    and parent.startswith("R")):
                codes.add(parent)
    return codes


def open_trusts(path):
    codes = set()
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.reader(f):  # no header; column 12 is the close date
            if row and row[0].strip() and not row[11].strip():
                codes.add(row[0].strip())
    return codes


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(os.path.dirname(os.path.dirname(here)))
    data = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(root), "shared", "data")
    out = sys.argv[2] if len(sys.argv) > 2 else here
    hosp = os.path.join(data, "nhs-choices-hospitals-2018",
                        "hospitals_utf8.csv")
    etr = os.path.join(data, "ods-etr-trusts-2020", "etr.csv")
    for p in (hosp, etr):
        if not os.path.isfile(p):
            sys.exit(f"make-foi.py: {p} is absent")
    write(os.path.join(out, "foi-nhs-hospitals.csv"), hospital_parents(hosp))
    write(os.path.join(out, "foi-ods-trusts.csv"), open_trusts(etr))


if __name__ == "__main__":
    main()
