"""The server of bench_healthcode.py: the project's ``fangkong serve`` (waitress) in its own
process, on the database and settings the environment names.

    python -m benchmarks.healthcode_serve PORT THREADS
"""

from __future__ import annotations

import os
import sys

if __name__ == "__main__":
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.healthcode_settings"
    from fangkong.cli.commands import serve, setup_django

    setup_django()
    serve(host="127.0.0.1", port=int(sys.argv[1]), threads=int(sys.argv[2]))
