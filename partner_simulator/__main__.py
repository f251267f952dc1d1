"""`python -m partner_simulator --help`"""

from .cli import main

raise SystemExit(main())
