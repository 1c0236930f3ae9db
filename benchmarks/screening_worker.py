"""A sampler-upload worker for the crash case of bench_screening.py: stores each pickled
batch through ``store_batch`` and appends its client key to the acknowledgement file only
after ``store_batch`` has returned (committed), as a device marks a batch sent on a 200.

    python -m benchmarks.screening_worker BATCHES.pickle ACKS.txt
"""

from __future__ import annotations

import os
import pickle
import sys
from pathlib import Path


def main() -> None:
    work, acks = Path(sys.argv[1]), Path(sys.argv[2])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangkong.settings")
    from fangkong.cli.commands import setup_django

    setup_django()
    from benchmarks.screening_round import bench_actor
    from fangkong.testing.ingest import store_batch

    actor = bench_actor()
    with acks.open("a") as out:
        for batch in pickle.loads(work.read_bytes()):  # noqa: S301 (our own file)
            store_batch(actor=actor, batch=batch)
            out.write(batch.client_key + "\n")
            out.flush()


if __name__ == "__main__":
    main()
