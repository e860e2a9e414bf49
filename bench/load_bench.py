"""Load benchmark of the whole stack: see civic/load_bench.py (`civic bench`)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from civic.load_bench import main

if __name__ == "__main__":
    sys.exit(main())
