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

from plextray.core.model import EngineSnapshot, EngineState, PersonStatus
from plextray.homeassistant import discovery
from plextray.homeassistant.discovery import PersonEntry, Topics, person_slugs
from plextray.homeassistant.states import all_states

# <discovery_prefix>/<component>/[<node_id>/]<object_id>/config; ids only [a-zA-Z0-9_-]
TOPIC = re.compile(r"^(?P<prefix>[^/#+]+)/(?P<component>[a-z_]+)/(?:(?P<node>[a-zA-Z0-9_-]+)/)?(?P<object>[a-zA-Z0-9_-]+)/config$")

COMMON = {  # every MQTT entity platform
    "availability", "availability_mode", "availability_template", "availability_topic", "device",
    "default_entity_id", "enabled_by_default", "encoding", "entity_category", "entity_picture", "icon",
    "json_attributes_template", "json_attributes_topic", "name", "origin", "payload_available",
    "payload_not_available", "qos", "unique_id",
}
SCHEMA = {
    "sensor": {"required": {"state_topic"}, "optional": {
        "device_class", "expire_after", "force_update", "last_reset_value_template", "options",
        "suggested_display_precision", "state_class", "unit_of_measurement", "value_template"}},
    "binary_sensor": {"required": {"state_topic"}, "optional": {
        "device_class", "expire_after", "force_update", "off_delay", "payload_off", "payload_on", "value_template"}},
    "button": {"required": {"command_topic"}, "optional": {
        "command_template", "device_class", "payload_press", "retain"}},
    "switch": {"required": {"command_topic"}, "optional": {
        "command_template", "device_class", "optimistic", "payload_off", "payload_on", "retain", "state_off",
        "state_on", "state_topic", "value_template"}},
}
DEVICE_KEYS = {"identifiers", "connections", "name", "manufacturer", "model", "model_id", "serial_number",
               "hw_version", "sw_version", "suggested_area", "configuration_url", "via_device"}
AVAILABILITY_KEYS = {"topic", "payload_available", "payload_not_available", "value_template"}
ORIGIN_KEYS = {"name", "sw_version", "support_url"}
ENTITY_CATEGORIES = {"config", "diagnostic"}
STATE_CLASSES = {"measurement", "measurement_angle", "total", "total_increasing"}
DURATION_UNITS = {"d", "h", "min", "s", "ms", "µs"}


def validate_discovery(configs: dict[str, dict]) -> None:
    """Every (topic, payload) as Home Assistant's docs require; unique ids unique across them."""
    assert configs, "no discovery configs"
    seen: set[str] = set()
    for topic, payload in configs.items():
        match = TOPIC.match(topic)
        assert match, f"{topic}: not <prefix>/<component>/[<node_id>/]<object_id>/config"
        component = match["component"]
        assert component in SCHEMA, f"{topic}: component {component} not used by plextray"
        rule = SCHEMA[component]
        missing = rule["required"] - set(payload)
        assert not missing, f"{topic}: required {missing} missing"
        unknown = set(payload) - rule["required"] - rule["optional"] - COMMON
        assert not unknown, f"{topic}: keys not in {component}'s documented schema: {unknown}"
        unique_id = payload.get("unique_id")
        assert isinstance(unique_id, str) and unique_id, f"{topic}: no unique_id (needed with a device)"
        assert unique_id not in seen, f"{topic}: unique_id {unique_id} used twice"
        seen.add(unique_id)
        assert not ({"availability", "availability_topic"} <= set(payload)), f"{topic}: both availability forms"
        avail = payload.get("availability")
        assert isinstance(avail, list) and avail, f"{topic}: no availability"
        for item in avail:
            assert set(item) <= AVAILABILITY_KEYS and "topic" in item, f"{topic}: bad availability {item}"
        dev = payload["device"]
        assert set(dev) <= DEVICE_KEYS, f"{topic}: unknown device keys {set(dev) - DEVICE_KEYS}"
        assert dev.get("identifiers") or dev.get("connections"), f"{topic}: device without identifiers"
        assert dev.get("name"), f"{topic}: device without a name"
        origin = payload.get("origin")
        if origin is not None:
            assert set(origin) <= ORIGIN_KEYS and origin.get("name"), f"{topic}: bad origin {origin}"
        assert payload.get("default_entity_id", f"{component}.x").startswith(f"{component}."), topic
        if "entity_category" in payload:
            allowed = {"diagnostic"} if component in ("sensor", "binary_sensor") else ENTITY_CATEGORIES
            assert payload["entity_category"] in allowed, topic
        if "state_class" in payload:
            assert payload["state_class"] in STATE_CLASSES, topic
        if payload.get("device_class") == "duration":
            assert payload.get("unit_of_measurement") in DURATION_UNITS, topic
        for key, value in payload.items():
            if key.endswith("_topic"):
                assert isinstance(value, str) and value and "+" not in value and "#" not in value, f"{topic}: {key}"


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
    assert "plextray_nas_emma_minutes_left" in ids
    assert {i for i in ids if "add_" in i} == {"plextray_nas_emma_add_15", "plextray_nas_emma_add_30"}
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
