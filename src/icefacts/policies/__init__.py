"""Policy registry: dated local and state policies on immigration enforcement cooperation.

``policies/registry.yaml`` is curated from sourced facts (see ``docs/places.md``); users add
files with :func:`load_registry` or ``ICEFACTS_POLICIES``. :func:`policy_status` answers
"what was in force in this place on this date" (:func:`area_policy_status` for an area made
of counties, such as an AOR); court rulings are told apart with :func:`is_ruling`.
"""

from icefacts.policies.model import COURT_RULING, POLICY_TYPES, FuzzyDate, PolicyEntry
from icefacts.policies.policy_files import (
    REGISTRY_FILE,
    Registry,
    default_registry,
    load_registry,
    registry_table,
)
from icefacts.policies.status import (
    JurisdictionMatch,
    PolicyInForce,
    area_policy_status,
    is_ruling,
    jurisdictions_matching,
    policy_status,
)

__all__ = [
    "COURT_RULING",
    "POLICY_TYPES",
    "REGISTRY_FILE",
    "FuzzyDate",
    "JurisdictionMatch",
    "PolicyEntry",
    "PolicyInForce",
    "Registry",
    "area_policy_status",
    "default_registry",
    "is_ruling",
    "jurisdictions_matching",
    "load_registry",
    "policy_status",
    "registry_table",
]
