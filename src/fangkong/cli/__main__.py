"""``python -m fangkong.cli`` is the ``fangkong`` command."""

from fangkong.cli import main

raise SystemExit(main())
