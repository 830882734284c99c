"""The emulator's response bodies, shaped like real PMS answers (../shared/pms).

Element names, attribute names and nesting follow the recorded responses: root `/` and
`/accounts`, `/clients`, `/library/sections`, `/library/metadata/<key>` from the Home Assistant
fixtures (PMS 1.20), `/status/sessions` from the plexopedia captures (PMS, Dec 2022: Media,
User, Player, Session children in that order), `/identity` from a real 1.18 answer, history from
plexopedia. Values the household does not know are filled in deterministically from the rating
key, so the same item always looks the same. PMS writes each element on its own line.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence
from xml.etree.ElementTree import Element, SubElement, indent, tostring

from plextray.core.model import MediaInfo
from plextray.emulator.household import Account, Device, HistoryEntry, Play, Section

XML_HEADER = b'<?xml version="1.0" encoding="UTF-8"?>\n'
VERSION = "1.43.0.10467-2b1ba6e69"
TAG_PREFIX = "/system/bundle/media/flags/"
TAG_VERSION = "1603922053"
# ownerFeatures of a Plex Pass server (HA fixture, PMS 1.20) ...
PASS_FEATURES = (
    "adaptive_bitrate,camera_upload,cloudsync,collections,content_filter,download_certificates,dvr,"
    "federated-auth,hardware_transcoding,home,hwtranscode,item_clusters,kevin-bacon,livetv,loudness,"
    "lyrics,music_videos,news,pass,photo_autotags,photos-v5,photosV6-edit,photosV6-tv-albums,"
    "premium_music_metadata,radio,server-manager,session_bandwidth_restrictions,session_kick,"
    "shared-radio,sync,trailers,tuner-sharing,type-first,unsupportedtuners,webhooks"
)
# ... and of a server without it: the same list minus the paid features (UNVERIFIED selection;
# what matters, and is documented, is that `session_kick` and `pass` are absent).
FREE_FEATURES = ",".join(
    f for f in PASS_FEATURES.split(",")
    if f not in {"pass", "session_kick", "session_bandwidth_restrictions", "hardware_transcoding",
                 "hwtranscode", "sync", "cloudsync", "dvr", "livetv", "webhooks", "camera_upload",
                 "premium_music_metadata", "lyrics", "photos-v5", "tuner-sharing"}
)
ROOT_DIRECTORIES = (
    ("1", "activities"), ("1", "butler"), ("1", "channels"), ("1", "clients"), ("1", "devices"),
    ("1", "diagnostics"), ("1", "hubs"), ("3", "library"), ("3", "livetv"), ("3", "media"),
    ("2", "metadata"), ("1", "neighborhood"), ("1", "playQueues"), ("1", "player"),
    ("1", "playlists"), ("1", "resources"), ("1", "search"), ("1", "server"), ("1", "servers"),
    ("1", "statistics"), ("1", "system"), ("1", "transcode"), ("1", "updater"), ("1", "user"),
)
PREFS = (  # id, label, summary, default (python-plexapi docs/settingslist.rst)
    ("logDebug", "Enable Plex Media Server debug logging", "", True),
    ("logVerbose", "Enable Plex Media Server verbose logging", "", False),
    ("logTokens", "Allow Plex Media Server tokens in logs", "Media server tokens will be logged", False),
)


def document(container: Element) -> bytes:
    """The XML declaration, then one element per line (no indentation), as PMS writes it."""
    indent(container, space="")
    return XML_HEADER + tostring(container, encoding="unicode").encode("utf-8") + b"\n"


def container(children: Sequence[Element] = (), **attrs: str) -> Element:
    root = Element("MediaContainer", {"size": str(len(children)), **attrs})
    root.extend(children)
    return root


def html_error(status: int, title: str, detail: str = "") -> bytes:
    """PMS's tiny HTML error body."""
    extra = f"<p>{detail}</p>" if detail else ""
    return f"<html><head><title>{title}</title></head><body><h1>{status} {title}</h1>{extra}</body></html>".encode()


def identity(*, machine_id: str, version: str = VERSION) -> Element:
    return Element("MediaContainer", {"size": "0", "claimed": "1", "machineIdentifier": machine_id, "version": version})


