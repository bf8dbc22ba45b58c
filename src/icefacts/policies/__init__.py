"""Policy registry: dated local and state policies on immigration enforcement cooperation.

``policies/registry.yaml`` is curated from sourced facts (see ``docs/places.md``); users add
files with :func:`load_registry` or ``ICEFACTS_POLICIES``. :func:`policy_status` answers
"what was in force in this place on this date".
"""

from icefacts.policies.model import POLICY_TYPES, FuzzyDate, PolicyEntry
from icefacts.policies.registry import (
    REGISTRY_FILE,
    Registry,
    default_registry,
    load_registry,
    registry_table,
)
from icefacts.policies.status import (
    JurisdictionMatch,
    PolicyInForce,
    jurisdictions_matching,
    policy_status,
)

__all__ = [
    "POLICY_TYPES",
    "REGISTRY_FILE",
    "FuzzyDate",
    "JurisdictionMatch",
    "PolicyEntry",
    "PolicyInForce",
    "Registry",
    "default_registry",
    "jurisdictions_matching",
    "load_registry",
    "policy_status",
    "registry_table",
]
