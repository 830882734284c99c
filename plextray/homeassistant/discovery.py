"""Home Assistant's MQTT discovery payloads for plextray's entities (pure).

One device "plextray" per plextray install (`node`), holding every person's entities and the
household's. Topics (https://www.home-assistant.io/integrations/mqtt/#discovery-messages):

- discovery: `<prefix>/<component>/plextray_<node>/<object_id>/config`, retained
- availability: `plextray/<node>/availability` (`online` / `offline`, retained, the last will)
- states: `plextray/<node>/<person>/<what>`; household: `plextray/<node>/<what>`
- commands: the state topic + `/set`

Unique ids are `plextray_<node>_<person>_<what>` (the node keeps two plextray installs that both
have an "Emma" apart); entity ids are suggested as `<component>.plextray_<person>_<what>`, so a
dashboard can name them before they exist.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from plextray.homeassistant.settings import slug
from plextray.safe_text import clean

PAYLOAD_ONLINE = "online"
PAYLOAD_OFFLINE = "offline"
PRESS = "PRESS"
ON, OFF = "ON", "OFF"
GRANTS = {"add_15": 15, "add_30": 30}  # button -> minutes granted
NO_BEDTIME = "no_bedtime"
MONITORING = "monitoring"
PROBLEMS = "problems"
SEND_REPORT = "send_report"


@dataclass(frozen=True, slots=True)
class Topics:
    prefix: str  # Home Assistant's discovery prefix
    node: str  # this install's slug

    @property
    def base(self) -> str:
        return f"plextray/{self.node}"

    @property
    def availability(self) -> str:
        return f"{self.base}/availability"

    @property
    def ha_status(self) -> str:
        return f"{self.prefix}/status"

    @property
    def node_id(self) -> str:
        return f"plextray_{self.node}"

    @property
    def own_configs(self) -> str:
        """A filter matching every discovery config this install ever published."""
        return f"{self.prefix}/+/{self.node_id}/+/config"

    @property
    def command_filters(self) -> tuple[str, str]:
        return f"{self.base}/+/set", f"{self.base}/+/+/set"

    def state(self, what: str, person: str | None = None) -> str:
        return f"{self.base}/{person}/{what}" if person else f"{self.base}/{what}"

    def command(self, what: str, person: str | None = None) -> str:
        return self.state(what, person) + "/set"

    def config(self, component: str, object_id: str) -> str:
        return f"{self.prefix}/{component}/{self.node_id}/{object_id}/config"


@dataclass(frozen=True, slots=True)
class PersonEntry:
    name: str
    slug: str
    has_quota: bool  # a daily minutes quota applies: "minutes left today" exists


def person_slugs(names: Iterable[str]) -> dict[str, str]:
    """Each name's slug for topics and ids; names that slug alike (or to nothing) get a short hash."""
    names = list(names)
    plain = {name: slug(name) for name in names}
    counts: dict[str, int] = {}
    for value in plain.values():
        counts[value] = counts.get(value, 0) + 1
    out = {}
    for name, value in plain.items():
        if not value or counts[value] > 1:
            digest = hashlib.sha1(name.encode("utf-8")).hexdigest()[:6]
            value = f"{value}_{digest}" if value else f"person_{digest}"
        out[name] = value
    return out


def device(topics: Topics, version: str) -> dict[str, Any]:
    return {
        "identifiers": [topics.node_id],
        "name": "plextray",
        "manufacturer": "plextray",
        "model": "Plex parental control",
        "sw_version": version,
    }


def _entity(topics: Topics, version: str, component: str, what: str, name: str,
            person: PersonEntry | None = None, **keys: Any) -> tuple[str, dict[str, Any]]:
    object_id = f"{person.slug}_{what}" if person else what
    payload: dict[str, Any] = {
        "name": name,
        "unique_id": f"{topics.node_id}_{object_id}",
        "default_entity_id": f"{component}.plextray_{object_id}",
        "availability": [{"topic": topics.availability, "payload_available": PAYLOAD_ONLINE,
                          "payload_not_available": PAYLOAD_OFFLINE}],
        "device": device(topics, version),
        "origin": {"name": "plextray", "sw_version": version},
        **keys,
    }
    return topics.config(component, object_id), payload


def person_configs(topics: Topics, version: str, person: PersonEntry) -> dict[str, dict[str, Any]]:
    """Config topic -> payload for one person's entities."""
    who, p = clean(person.name, 60), person.slug
    entities = [
        _entity(topics, version, "sensor", "minutes_today", f"{who} minutes watched today", person,
                state_topic=topics.state("minutes_today", p), unit_of_measurement="min",
                device_class="duration", state_class="total_increasing", icon="mdi:television-classic"),
        _entity(topics, version, "sensor", "now_watching", f"{who} now watching", person,
                state_topic=topics.state("now_watching", p),
                json_attributes_topic=topics.state("now_watching", p) + "/attributes", icon="mdi:filmstrip"),
        _entity(topics, version, "binary_sensor", "watching", f"{who} watching", person,
                state_topic=topics.state("watching", p), payload_on=ON, payload_off=OFF,
                icon="mdi:television-play"),
        _entity(topics, version, "sensor", "last_stop", f"{who} last stop", person,
                state_topic=topics.state("last_stop", p),
                json_attributes_topic=topics.state("last_stop", p) + "/attributes", icon="mdi:stop-circle-outline"),
        _entity(topics, version, "button", NO_BEDTIME, f"{who} no bedtime tonight", person,
                command_topic=topics.command(NO_BEDTIME, p), payload_press=PRESS, icon="mdi:weather-night"),
    ]
    for what, minutes in GRANTS.items():
        entities.append(_entity(topics, version, "button", what, f"{who} +{minutes} min", person,
                                command_topic=topics.command(what, p), payload_press=PRESS,
                                icon="mdi:clock-plus-outline"))
    if person.has_quota:
        entities.append(_entity(topics, version, "sensor", "minutes_left", f"{who} minutes left today", person,
                                state_topic=topics.state("minutes_left", p), unit_of_measurement="min",
                                device_class="duration", state_class="measurement", icon="mdi:timer-sand"))
    return dict(entities)


def household_configs(topics: Topics, version: str) -> dict[str, dict[str, Any]]:
    return dict([
        _entity(topics, version, "switch", MONITORING, "Monitoring",
                command_topic=topics.command(MONITORING), state_topic=topics.state(MONITORING),
                payload_on=ON, payload_off=OFF, icon="mdi:shield-eye"),
        _entity(topics, version, "sensor", PROBLEMS, "Problems",
                state_topic=topics.state(PROBLEMS), json_attributes_topic=topics.state(PROBLEMS) + "/attributes",
                icon="mdi:alert-circle-outline"),
        _entity(topics, version, "button", SEND_REPORT, "Send today's report",
                command_topic=topics.command(SEND_REPORT), payload_press=PRESS, icon="mdi:email-send"),
    ])


def all_configs(topics: Topics, version: str, people: Iterable[PersonEntry]) -> dict[str, dict[str, Any]]:
    """Every config this install should have published now: the household's and each person's."""
    configs = household_configs(topics, version)
    for person in people:
        configs.update(person_configs(topics, version, person))
    return configs
