"""Real-shaped Plex Media Server 1.4x log traffic: playback heartbeats, transcodes and noise.

Every message shape here is copied from real captures (../shared/pms/log-lines.txt blocks A–J
and the full 1.43.0 log); only the values vary. Parsers are tested against these generators,
so a shape that PMS does not write must not appear here.

Functions return `(time, level, message)` tuples; `logwriter.format_line` turns them into
lines. `realistic_log` yields finished byte lines of a busy household's day (~25 MB/day, a few
per cent playback), deterministic for a seed, fast enough for benchmarks.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from urllib.parse import quote

from plextray.emulator.logwriter import MONTHS, banner_messages
from plextray.emulator.viewing import Device

Line = tuple[datetime, str, str]

# Statistics "state N": the one real sample is playing → 0; the others are UNVERIFIED guesses.
_STAT_STATE = {"playing": 0, "paused": 1, "stopped": 2, "buffering": 3}


def network_tag(ip: str) -> str:
    """PMS's `(Subnet)` / `(Loopback)` / `(WAN)` tag after the client address."""
    if ip.startswith("127.") or ip == "::1":
        return "Loopback"
    if ip.startswith(("192.168.", "10.", "172.16.", "172.17.", "172.18.")):
        return "Subnet"
    return "WAN"


def timeline_query(
    *, rating_key: str, state: str, position_ms: int, duration_ms: int, playback_ms: int,
    play_queue_item: int, identity: dict[str, str] | None = None,
) -> str:
    """The `/:/timeline?...` path a Plex app sends (block A order), optionally with X-Plex-* in the query."""
    query = (
        f"/:/timeline?ratingKey={rating_key}&key=%2Flibrary%2Fmetadata%2F{rating_key}"
        f"&playbackTime={playback_ms}&playQueueItemID={play_queue_item}&state={state}&hasMDE=1"
        f"&context=home%3AcontinueWatching&row=0&col=0&time={position_ms}&duration={duration_ms}"
    )
    if identity:
        query += "".join(f"&{key}={quote(value, safe='')}" for key, value in identity.items())
    return query


def header_dump(headers: dict[str, str]) -> str:
    """` / Header => value / ...` as PMS appends to a Request line when it logs headers."""
    return "".join(f" / {key} => {value}" for key, value in headers.items())


