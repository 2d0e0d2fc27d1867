"""HTML to PDF with WeasyPrint, the Chinese text set in the installed CJK font: the closure reports
and the statistics print through here. WeasyPrint loads only when something is printed.

What a document may load is limited (``allowed_url``): ``data:`` URIs (the charts) and files under
the application's templates, its static files and the system's fonts. No ``http:``, no other
``file:``: text typed into a case (an ``<img src="file:///etc/passwd">`` in a name, once escaping
fails) can never make the server read or fetch anything else.
"""

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parents[2]
#: The only places a printed document may read files from.
ALLOWED_ROOTS = (
    ROOT / "templates",
    ROOT / "api" / "static",
    Path("/usr/share/fonts"),
    Path("/usr/local/share/fonts"),
)


def allowed_url(url: str) -> bool:
    """Whether a printed document may load ``url``: a data: URI, or the app's own files and fonts."""
    parts = urlsplit(url)
    if parts.scheme == "data":
        return True
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return False
    path = Path(unquote(parts.path)).resolve()
    return any(path.is_relative_to(root) for root in ALLOWED_ROOTS)


def _fetcher() -> Any:
    from weasyprint.urls import URLFetcher

    class OwnFilesOnly(URLFetcher):
        """WeasyPrint's fetcher, refusing whatever ``allowed_url`` does not allow."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if not allowed_url(url):
                raise ValueError(f"refused: {url[:80]}")
            return super().fetch(url, headers)

    return OwnFilesOnly(allowed_protocols=("file", "data"), allow_redirects=False)


def from_html(html: str, base_url: str | None = None) -> bytes:
    """A PDF of the HTML."""
    from weasyprint import HTML

    return HTML(string=html, base_url=base_url, url_fetcher=_fetcher()).write_pdf()


def merged(
    htmls: Iterable[str],
    *,
    base_url: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> bytes:
    """One PDF of many documents, each laid out on its own (its pages numbered from 1)."""
    from weasyprint import HTML

    documents = []
    fetcher = _fetcher()
    for html in htmls:
        documents.append(HTML(string=html, base_url=base_url, url_fetcher=fetcher).render())
        if progress is not None:
            progress(1)
    if not documents:
        raise ValueError("nothing to print")
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf()
