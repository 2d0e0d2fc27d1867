"""HTML to PDF with WeasyPrint, the Chinese text set in the installed CJK font: the closure reports
and the statistics print through here. WeasyPrint loads only when something is printed."""

from collections.abc import Callable, Iterable


def from_html(html: str, base_url: str | None = None) -> bytes:
    """A PDF of the HTML."""
    from weasyprint import HTML

    return HTML(string=html, base_url=base_url).write_pdf()


def merged(
    htmls: Iterable[str],
    *,
    base_url: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> bytes:
    """One PDF of many documents, each laid out on its own (its pages numbered from 1)."""
    from weasyprint import HTML

    documents = []
    for html in htmls:
        documents.append(HTML(string=html, base_url=base_url).render())
        if progress is not None:
            progress(1)
    if not documents:
        raise ValueError("nothing to print")
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf()
