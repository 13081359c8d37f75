"""The editors' guide documents every key of every kind of content."""

from __future__ import annotations

import pytest
from conftest import ROOT

from sitegen.config import SITE_FIELDS
from sitegen.model import (
    CAMPAIGN_FIELDS,
    CONTACT_FIELDS,
    DOCUMENT_FIELDS,
    EVENT_FIELDS,
    PAGE_FIELDS,
    PARTNER_FIELDS,
    THEME_FIELDS,
)

GUIDE = (ROOT / "docs" / "guide-redaction.md").read_text(encoding="utf-8")
ALL_FIELDS = [*SITE_FIELDS, *PAGE_FIELDS, *EVENT_FIELDS, *CAMPAIGN_FIELDS, *PARTNER_FIELDS,
              *CONTACT_FIELDS, *THEME_FIELDS, *DOCUMENT_FIELDS]


@pytest.mark.parametrize("key", sorted({f.key for f in ALL_FIELDS}))
def test_every_key_is_in_the_guide(key):
    assert f"`{key}`" in GUIDE


def test_every_field_has_a_french_description():
    for field in ALL_FIELDS:
        assert field.doc and field.doc[0].isupper() or field.doc[0] in "«", field.key


def test_readme_quickstart_has_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make build" in readme and "make test" in readme
