"""Correlation: the state that ties a report's lines together and fills in identity from context.

Both readers (the general one and the fast path) hand what a line says to these methods, so
what a report becomes never depends on which reader read its lines.
"""

from __future__ import annotations

from collections import deque
from typing import cast

from plextray.core.logline import LogLine
from plextray.core.model import PLAYBACK_STATES, PlaybackEvent, PlayState
from plextray.core.parsing.fields import integer, rating_from, seconds
from plextray.core.parsing.model import (
    CONTEXT_SECONDS,
    MATCH_SECONDS,
    WEB_LINK_SECONDS,
    Bounded,
    ParseStats,
    Rejected,
    Report,
    Transcode,
    learned_state,
)


class Correlator:
    """The parser's memory of reports, connections and clients; emits PlaybackEvents."""

    def __init__(self) -> None:
        self.stats = ParseStats()
        self._count = 0
        self._out: list[tuple[int, PlaybackEvent]] = []
        self._by_req: Bounded = Bounded()
        self._by_thread: Bounded = Bounded(256)
        self._recent: deque[Report] = deque(maxlen=256)
        self._addr_client: Bounded = Bounded()
        self._ident_client: Bounded = Bounded()
        self._client_info: Bounded = Bounded()
        self._account_names: Bounded = Bounded(256)
        self._web_by_ip: Bounded = Bounded(256)
        self._client_transcode: Bounded = Bounded()
        self._client_session: Bounded = Bounded()
        # bumped by every write to _addr_client, _ident_client, _client_session, _client_info:
        # unchanged since a report's last _learn means learning it again would change nothing
        self._learn_epoch = 0
        self._connections: dict[bytes, tuple[str, str]] = {}  # `ip:port` of a Request -> (it, ip)
        self._rejected: list[Rejected] = []  # refused reports since the last take_rejected()
        self.rejected_total = 0  # reports Plex refused (`Token ()` then 401/403): never events

    def take_rejected(self) -> list[Rejected]:
        """The reports Plex refused since the last call (for the suspicious-requests count)."""
        out, self._rejected = self._rejected, []
        return out

    def _client_line(self, report: Report, ident: str | None, duration: int | None) -> None:
        """What a 1.x `Client [ident] reporting …` line adds to the report it belongs to."""
        if report.duration is None:
            report.duration = duration
        if ident:
            report.ident = report.ident or ident
            report.session = report.session or ident
            client = self._ident_client.get(ident)
            if client:
                self._enrich(report, client_id=client)
            elif report.client_id:
                self._ident_client.put(ident, report.client_id)
                self._learn_epoch += 1

    def _on_transcode_start(
        self,
        line: LogLine,
        query: dict[str, str],
        ident: dict[str, str],
        addr: str,
        ip: str,
        reqid: str | None,
    ) -> None:
        if reqid is not None:
            self._by_req.put(reqid, None)
        session = query.get("session")
        if not session:
            return
        client = ident.get("X-Plex-Client-Identifier") or self._addr_client.get(addr)
        transcode = Transcode(
            session=session,
            sec=seconds(line.time),
            rating_key=rating_from(query),
            client_id=client,
            product=ident.get("X-Plex-Product"),
            platform=ident.get("X-Plex-Platform") or ident.get("X-Plex-Client-Platform"),
            device=ident.get("X-Plex-Device-Name"),
        )
        if not line.modern:  # 2013 web playback only: never tie a 1.x client to an IP
            self._web_by_ip.put(ip, transcode)
        if client:
            self._client_transcode.put(client, transcode)
            self._addr_client.put(addr, client)
            self._learn_epoch += 1
            old = self._client_info.get(client) or (None, None, None, None)
            self._client_info.put(
                client,
                (
                    transcode.product or old[0],
                    transcode.platform or old[1],
                    transcode.device or old[2],
                    old[3],
                ),
            )

    def _report_from_query(
        self,
        time: str,
        thread: str | None,
        query: dict[str, str],
        addr: str | None,
        ip: str | None,
        reqid: str | None,
    ) -> Report | None:
        state = query.get("state")
        if state is None:
            if "time" not in query:
                self.stats.skipped_garbled += 1
                return None
            state = "playing"  # old /:/progress calls without a state
        if state not in PLAYBACK_STATES:
            self.stats.skipped_garbled += 1
            return None
        return Report(
            0,
            time,
            seconds(time),
            state,
            rating_from(query),
            integer(query.get("time")),
            integer(query.get("duration")),
            ip,
            addr,
            thread,
            reqid,
        )

    def _identity_from(self, report: Report, ident: dict[str, str], *, modern: bool) -> None:
        report.client_id = report.client_id or ident.get("X-Plex-Client-Identifier") or None
        report.product = report.product or ident.get("X-Plex-Product") or None
        report.platform = report.platform or ident.get("X-Plex-Platform") or ident.get("X-Plex-Client-Platform") or None
        report.device = report.device or ident.get("X-Plex-Device-Name") or ident.get("X-Plex-Device") or None
        session_ident = ident.get("X-Plex-Session-Identifier")
        if session_ident:
            report.ident = session_ident
            report.session = session_ident

    def _context(self, line: LogLine, reqid: str | None) -> Report | None:
        """The report a follow-up line belongs to: by [Req#id], else by its thread."""
        if reqid is not None:
            found = self._by_req.get(reqid)
        elif line.thread is None:
            return None
        else:
            found = self._by_thread.get(line.thread)
            if isinstance(found, Report) and seconds(line.time) - found.sec > CONTEXT_SECONDS:
                return None
        if not isinstance(found, Report):
            return None
        if found.held:
            if found.refused:
                return None  # a refused report: nothing it says counts
            self._release(found)  # Plex is handling it: it was accepted
        return found

    def _match_recent(self, probe: Report, *, addr: str | None = None, ident: str | None = None) -> Report | None:
        for report in reversed(self._recent):
            if report.sec < probe.sec - MATCH_SECONDS:
                break
            if report.refused:
                continue
            if (
                report.rating_key == probe.rating_key
                and report.state == probe.state
                and report.position == probe.position
                and (addr is None or report.addr in (None, addr))
                and (ident is None or report.ident in (None, ident))
            ):
                return report
        return None

    def _start_report(self, report: Report) -> None:
        self._count += 1
        report.no = self._count
        self._fill_identity(report)
        if report.reqid is not None:
            self._by_req.put(report.reqid, report)
        if report.tid is not None:
            self._by_thread.put(report.tid, report)
        self._recent.append(report)
        if report.held:
            return  # until Plex shows it served it (_release) or refused it (_settle)
        self._learn(report)
        self.stats.events += 1
        self._emit(report)

    def _release(self, report: Report) -> None:
        """A held report Plex served after all (a network allowed without a token): a play with
        no account, as before — the engine acts on it only once the server lists it."""
        report.held = False
        self._learn(report)
        self.stats.events += 1
        self._emit(report)

    def _settle(self, report: Report, status: int | None) -> None:
        """The Completed line of a held report: served → released; refused → dropped (401/403
        counted as rejected: a forged report must make no play, no history, no stop)."""
        if status is not None and 0 <= status < 400:
            self._release(report)
            return
        report.refused = True
        if status in (401, 403):
            self.rejected_total += 1
            self._rejected.append(Rejected(report.time, report.ip, status, report.client_id))

    def _fill_identity(self, report: Report) -> None:
        if report.client_id is None and report.addr is not None:
            report.client_id = self._addr_client.get(report.addr)
        if report.client_id is None and report.ident is not None:
            report.client_id = self._ident_client.get(report.ident)
        if report.client_id is None and report.product is None and report.device is None and report.ip:
            web = self._web_by_ip.get(report.ip)  # 2013 Plex/Web: no identity on its timeline calls
            if web is not None and report.sec - web.sec <= WEB_LINK_SECONDS:
                report.client_id = web.client_id
                report.session = report.session or web.session
                report.product, report.platform, report.device = (
                    web.product,
                    web.platform,
                    web.device,
                )
        if report.client_id is not None:
            info = self._client_info.get(report.client_id)
            if info is not None:
                report.product = report.product or info[0]
                report.platform = report.platform or info[1]
                report.device = report.device or info[2]
                if not report.anonymous:  # an unauthenticated request never borrows an account
                    report.account = report.account or info[3]
            if report.session is None:
                known = self._client_session.get(report.client_id)
                if known is not None and known[1] == report.rating_key:
                    report.session = known[0]
            if report.session is None:
                transcode = self._client_transcode.get(report.client_id)
                if transcode is not None and transcode.rating_key == report.rating_key:
                    report.session = transcode.session

    def _learn(self, report: Report) -> None:
        client = report.client_id
        if client is None or report.held:
            return
        state = learned_state(report)
        if report.learned_epoch == self._learn_epoch and report.learned == state:
            return  # nothing changed in the maps or the report since its last _learn
        # a map entry is written only when its value changes: most reports repeat what their
        # client's previous report taught, and a write costs more than the look-up
        changed = False
        addr, ident = report.addr, report.ident
        if addr is not None and self._addr_client.get(addr) != client:
            self._addr_client.put(addr, client)
            changed = True
        if ident is not None:
            if self._ident_client.get(ident) != client:
                self._ident_client.put(ident, client)
                changed = True
            session = (ident, report.rating_key)
            if self._client_session.get(client) != session:
                self._client_session.put(client, session)
                changed = True
        old = self._client_info.get(client)
        if old is None:
            info = (report.product, report.platform, report.device, report.account)
        else:
            info = (
                report.product or old[0],
                report.platform or old[1],
                report.device or old[2],
                report.account or old[3],
            )
        if info != old:
            self._client_info.put(client, info)
            changed = True
        if changed:
            self._learn_epoch += 1
        report.learned, report.learned_epoch = state, self._learn_epoch

    def _enrich(
        self,
        report: Report,
        *,
        client_id: str | None = None,
        account: str | None = None,
    ) -> None:
        """Add what a later line of the report says; re-emit if the client or account changed."""
        if report.held:
            if report.refused:
                return
            self._release(report)
        if client_id and report.client_id != client_id:
            report.client_id = client_id  # a line naming the client outranks a connection guess
            self._fill_identity(report)
        if account and report.account is None:
            report.account = account
        self._learn(report)
        if (report.client_id, report.account) != (
            report.emitted_client,
            report.emitted_account,
        ):
            self.stats.updates += 1
            self._emit(report)

    def _device_named(self, report: Report) -> None:
        """A `[Now] Device is` line named the device of a report already emitted (0.9.x writes
        it right after the report, in the same thread and second): say the report again."""
        if report.device is not None and report.device != report.emitted_device:
            self.stats.updates += 1
            self._emit(report)

    def _emit(self, report: Report) -> None:
        if report.held:
            return
        report.emitted_client = report.client_id
        report.emitted_account = report.account
        report.emitted_device = report.device
        self._out.append(
            (
                report.no,
                PlaybackEvent(  # positional (in field order): a keyword call costs more, per report
                    report.time,
                    cast(PlayState, report.state),  # checked against PLAYBACK_STATES where the report was made
                    report.rating_key,
                    report.position,
                    report.duration,
                    report.client_id,
                    report.product,
                    report.platform,
                    report.device,
                    report.ip,
                    report.account,
                    report.session,
                ),
            )
        )

    def _forget_transcode(self, session: str | None) -> None:
        if not session:
            return
        for ip, transcode in list(self._web_by_ip.items()):
            if transcode.session == session:
                del self._web_by_ip[ip]
