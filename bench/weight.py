"""Scenario 6: page weight and first paint. The menu page (the page a scan lands on) with
all its CSS and JS, as compressed bytes; then first contentful paint in Debian's chromium,
phone-sized, with the CPU slowed 4× (CDP Emulation.setCPUThrottlingRate), cold each time.

The page is sent gzipped by the product (GZipMiddleware). Static files are served
uncompressed by the product itself (SERVE_STATIC); in production a web server serves
them, compressed: their compressed size here is gzip level 6 of the served bytes."""

from __future__ import annotations

import argparse
import gzip
import re
import statistics
from urllib.parse import urljoin

import aiohttp
from playwright.async_api import async_playwright

from bench.report import Report
from bench.stack import Stack
from tests.browser import CHROMIUM, CHROMIUM_ARGS, PHONE  # the browser tests' phone

GOAL_KB = 60.0
ASSETS = re.compile(r'<(?:link rel="stylesheet" href|script src)="([^"]+)"')
PAINT = """() => {
  const fcp = performance.getEntriesByName("first-contentful-paint")[0];
  const nav = performance.getEntriesByType("navigation")[0];
  return {fcp: fcp ? fcp.startTime : null, dcl: nav.domContentLoadedEventEnd,
          load: nav.loadEventEnd, redirect: nav.redirectEnd};
}"""


async def weigh(base: str, token: str) -> dict[str, dict[str, int]]:
    """Bytes of the menu page and each CSS/JS file it loads: as sent, and compressed."""
    sizes: dict[str, dict[str, int]] = {}
    jar = aiohttp.CookieJar(unsafe=True)
    headers = {"Accept-Encoding": "gzip"}
    async with aiohttp.ClientSession(cookie_jar=jar, auto_decompress=False) as http:
        async with http.get(f"{base}/t/{token}", headers=headers) as reply:
            sent = await reply.read()
            encoding = reply.headers.get("Content-Encoding", "")
            html = gzip.decompress(sent).decode() if encoding == "gzip" else sent.decode()
            page_url = str(reply.url)
        sizes["menu page (HTML)"] = {"raw": len(html.encode()), "compressed": len(sent)}
        for path in ASSETS.findall(html):
            async with http.get(urljoin(page_url, path), headers=headers) as reply:
                body = await reply.read()
                if reply.headers.get("Content-Encoding") == "gzip":
                    raw, compressed = len(gzip.decompress(body)), len(body)
                else:
                    raw, compressed = len(body), len(gzip.compress(body, 6))
            sizes[path] = {"raw": raw, "compressed": compressed}
    return sizes


async def first_paints(base: str, tokens: list[str], throttle: float) -> list[dict[str, float]]:
    paints = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            for token in tokens:
                context = await browser.new_context(**PHONE)  # cold: no cache, no cookies
                page = await context.new_page()
                cdp = await context.new_cdp_session(page)
                await cdp.send("Emulation.setCPUThrottlingRate", {"rate": throttle})
                await page.goto(f"{base}/t/{token}", wait_until="load", timeout=30_000)
                await page.wait_for_timeout(200)
                paints.append(await page.evaluate(PAINT))
                await context.close()
        finally:
            await browser.close()
    return paints


async def run(args: argparse.Namespace, report: Report) -> None:
    runs = 2 if args.quick else 7
    async with Stack(args.shape, tables=2 * runs + 1) as stack:
        base = stack.base_urls[0]
        tokens = [stack.tokens[str(n)] for n in range(1, 2 * runs + 2)]
        sizes = await weigh(base, tokens[0])
        for name, size in sizes.items():
            report.say(
                f"{name:<36} {size['raw'] / 1000:6.1f} kB raw  {size['compressed'] / 1000:5.1f} kB"
                " compressed"
            )
        total = sum(size["compressed"] for size in sizes.values()) / 1000
        verdict = "met" if total <= GOAL_KB else "MISSED"
        report.say(f"total compressed {total:.1f} kB; goal ≤ {GOAL_KB:g} kB: {verdict}")
        results = {}
        for throttle, chunk in ((4.0, tokens[1 : runs + 1]), (1.0, tokens[runs + 1 :])):
            paints = await first_paints(base, chunk, throttle)
            fcp = [p["fcp"] for p in paints if p["fcp"] is not None]
            results[throttle] = paints
            report.say(
                f"first contentful paint, CPU {throttle:g}× slower, {len(fcp)} cold loads: "
                f"median {statistics.median(fcp):.0f} ms (min {min(fcp):.0f}, max {max(fcp):.0f})"
                f"; load event median {statistics.median(p['load'] for p in paints):.0f} ms"
            )
    report.data.update(sizes=sizes, total_kb=total, verdict=verdict, paints=results)
