"""Print the 通报 document (.docx) to PDF with a headless LibreOffice, where one is installed.

The document asks for the fonts office PCs have (仿宋_GB2312, 方正小标宋简体, 黑体,
楷体_GB2312); the server has Noto CJK. A fontconfig file given to LibreOffice alone maps
each to its Noto face (the song, fang-song and kai faces to Noto Serif CJK SC, 小标宋 to
its bold, 黑体 to Noto Sans CJK SC), so the PDF is set in a serif CJK face as the
document means, not in whatever sans face fontconfig falls back to. Each printing has
its own LibreOffice profile folder, so that it never waits for, or disturbs, another.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from .document_styles import FANGSONG, HEITI, KAITI, SONGTI, XIAOBIAOSONG
from .pdf import PdfUnavailable

SERIF, SANS = "Noto Serif CJK SC", "Noto Sans CJK SC"
FONT_MAP = {
    FANGSONG: SERIF,
    "仿宋": SERIF,
    SONGTI: SERIF,
    KAITI: SERIF,
    "楷体": SERIF,
    HEITI: SANS,
}
HEAVY = (XIAOBIAOSONG,)  # 小标宋 is a heavy song face: Noto Serif CJK SC Bold
SYSTEM_FONTS_CONF = "/etc/fonts/fonts.conf"


def fonts_conf(folder: Path) -> Path:
    """A fontconfig file: the system's, plus the office fonts mapped to Noto CJK."""
    aliases = "".join(
        f'  <alias binding="same"><family>{name}</family>'
        f"<prefer><family>{noto}</family></prefer></alias>\n"
        for name, noto in FONT_MAP.items()
    ) + "".join(
        f'  <match target="pattern"><test name="family"><string>{name}</string></test>'
        f'<edit name="family" mode="assign" binding="strong"><string>{SERIF}</string></edit>'
        '<edit name="weight" mode="assign" binding="strong"><const>bold</const></edit>'
        "</match>\n"
        for name in HEAVY
    )
    conf = folder / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        f'  <include ignore_missing="yes">{SYSTEM_FONTS_CONF}</include>\n'
        f"{aliases}</fontconfig>\n",
        encoding="utf-8",
    )
    return conf


def find_soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def print_document(document: Path, pdf: Path, timeout: float = 180.0) -> Path:
    """Print ``document`` to ``pdf`` through LibreOffice Writer."""
    soffice = find_soffice()
    if soffice is None:
        raise PdfUnavailable(
            "cannot print the 通报 document to PDF: no LibreOffice found"
            " (install libreoffice-writer-nogui)"
        )
    pdf.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ronghe-soffice-") as tmp:
        folder = Path(tmp)
        env = {**os.environ, "FONTCONFIG_FILE": str(fonts_conf(folder))}
        cmd = [
            soffice,
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(folder / "out"),
            str(document),
        ]
        try:
            done = subprocess.run(
                cmd, capture_output=True, text=True, timeout=timeout, check=False, env=env
            )
        except subprocess.TimeoutExpired as exc:
            raise PdfUnavailable(
                f"cannot print the 通报 document to PDF: LibreOffice took over {timeout:.0f} s"
            ) from exc
        printed = folder / "out" / (document.stem + ".pdf")
        if done.returncode != 0 or not printed.exists() or printed.stat().st_size == 0:
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise PdfUnavailable(
                f"cannot print the 通报 document to PDF: LibreOffice failed ({last})"
            )
        shutil.move(printed, pdf)
    return pdf
