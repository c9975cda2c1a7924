"""The one place that decides who may do what."""

from __future__ import annotations

from server.domain.people import User
from server.errors import Conflict, Forbidden, NotSignedIn

PUBLIC_ROOMS = ("catalog",)
PUBLIC_ROOM_PREFIXES = ("rfc:", "branch:", "thread:")


def require_signed_in(user: User | None) -> User:
    if user is None:
        raise NotSignedIn("Sign in first.")
    if user.suspended:
        raise Forbidden("Your account is suspended.", code="suspended")
    return user


def may_propose(user: User | None) -> bool:
    return user is not None and not user.suspended


def may_decide_proposal(user: User | None) -> bool:
    return user is not None and not user.suspended and user.role in ("owner", "admin")


def require_may_decide_proposal(user: User | None) -> User:
    signed_in = require_signed_in(user)
    if not may_decide_proposal(signed_in):
        raise Forbidden("Only the owner or an admin can merge or close a proposal.")
    return signed_in


def may_join_room(user: User | None, room: str) -> bool:
    """Rooms anyone may watch are public; a user's own room is theirs alone."""
    if room in PUBLIC_ROOMS or room.startswith(PUBLIC_ROOM_PREFIXES):
        return True
    if room.startswith("user:"):
        return user is not None and not user.suspended and room == f"user:{user.id}"
    if room == "admin":
        return user is not None and not user.suspended and user.role in ("owner", "admin")
    return False


def is_staff(user: User | None) -> bool:
    return user is not None and not user.suspended and user.role in ("owner", "admin")


def may_start_branch(user: User | None) -> bool:
    return user is not None and not user.suspended


def may_write_branch(user: User | None, *, started_it: bool, maintains_rfc: bool) -> bool:
    """Whoever started a branch writes to it; the owner, admins and maintainers to all."""
    if user is None or user.suspended:
        return False
    return started_it or maintains_rfc or is_staff(user)


def may_merge_rfc_pull(user: User | None, *, maintains_rfc: bool) -> bool:
    if user is None or user.suspended:
        return False
    return maintains_rfc or is_staff(user)


def may_pin_branch(user: User | None) -> bool:
    """Pinning overrides hygiene for everyone's branches, so it is the owner's and admins'."""
    return is_staff(user)


def require_staff(user: User | None) -> User:
    signed_in = require_signed_in(user)
    if not is_staff(signed_in):
        raise Forbidden("Only the owner and admins can do this.")
    return signed_in


def check_role_change(actor: User, subject: User, new_role: str, active_owners: int) -> None:
    """Raise unless ``actor`` may give ``subject`` the role ``new_role``."""
    if subject.role == "owner" and actor.id != subject.id:
        raise Forbidden("Only an owner can change their own role; no one else can demote "
                        "them.", code="owner_protected")
    if new_role == "owner" and actor.role != "owner":
        raise Forbidden("Only an owner can make someone an owner.")
    if subject.role == "admin" and actor.role != "owner" and actor.id != subject.id:
        # Else an admin could demote another admin and then suspend them.
        raise Forbidden("Only an owner can change an admin's role.")
    if subject.role == "owner" and new_role != "owner" and active_owners <= 1:
        raise Conflict("There must always be at least one owner. Make someone else an owner "
                       "first.", code="last_owner")


def check_suspension(actor: User, subject: User, active_owners: int) -> None:
    if subject.role == "owner" and actor.id != subject.id:
        raise Forbidden("An owner can only be suspended by themselves.", code="owner_protected")
    if subject.role == "owner" and active_owners <= 1:
        raise Conflict("The last owner cannot be suspended.", code="last_owner")
    if subject.role == "admin" and actor.role != "owner" and actor.id != subject.id:
        raise Forbidden("Only an owner can suspend an admin.")


def check_restore(actor: User, subject: User) -> None:
    """Lifting a suspension takes as much standing as imposing one on an admin."""
    if subject.role in ("owner", "admin") and actor.role != "owner":
        raise Forbidden(f"Only an owner can restore an {subject.role}.")
