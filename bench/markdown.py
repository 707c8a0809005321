"""Benchmark of Markdown rendering (issue 12 #1): ``python -m bench.markdown``.

Renders 200 KB of adversarial Markdown through ``meetings.markdown.render_markdown`` (cmark,
the depth guard and nh3: the whole path a saved agenda item, minutes or poll description
takes) and, as the baseline in the same run, 200 KB of plain prose. The inputs are the
known ways to make a Markdown parser slow: runs of ``[`` (Python-Markdown needed 30 s for
20,000 of them), ``![``, unclosed links, emphasis and backtick runs, deep ``>`` nesting,
many links. Every figure is the median of several runs.

Target (issue 12 #1): each input renders in under 100 ms. No database is needed. A
benchmark is not a test: the exit status is 0 whatever the verdicts.
"""

from __future__ import annotations

import argparse
import platform
import sys
from importlib.metadata import version

from bench.common import measure, row, verdict

SIZE = 200_000
RUNS = 7
TARGET_MS = 100.0


def inputs(size: int = SIZE) -> dict[str, str]:
    """Name → ``size`` characters of text; the first one is the baseline."""

    def _sized(unit: str) -> str:
        return (unit * (size // len(unit) + 1))[:size]

    return {
        "plain prose (baseline)": _sized("Die Stadtteilkonferenz tagt im Bürgerhaus. "),
        "runs of [": _sized("["),
        "runs of ![": _sized("!["),
        "unclosed links [a](": _sized("[a]("),
        "links [a](https://…)": _sized("[Stadt](https://www.aachen.de) "),
        "nested [[[a]]](b)": "[" * (size // 2 - 2) + "a" + "](b)" + "]" * (size // 2 - 3),
        "emphasis *a **b": _sized("*a **b "),
        "underscores _a": _sized("_a "),
        "backtick runs": "".join("`" * n + " " for n in range(1, 700))[:size],
        "nested > quotes": _sized(">"),
        "nested lists - - -": _sized("- "),
        "quote + list lines": _sized("> - a\n"),
        "angle brackets <": _sized("<"),
        "reference definitions": _sized("[a]: "),
    }


def run(runs: int) -> None:
    from meetings.markdown import render_markdown

    texts = inputs()
    samples = {name: measure(lambda text=text: render_markdown(text), runs) for name, text in texts.items()}
    # Linear time shows as ×2 from half the size to the full size; quadratic as ×4.
    halves = {name: measure(lambda text=text: render_markdown(text), runs) for name, text in inputs(SIZE // 2).items()}
    baseline_name = next(iter(texts))
    base = samples[baseline_name].median_ms
    print()
    print("=" * 118)
    print(
        f"Markdown benchmark — {SIZE // 1000} KB per input, render_markdown (cmarkgfm {version('cmarkgfm')}, "
        f"nh3 {version('nh3')}), Python {platform.python_version()}"
    )
    print("-" * 118)
    print(f"{'input':<36} {'runs':>4} {'median':>14} {'min–max (ms)':>22} {'× baseline':>10}  {'target':<22} verdict")
    failed = []
    for name, sample in samples.items():
        if name == baseline_name:
            row(name, sample, ratio="1.0×", target="baseline")
            continue
        ok = sample.median_ms < TARGET_MS
        if not ok:
            failed.append(name)
        ratio = f"{sample.median_ms / base:.0f}×" if base else ""
        growth = sample.median_ms / halves[name].median_ms if halves[name].median_ms else 0.0
        row(
            name,
            sample,
            ratio=ratio,
            target=f"< {TARGET_MS:.0f} ms",
            verdict=f"{verdict(ok)}  (×{growth:.1f} from {SIZE // 2000} KB)",
        )
    print("-" * 118)
    print(f"Verdict: {verdict(not failed)}" + (f" (over target: {', '.join(failed)})" if failed else ""))
    print("=" * 118)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.markdown", description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=RUNS, help="runs per input (the median is shown)")
    # bench/__main__ passes every benchmark the same options (e.g. --keep for the database ones).
    options, _ignored = parser.parse_known_args(argv)
    run(options.runs)
    # A benchmark is not a test: the verdicts are printed, the exit status stays 0.
    return 0


if __name__ == "__main__":
    sys.exit(main())
