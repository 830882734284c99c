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
)


# How much of a session falls on each day it spans: its watched time shared in proportion to
# wall-clock overlap (as plextray.core.report_fold.share_in), all of it on the start day when it has
# no length. SQLite allows no CTE inside a trigger, hence the _day_offsets table; the inner SELECT
# works each julian day out once per day, not once per use.
def _usage_rows(row: str, sign: str, source: str = "_day_offsets o") -> str:
    """INSERT … SELECT adding (sign '+') or taking back ('-') one session's share of each day."""
    return f"""
        INSERT INTO usage_daily (day, client_id, account, rating_key, watched_ms, started_ms, plays)
        SELECT date(x.lo), x.client_id, x.account, x.rating_key,
               {sign}(CASE WHEN x.e <= x.s THEN (CASE WHEN x.n = 0 THEN x.w ELSE 0 END)
                      ELSE x.w * MAX(0.0, MIN(x.e, x.lo + 1) - MAX(x.s, x.lo)) / (x.e - x.s) END),
               CASE WHEN x.n = 0 THEN {sign}x.w ELSE 0 END,
               CASE WHEN x.n = 0 THEN {sign}1 ELSE 0 END
        FROM (SELECT o.n AS n, julianday({row}.start) AS s, julianday({row}.end) AS e,
                     julianday(date({row}.start)) + o.n AS lo, {row}.watched_ms AS w, {row}.client_id AS client_id,
                     COALESCE({row}.account, '') AS account, COALESCE({row}.rating_key, '') AS rating_key
              FROM {source}
              WHERE o.n <= MAX(0, CAST(julianday(date({row}.end)) - julianday(date({row}.start)) AS INTEGER))) x
        WHERE x.n = 0 OR x.lo < x.e
        ON CONFLICT (day, client_id, account, rating_key) DO UPDATE SET
            watched_ms = watched_ms + excluded.watched_ms,
            started_ms = started_ms + excluded.started_ms,
            plays = plays + excluded.plays;
    """


MIGRATIONS = MIGRATIONS + (
    Migration(
        "0005_usage_daily",
        f"""
        CREATE TABLE _day_offsets (n INTEGER PRIMARY KEY);
        INSERT INTO _day_offsets (n)
            WITH RECURSIVE k(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM k WHERE n < 3700) SELECT n FROM k;
        CREATE TABLE usage_daily (
            day         TEXT NOT NULL,
            client_id   TEXT NOT NULL,
            account     TEXT NOT NULL DEFAULT '',
            rating_key  TEXT NOT NULL DEFAULT '',
            watched_ms  REAL NOT NULL DEFAULT 0,
            started_ms  REAL NOT NULL DEFAULT 0,
            plays       INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (day, client_id, account, rating_key)
        ) WITHOUT ROWID;
        CREATE INDEX usage_daily_by_client ON usage_daily(client_id, day);
        CREATE INDEX usage_daily_by_account ON usage_daily(account COLLATE NOCASE, day);
        {_usage_rows("s", "+", "sessions s JOIN _day_offsets o")}
        CREATE TRIGGER usage_daily_insert AFTER INSERT ON sessions BEGIN
            {_usage_rows("NEW", "+")}
        END;
        CREATE TRIGGER usage_daily_delete AFTER DELETE ON sessions BEGIN
            {_usage_rows("OLD", "-")}
        END;
        CREATE TRIGGER usage_daily_update
        AFTER UPDATE OF client_id, account, rating_key, start, end, watched_ms ON sessions BEGIN
            {_usage_rows("OLD", "-")}
            {_usage_rows("NEW", "+")}
        END;
        """,
    ),
)

MIGRATIONS = MIGRATIONS + (
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
