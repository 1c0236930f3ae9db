"""A resident's own health code, reached through a signed personal link (residents have no
login). The link is the credential: ``django.core.signing`` with the salt
``healthcode.resident`` over the person's id; a tampered, unknown, moved-away or purged
person's link all answer the same NotFound, so a guessed link learns nothing.

The page shows the current signed code as a QR image, the colour, the pop-up flags and every
reason in plain words with what clears it; ``code_payload`` is the same as JSON, which the
page fetches shortly before the code expires. The JSON carries the token, not its picture:
the page draws the QR code itself (``static/healthcode/qr.js``, equal module for module to
the server's drawing), so a refresh costs the server a read and a signature, not a drawing
(docs/healthcode.md, "Issuing a code")."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

import segno
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.core import clock
from fangkong.core.audit import record
from fangkong.core.errors import NotFound
from fangkong.core.jurisdiction import Actor, get_scoped
from fangkong.core.rights import Right
from fangkong.registry.models import Person

LINK_SALT = "healthcode.resident"
REFRESH_MARGIN_SECONDS = 60  # the page fetches a new code this long before the old expires

REASON_TEXT: dict[str, Promise] = {
    "case": gettext_lazy("You are recorded as a confirmed or asymptomatic case."),
    "close_contact": gettext_lazy("You are recorded as a close contact of a case."),
    "secondary_contact": gettext_lazy(
        "You are recorded as a secondary contact (a contact of a close contact)."),
    "companion": gettext_lazy(
        "You were in the same place as a case at the same time (space-time companion)."),
    "quarantine": gettext_lazy("You are under a quarantine order."),
    "risk_area": gettext_lazy("You live in a sealed or controlled area."),
    "pool_hold": gettext_lazy(
        "A pooled test that included your sample was positive and is being retested."),
    "arrival_untested": gettext_lazy(
        "You arrived in the city and no negative test since then is on record yet."),
    "pharmacy_untested": gettext_lazy(
        "You bought fever or cough medicine and no negative test since then is on record yet."),
    "override": gettext_lazy(
        "Your colour was set by hand by the health authority, with a second person's "
        "approval."),
}
CLEARS_TEXT: dict[str, Promise] = {
    "wait_until": gettext_lazy("It clears by itself on %(until)s."),
    "negative_test_after": gettext_lazy("Take a test: a negative result clears it."),
    "negative_tests": gettext_lazy(
        "Negative tests on separate days clear it early; otherwise it clears by itself on "
        "%(until)s."),
    "release_from_quarantine": gettext_lazy("It clears when you are released from quarantine."),
    "area_lifted": gettext_lazy("It clears when your area is lifted."),
    "retest_negative": gettext_lazy("It clears when your retest is negative."),
    "case_closed": gettext_lazy(
        "It clears when your doctors close your case (you have recovered and been "
        "released)."),
    "override_expires": gettext_lazy(
        "It ends on %(until)s, or earlier if the authority revokes it."),
}
FLAG_TEXT: dict[str, Promise] = {
    "risk_link": gettext_lazy("Space-time link: report to your community"),
    "pool_hold": gettext_lazy("Pool on hold: wait for your retest"),
    "test_missing": gettext_lazy("Test missing: take a test"),
}
COLOUR_TEXT: dict[str, Promise] = {
    "green": gettext_lazy("Green: you may pass"),
    "yellow": gettext_lazy("Yellow: restricted"),
    "red": gettext_lazy("Red: stay where you are and follow the instructions you were given"),
}


# ---------------------------------------------------------------- the link


def resident_token(person: Person) -> str:
    """The same link every time for a person (no timestamp in it): a resident keeps one."""
    return signing.Signer(salt=LINK_SALT).sign_object({"p": person.pk})


def resident_link(person: Person) -> str:
    """The path of the person's page (``request.build_absolute_uri`` makes it whole)."""
    return reverse("public_healthcode_resident", args=[resident_token(person)])


