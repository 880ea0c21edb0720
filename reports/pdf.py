"""Print the brief to PDF with a headless Chromium, where one is installed."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

# no network at all, no first-run or background services (the page needs nothing)
HEADLESS_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
)


class PdfUnavailable(RuntimeError):
    """No headless browser to print with, or printing failed."""


def find_chromium() -> str | None:
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def print_pdf(html: Path, pdf: Path, timeout: float = 120.0) -> Path:
    """Print ``html`` to ``pdf`` (A4, the page's print stylesheet)."""
    browser = find_chromium()
    if browser is None:
        raise PdfUnavailable(
            "cannot print the brief to PDF: no Chromium found (install the chromium package)"
        )
    pdf.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ronghe-chromium-") as profile:
        cmd = [
            browser,
            *HEADLESS_FLAGS,
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            html.resolve().as_uri(),
        ]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0 or not pdf.exists() or pdf.stat().st_size == 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise PdfUnavailable(f"cannot print the brief to PDF: chromium failed ({last})")
    return pdf