def root(*, name: str, machine_id: str, owner: str, plex_pass: bool, active_video: int, version: str = VERSION) -> Element:
    attrs = {
        "allowCameraUpload": "1", "allowChannelAccess": "1", "allowMediaDeletion": "1", "allowSharing": "1",
        "allowSync": "1", "allowTuners": "1", "backgroundProcessing": "1", "certificate": "1",
        "companionProxy": "1", "countryCode": "usa", "diagnostics": "logs,databases,streaminglogs",
        "eventStream": "1", "friendlyName": name, "hubSearch": "1", "itemClusters": "1", "livetv": "7",
        "machineIdentifier": machine_id, "mediaProviders": "1", "multiuser": "1", "myPlex": "1",
        "myPlexMappingState": "mapped", "myPlexSigninState": "ok",
        "myPlexSubscription": "1" if plex_pass else "0", "myPlexUsername": f"{owner.lower()}@example.com",
        "offlineTranscode": "1", "ownerFeatures": PASS_FEATURES if plex_pass else FREE_FEATURES,
        "photoAutoTag": "1", "platform": "Linux", "platformVersion": "22.04.4 LTS (Jammy Jellyfish)",
        "pluginHost": "1", "pushNotifications": "0", "readOnlyLibraries": "0", "requestParametersInCookie": "1",
        "streamingBrainABRVersion": "3", "streamingBrainVersion": "2", "sync": "1",
        "transcoderActiveVideoSessions": str(active_video), "transcoderAudio": "1", "transcoderLyrics": "1",
        "transcoderPhoto": "1", "transcoderSubtitles": "1", "transcoderVideo": "1",
        "transcoderVideoBitrates": "64,96,208,320,720,1500,2000,3000,4000,8000,10000,12000,20000",
        "transcoderVideoQualities": "0,1,2,3,4,5,6,7,8,9,10,11,12",
        "transcoderVideoResolutions": "128,128,160,240,320,480,768,720,720,1080,1080,1080,1080",
        "updatedAt": "1738000000", "updater": "1", "version": version, "voiceSearch": "1",
    }
    dirs = [Element("Directory", {"count": count, "key": key, "title": key}) for count, key in ROOT_DIRECTORIES]
    return container(dirs, **attrs)


def _num(rating_key: str, salt: str, low: int, high: int) -> int:
    return low + zlib.crc32(f"{salt}:{rating_key}".encode()) % (high - low)


def _tag(item: MediaInfo) -> str:
    return "Track" if item.type == "track" else "Photo" if item.type == "photo" else "Video"


def item_element(item: MediaInfo, section: Section | None, *, play: Play | None = None) -> Element:
    """A library item (Video/Track) with its Label, Media, Part and Stream children."""
    key = item.rating_key
    stamp = _num(key, "updated", 1_500_000_000, 1_740_000_000)
    attrs: dict[str, str] = {
        "addedAt": str(stamp - 86400),
        "art": f"/library/metadata/{key}/art/{stamp}",
        "guid": f"plex://{item.type}/{zlib.crc32(key.encode()):024x}",
        "key": f"/library/metadata/{key}",
        "ratingKey": key,
        "summary": "",
        "thumb": f"/library/metadata/{key}/thumb/{stamp}",
        "title": item.title,
        "type": item.type,
        "updatedAt": str(stamp),
    }
    if section is not None:
        attrs.update(librarySectionID=section.id, librarySectionKey=f"/library/sections/{section.id}",
                     librarySectionTitle=section.title)
    if item.content_rating:
        attrs["contentRating"] = item.content_rating
    if item.duration_ms is not None:
        attrs["duration"] = str(item.duration_ms)
    if item.year is not None:
        attrs["year"] = str(item.year)
        attrs["originallyAvailableAt"] = f"{item.year}-01-01"
    if item.index is not None:
        attrs["index"] = str(item.index)
    if item.parent_index is not None:
        attrs["parentIndex"] = str(item.parent_index)
    if item.grandparent_title or item.parent_title:
        show_key = str(_num(key, "grandparent", 100_000, 900_000))
        season_key = str(_num(key, "parent", 100_000, 900_000))
        if item.grandparent_title:
            attrs.update(grandparentKey=f"/library/metadata/{show_key}", grandparentRatingKey=show_key,
                         grandparentTitle=item.grandparent_title,
                         grandparentThumb=f"/library/metadata/{show_key}/thumb/{stamp}")
        if item.parent_title:
            attrs.update(parentKey=f"/library/metadata/{season_key}", parentRatingKey=season_key,
                         parentTitle=item.parent_title, parentThumb=f"/library/metadata/{season_key}/thumb/{stamp}")
    if play is not None:
        attrs["sessionKey"] = play.session_key
        attrs["viewOffset"] = str(play.position_ms)
    elem = Element(_tag(item), dict(sorted(attrs.items())))  # PMS lists item attributes alphabetically
    elem.append(_media(item, live=play is not None, transcode=bool(play and play.transcode_key)))
    for label in item.labels:
        label_id = str(_num(label, "label", 1000, 99999))
        SubElement(elem, "Label", {"filter": f"label={label_id}", "id": label_id, "tag": label})
    return elem


