"""One petitioner's history on the pages: their cases and contacts, identity masked."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import Ctx, PageReader
from api.pages.common import redirect, render
from cases.db import reader
from cases.organisation import directory
from cases.repeat import history
from workflow import glossary

router = APIRouter(include_in_schema=False)


@router.get("/petitioners/{petitioner_id}")
def petitioner_page(request: Request, ctx: Ctx, user: PageReader, petitioner_id: int) -> Response:
    """One person's cases and contacts (identity masked; accusations hidden from the accused)."""
    with reader(ctx.engine).connect() as conn:
        person = history.petitioner_history(
            conn,
            ctx.rt,
            petitioner_id=petitioner_id,
            viewer_staff_no=user.staff_no,
            now=ctx.clock.now(),
        )
        names = directory.staff_names(conn, (k["recorded_by"] for k in person["contacts"]))
    for k in person["contacts"]:
        k["recorded_by_text"] = glossary.person(k["recorded_by"], names)
    return render(request, "petitioner.html", user=user, history=person)


@router.get("/cases/{case_no}/petitioner")
def case_petitioner(ctx: Ctx, user: PageReader, case_no: str) -> Response:
    """From a case to its petitioner's history page."""
    with reader(ctx.engine).connect() as conn:
        petitioner_id = history.petitioner_of(conn, case_no=case_no, viewer_staff_no=user.staff_no)
    return redirect(f"/petitioners/{petitioner_id}")
