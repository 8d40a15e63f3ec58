import sys

from newswatch.cli import main

sys.exit(main())
