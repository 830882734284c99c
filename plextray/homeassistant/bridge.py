"""The MQTT side: publishes discovery, availability and states; turns button presses into engine commands.

Three kinds of threads, and the engine's is never made to wait:
- the engine thread only hands each new snapshot over (a lock-protected slot and an Event);
- paho's network thread (`loop_start`) connects, reconnects with backoff (1 s doubling to
  `max_backoff`), and runs on_connect / on_message — which only post to the engine's queue
  (EngineControl: grant, pause, resume) or wake the publisher;
- this bridge's publisher thread diffs what each topic should hold against what was sent, and
  sends the changes (everything again after a (re)connect or Home Assistant's `online` birth).
A broker that is down or refuses the login costs the engine nothing: nothing waits on it.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from plextray.control import EngineControl
from plextray.core.model import EngineSnapshot, EngineState
from plextray.homeassistant import discovery
from plextray.homeassistant.discovery import GRANTS, MONITORING, NO_BEDTIME, OFF, ON, PRESS, SEND_REPORT, Topics
from plextray.homeassistant.settings import Broker
from plextray.homeassistant.states import all_states, people_entries
from plextray.safe_text import for_log

log = logging.getLogger(__name__)

QOS = 1
BIRTH_JITTER = 0.5  # Home Assistant asks for a random delay before answering its birth message


class HomeAssistantBridge:
    def __init__(
        self,
        engine: EngineControl,
        broker: Broker,
        *,
        version: str,
        send_report: Callable[[], str] | None = None,
        min_backoff: float = 1.0,
        max_backoff: float = 60.0,
        wall_clock: Callable[[], datetime] = datetime.now,
    ) -> None:
        self.engine = engine
        self.broker = broker
        self.topics = Topics(broker.discovery_prefix, broker.node)
        self.version = version
        self._send_report = send_report
        self._now = wall_clock
        self._min_backoff, self._max_backoff = min_backoff, max_backoff
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._snapshot: EngineSnapshot | None = None
        self._connected = False
        self._resend_all = False
        self._resend_at = 0.0  # monotonic: a birth's jitter
        self._sent: dict[str, str] = {}  # topic -> payload last published on this connection
        self._stale_configs: set[str] = set()  # our retained configs on the broker from an earlier run
        self._report_running = threading.Lock()
        self._last_error: str | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._client: Any = None
        self._publisher = threading.Thread(target=self._run, name="plextray-mqtt", daemon=True)

    # ------------------------------------------------------------------ lifecycle (caller's thread)

    def start(self) -> "HomeAssistantBridge":
        """Connect in the background. A failure to even set up (a broken TLS setup) is logged, and
        plextray runs on without Home Assistant: it never keeps enforcement from starting."""
        try:
            self._start()
        except Exception:
            log.exception("Home Assistant: could not start the MQTT connection to %s", self.broker.describe())
        return self

    def _start(self) -> None:
        import ssl

        import paho.mqtt.client as mqtt
        from paho.mqtt.enums import CallbackAPIVersion

        client = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2,
                             client_id=f"plextray-{self.broker.node}", protocol=mqtt.MQTTv311)
        client.will_set(self.topics.availability, discovery.PAYLOAD_OFFLINE, qos=QOS, retain=True)
        if self.broker.username:
            client.username_pw_set(self.broker.username, self.broker.password)
        if self.broker.tls:
            client.tls_set(cert_reqs=ssl.CERT_REQUIRED)
        client.reconnect_delay_set(min_delay=max(1, int(self._min_backoff)), max_delay=max(1, int(self._max_backoff)))
        client.max_queued_messages_set(1000)  # bounded memory while the broker is away
        client.on_connect = self._on_connect
        client.on_connect_fail = self._on_connect_fail
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        self._client = client
        self._unsubscribe = self.engine.subscribe(self._on_snapshot)
        self._on_snapshot(self.engine.snapshot())
        self._publisher.start()
        client.connect_async(self.broker.host, self.broker.port, keepalive=30)
        client.loop_start()
        log.info("Home Assistant: connecting to %s (topics under %s)", self.broker.describe(), self.topics.base)

    def stop(self, timeout: float = 3.0) -> None:
        """Say `offline` (retained) if connected, then disconnect; never waits on a dead broker
        longer than `timeout`."""
        if self._unsubscribe is not None:
            self._unsubscribe()
        self._stopping.set()
        self._wake.set()
        if self._publisher.is_alive():
            self._publisher.join(timeout)
        client = self._client
        if client is None:
            return
        if self._connected:
            try:
                info = client.publish(self.topics.availability, discovery.PAYLOAD_OFFLINE, qos=QOS, retain=True)
                info.wait_for_publish(timeout)
            except Exception as exc:  # not connected after all, or the queue is full
                log.info("Home Assistant: could not say offline (%s)", type(exc).__name__)
        closer = threading.Thread(target=_disconnect, args=(client,), name="plextray-mqtt-close", daemon=True)
        closer.start()
        closer.join(timeout)

    @property
    def connected(self) -> bool:
        return self._connected

    # ------------------------------------------------------------------ engine thread

    def _on_snapshot(self, snapshot: EngineSnapshot) -> None:
        with self._lock:
            self._snapshot = snapshot
        self._wake.set()

    # ------------------------------------------------------------------ paho's network thread

    def _on_connect(self, client: Any, userdata: Any, flags: Any, reason_code: Any, properties: Any) -> None:
        try:  # paho ends its network thread (no more reconnects) on an exception from a callback
            self._connected_now(client, reason_code)
        except Exception:
            log.exception("Home Assistant: setting up the connection failed")

    def _connected_now(self, client: Any, reason_code: Any) -> None:
        if reason_code.is_failure:
            self._say_error(f"the broker {self.broker.describe()} refused the connection: {reason_code}")
            return
        self._last_error = None
        log.info("Home Assistant: connected to %s", self.broker.describe())
        client.publish(self.topics.availability, discovery.PAYLOAD_ONLINE, qos=QOS, retain=True)
        subscriptions = [(self.topics.ha_status, QOS), (self.topics.own_configs, QOS)]
        subscriptions += [(f, QOS) for f in self.topics.command_filters]
        client.subscribe(subscriptions)
        with self._lock:
            self._connected = True
            self._sent = {}
            self._resend_all = True
            self._resend_at = 0.0
        self._wake.set()

    def _on_connect_fail(self, _client: Any, _userdata: Any) -> None:
        self._say_error(f"cannot reach the MQTT broker {self.broker.describe()}; retrying")

    def _on_disconnect(self, _client: Any, _userdata: Any, _flags: Any, reason_code: Any, _properties: Any) -> None:
        with self._lock:
            was = self._connected
            self._connected = False
        if was and not self._stopping.is_set():
            log.warning("Home Assistant: lost the broker %s (%s); reconnecting", self.broker.describe(), reason_code)

    def _say_error(self, text: str) -> None:
        if text != self._last_error:  # once per distinct error, not once per retry
            self._last_error = text
            log.warning("Home Assistant: %s", text)

    def _on_message(self, _client: Any, _userdata: Any, message: Any) -> None:
        try:
            self._handle(message.topic, bytes(message.payload), bool(message.retain))
        except Exception:  # a bad message must not end paho's thread
            log.exception("Home Assistant: handling %s failed", for_log(message.topic))

    def _handle(self, topic: str, payload: bytes, retained: bool) -> None:
        text = payload.decode("utf-8", "replace").strip()
        if topic == self.topics.ha_status:
            if text == discovery.PAYLOAD_ONLINE:
                log.info("Home Assistant announced itself: sending discovery and states again")
                with self._lock:
                    self._resend_all = True
                    self._resend_at = _monotonic() + random.uniform(0, BIRTH_JITTER)
                self._wake.set()
            return
        if topic.endswith("/config"):
            if retained and payload:
                with self._lock:
                    self._stale_configs.add(topic)  # kept only if no longer wanted (checked when publishing)
                self._wake.set()
            return
        if retained:
            log.warning("Home Assistant: ignored a retained command on %s (a replayed press must not grant twice)",
                        for_log(topic))
            return
        self._command(topic, text)

    def _command(self, topic: str, text: str) -> None:
        base = self.topics.base + "/"
        if not topic.startswith(base) or not topic.endswith("/set"):
            return
        parts = topic[len(base):-len("/set")].split("/")
        if parts == [MONITORING]:
            if text == ON:
                log.info("Home Assistant: monitoring resumed")
                self.engine.resume()
            elif text == OFF:
                log.info("Home Assistant: monitoring paused")
                self.engine.pause()
            else:
                log.warning("Home Assistant: monitoring switch sent %r (expected ON or OFF)", for_log(text, 40))
            return
        if text != PRESS:
            log.warning("Home Assistant: %s sent %r (expected %s)", for_log(topic), for_log(text, 40), PRESS)
            return
        if parts == [SEND_REPORT]:
            self._start_report()
            return
        if len(parts) != 2:
            return
        person = self._person_for(parts[0])
        if person is None:
            log.warning("Home Assistant: a button for an unknown person %r", for_log(parts[0], 60))
            return
        if parts[1] in GRANTS:
            log.info("Home Assistant: +%d min for %s", GRANTS[parts[1]], person)
            self.engine.grant(person, minutes=GRANTS[parts[1]])
        elif parts[1] == NO_BEDTIME:
            log.info("Home Assistant: no bedtime tonight for %s", person)
            self.engine.grant(person, lift_window_until="tonight")

    def _person_for(self, person_slug: str) -> str | None:
        with self._lock:
            snapshot = self._snapshot
        if snapshot is None:
            return None
        return next((e.name for e in people_entries(snapshot) if e.slug == person_slug), None)

    def _start_report(self) -> None:
        if self._send_report is None:
            log.warning("Home Assistant: \"send today's report\" pressed, but this plextray cannot send reports")
            return
        if not self._report_running.acquire(blocking=False):
            log.info("Home Assistant: today's report is already being sent")
            return

        def run() -> None:
            try:
                log.info("Home Assistant: %s", self._send_report() if self._send_report else "")
            except Exception as exc:  # PlexTrayError says what to fix (e.g. e-mail not set up)
                log.warning("Home Assistant: today's report was not sent: %s", exc)
            finally:
                self._report_running.release()

        threading.Thread(target=run, name="plextray-mqtt-report", daemon=True).start()

    # ------------------------------------------------------------------ publisher thread

    def _run(self) -> None:
        while not self._stopping.is_set():
            with self._lock:
                pending = self._resend_all
            self._wake.wait(0.1 if pending else 30.0)  # a birth's jitter running: look again soon
            self._wake.clear()
            if self._stopping.is_set():
                return
            try:
                self._publish_changes()
            except Exception:
                log.exception("Home Assistant: publishing failed; trying again on the next change")

    def _publish_changes(self) -> None:
        with self._lock:
            snapshot, connected = self._snapshot, self._connected
            if self._resend_all and _monotonic() >= self._resend_at:
                self._resend_all = False
                self._sent = {}
            sent = dict(self._sent)
            stale = set(self._stale_configs)
        if not connected or snapshot is None or snapshot.state is EngineState.STARTING:
            return  # nothing to say before the engine has read the profiles
        entries = people_entries(snapshot)
        configs = {t: _dumps(p) for t, p in discovery.all_configs(self.topics, self.version, entries).items()}
        wanted: dict[str, str] = dict(configs)
        for topic in (stale | {t for t in sent if t.endswith("/config")}) - set(configs):
            wanted[topic] = ""  # an entity no longer wanted (a person removed): empty retained config
        wanted.update(all_states(self.topics, snapshot, self._now().date()))
        client = self._client
        published: dict[str, str] = {}
        for topic, payload in wanted.items():  # configs first (dict order), then states
            if sent.get(topic) == payload:
                continue
            info = client.publish(topic, payload, qos=QOS, retain=True)
            if info.rc != 0:  # the connection dropped meanwhile: on_connect sends everything again
                break
            published[topic] = payload
        with self._lock:
            if self._connected:
                self._sent.update(published)
                for topic, payload in published.items():
                    if payload == "" and topic.endswith("/config"):
                        self._stale_configs.discard(topic)
                        self._sent.pop(topic, None)


def _dumps(payload: dict[str, Any]) -> str:
    import json

    return json.dumps(payload, ensure_ascii=False, sort_keys=True)


def _monotonic() -> float:
    import time

    return time.monotonic()


def _disconnect(client: Any) -> None:
    try:
        client.disconnect()
    except Exception:
        pass
    client.loop_stop()
