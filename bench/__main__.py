"""``python -m bench`` (``make bench``): every benchmark in turn; options go to each.
``python -m bench pages`` (or any other name below, without ``bench.``): that one alone.

Each runs in a process of its own: each configures Django for its own database.
"""

import subprocess
import sys

BENCHMARKS = [
    "bench.pages",
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
    arguments = sys.argv[1:]
    chosen = BENCHMARKS
    if arguments and f"bench.{arguments[0]}" in BENCHMARKS:
        chosen, arguments = [f"bench.{arguments[0]}"], arguments[1:]
    for module in chosen:
        subprocess.call([sys.executable, "-m", module, *arguments])
    sys.exit(0)
