"""A notice's text: its Jinja template in ``templates/notices/``, rendered once when the step
issues it; the PDF is printed from that stored text (WeasyPrint, the installed CJK font)."""

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, select_autoescape

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates"


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The notices' own template environment (the pages' lives in ``api``, which cases may not import)."""
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        # The notices' text is part of the audit record: a template changes with a release.
        auto_reload=False,
    )


@lru_cache(maxsize=16)
def _compiled(template: str) -> Template:
    # Compiled once per process: looking it up through the environment checks the file's
    # modification time at every step that issues a notice (bench/lifecycle.py --profile).
    return environment().get_template(template)


def notice_html(template: str, context: Mapping[str, Any]) -> str:
    """The notice as a standalone A4 HTML document."""
    return _compiled(template).render(**context)


def notice_pdf(html: str) -> bytes:
    """The PDF of a stored notice."""
    from cases.reports import pdf

    return pdf.from_html(html)
