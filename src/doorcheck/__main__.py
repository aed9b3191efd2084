import sys

from doorcheck.cli import main

sys.exit(main())
