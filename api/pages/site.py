"""The whole site: every page router, in the order the app includes them."""

from fastapi import APIRouter

from api.pages import (
    account,
    admin,
    admin_accounts,
    auth,
    briefing,
    cases,
    desk,
    inbox,
    intake,
    joint,
    office,
    onsite,
    paper,
    petitioners,
    queue,
    reports,
    staff,
    track,
)

router = APIRouter(include_in_schema=False)

#: In the order they are matched: the intake's /cases/new before the case page's /cases/{case_no},
#: which would take it.
DOMAINS = (
    auth,
    desk,
    intake,
    onsite,
    cases,
    paper,
    joint,
    petitioners,
    track,
    staff,
    queue,
    inbox,
    briefing,
    reports,
    admin,
    admin_accounts,
    office,
    account,
)

for domain in DOMAINS:
    router.include_router(domain.router)
