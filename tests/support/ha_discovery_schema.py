"""Home Assistant's documented MQTT discovery schema, as data, and a validator of plextray's payloads
(sources in tests/homeassistant/test_homeassistant_schema.py's docstring)."""

from __future__ import annotations

import re

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
