"""Every error at the command line is one line on stderr that starts with `error:`, with
exit status 1, and leaves the project as it was; no credential is ever shown."""

from __future__ import annotations

import pytest

from qualcode.store.postgres import database_name, redact, redact_text

# --- credentials ---------------------------------------------------------------------

@pytest.mark.parametrize(("url", "shown"), [
    ("postgresql://kari:hemmelig@db.nordvik.no/studie",
     "postgresql://kari:***@db.nordvik.no/studie"),
    ("postgresql://:hemmelig@db.nordvik.no/studie", "postgresql://:***@db.nordvik.no/studie"),
    ("postgresql://kari:hem@lig@db.nordvik.no:5433/studie",
     "postgresql://kari:***@db.nordvik.no:5433/studie"),
    ("postgres://kari:hem/lig@db.nordvik.no/studie", "postgres://kari:***@db.nordvik.no/studie"),
    ("postgresql://kari@db.nordvik.no/studie?password=hemmelig&sslmode=require",
     "postgresql://kari@db.nordvik.no/studie?password=***&sslmode=require"),
    ("postgresql://kari@db.nordvik.no/studie?sslmode=require&PASSWORD=hemmelig",
     "postgresql://kari@db.nordvik.no/studie?sslmode=require&PASSWORD=***"),
    ("postgresql://kari:a@db.nordvik.no/studie?password=hem@lig/x",
     "postgresql://kari:***@db.nordvik.no/studie?password=***"),
    ("postgresql+psycopg://db.nordvik.no/studie", "postgresql+psycopg://db.nordvik.no/studie"),
    ("host=db.nordvik.no password=hemmelig dbname=studie",
     "host=db.nordvik.no password=*** dbname=studie"),
    ("host=db.nordvik.no password = 'hem lig' dbname=studie",
     "host=db.nordvik.no password = *** dbname=studie"),
])
def test_redact_masks_every_form_of_password(url, shown):
    assert redact(url) == shown
    assert "hemmelig" not in redact(url) and "lig" not in redact(url)


def test_redact_text_masks_urls_inside_a_message():
    message = ("cannot connect to postgresql://ola:hemmelig@db/studie?password=hemmelig2 "
               "(host=db password=hemmelig3)")
    masked = redact_text(message)
    assert "hemmelig" not in masked and masked.startswith("cannot connect to postgresql://ola:")


def test_the_database_name_never_holds_a_password_from_the_query():
    assert database_name("postgresql://kari@db/studie?password=hem/melig") == "studie"
    assert database_name("postgresql://kari:hem/lig@db/studie") == "studie"
