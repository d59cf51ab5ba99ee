"""Run Sparkov's generator reproducibly (called by ./generate, inside its venv).

Sparkov's own entry point, datagen.py, is not reproducible: its -seed only
seeds Faker while customers are drawn; the customers' ages, genders and home
towns come from the unseeded `random` module, and the transactions are drawn in
a multiprocessing pool from unseeded `random`, `numpy.random` and Faker, in
chunks whose size depends on the number of CPUs. This driver calls the same
functions, datagen_customer.main and datagen_transaction.main, but:

- seeds `random`, `numpy.random` and Faker with --seed before drawing the
  customers, and with a seed derived from (--seed, profile name) before each
  profile's transactions, so the output does not depend on the scheduling;
- draws one transaction file per profile over all customers (no chunks), so
  the output does not depend on the number of CPUs;
- freezes "today" at --end while drawing the customers (Sparkov derives birth
  dates from today's date, and a 29 February retry shifts the random stream);
- runs with TZ=UTC: Sparkov computes unix_time from a naive local datetime, so
  under any other zone unix_time disagrees with trans_date/trans_time.

Sparkov's files are read from --sparkov (it opens them relative to its
folder); everything it writes goes to --out: customers.csv and one
'|'-separated CSV per profile, plus profile_overlap_warnings.log.
"""

import argparse
import datetime
import hashlib
import json
import multiprocessing
import os
import pathlib
import random
import sys
import time


def derived_seed(seed, name):
    digest = hashlib.sha256(f"{seed}:{name}".encode()).hexdigest()
    return int(digest[:8], 16)


def seed_everything(seed):
    import numpy
    from faker import Faker

    random.seed(seed)
    numpy.random.seed(seed % 2**32)
    Faker.seed(seed)


def run_profile(seed, customers, profile_path, start, end, out_file):
    import datagen_transaction

    seed_everything(derived_seed(seed, profile_path.name))
    t0 = time.time()
    datagen_transaction.main(customers, profile_path, start, end, str(out_file))
    return profile_path.name, time.time() - t0


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sparkov", required=True, type=pathlib.Path)
    p.add_argument("--customers", required=True, type=int)
    p.add_argument("--start", required=True, type=datetime.date.fromisoformat)
    p.add_argument("--end", required=True, type=datetime.date.fromisoformat)
    p.add_argument("--seed", required=True, type=int)
    p.add_argument("--out", required=True, type=pathlib.Path)
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    a = p.parse_args()

    os.environ["TZ"] = "UTC"
    time.tzset()
    sparkov = a.sparkov.resolve()
    out = a.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    config = sparkov / "profiles" / "main_config.json"

    # Sparkov's modules read their tables relative to the working directory
    # when imported; import them from its folder, then work in the output
    # folder so the overlap log lands there, not in the user's checkout.
    sys.path.insert(0, str(sparkov))
    os.chdir(sparkov)
    import datagen_customer  # noqa: F401  (reads demographic_data/)
    import datagen_transaction  # noqa: F401  (reads data/merchants.csv)
    from freezegun import freeze_time

    os.chdir(out)

    start = datetime.datetime.combine(a.start, datetime.time())
    end = datetime.datetime.combine(a.end, datetime.time())
    customers = out / "customers.csv"

    t0 = time.time()
    seed_everything(a.seed)
    with freeze_time(datetime.datetime.combine(a.end, datetime.time(12))):
        datagen_customer.main(a.customers, a.seed, str(config), str(customers))
    print(f"customers: {a.customers} in {time.time() - t0:.1f} s", flush=True)

    with open(config) as f:
        profiles = list(json.load(f))
    tasks = [
        (a.seed, str(customers), sparkov / "profiles" / name, start, end,
         out / name.replace(".json", ".csv"))
        for name in profiles
    ]
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(max(1, min(a.jobs, len(tasks)))) as pool:
        for name, seconds in pool.starmap(run_profile, tasks):
            print(f"  {name}: {seconds:.1f} s", flush=True)
    print(f"transactions: {len(tasks)} profiles in {time.time() - t0:.1f} s", flush=True)


if __name__ == "__main__":
    main()
