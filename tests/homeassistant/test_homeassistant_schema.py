"""Home Assistant's documented MQTT discovery schema, as data, and plextray's payloads checked against it.

Sources (home-assistant.io, "source/_integrations/*.markdown", read 2026):
- https://www.home-assistant.io/integrations/mqtt/#mqtt-discovery (topic format, device, origin,
  availability, removal by an empty retained payload)
- https://www.home-assistant.io/integrations/sensor.mqtt/ , /binary_sensor.mqtt/ , /button.mqtt/ ,
  /switch.mqtt/ (each platform's configuration variables, which are required)
- homeassistant/components/sensor/const.py (state classes; units allowed with device_class duration)
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from support.ha_discovery_schema import validate_discovery

from plextray.core.model import EngineSnapshot, EngineState, PersonStatus
from plextray.homeassistant import discovery
from plextray.homeassistant.discovery import PersonEntry, Topics, person_slugs
from plextray.homeassistant.states import all_states

# <discovery_prefix>/<component>/[<node_id>/]<object_id>/config; ids only [a-zA-Z0-9_-]
def _configs(people: list[PersonEntry]) -> dict[str, dict]:
    return discovery.all_configs(Topics("homeassistant", "nas"), "0.1.0", people)


def test_every_payload_follows_the_documented_schema():
    validate_discovery(_configs([PersonEntry("Emma", "emma", True), PersonEntry("Zoë Ann", "zoe_ann", False)]))


def test_the_validator_catches_what_home_assistant_would_refuse():
    good = _configs([PersonEntry("Emma", "emma", True)])
    topic = "homeassistant/button/plextray_nas/emma_add_15/config"
    broken = {**good, topic: {k: v for k, v in good[topic].items() if k != "command_topic"}}
    with pytest.raises(AssertionError, match="required"):
        validate_discovery(broken)
    twice = dict(good)
    twice["homeassistant/button/plextray_nas/other/config"] = good[topic]
    with pytest.raises(AssertionError, match="used twice"):
        validate_discovery(twice)
    typo = {**good, topic: {**good[topic], "unit_of_measure": "min"}}
    with pytest.raises(AssertionError, match="documented schema"):
        validate_discovery(typo)


def test_ids_name_the_person_and_what_and_buttons_their_minutes():
    configs = _configs([PersonEntry("Emma", "emma", True)])
    ids = {c["unique_id"] for c in configs.values()}
    assert "plextray_emma_minutes_left" in ids
    assert {i for i in ids if "add_" in i} == {"plextray_emma_add_15", "plextray_emma_add_30"}
    left = configs["homeassistant/sensor/plextray_nas/emma_minutes_left/config"]
    assert left["default_entity_id"] == "sensor.plextray_emma_minutes_left"
    assert left["availability"] == [{"topic": "plextray/nas/availability", "payload_available": "online",
                                     "payload_not_available": "offline"}]


def test_people_whose_names_slug_alike_or_to_nothing_still_get_distinct_ids():
    slugs = person_slugs(["Zoë", "Zoe", "Léo", "✨"])
    assert slugs["Léo"] == "leo"
    assert len(set(slugs.values())) == 4
    assert all(re.fullmatch(r"[a-z0-9_]+", s) for s in slugs.values())


def test_states_clean_titles_and_problems_and_show_minutes_left_only_with_a_quota():
    snapshot = EngineSnapshot(
        EngineState.MONITORING, paused=True, problems=("Plex is \x1b[31mred\x1b[0m",),
        people_status=(
            PersonStatus("Emma", minutes_today=41, minutes_left=19, watching=True,
                         now_watching="Bluey\n\u202eevil" + "x" * 400, device="iPad",
                         last_stop_reason="Emma · bedtime 20:00–07:00", last_stop_time="2026-11-22T20:01:00"),
            PersonStatus("Parents"),
        ))
    states = all_states(Topics("homeassistant", "nas"), snapshot, date(2026, 11, 23))
    assert states["plextray/nas/monitoring"] == "OFF"
    assert states["plextray/nas/emma/minutes_left"] == "19"
    assert "plextray/nas/parents/minutes_left" not in states
    title = states["plextray/nas/emma/now_watching"]
    assert "\n" not in title and "\u202e" not in title and len(title) <= 200
    assert "\x1b" not in states["plextray/nas/problems/attributes"]
    assert states["plextray/nas/problems"] == "1"
    assert states["plextray/nas/emma/last_stop"] == "2026-11-22 20:01 · Emma · bedtime 20:00–07:00"
    assert states["plextray/nas/parents/now_watching"] == "none"
    assert states["plextray/nas/parents/watching"] == "OFF"


def test_attributes_are_published_before_their_state():
    """Home Assistant (and anyone) reading a new state must find the attributes that go with it."""
    snapshot = EngineSnapshot(EngineState.MONITORING, people_status=(PersonStatus("Emma", now_watching="Bluey"),))
    order = list(all_states(Topics("homeassistant", "nas"), snapshot, date(2026, 11, 23)))
    for state in ("plextray/nas/emma/now_watching", "plextray/nas/emma/last_stop", "plextray/nas/problems"):
        assert order.index(state + "/attributes") < order.index(state)


def test_the_readme_dashboard_card_names_entities_plextray_announces():
    """The README's card must work as pasted: every entity id in it is one discovery suggests."""
    from conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    card = re.search(r"## Home Assistant.*?```yaml\n(.*?)```", readme, re.S)
    assert card, "no dashboard card in the README's Home Assistant section"
    named = set(re.findall(r"entity: ([a-z_]+\.[a-z0-9_]+)", card.group(1)))
    suggested = {c["default_entity_id"] for c in _configs([PersonEntry("Emma", "emma", True)]).values()}
    assert named and named <= suggested, named - suggested
    assert {"sensor.plextray_emma_minutes_left", "button.plextray_emma_add_15", "button.plextray_emma_add_30"} <= named
