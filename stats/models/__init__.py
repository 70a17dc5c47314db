from stats.models.catalogue import (
    Disaggregation,
    DisaggregationValue,
    Indicator,
    IndicatorDisaggregation,
    IndicatorGroup,
    Unit,
    Verification,
    fold,
)
from stats.models.observations import NATIONAL_CODE, Observation, ObservationRevision, Status

__all__ = [
    "NATIONAL_CODE",
    "Disaggregation",
    "DisaggregationValue",
    "Indicator",
    "IndicatorDisaggregation",
    "IndicatorGroup",
    "Observation",
    "ObservationRevision",
    "Status",
    "Unit",
    "Verification",
    "fold",
]
