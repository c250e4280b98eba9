#!/usr/bin/env python3
"""The peers' workload: a journal with as many postings as the bench corpus has item-years, for hledger,
ledger and beancount, and how to time them.

    python bench/peers.py OUT --postings 2136000      # writes OUT/peers-<N>.journal and OUT/peers-<N>.beancount

``bench/run.py`` calls this itself (the postings are the corpus's items × columns) and times each peer that
``bench/install_peers.sh`` installed: ``hledger check`` (parse, balance every transaction, the basic checks),
``ledger bal`` (parse and a balance report) and ``bean-check`` (parse, book, the default checks). What each
does is about what ``rammecalc check`` does per item-year: read a text file, parse every amount, add up and
compare.

The journal is what the corpus is in the peers' terms: a transaction per posting pair, in date order, each
municipality a top-level account and each unit an account under it (356 × 40 accounts with the corpus's
defaults); amounts in whole NOK between −5 000 and 5 000 as the corpus's items are, with every transaction
balanced (an expense against the unit's frame). Only the standard library; the same arguments give the same
files, byte for byte.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
FORMAT = "rammecalc-bench-peers/1"
#: Where bench/install_peers.sh puts beancount (a virtualenv of its own, so it needs nothing of ours).
PEERS_VENV = HERE / ".peers"


def write(folder: Path, postings: int, municipalities: int = 356, units: int = 40, seed: int = 2024
          ) -> tuple[Path, Path]:
    """The journal (hledger, ledger) and the beancount file with ``postings`` postings (two per transaction),
    reused if written before with the same arguments."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"peers-{postings}-{municipalities}x{units}-{seed}"
    journal, beancount = folder / f"{stem}.journal", folder / f"{stem}.beancount"
    marker = folder / f"{stem}.done"
    if marker.is_file() and marker.read_text(encoding="utf-8") == FORMAT and journal.is_file() and beancount.is_file():
        return journal, beancount
    rng = random.Random(seed)
    transactions = postings // 2
    start = datetime.date(2019, 1, 1)
    days = 5 * 365  # the corpus's five columns
    accounts = [(f"K{m:03d}", f"E{u:02d}") for m in range(municipalities) for u in range(units)]
    with open(journal, "w", encoding="utf-8") as j, open(beancount, "w", encoding="utf-8") as b:
        j.write("; Synthetic journal written by bench/peers.py for benchmarking; not a real ledger.\n\n")
        b.write("; Synthetic ledger written by bench/peers.py for benchmarking; not a real ledger.\n"
                'option "operating_currency" "NOK"\n\n')
        b.writelines(f"2019-01-01 open Expenses:{municipality}:{unit} NOK\n"
                    f"2019-01-01 open Assets:Ramme:{municipality}:{unit} NOK\n" for municipality, unit in accounts)
        b.write("\n")
        for t in range(transactions):
            date = start + datetime.timedelta(days=t * days // transactions)
            municipality, unit = accounts[t % len(accounts)]
            amount = rng.randint(-5000, 5000) or 1
            j.write(f"{date} Post {t}\n    Expenses:{municipality}:{unit}  {amount} NOK\n"
                    f"    Assets:Ramme:{municipality}:{unit}  {-amount} NOK\n\n")
            b.write(f'{date} * "Post {t}"\n  Expenses:{municipality}:{unit}  {amount} NOK\n'
                    f"  Assets:Ramme:{municipality}:{unit}  {-amount} NOK\n\n")
    marker.write_text(FORMAT, encoding="utf-8")
    return journal, beancount


def commands(journal: Path, beancount: Path) -> dict[str, list[str]]:
    """Each installed peer's command on the workload (``{}`` if none is installed)."""
    found = {}
    if shutil.which("hledger"):
        found["hledger check"] = ["hledger", "check", "-f", str(journal)]
    if shutil.which("ledger"):
        found["ledger bal"] = ["ledger", "-f", str(journal), "bal"]
    bean = PEERS_VENV / ("Scripts" if os.name == "nt" else "bin") / "bean-check"
    bean_check = str(bean) if bean.exists() else shutil.which("bean-check")
    if bean_check:
        found["bean-check"] = [bean_check, str(beancount)]
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--postings", type=int, default=2_136_000)
    args = parser.parse_args(argv)
    journal, beancount = write(args.out, args.postings)
    print(f"wrote {journal} and {beancount}")
    for name, command in commands(journal, beancount).items():
        print(f"{name}: {' '.join(command)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
