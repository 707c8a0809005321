"""``python -m bench`` (``make bench``): every benchmark in turn; options go to each.
``python -m bench pages`` (or any other name below, without ``bench.``): that one alone.

Each runs in a process of its own: each configures Django for its own database. At the
end one table lists every figure the benchmarks gave a verdict, met or missed.
"""

import os
import subprocess
import sys
import tempfile

from bench.common import SUMMARY_VARIABLE, summary_print

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
    with tempfile.TemporaryDirectory(prefix="bench-summary-") as folder:
        summary = os.path.join(folder, "verdicts.jsonl")
        for module in chosen:
            subprocess.call([sys.executable, "-m", module, *arguments], env={**os.environ, SUMMARY_VARIABLE: summary})
        summary_print(summary)
    sys.exit(0)