def read_resident_token(token: str) -> Person:
    try:
        person_id = int(signing.Signer(salt=LINK_SALT).unsign_object(token)["p"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise NotFound("resident link") from None
    person = (Person.objects.filter(pk=person_id, inactive_since__isnull=True, purged=False)
              .select_related("health_code").first())  # the code too: one query, not two
    if person is None:
        raise NotFound("resident link")
    return person


def link_actor(person: Person, *, ip: str | None = None) -> Actor:
    """Who the audit names for a resident acting through their link: no user, no scope."""
    return Actor(user_id=None, username=f"resident-link:{person.pk}", unit=None, ip=ip)


def do_make_resident_link(*, actor: Actor, person_id: int) -> str:
    """A resident's link for staff to hand out (audited: it lets its holder show the code,
    check in and appeal in the person's name)."""
    actor.require(Right.HEALTHCODE_VIEW)
    with transaction.atomic():
        person = get_scoped(Person.objects.filter(inactive_since__isnull=True, purged=False),
                            actor, what="person", pk=person_id)
        record(actor=actor, verb="healthcode.resident.link", target=person, after={})
    return resident_link(person)


def mask_name(name: str) -> str:
    """``张伟`` → ``张*``: enough for residents to know the page is theirs."""
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


# ---------------------------------------------------------------- the code, in plain words


@dataclass(frozen=True)
class ReasonLine:
    code: str
    colour: str | None
    popup: str | None
    text: str
    clears: str


@dataclass(frozen=True)
class ResidentCode:
    token: str
    colour: str
    colour_text: str
    flags: list[tuple[str, str]]
    reasons: list[ReasonLine]
    issued_at: dt.datetime
    expires_at: dt.datetime

    @property
    def svg(self) -> str:
        """The QR image for the page's first paint (drawn once per token, only when a page
        is rendered: ``code.json`` hands out the token and the phone draws it)."""
        return qr_svg(self.token)

    @property
    def refresh_at(self) -> dt.datetime:
        lifetime = (self.expires_at - self.issued_at).total_seconds()
        margin = min(REFRESH_MARGIN_SECONDS, lifetime / 5)
        return self.expires_at - dt.timedelta(seconds=margin)


def _when(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def _shown(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else _("a later date")


def reason_line(raw: dict[str, Any]) -> ReasonLine:
    """One stored reason (``PersonCode.reasons``) in the resident's words."""
    code, clears = str(raw.get("code", "")), str(raw.get("clears", ""))
    until = _shown(_when(raw.get("until")))
    text = REASON_TEXT.get(code)
    clear_text = CLEARS_TEXT.get(clears)
    return ReasonLine(
        code=code, colour=raw.get("colour"), popup=raw.get("popup"),
        text=str(text) if text else _("A health-code rule applies to you (%(code)s).")
        % {"code": code},
        clears=(str(clear_text) % {"until": until} if clear_text else
                _("Ask your community, or call the hotline 12345.")))


@functools.lru_cache(maxsize=4096)
def qr_svg(token: str) -> str:
    """The QR code of a token, as ``qr.js`` draws it on the phone (level M, not boosted, the
    best mask by the ISO penalty): the page looks the same before and after a refresh."""
    return str(segno.make(token, error="m", boost_error=False, micro=False)
               .svg_inline(scale=4))


def current_code(person: Person, *, now: dt.datetime | None = None) -> ResidentCode:
    """Sign the person's current status (the issuing module recomputes it when stale)."""
    from fangkong.healthcode.issue import do_issue_code

    issued = do_issue_code(person_id=person.pk, now=now or clock.now(),
                           known=getattr(person, "health_code", None))
    code = issued.code
    return ResidentCode(
        token=issued.token,
        colour=code.colour, colour_text=str(COLOUR_TEXT.get(code.colour, code.colour)),
        flags=[(f, str(FLAG_TEXT.get(f, f))) for f in code.flags],
        reasons=[reason_line(r) for r in code.reasons if isinstance(r, dict)],
        issued_at=issued.issued_at, expires_at=issued.expires_at)


def code_payload(code: ResidentCode) -> dict[str, Any]:
    """What ``code.json`` answers: everything the page redraws, nothing personal (the QR
    image is drawn from ``token`` on the phone)."""
    return {
        "token": code.token, "colour": code.colour,
        "colour_text": code.colour_text,
        "flags": [{"code": f, "text": t} for f, t in code.flags],
        "reasons": [{"code": r.code, "colour": r.colour, "popup": r.popup, "text": r.text,
                     "clears": r.clears} for r in code.reasons],
        "issued_at": code.issued_at.isoformat(), "expires_at": code.expires_at.isoformat(),
        "refresh_at": code.refresh_at.isoformat(),
    }
