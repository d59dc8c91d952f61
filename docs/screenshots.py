"""Remake the README's pictures of the audit working paper and its workbook (docs/audit-report.png,
docs/audit-xlsx.png) from the ruled 2016-S1 sample: `.venv/bin/python docs/screenshots.py`.

The report: headless Chromium's screenshot of the HTML, the provenance header and the first findings kept.
The workbook: LibreOffice prints it to PDF (recomputing its formulas), pdftoppm rasterises the page of the
"Impreso vs recalculado" sheet. Needs chromium, soffice and pdftoppm (poppler-utils).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageOps

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
GROUP_ROW = (253, 226, 225)  # the "Errores (n)" row of the findings table: where the findings start


def report_picture(html: Path, work: Path) -> Image.Image:
    from poa.outputs.printing import chromium_command, find_chromium, run_chromium

    shot = work / "full.png"
    run_chromium(chromium_command(find_chromium(), work / "profile") + [
        "--hide-scrollbars", "--force-device-scale-factor=1", f"--screenshot={shot}", "--window-size=1280,5200",
        html.as_uri()])
    full = Image.open(shot).convert("RGB")
    box_top = first_row(full, (68, 68, 68), 0)  # the working-paper box: its top border, then its bottom one
    header_end = first_row(full, (68, 68, 68), box_top + 4) + 4
    start = first_row(full, GROUP_ROW, header_end) - 92  # the table's header above the first group row
    top = full.crop((0, 0, 1280, header_end + 8))
    findings = full.crop((0, start, 1280, start + 1000))
    out = Image.new("RGB", (1280, top.height + findings.height + 12), "white")
    out.paste(top, (0, 0))
    out.paste(findings, (0, top.height + 12))
    return out.resize((1024, round(out.height * 1024 / 1280)), Image.LANCZOS)


def first_row(image: Image.Image, colour: tuple[int, int, int], after: int, run: int = 900) -> int:
    """The first pixel row below `after` with a run of `run` pixels of `colour` (a rule or a table band)."""
    px = image.load()
    for y in range(after + 1, image.height):
        count = 0
        for x in range(0, image.width, 2):
            count = count + 2 if px[x, y] == colour else 0
            if count >= run:
                return y
    raise ValueError(f"no row of {colour} below {after}")


def workbook_picture(xlsx: Path, work: Path) -> Image.Image:
    import pypdfium2 as pdfium

    env = {**os.environ, "LC_ALL": "es_BO.UTF-8", "LANG": "es_BO.UTF-8"}  # numbers as an es-BO Calc shows them
    subprocess.run([shutil.which("soffice"), "--headless", "--norestore", f"-env:UserInstallation={(work / 'lo').as_uri()}",
                    "--convert-to", "pdf", "--outdir", str(work), str(xlsx)], check=True, capture_output=True, timeout=300, env=env)
    pdf = work / f"{xlsx.stem}.pdf"
    doc = pdfium.PdfDocument(str(pdf))
    page = next(i for i in range(len(doc)) if "Fila Nivel" in doc[i].get_textpage().get_text_range()) + 1
    doc.close()
    subprocess.run(["pdftoppm", "-png", "-r", "150", "-f", str(page), "-l", str(page), str(pdf), str(work / "sheet")],
                   check=True, timeout=120)
    image = Image.open(next(work.glob("sheet*.png"))).convert("RGB")
    x0, top, x1, bottom = ImageOps.invert(image).getbbox()  # the printed area, without the page's margins
    return image.crop((max(0, x0 - 12), max(0, top - 12), min(image.width, x1 + 12), min(image.height, bottom + 12)))


def small_png(image: Image.Image, path: Path, limit: int = 300_000) -> Path:
    """Saved as a palette PNG, under `limit` bytes (the README's pictures stay light)."""
    image.quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
    if path.stat().st_size > limit:
        raise SystemExit(f"{path} is {path.stat().st_size} bytes, over {limit}")
    return path


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from poa.outputs.audit import render_html
    from poa.outputs.xlsx import write_xlsx

    from poa.pipeline import process

    os.chdir(ROOT)  # the file named as a user names it: samples/…, not this machine's folders
    report = process(Path("samples") / "mmm-2016-s1-ruled.pdf")
    with tempfile.TemporaryDirectory(prefix="poa-docs-") as tmp:
        work = Path(tmp)
        html = work / "paper.html"
        html.write_text(render_html(report), encoding="utf-8")
        write_xlsx(report, work / "paper.xlsx")
        print(small_png(report_picture(html, work), DOCS / "audit-report.png"))
        print(small_png(workbook_picture(work / "paper.xlsx", work), DOCS / "audit-xlsx.png"))


if __name__ == "__main__":
    main()
