"""Named, ordered, transactional migrations. Append new ones; never edit an applied one."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Migration:
    name: str
    sql: str


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        "0001_history",
        """
        CREATE TABLE devices (
            client_id   TEXT PRIMARY KEY,
            product     TEXT,
            platform    TEXT,
            device      TEXT,
            ip          TEXT,
            account     TEXT,
            first_seen  TEXT NOT NULL,
            last_seen   TEXT NOT NULL
        );
        CREATE TABLE sessions (
            id              INTEGER PRIMARY KEY,
            key             TEXT NOT NULL UNIQUE,
            client_id       TEXT NOT NULL REFERENCES devices(client_id),
            rating_key      TEXT,
            account         TEXT,
            start           TEXT NOT NULL,
            end             TEXT NOT NULL,
            start_utc       REAL NOT NULL,
            end_utc         REAL NOT NULL,
            watched_ms      INTEGER NOT NULL DEFAULT 0,
            max_position_ms INTEGER NOT NULL DEFAULT 0,
            duration_ms     INTEGER,
            resumed         INTEGER NOT NULL DEFAULT 0,
            state           TEXT NOT NULL,
            live            INTEGER NOT NULL DEFAULT 1,
            product         TEXT,
            platform        TEXT,
            device          TEXT,
            ip              TEXT,
            plex_session    TEXT
        );
        CREATE INDEX sessions_by_start ON sessions(start);
        CREATE INDEX sessions_by_client ON sessions(client_id, start);
        CREATE INDEX sessions_by_account ON sessions(account, start);
        CREATE TABLE import_watermark (
            source    TEXT PRIMARY KEY,
            position  INTEGER NOT NULL,
            updated   TEXT NOT NULL
        );
        """,
    ),
    Migration(
        "0002_media_cache",
        """
        CREATE TABLE media (
            rating_key         TEXT PRIMARY KEY,
            title              TEXT NOT NULL,
            type               TEXT NOT NULL,
            grandparent_title  TEXT,
            parent_title       TEXT,
            idx                INTEGER,
            parent_idx         INTEGER,
            library            TEXT,
            library_id         TEXT,
            labels             TEXT NOT NULL DEFAULT '[]',
            content_rating     TEXT,
            duration_ms        INTEGER,
            year               INTEGER,
            fetched_utc        REAL NOT NULL
        );
        """,
    ),
    Migration(
        "0003_enforcement",
        """
        CREATE TABLE violations (
            id           INTEGER PRIMARY KEY,
            time         TEXT NOT NULL,
            time_utc     REAL NOT NULL,
            person       TEXT,
            client_id    TEXT,
            session_key  TEXT,
            rating_key   TEXT,
            restriction  TEXT NOT NULL,
            reason       TEXT NOT NULL
        );
        CREATE INDEX violations_by_time ON violations(time);
        CREATE TABLE actions (
            id            INTEGER PRIMARY KEY,
            violation_id  INTEGER REFERENCES violations(id) ON DELETE CASCADE,
            time          TEXT NOT NULL,
            action        TEXT NOT NULL,
            outcome       TEXT NOT NULL,
            detail        TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX actions_by_violation ON actions(violation_id);
        CREATE TABLE grants (
            id          INTEGER PRIMARY KEY,
            person      TEXT NOT NULL,
            day         TEXT NOT NULL,
            minutes     INTEGER NOT NULL DEFAULT 0,
            lift_until  TEXT,
            created     TEXT NOT NULL
        );
        CREATE INDEX grants_by_person_day ON grants(person, day);
        """,
    ),
    Migration(
        "0004_usage_by_account_nocase",
        """
        CREATE INDEX sessions_by_account_nocase ON sessions(account COLLATE NOCASE, start);
        """,
    ),
    Migration(
        "0006_rejected_requests",
        """
        CREATE TABLE rejected_requests (
            day     TEXT NOT NULL,
            ip      TEXT NOT NULL,
            count   INTEGER NOT NULL,
            first   TEXT NOT NULL,
            last    TEXT NOT NULL,
            claimed TEXT,
            PRIMARY KEY (day, ip)
        );
        """,
    ),
)
