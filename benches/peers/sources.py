"""Peers of iqpins-sources, timed on the same corpus files.

    python sources.py html N FILE...   extruct (json-ld, microdata, opengraph) + BeautifulSoup
                                       title/meta description, N passes over the pages
    python sources.py feed N FILE...   feedparser, N passes over the feeds

Prints "files items seconds" like the Rust example `extract --time N`.
"""

import sys
import time


def run_html(files, n):
    import extruct
    from bs4 import BeautifulSoup

    pages = [open(f, "rb").read() for f in files]
    items = 0
    start = time.perf_counter()
    for _ in range(n):
        for raw in pages:
            try:
                data = extruct.extract(
                    raw, syntaxes=["json-ld", "microdata", "opengraph"], uniform=True
                )
            except Exception:
                data = {}
            soup = BeautifulSoup(raw, "lxml")
            title = soup.title.string if soup.title else None
            desc = soup.find("meta", attrs={"name": "description"})
            _ = (data, title, desc)
            items += 1
    return len(pages) * n, items, time.perf_counter() - start


def run_feed(files, n):
    import feedparser

    feeds = [open(f, "rb").read() for f in files]
    items = 0
    start = time.perf_counter()
    for _ in range(n):
        for raw in feeds:
            items += len(feedparser.parse(raw).entries)
    return len(feeds) * n, items, time.perf_counter() - start


if __name__ == "__main__":
    mode, n, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    files_done, items, secs = (run_html if mode == "html" else run_feed)(files, n)
    print(f"{files_done} {items} {secs:.6f}")
