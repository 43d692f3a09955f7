"""Fixture rows get the new fields with text insertions only (JSON) or a clean round trip."""

from __future__ import annotations

import json

import pytest
from redpanda_migrate.codemods.model_timestamps.fixture_rows import (
    AWARE_TIMESTAMP,
    FixtureProblem,
    complete_json,
    complete_yaml,
    fixture_timestamp,
)

WANTED = {"shop.product": {"created_at", "updated_at"}}
STAMP = f'"{AWARE_TIMESTAMP}"'


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param(
            '[{"model": "shop.product", "pk": 1, "fields": {"name": "A"}}]',
            f'[{{"model": "shop.product", "pk": 1, "fields": {{"name": "A", '
            f'"created_at": {STAMP}, "updated_at": {STAMP}}}}}]',
            id="inline",
        ),
        pytest.param(
            '[{"model":"shop.product","fields":{"a":1,"b":2}}]',
            f'[{{"model":"shop.product","fields":{{"a":1,"b":2,"created_at":{STAMP},'
            f'"updated_at":{STAMP}}}}}]',
            id="compact",
        ),
        pytest.param(
            '[{"model": "shop.product", "fields": {}}]',
            f'[{{"model": "shop.product", "fields": {{"created_at": {STAMP}, '
            f'"updated_at": {STAMP}}}}}]',
            id="empty-fields",
        ),
        pytest.param(
            '[{"model": "shop.other", "fields": {"a": 1}}]',
            '[{"model": "shop.other", "fields": {"a": 1}}]',
            id="other-model",
        ),
        pytest.param('{"not": "a fixture"}', '{"not": "a fixture"}', id="not-a-list"),
        pytest.param("[{broken", "[{broken", id="invalid-json"),
    ],
)
def test_json_rows(before: str, after: str) -> None:
    assert complete_json(before, WANTED, AWARE_TIMESTAMP).text == after


@pytest.mark.parametrize("indent", [1, 2, 4, "\t"])
def test_json_dumpdata_layouts_are_kept(indent: int | str) -> None:
    rows = [
        {"model": "shop.product", "pk": 1, "fields": {"name": "Sencha", "price": "3.00"}},
        {"model": "Shop.Product", "pk": 2, "fields": {"name": "Ünï", "created_at": "x"}},
    ]
    before = json.dumps(rows, indent=indent, ensure_ascii=False)
    edit = complete_json(before, WANTED, AWARE_TIMESTAMP)
    rows[0]["fields"].update(created_at=AWARE_TIMESTAMP, updated_at=AWARE_TIMESTAMP)
    rows[1]["fields"]["updated_at"] = AWARE_TIMESTAMP
    assert edit.text == json.dumps(rows, indent=indent, ensure_ascii=False)
    assert edit.completed == {"shop.product": {"created_at", "updated_at"}}


def test_yaml_rows_get_timestamps_as_django_writes_them() -> None:
    before = "# teas\n- model: shop.product\n  pk: 1\n  fields:\n    name: Sencha  # green\n"
    after = complete_yaml(before, WANTED, AWARE_TIMESTAMP).text
    assert after == before + (
        "    created_at: 2000-01-01 00:00:00+00:00\n    updated_at: 2000-01-01 00:00:00+00:00\n"
    )


def test_yaml_that_does_not_survive_a_round_trip_is_refused() -> None:
    before = "- model: shop.product\n  fields:\n      name:   'Sencha'\n"
    with pytest.raises(FixtureProblem):
        complete_yaml(before, WANTED, AWARE_TIMESTAMP)


def test_naive_timestamps_when_settings_turn_use_tz_off() -> None:
    files = {"proj/settings.py": "USE_TZ = False\n"}
    assert fixture_timestamp(files, ("proj/settings.py",)) == "2000-01-01T00:00:00"
    assert fixture_timestamp({"s.py": "USE_TZ = True\n"}, ("s.py",)) == AWARE_TIMESTAMP