def playback_lines(
    when: datetime, *, client_id: str, session_ident: str, rating_key: str, state: str,
    position_ms: int, duration_ms: int, ip: str, port: int, account: str, account_id: int,
    device_name: str, product: str, platform: str, req_id: str, header_dump: bool = False,
    query_identity: bool = False, live: int = 4, metadata_type: int = 4, profile: str | None = None,
    play_queue_item: int = 15310, elapsed_ms: int = 12, response_bytes: int = 412, pipelined: int = 3,
) -> list[Line]:
    """One timeline heartbeat as PMS 1.4x logs it: Request → Client … → [Now] → Statistics → Completed."""
    identity = {
        "X-Plex-Product": product,
        "X-Plex-Client-Identifier": client_id,
        "X-Plex-Platform": platform,
        "X-Plex-Device-Name": device_name,
    }
    playback_ms = max(0, position_ms - 1000 * (position_ms // 60000 % 7))
    path = timeline_query(
        rating_key=rating_key, state=state, position_ms=position_ms, duration_ms=duration_ms,
        playback_ms=playback_ms, play_queue_item=play_queue_item,
        identity=identity if query_identity else None,
    )
    tls = "" if ip.startswith("127.") else "TLS "
    request = (
        f"Request: [{ip}:{port} ({network_tag(ip)})] GET {path} ({live} live) #{req_id} "
        f"{tls}GZIP Signed-in Token ({account})"
    )
    if header_dump:
        request += _headers_for(
            client_id=client_id, session_ident=session_ident, product=product,
            platform=platform, device_name=device_name, profile=profile,
        )
    ms = timedelta(milliseconds=1)
    prefix = f"[Req#{req_id}] "
    lines: list[Line] = [
        (when, "DEBUG", request),
        (when + 2 * ms, "DEBUG",
         f"{prefix}Client [{session_ident}] reporting timeline state {state}, progress of "
         f"{position_ms}/{duration_ms}ms for guid=, playbackTime={playback_ms}ms ratingKey={rating_key} "
         f"url=, key=/library/metadata/{rating_key}, containerKey=, metadataId={rating_key}, source="),
        (when + 5 * ms, "DEBUG", f"{prefix}[Now] User is {account} (ID: {account_id})"),
        (when + 5 * ms, "DEBUG", f"{prefix}[Now] Device is {platform} ({device_name})."),
        (when + 5 * ms, "DEBUG", f"{prefix}[Now] Profile is {profile or product}"),
        (when + 5 * ms, "DEBUG", f"{prefix}[Now] Updated play state for /library/metadata/{rating_key}."),
        (when + 6 * ms, "DEBUG",
         f"{prefix}Statistics: ({client_id}) Reporting active playback in state {_STAT_STATE.get(state, 0)} "
         f"of type {metadata_type} (scrobble: 0) for account {account_id}"),
        (when + elapsed_ms * ms, "DEBUG",
         f"Completed: [{ip}:{port}] 200 GET {path} ({live} live) #{req_id} {tls}GZIP "
         f"{elapsed_ms}ms {response_bytes} bytes (pipelined: {pipelined})"),
    ]
    return lines


def _headers_for(*, client_id: str, session_ident: str, product: str, platform: str,
                 device_name: str, profile: str | None) -> str:
    return header_dump({
        "Accept": "application/json,application/xml",
        "Accept-Encoding": "gzip, deflate, br",
        "Accept-Language": "en",
        "Connection": "keep-alive",
        "Host": "192-168-1-96.2fd7cb1625624bea8ad994d4060602a8.plex.direct:32400",
        "User-Agent": f"Plex; 1.39.1.2763-300bb607; {platform}",
        "X-Plex-Client-Identifier": client_id,
        "X-Plex-Client-Profile-Name": profile or product,
        "X-Plex-Device-Name": device_name,
        "X-Plex-Platform": platform,
        "X-Plex-Product": product,
        "X-Plex-Session-Identifier": session_ident,
        "X-Plex-Token": "xxxxxxxxxxxxxxxxxxxx",
        "X-Plex-Version": "1.39.1.2763-300bb607",
    })


def transcode_decision_lines(
    when: datetime, *, ip: str, port: int, account: str, rating_key: str, media_id: int,
    session: str, req_id: str, live: int = 27, direct_play: bool = False,
) -> list[Line]:
    """`GET /video/:/transcode/universal/decision` and its `[Req#id/Transcode]` lines (block D)."""
    ms = timedelta(milliseconds=1)
    path = (
        f"/video/:/transcode/universal/decision?hasMDE=1&path=%2Flibrary%2Fmetadata%2F{rating_key}"
        f"&directPlay={int(direct_play)}&directStream=1&location=lan&session={session}"
    )
    tag = f"[Req#{req_id}/Transcode]"
    if direct_play:
        codes = "(MDE=1000,Direct play OK.)"
        media = f"media=(id={media_id} part=(id={media_id} decision=directplay))"
    else:
        codes = ("(General=1001,Direct play not available; Conversion OK. Direct Play=3000,App cannot direct "
                 "play this item. Direct play is disabled. Transcode=1001,Direct play not available; Conversion OK.)")
        media = f"media=(id={media_id} part=(id={media_id} decision=transcode))"
    return [
        (when, "DEBUG", f"Request: [{ip}:{port} ({network_tag(ip)})] GET {path} ({live} live) #{req_id} "
                        f"TLS GZIP Signed-in Token ({account}) / Accept => application/json"),
        (when + 6 * ms, "DEBUG", f"{tag} MDE: Selected protocol dash; container: mp4"),
        (when + 6 * ms, "DEBUG", f"{tag} MDE: analyzing media item {media_id}"),
        (when + 6 * ms, "DEBUG", f"{tag} Streaming Resource: Reached Decision id={rating_key} codes={codes} {media}"),
        (when + 9 * ms, "DEBUG", f"Completed: [{ip}:{port}] 200 GET {path} ({live} live) #{req_id} TLS GZIP 9ms 1893 bytes (pipelined: 1)"),
    ]


def transcode_start_lines(
    when: datetime, *, ip: str, port: int, account: str, rating_key: str, session: str,
    req_id: str, live: int = 27, process_id: int = 1995,
) -> list[Line]:
    """The `start.mpd` request and the transcoder job starting (block F shapes)."""
    ms = timedelta(milliseconds=1)
    path = (f"/video/:/transcode/universal/start.mpd?hasMDE=1&path=%2Flibrary%2Fmetadata%2F{rating_key}"
            f"&directPlay=0&directStream=1&location=lan&session={session}")
    tag = f"[Req#{req_id}/Transcode/{session}]"
    return [
        (when, "DEBUG", f"Request: [{ip}:{port} ({network_tag(ip)})] GET {path} ({live} live) #{req_id} TLS GZIP Signed-in Token ({account})"),
        (when + 1 * ms, "DEBUG", f"[Req#{req_id}/Transcode] Found session GUID of {session} in session start."),
        (when + 2 * ms, "DEBUG", f"{tag} Using default transcode duration of 120 minutes"),
        (when + 40 * ms, "DEBUG", f"{tag} Started session successfully: {session}"),
        (when + 41 * ms, "DEBUG", f"Completed: [{ip}:{port}] 200 GET {path} ({live} live) #{req_id} TLS GZIP 41ms 1270 bytes (pipelined: 1)"),
    ]


def terminated_session_line(when: datetime, *, req_id: str, session: str, reason: str) -> Line:
    """`Streaming Resource: Terminated session 0x…:<id> with reason <text>` (block G)."""
    return (when, "DEBUG", f"[Req#{req_id}] Streaming Resource: Terminated session 0x7ad5b7c2e408:{session} with reason {reason}")


def transcode_stop_lines(
    when: datetime, *, req_id: str, session: str, transcode_uuid: str, job_id: int = 352719,
    reason: str = "Client stopped playback.",
) -> list[Line]:
    """Killing a transcoder job (block G): Killing job → Signalling → Stopping → Terminated."""
    ms = timedelta(milliseconds=1)
    return [
        (when, "DEBUG", f"[Req#{req_id}] Killing job."),
        (when, "DEBUG", f"[Req#{req_id}] Signalling job ID {job_id} with 9"),
        (when + ms, "DEBUG", f"[Req#{req_id}] Stopping transcode session {transcode_uuid}"),
        terminated_session_line(when + ms, req_id=req_id, session=session, reason=reason),
    ]


# -- background noise ------------------------------------------------------------------------

_LAN = ("192.168.1.208", "192.168.1.111", "192.168.1.89", "192.168.1.42")
_ACCOUNTS = ("Briadin", "masyllis", "remi")
_SECTIONS = ((1, "Movies"), (2, "TV Shows"), (3, "Korean Shows"), (4, "Music"))


def noise_lines(when: datetime, rng: random.Random, *, req_id: str, kind: str | None = None) -> list[Line]:
    """One burst of the background chatter a busy PMS logs between playbacks.

    kinds: sessions, websocket, sections, identity, photo, segment, scheduled, verbose,
    ssdp, httpclient, metadata.
    """
    kind = kind or rng.choices(_NOISE_KINDS, _NOISE_WEIGHTS)[0]
    ip = rng.choice(_LAN)
    port = rng.randint(1024, 65535)
    live = rng.randint(2, 14)
    user = rng.choice(_ACCOUNTS)
    ms = timedelta(milliseconds=1)
    elapsed = rng.randint(0, 40)
    done = when + elapsed * ms
    if kind == "sessions":
        return [
            (when, "DEBUG", f"Request: [{ip}:{port} (Subnet)] GET /status/sessions ({live} live) #{req_id} GZIP Signed-in Token ({user})"),
            (when, "DEBUG", f"[Req#{req_id}] [Now] Adding {rng.randint(0, 2)} sessions."),
            (done, "DEBUG", f"Completed: [{ip}:{port}] 200 GET /status/sessions ({live} live) #{req_id} GZIP {elapsed}ms {rng.randint(300, 4000)} bytes (pipelined: {rng.randint(1, 200)})"),
        ]
    if kind == "websocket":
        if rng.random() < 0.5:
            return [(when, "DEBUG", f"Request: [{ip}:{port} (Subnet)] GET /:/websockets/notifications ({live} live) #{req_id} GZIP Signed-in Token ({user})")]
        return [(when, "DEBUG", f"Completed after connection close: [{ip}:{port}] -3 GET /:/websockets/notifications ({live} live) #{req_id} GZIP {rng.randint(1000, 2000000)}ms {rng.randint(100, 90000)} bytes")]
    if kind == "sections":
        section, _ = rng.choice(_SECTIONS)
        return [
            (when, "DEBUG", f"Request: [{ip}:{port} (Subnet)] GET /library/sections/{section}/all ({live} live) #{req_id} Page 0--1 Signed-in Token ({user})"),
            (when, "DEBUG", f"[Req#{req_id}] Setting container serialization range to [0, 49] (total=-1)"),
            (done, "DEBUG", f"Completed: [{ip}:{port}] 200 GET /library/sections/{section}/all ({live} live) #{req_id} Page 0--1 {elapsed}ms {rng.randint(500, 90000)} bytes"),
        ]
    if kind == "identity":
        wan = f"34.202.{rng.randint(1, 254)}.{rng.randint(1, 254)}"
        return [
            (when, "DEBUG", f"Request: [{wan}:{port} (WAN)] GET /identity ({live} live) #{req_id} TLS Signed-in"),
            (when, "DEBUG", f"Completed: [{wan}:{port}] 200 GET /identity ({live} live) #{req_id} TLS 0ms 418 bytes (pipelined: 1)"),
        ]
    if kind == "photo":
        key = rng.randint(800000, 850000)
        path = (f"/photo/:/transcode?width=480&height=719&minSize=1&upscale=1&url=%2Flibrary%2Fmetadata%2F{key}"
                f"%2Fthumb%2F{rng.randint(1770000000, 1779999999)}%3FX-Plex-Token%3Dxxxxxxxxxxxxxxxxxxxx")
        return [
            (when, "DEBUG", f"Request: [{ip}:{port} (Subnet)] GET {path} ({live} live) #{req_id} TLS GZIP Signed-in Token ({user})"),
            (when + 3 * ms, "DEBUG", f"[Req#{req_id}/PhotoTranscoder] Calling back into ourselves for photo to transcode, optimizing the process (status: 302)"),
            (done + 80 * ms, "DEBUG", f"Completed: [{ip}:{port}] 200 GET {path} ({live} live) #{req_id} TLS GZIP {elapsed + 80}ms {rng.randint(9000, 90000)} bytes (pipelined: 1)"),
        ]
    if kind == "segment":
        return [(done, "DEBUG",
                 f"Completed after connection close: [{ip}:{port}] 200 GET /video/:/transcode/universal/session/"
                 f"{_uuid(rng)}/base/{rng.randint(0, 9999):05d}.ts ({live} live) #{req_id} TLS "
                 f"{rng.randint(100, 60000)}ms {rng.randint(100000, 4000000)} bytes (pipelined: {rng.randint(1, 2000)})")]
    if kind == "scheduled":
        section, name = rng.choice(_SECTIONS)
        return [(when, "INFO", f"It's been 3600 seconds, so we're starting scheduled library update for section {section} ({name})")]
    if kind == "verbose":
        return [(when, "VERBOSE", f"It took 0.0 sec to serialize a list with {rng.randint(0, 40)} elements.")]
    if kind == "ssdp":
        last = rng.randint(2, 250)
        return [
            (when, "DEBUG", f"[NSB/SSDP] Parsing SSDP schema for http://192.168.1.{last}:5000/ssdp/desc-DSM-eth0.xml"),
            (when, "DEBUG", f"[NSB/SSDP] SSDP arrived: 192.168.1.{last} (Bedroom TV)"),
        ]
    if kind == "httpclient":
        hcl = f"{rng.randint(1, 4095):x}"
        return [(when, "DEBUG", f"[HttpClient/HCl#{hcl}] HTTP simulating 408 after curl timeout")]
    # metadata
    key = rng.randint(1000, 850000)
    return [
        (when, "DEBUG", f"Request: [{ip}:{port} (Subnet)] GET /library/metadata/{key} ({live} live) #{req_id} TLS GZIP Signed-in Token ({user})"),
        (done, "DEBUG", f"Completed: [{ip}:{port}] 200 GET /library/metadata/{key} ({live} live) #{req_id} TLS GZIP {elapsed}ms {rng.randint(900, 9000)} bytes (pipelined: {rng.randint(1, 9)})"),
    ]


_NOISE_KINDS = ("sessions", "websocket", "sections", "identity", "photo", "segment", "scheduled",
                "verbose", "ssdp", "httpclient", "metadata")
_NOISE_WEIGHTS = (20, 6, 8, 6, 10, 25, 1, 8, 6, 5, 12)


def _uuid(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


# -- a busy household's day -----------------------------------------------------------------

# (account, account id, device name, product, platform, ip, what it plays)
_HOUSEHOLD = (
    ("Briadin", 1, "Living Room", "Plex for Android (TV)", "Android", "192.168.1.42",
     {"episode": 0.6, "movie": 0.4}),
    ("masyllis", 2, "Net-Hunter", "Plex for Windows", "windows", "192.168.1.89",
     {"track": 0.6, "episode": 0.4}),
    ("remi", 3, "iPad", "Plex for iOS", "iOS", "192.168.1.111",
     {"episode": 0.7, "movie": 0.1, "track": 0.2}),
)

# Request handlers and the threads that write `Completed:` are different (block B, real 1.43).
_THREADS = tuple(str(136529371749176 + 2109440 * i) for i in range(24))
_COMPLETION_THREADS = ("136529580047160", "136529582156600", "136529584266040", "136529578000000")
BYTES_PER_DAY = 25_000_000
# Playback (one report per 10 s per play) is ~12.5 MB of an average day; noise makes up the rest.
_NOISE_BYTES_PER_DAY = 12_800_000


class _Stamp:
    """Formats `Mon DD, YYYY HH:MM:SS` once per second (strftime per line would dominate)."""

    def __init__(self) -> None:
        self._key: tuple[int, ...] | None = None
        self._text = ""

    def __call__(self, when: datetime) -> str:
        key = (when.year, when.month, when.day, when.hour, when.minute, when.second)
        if key != self._key:
            self._key = key
            self._text = f"{MONTHS[when.month - 1]} {when.day:02d}, {when.year:04d} {when.hour:02d}:{when.minute:02d}:{when.second:02d}."
        return self._text


def realistic_log(start: datetime, target_bytes: int, *, seed: int) -> Iterator[bytes]:
    """Complete byte lines (ending in b"\\n") of a busy household, ~25 MB per simulated day.

    Starts with the start-up banner; then background noise at a steady rate, merged in time
    order with the timeline reports of three household apps (`emulator.viewing`: a report every
    10 s while playing, every 30 s paused, positions following the clock, a few plays at once
    in the evening). `Completed:` lines come from other threads than their requests; each app
    reuses its keep-alive port. Deterministic for a seed; time never goes backwards.
    """
    rng = random.Random(seed)
    stamp = _Stamp()
    produced = 0
    req = rng.randint(0x100, 0xFFFF)
    devices = [
        Device(account=a, account_id=i, device_name=d, product=p, platform=pl, ip=ip, tastes=t, start=start, rng=rng)
        for a, i, d, p, pl, ip, t in _HOUSEHOLD
    ]

    def emit(lines: list[Line], thread: str) -> Iterator[bytes]:
        nonlocal produced
        for when, level, message in lines:
            line_thread = rng.choice(_COMPLETION_THREADS) if message.startswith("Completed") else thread
            data = f"{stamp(when)}{when.microsecond // 1000:03d} [{line_thread}] {level} - {message}\n".encode()
            produced += len(data)
            yield data

    yield from emit([(start, lvl, msg) for lvl, msg in banner_messages(start)], "136529588505400")
    high = start  # the latest time written: bursts never start before it
    noise_due = start
    noise_seconds_per_byte = 86400 / _NOISE_BYTES_PER_DAY
    while produced < target_bytes:
        device = min(devices, key=_due)  # three apps: cheaper than a heap
        if device.due <= noise_due:
            report = device.act(max(device.due, high), rng)
            if report is None:
                continue
            req += 1
            lines = playback_lines(
                report.when, client_id=device.client_id, session_ident=report.session_ident,
                rating_key=report.rating_key, state=report.state, position_ms=report.position_ms,
                duration_ms=report.duration_ms, ip=device.ip, port=report.port, account=device.account,
                account_id=device.account_id, device_name=device.device_name, product=device.product,
                platform=device.platform, req_id=f"{req:x}", header_dump=rng.random() < 0.2,
                live=rng.randint(2, 14), metadata_type=report.metadata_type,
                play_queue_item=report.play_queue_item, elapsed_ms=rng.randint(2, 40),
                pipelined=report.pipelined,
            )
            yield from emit(lines, rng.choice(_THREADS))
        else:
            req += 1
            before = produced
            lines = noise_lines(max(noise_due, high), rng, req_id=f"{req:x}")
            yield from emit(lines, rng.choice(_THREADS))
            noise_due += timedelta(seconds=(produced - before) * noise_seconds_per_byte * rng.uniform(0.5, 1.5))
        high = max(high, lines[-1][0])


def _due(device: Device) -> datetime:
    return device.due
