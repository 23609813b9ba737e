"""Reports of the staff conversation tests: an HTML page people read (failures first, the
conversation as the patient sees it, each expectation marked found or missing) and a
JUnit XML file for CI."""
from __future__ import annotations

import datetime as dt
import html
from pathlib import Path
from xml.etree import ElementTree as ET

CSS = """
body{font-family:system-ui,sans-serif;max-width:980px;margin:2em auto;color:#222;padding:0 1em}
h1{font-size:1.5em} .summary{font-size:1.1em;margin:1em 0;padding:.8em;border-radius:6px}
.summary.ok{background:#e6f4ea} .summary.bad{background:#fce8e6}
details{border:1px solid #ddd;border-radius:6px;margin:.6em 0;padding:.4em .8em}
details.fail{border-color:#d93025} summary{cursor:pointer;font-weight:600}
.badge{display:inline-block;min-width:4.5em;text-align:center;border-radius:4px;color:#fff;
 font-size:.8em;padding:.1em .4em;margin-right:.6em} .badge.ok{background:#188038}
.badge.fail{background:#d93025} .file{color:#777;font-weight:normal;font-size:.85em}
.turn{margin:.7em 0} .patient{background:#e8f0fe;border-radius:12px 12px 2px 12px;
 padding:.5em .8em;margin-left:25%;white-space:pre-wrap}
.bot{background:#f1f3f4;border-radius:12px 12px 12px 2px;padding:.5em .8em;margin:.3em 25% .3em 0;
 white-space:pre-wrap} .tap{font-style:italic}
.buttons span{display:inline-block;border:1px solid #1a73e8;color:#1a73e8;border-radius:14px;
 padding:.1em .7em;margin:.2em .3em 0 0;font-size:.9em}
ul.checks{margin:.3em 0 .3em 1em;padding:0;list-style:none} ul.checks li.ok::before{content:"✔ ";color:#188038}
ul.checks li.fail::before{content:"✘ ";color:#d93025} ul.checks li.fail{color:#d93025;font-weight:600}
.error{color:#d93025;font-weight:600}
"""


def _esc(s: str) -> str:
    return html.escape(s or "")


def _test_html(r) -> str:
    status = "ok" if r.ok else "fail"
    parts = [f'<details class="{status}"{"" if r.ok else " open"}><summary>'
             f'<span class="badge {status}">{"geslaagd" if r.ok else "MISLUKT"}</span>'
             f'{_esc(r.title)} <span class="file">{_esc(r.file)}</span></summary>']
    for s in r.steps:
        said = f'<span class="tap">tikt op knop:</span> {_esc(s.patient)}' if s.tapped else _esc(s.patient)
        parts.append(f'<div class="turn"><div class="patient">{said}</div>')
        if s.error:
            parts.append(f'<div class="error">Geen antwoord: {_esc(s.error)}</div>')
        for text in s.replies:
            parts.append(f'<div class="bot">{_esc(text)}</div>')
        if s.buttons:
            parts.append('<div class="buttons">' + "".join(f"<span>{_esc(b)}</span>" for b in s.buttons)
                         + "</div>")
        if s.checks:
            parts.append('<ul class="checks">' + "".join(
                f'<li class="{"ok" if c.ok else "fail"}">{_esc(c.what)}</li>' for c in s.checks) + "</ul>")
        parts.append("</div>")
    parts.append("</details>")
    return "\n".join(parts)


def write_html(results: list, path: Path, target: str = "") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    failed = [r for r in results if not r.ok]
    passed = [r for r in results if r.ok]
    when = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    summary_class = "bad" if failed else "ok"
    body = [f"<h1>Gesprekstesten van de pijnassistent</h1>",
            f'<div class="summary {summary_class}"><b>{len(passed)} van {len(results)} testen geslaagd</b>'
            f'{f", {len(failed)} mislukt (bovenaan)" if failed else ""}. Getest tegen {_esc(target)} op {when}.</div>']
    body += [_test_html(r) for r in failed + passed]
    path.write_text("<!doctype html><html lang='nl'><head><meta charset='utf-8'>"
                    f"<title>Gesprekstesten</title><style>{CSS}</style></head><body>"
                    + "\n".join(body) + "</body></html>", encoding="utf-8")


def write_junit(results: list, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    suite = ET.Element("testsuite", name="conversations", tests=str(len(results)),
                       failures=str(sum(not r.ok for r in results)))
    for r in results:
        case = ET.SubElement(suite, "testcase", classname=r.file, name=r.title)
        if not r.ok:
            lines = []
            for i, s in enumerate(r.steps, 1):
                if s.error:
                    lines.append(f"step {i} '{s.patient}': {s.error}")
                lines += [f"step {i} '{s.patient}': {c.what}" for c in s.checks if not c.ok]
            failure = ET.SubElement(case, "failure", message=lines[0] if lines else "failed")
            failure.text = "\n".join(lines)
    ET.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)
