"""The server of bench_command.py: the project's ``fangkong serve`` (waitress, its default 8
threads) on the database the environment names, unchanged settings.

    python -m benchmarks.command_serve PORT
"""

from __future__ import annotations

import os
import sys

if __name__ == "__main__":
    os.environ["DJANGO_SETTINGS_MODULE"] = "fangkong.settings"
    from fangkong.cli.commands import serve, setup_django

    setup_django()
    serve(host="127.0.0.1", port=int(sys.argv[1]), threads=8)