def _media(item: MediaInfo, *, live: bool, transcode: bool = False) -> Element:
    key = item.rating_key
    media_id, part_id = str(_num(key, "media", 1000, 999_999)), str(_num(key, "part", 1000, 999_999))
    duration = str(item.duration_ms or 0)
    selected = {"selected": "1"} if live else {}
    decision = {"decision": "transcode" if transcode else "directplay", "selected": "1"} if live else {}
    location = {"location": "segments-av" if transcode else "direct"} if live else {}
    if item.type == "track":
        media = Element("Media", {"audioChannels": "2", "audioCodec": "flac", "bitrate": "920", "container": "flac",
                                  "duration": duration, "id": media_id, **selected})
        part = SubElement(media, "Part", {"container": "flac", "duration": duration,
                                          "file": f"/data/Music/{item.grandparent_title or 'Unknown'}/{item.title}.flac",
                                          "id": part_id, "key": f"/library/parts/{part_id}/1558059964/file.flac",
                                          "size": "28656120", **decision})
        SubElement(part, "Stream", {"audioChannelLayout": "stereo", "bitrate": "920", "channels": "2", "codec": "flac",
                                    "displayTitle": "FLAC (Stereo)", "id": str(int(part_id) + 1), "index": "0",
                                    "samplingRate": "44100", "selected": "1", "streamType": "2", **location})
        return media
    media = Element("Media", {"id": media_id, "duration": duration, "bitrate": "6000", "width": "1920",
                              "height": "1080", "aspectRatio": "1.78", "audioChannels": "2", "audioCodec": "aac",
                              "videoCodec": "h264", "videoResolution": "1080", "container": "mkv",
                              "videoFrameRate": "24p", "videoProfile": "high", **selected})
    part = SubElement(media, "Part", {"id": part_id, "key": f"/library/parts/{part_id}/1590245989/file.mkv",
                                      "duration": duration, "file": f"/data/{item.library or 'Media'}/{item.title}.mkv",
                                      "size": "4500000000", "container": "mkv", "videoProfile": "high", **decision})
    SubElement(part, "Stream", {"bitrate": "5700", "codec": "h264", "default": "1", "displayTitle": "1080p (H.264)",
                                "height": "1080", "id": str(int(part_id) + 1), "index": "0", "streamType": "1",
                                "width": "1920", **location})
    SubElement(part, "Stream", {"bitrate": "256", "channels": "2", "codec": "aac", "default": "1",
                                "displayTitle": "English (AAC Stereo)", "id": str(int(part_id) + 2), "index": "1",
                                "language": "English", "languageCode": "eng", "selected": "1", "streamType": "2",
                                **location})
    return media


def metadata(item: MediaInfo, section: Section | None) -> Element:
    attrs = {"allowSync": "1", "identifier": "com.plexapp.plugins.library"}
    if section is not None:
        attrs.update(librarySectionID=section.id, librarySectionTitle=section.title, librarySectionUUID=section.uuid)
    attrs.update(mediaTagPrefix=TAG_PREFIX, mediaTagVersion=TAG_VERSION)
    return container([item_element(item, section)], **attrs)


def metadata_many(items: list[tuple[MediaInfo, Section | None]]) -> Element:
    """Several items (/library/metadata/1,2,3): each names its own library, the container none."""
    attrs = {"allowSync": "1", "identifier": "com.plexapp.plugins.library",
             "mediaTagPrefix": TAG_PREFIX, "mediaTagVersion": TAG_VERSION}
    elements = []
    for item, section in items:
        elem = item_element(item, section)
        if section is not None:
            elem.set("librarySectionID", section.id)
            elem.set("librarySectionTitle", section.title)
        elements.append(elem)
    return container(elements, **attrs)


