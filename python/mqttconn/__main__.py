"""python3 -m mqttconn: see cli.py."""

import sys

from .cli import main

sys.exit(main())
