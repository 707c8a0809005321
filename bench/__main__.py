"""``python -m bench`` (``make bench``): every benchmark in turn; options go to each.

Each runs in a process of its own: each configures Django for its own database.
"""

import subprocess
import sys

BENCHMARKS = [
    "bench.feeds",
    "bench.meetings",
    "bench.history",
    "bench.public",
    "bench.writes",
    "bench.speaker",
    "bench.notifications",
    "bench.markdown",
]

if __name__ == "__main__":
    for module in BENCHMARKS:
        subprocess.call([sys.executable, "-m", module, *sys.argv[1:]])
    sys.exit(0)