def session_element(item: MediaInfo, section: Section | None, play: Play, device: Device, account: Account) -> Element:
    """One /status/sessions entry: the item, then User, Player and Session (plexopedia order)."""
    elem = item_element(item, section, play=play)
    SubElement(elem, "User", {"id": str(account.id), "thumb": f"https://plex.tv/users/{account.id:016x}/avatar?c=1661361687",
                              "title": account.name})
    SubElement(elem, "Player", {
        "address": device.address, "device": device.device or device.platform,
        "machineIdentifier": device.machine_id, "model": device.model, "platform": device.platform,
        "platformVersion": device.platform_version, "product": device.product, "profile": device.platform,
        "state": play.state, "title": device.device_name, "version": device.version,
        "local": "1", "relayed": "0", "secure": "1", "userID": str(account.id),
    })
    SubElement(elem, "Session", {"id": play.session_id, "bandwidth": "6500", "location": "lan"})
    if play.transcode_key:  # plexopedia capture: after Session
        duration = str(item.duration_ms or 0)
        SubElement(elem, "TranscodeSession", {
            "key": f"/transcode/sessions/{play.transcode_key}", "throttled": "0", "complete": "0",
            "progress": "5.3000001907348633", "size": "-22", "speed": "6.9000000953674316", "error": "0",
            "duration": duration, "remaining": "93", "context": "streaming", "sourceVideoCodec": "hevc",
            "sourceAudioCodec": "ac3", "videoDecision": "transcode", "audioDecision": "transcode",
            "protocol": "dash", "container": "mp4", "videoCodec": "h264", "audioCodec": "aac", "audioChannels": "2",
            "transcodeHwRequested": "1", "timeStamp": f"{play.started_utc:.7f}", "maxOffsetAvailable": "39.0",
            "minOffsetAvailable": "0",
        })
    return elem


def sections(all_sections: Iterable[Section]) -> list[Element]:
    result = []
    for section in all_sections:
        directory = Element("Directory", {
            "allowSync": "1", "art": f"/:/resources/{section.type}-fanart.jpg", "filters": "1", "refreshing": "0",
            "thumb": f"/:/resources/{section.type}.png", "key": section.id, "type": section.type,
            "title": section.title, "agent": "tv.plex.agents.movie", "scanner": "Plex Movie", "language": "en",
            "uuid": section.uuid, "updatedAt": "1602461679", "createdAt": "1429510140", "scannedAt": "1605409122",
            "content": "1", "directory": "1", "contentChangedAt": "116893155", "hidden": "0",
        })
        SubElement(directory, "Location", {"id": section.id, "path": f"/data/{section.title}"})
        result.append(directory)
    return result


def sections_container(children: Sequence[Element], **paging: str) -> Element:
    return container(children, allowSync="0", identifier="com.plexapp.plugins.library",
                     mediaTagPrefix=TAG_PREFIX, mediaTagVersion=TAG_VERSION, title1="Plex Library", **paging)


def accounts(all_accounts: Iterable[Account]) -> list[Element]:
    people = [Account(0, ""), *[a for a in all_accounts if a.id != 0]]
    return [Element("Account", {"id": str(a.id), "key": f"/accounts/{a.id}", "name": a.name,
                                "defaultAudioLanguage": "en", "autoSelectAudio": "1",
                                "defaultSubtitleLanguage": "en", "subtitleMode": "1", "thumb": ""})
            for a in people]


def clients(devices: Iterable[Device]) -> list[Element]:
    return [Element("Server", {
        "name": d.device_name, "host": d.address, "address": d.address, "port": str(d.port),
        "machineIdentifier": d.machine_id, "version": d.version, "protocol": "plex", "product": d.product,
        "deviceClass": "pc" if d.product == "Plex Web" else "mobile", "protocolVersion": "1",
        "protocolCapabilities": "timeline,playback,navigation,mirror,playqueues",
    }) for d in devices if d.advertise]


def history(entries: Iterable[HistoryEntry], items: dict[str, MediaInfo]) -> list[Element]:
    result = []
    for entry in entries:
        item = items.get(entry.rating_key)
        attrs = {"historyKey": f"/status/sessions/history/{entry.history_id}",
                 "key": f"/library/metadata/{entry.rating_key}", "ratingKey": entry.rating_key}
        if entry.library_id:
            attrs["librarySectionID"] = entry.library_id
        attrs.update(title=item.title if item else "", type=item.type if item else "movie",
                     thumb=f"/library/metadata/{entry.rating_key}/thumb/-1", viewedAt=str(entry.viewed_at),
                     accountID=str(entry.account_id))
        if item and item.grandparent_title:
            attrs["grandparentTitle"] = item.grandparent_title
        result.append(Element(_tag(item) if item else "Video", attrs))
    return result


def prefs(values: dict[str, bool]) -> list[Element]:
    return [Element("Setting", {
        "id": pref_id, "label": label, "summary": summary, "type": "bool", "default": _bool(default),
        "value": _bool(values.get(pref_id, default)), "hidden": "0", "advanced": "1", "group": "general",
    }) for pref_id, label, summary, default in PREFS]


def _bool(value: bool) -> str:
    return "true" if value else "false"
