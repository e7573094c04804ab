"""Invariants of the catalogue models."""

import pytest
from django.core.exceptions import ValidationError

from spld.catalog.models import Dataset


def _dataset(org, **fields):
    values = dict(slug="eau", title="Eau", publisher=org, purpose="Suivre la consommation.",
                  general_interest="Sobriété.", retention_period="5 ans")
    values.update(fields)
    return Dataset(**values)


@pytest.mark.django_db
def test_purpose_general_interest_and_retention_are_mandatory(org):
    dataset = _dataset(org, purpose=" ", general_interest="", retention_period="")
    with pytest.raises(ValidationError) as err:
        dataset.full_clean()
    assert {"purpose", "general_interest", "retention_period"} <= set(err.value.error_dict)


@pytest.mark.django_db
def test_open_dataset_needs_open_licence_and_known_themes(org):
    with pytest.raises(ValidationError) as err:
        _dataset(org, licence="shared", themes=["XXXX"], spatial=["123"]).full_clean()
    assert {"licence", "themes", "spatial"} <= set(err.value.error_dict)
    _dataset(org, licence="shared", access_level="shared", themes=["ENVI"],
             spatial=["29019"]).full_clean()
