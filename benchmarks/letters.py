"""Benchmark: 200 distinct realistic letters rendered to PDF/A-3u, against a naive baseline
(a fresh `HTML(...).write_pdf()` per letter with default options and the system's Noto
Sans CJK) measured in the same run. No database: letters come from subsidy.letters.samples.

Run: .venv/bin/python benchmarks/letters.py [--letters 200] [--naive 40] [--soak 10000]
Last line: `letters: median .. ms, .. letters/s on 2 cores, .. KiB, naive median .. ms / .. KiB, ratio .., glyphs ok`
(targets: median <= 60 ms, >= 25 letters/s on two cores, <= 60 KiB, correct glyphs).
`--soak N` renders N letters in one process and prints its memory every 1,000 letters.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# benchmarks/queue.py is named like the standard library's `queue`: keep this folder off the path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "subsidy.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from devtools.glyph_check import wrong_glyphs  # noqa: E402
from subsidy.letters.content import LetterContent  # noqa: E402
from subsidy.letters.render import letter_css_text, letter_html, render_letter  # noqa: E402
from subsidy.letters.samples import RARE_NAME_CHARACTERS, sample_letter  # noqa: E402
from subsidy.models.choices import LetterKind  # noqa: E402


def letters(count: int) -> list[LetterContent]:
    return [sample_letter(n, kind=LetterKind.REJECTION if n % 7 == 3 else LetterKind.APPROVAL) for n in range(count)]


def naive_render(content: LetterContent) -> bytes:
    """What a first version does: the same HTML and CSS, system font by name, nothing reused."""
    from weasyprint import HTML

    css = letter_css_text().replace('"GDHK Letter"', '"Noto Sans CJK SC"')
    html = letter_html(content).replace("</head>", f"<style>{css}</style></head>")
    return HTML(string=html).write_pdf()


def rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _render_range(bounds: tuple[int, int]) -> int:
    return sum(len(render_letter(content)) for content in letters(bounds[1])[bounds[0] :])


def _warm(_: int) -> int:
    return len(render_letter(sample_letter(10_000)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--letters", type=int, default=200)
    parser.add_argument("--naive", type=int, default=40, help="how many letters the naive baseline renders")
    parser.add_argument("--soak", type=int, default=0)
    args = parser.parse_args()

    call_command("build_letter_font")
    batch = letters(args.letters)
    for content in batch[:3]:
        render_letter(content)  # warm-up: stylesheet, font configuration, caches

    timings, sizes = [], []
    for content in batch:
        start = time.perf_counter()
        pdf = render_letter(content)
        timings.append((time.perf_counter() - start) * 1000)
        sizes.append(len(pdf) / 1024)

    workers = 2
    chunks = [(i * len(batch) // workers, (i + 1) * len(batch) // workers) for i in range(workers)]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        pool.map(_warm, range(workers), chunksize=1)  # start the workers outside the timing
        start = time.perf_counter()
        pool.map(_render_range, chunks, chunksize=1)
        throughput = len(batch) / (time.perf_counter() - start)

    naive_timings, naive_sizes = [], []
    for content in batch[: args.naive]:
        start = time.perf_counter()
        pdf = naive_render(content)
        naive_timings.append((time.perf_counter() - start) * 1000)
        naive_sizes.append(len(pdf) / 1024)

    rare = render_letter(sample_letter(0, applicant_name=f"深圳市{RARE_NAME_CHARACTERS}科技有限公司"))
    checked = [render_letter(batch[n]) for n in (1, 3)] + [rare]
    wrong = [drawn for pdf in checked for drawn in wrong_glyphs(pdf)]

    if args.soak:
        start_rss = rss_mib()
        for n in range(args.soak):
            render_letter(sample_letter(n))
            if (n + 1) % 1000 == 0:
                print(f"soak: {n + 1} letters, RSS {rss_mib():.0f} MiB (started at {start_rss:.0f} MiB)", flush=True)

    median = statistics.median(timings)
    naive_median = statistics.median(naive_timings)
    print(
        f"single core: median {median:.1f} ms, p95 {statistics.quantiles(timings, n=20)[-1]:.1f} ms; "
        f"KiB median {statistics.median(sizes):.1f}, max {max(sizes):.1f}"
    )
    print(
        f"letters: median {median:.0f} ms, {throughput:.0f} letters/s on {workers} cores, "
        f"{statistics.median(sizes):.0f} KiB, naive median {naive_median:.0f} ms / "
        f"{statistics.median(naive_sizes):.0f} KiB, ratio {median / naive_median:.2f}, "
        + ("glyphs ok" if not wrong else f"WRONG GLYPHS: {''.join(d.text for d in wrong)}")
    )


if __name__ == "__main__":
    main()
