"""Cross-appointment (§4.4), 一肩挑 (§4.5) and the part-time committee (§4.3), on a mirror
snapshot, by topic: `bodies`, `cross`, `yijiantiao`, `rates`, `part_time`. Callers use
`from govgraph import appointments as ap` and the names below."""

from .bodies import (PARTY_MEMBERS, SELF_GOVERNANCE_KINDS, committee_party_share, committees_of,
                     community_party_orgs, compounds_of, lead_role, meets_share, serving_firms)
from .cross import FIRM_POST_ROLES, Post, cross_appointed, has_party_org_and_committee, linked_set, posts_in
from .part_time import community_part_time, dual_registrations, expected_part_time_members, holds_post_in
from .rates import Counted, UnitAppointments, appointment_rates, cross_rows
from .yijiantiao import yijiantiao_asserted, yijiantiao_bodies, yijiantiao_confirmed

__all__ = [
    "Counted", "FIRM_POST_ROLES", "PARTY_MEMBERS", "SELF_GOVERNANCE_KINDS", "Post", "UnitAppointments",
    "appointment_rates", "cross_rows",
    "committee_party_share", "committees_of", "community_party_orgs", "community_part_time", "compounds_of",
    "cross_appointed", "dual_registrations", "expected_part_time_members", "has_party_org_and_committee",
    "holds_post_in", "lead_role", "linked_set", "meets_share", "posts_in", "serving_firms", "yijiantiao_asserted",
    "yijiantiao_bodies", "yijiantiao_confirmed",
]
