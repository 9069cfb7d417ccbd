"""The schema of every config file of the suite: one Struct per table, without Qt.

Each key's type and bounds are its rule; ``Meta.description`` says what it means, and
``Meta.extra`` holds what the reference shows beside it (``allowed``: the rule in words,
``default``: a default that is not a constant, ``env`` / ``cli``: what overrides it). Read a
file with ``kiosk.wire.config.read_config(path, KioskFile)``; the reference,
docs/configuration.md, is made from these classes (``python -m kiosk.wire.config_doc``).

Task files (``kiosk/tasks``) and the browser's allowlist check themselves; they are not here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import msgspec

from kiosk.wire.config import ValueProblem
from kiosk.wire.opening_hours import (
    EXAMPLE,
    OpeningHours,
    OpeningHoursError,
    from_days_and_span,
    parse_span,
)

NAME_PATTERN = r"^[a-z0-9][a-z0-9-]{0,31}$"  # kiosk.wire.protocol.NAME_RE (a test keeps them equal)
NAME_RULE = "1-32 lower-case letters, digits or '-'"
PIN_HASH_PATTERN = r"^[^$]*\$[^$]*\$[^$]*\$[^$]*$"
DEFAULT_TIMEZONE = "Europe/Brussels"  # admin_console.store.rollups.DEFAULT_TIMEZONE (tested)
LOWEST_MIN_COUNT = 3  # admin_console.read.reports.LOWEST_MIN_COUNT (tested)

Seconds = float
HoursTable = Annotated[
    dict[str, list[str]],
    msgspec.Meta(
        description=(
            "The days and periods the corner is open: a day (mon … sun) or a range of days "
            "(mon-fri) = a list of HH:MM-HH:MM periods. A day left out is closed; periods of "
            "one day may not overlap."
        ),
        extra={
            "allowed": f"a table of days, like {EXAMPLE}",
            "item": 'a list of HH:MM-HH:MM periods, like ["09:00-12:00", "13:30-17:00"]',
        },
    ),
]


def _hours(table: dict[str, list[str]]) -> OpeningHours:
    try:
        return OpeningHours.parse(table)
    except OpeningHoursError as err:
        raise ValueProblem(("opening_hours", *([err.key] if err.key else [])), str(err)) from None


class Table(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A table of a config file."""


# --- shared --------------------------------------------------------------------------------


class BrokerTable(Table):
    """How this program reaches the MQTT broker. `admin-console provision` writes this table."""

    url: Annotated[
        str,
        msgspec.Meta(
            description="The broker: mqtt://host:port (loopback, development) or "
            "mqtts://host:port (TLS).",
            extra={
                "allowed": "mqtt://host:port or mqtts://host:port",
                "env": "KIOSK_BROKER_URL (the kiosk only)",
                "cli": "--broker",
            },
        ),
    ]
    username: Annotated[
        str | None, msgspec.Meta(description="The MQTT user name (also the admin's name).")
    ] = None
    password: Annotated[str | None, msgspec.Meta(description="The MQTT password.")] = None
    ca_file: Annotated[
        str | None,
        msgspec.Meta(
            description="The CA that signed the broker's certificate; relative to this file.",
            extra={"allowed": "a file path", "default": "the system's CAs"},
        ),
    ] = None


# --- kiosk.toml ----------------------------------------------------------------------------


class KioskTable(Table):
    """Who this kiosk is and where it keeps its data."""

    site: Annotated[
        str,
        msgspec.Meta(
            pattern=NAME_PATTERN,
            description="The site (computer corner) this PC belongs to.",
            extra={"allowed": NAME_RULE, "env": "KIOSK_SITE", "cli": "--site"},
        ),
    ] = "demo"
    machine: (
        Annotated[
            str,
            msgspec.Meta(
                pattern=NAME_PATTERN,
                description="This PC's name within its site.",
                extra={
                    "allowed": NAME_RULE,
                    "default": "this PC's host name",
                    "env": "KIOSK_MACHINE",
                    "cli": "--machine",
                },
            ),
        ]
        | None
    ) = None
    data_dir: Annotated[
        str | None,
        msgspec.Meta(
            description="The folder of the outbox (events not yet delivered).",
            extra={
                "allowed": "a folder path (~ allowed)",
                "default": "~/.local/share/kiosk-suite (Linux)",
                "env": "KIOSK_DATA_DIR",
                "cli": "--data-dir",
            },
        ),
    ] = None
    lang: Annotated[
        str,
        msgspec.Meta(
            description="The language of the start screen; an unknown one falls back to "
            "English, with a line in the log.",
            extra={
                "allowed": "nl, fr, en (a folder in kiosk/locale/)",
                "env": "KIOSK_LANG",
                "cli": "--lang",
            },
        ),
    ] = "nl"
    tasks_dir: Annotated[
        str | None,
        msgspec.Meta(
            description="The site's own guided tasks (docs/writing-a-task.md); a relative path "
            "is relative to this file.",
            extra={
                "allowed": "a folder path (~ allowed)",
                "default": "~/.local/share/kiosk-suite/tasks (Linux)",
            },
        ),
    ] = None
    staff_pin_hash: (
        Annotated[
            str,
            msgspec.Meta(
                pattern=PIN_HASH_PATTERN,
                description="The staff PIN that leaves the kiosk, hashed; none: no staff exit.",
                extra={"allowed": "the line `kiosk --hash-pin` prints"},
            ),
        ]
        | None
    ) = None
    heartbeat_s: Annotated[
        Seconds,
        msgspec.Meta(
            gt=0,
            description="Seconds between two status messages to the broker.",
            extra={"env": "KIOSK_HEARTBEAT_S"},
        ),
    ] = 60.0
    label: (
        Annotated[
            str,
            msgspec.Meta(
                min_length=1,
                max_length=60,
                description='The name people in the room use for this PC ("PC 3 — bij het '
                'raam"): buddy desks and the fleet view show it. `admin-console provision '
                "kiosk --label` writes it; the console's set_label command changes it later.",
                extra={"allowed": "text, 1-60 printable characters", "default": "none"},
            ),
        ]
        | None
    ) = None


class SessionTable(Table):
    """The visit's clock: idle warning, time limit and opening hours (WCAG 2.2.1)."""

    idle_timeout_s: Annotated[
        Seconds,
        msgspec.Meta(
            gt=0,
            description="A visit ends after this long without input (after a warning).",
            extra={"allowed": "a number of seconds > 0, longer than warning_s"},
        ),
    ] = 300.0
    warning_s: Annotated[
        Seconds,
        msgspec.Meta(
            ge=20,
            description="How long the visitor is warned before the idle end, and can say "
            '"I\'m still here".',
            extra={"allowed": "a number, at least 20 seconds (WCAG 2.2.1)"},
        ),
    ] = 30.0
    max_extensions: (
        Annotated[
            int,
            msgspec.Meta(
                ge=10,
                description='How many times a visitor may say "I\'m still here" in one visit.',
                extra={
                    "allowed": "a whole number, at least 10 (WCAG 2.2.1)",
                    "default": "no limit",
                },
            ),
        ]
        | None
    ) = None
    max_session_s: (
        Annotated[
            Seconds,
            msgspec.Meta(
                gt=0,
                description="The longest visit.",
                extra={"allowed": "a number of seconds > 0", "default": "no limit"},
            ),
        ]
        | None
    ) = None
    end_notice_s: Annotated[
        Seconds,
        msgspec.Meta(
            gt=0,
            description="How long ahead the end of a visit (time limit, closing time) is "
            "announced.",
            extra={"allowed": "a number of seconds > 0"},
        ),
    ] = 300.0
    help_wait_check_s: Annotated[
        Seconds,
        msgspec.Meta(
            gt=0,
            description="While the visitor waits for a buddy (a call open or claimed), the visit "
            'does not end for idleness; after this long without input, "Are you still there?" '
            "comes (with warning_s to answer).",
            extra={"allowed": "a number of seconds, at least idle_timeout_s"},
        ),
    ] = 1200.0
    opening_hours: Annotated[HoursTable, msgspec.Meta(extra={"default": "always open"})] = {}

    def __post_init__(self) -> None:
        if self.idle_timeout_s <= self.warning_s:
            raise ValueProblem(
                "idle_timeout_s",
                f"the idle timeout must be longer than its warning, warning_s ({self.warning_s:g})",
            )
        if self.help_wait_check_s < self.idle_timeout_s:
            raise ValueProblem(
                "help_wait_check_s",
                "waiting for a buddy must be allowed at least as long as being idle, "
                f"idle_timeout_s ({self.idle_timeout_s:g})",
            )
        _hours(self.opening_hours)

    def hours(self) -> OpeningHours:
        return _hours(self.opening_hours)


class PrintingTable(Table):
    """Printing for the visitor through the PC's CUPS (installer/printing.md): the printer, and
    how many pages a visit and a day may print. No printer: no Print button."""

    printer: (
        Annotated[
            str,
            msgspec.Meta(
                min_length=1,
                max_length=127,
                pattern=r"^[^\s/#]+$",
                description="The CUPS printer (queue) the kiosk prints to, as `lpstat -p` names "
                "it; none: the kiosk offers no printing.",
                extra={"allowed": "a CUPS queue name", "default": "none (no printing)"},
            ),
        ]
        | None
    ) = None
    server: (
        Annotated[
            str,
            msgspec.Meta(
                min_length=1,
                description="The CUPS scheduler to print through: a socket path or host:port.",
                extra={
                    "allowed": "a socket path or host:port",
                    "default": "the PC's own CUPS ($CUPS_SERVER if set)",
                },
            ),
        ]
        | None
    ) = None
    pages_per_visit: Annotated[
        int,
        msgspec.Meta(
            ge=1,
            le=1000,
            description="Pages (sheets × copies) one visit may print; the print screen shows "
            'what is left ("Nog 12 bladzijden") and refuses the page that would pass it.',
            extra={"allowed": "a whole number from 1 to 1000"},
        ),
    ] = 20
    pages_per_day: Annotated[
        int,
        msgspec.Meta(
            ge=1,
            le=10000,
            description="Pages this PC may print in a day, over all visits (kept across "
            "restarts in the data folder).",
            extra={"allowed": "a whole number from 1 to 10000"},
        ),
    ] = 200
    color: Annotated[
        bool,
        msgspec.Meta(
            description="Colour may be chosen where the printer can print in colour; false: "
            "always black and white.",
        ),
    ] = True


class KioskFile(Table):
    """kiosk.toml"""

    broker: Annotated[
        BrokerTable | None, msgspec.Meta(extra={"default": "mqtt://127.0.0.1:1883"})
    ] = None
    kiosk: KioskTable = msgspec.field(default_factory=KioskTable)
    session: SessionTable = msgspec.field(default_factory=SessionTable)
    printing: PrintingTable = msgspec.field(default_factory=PrintingTable)


# --- the admin console's config ---------------------------------------------------------------


class DatabaseTable(Table):
    """Where the aggregator stores events and the console reads them."""

    url: Annotated[
        str | None,
        msgspec.Meta(
            description="The database: sqlite:///path, or postgresql+psycopg://user@host/db at "
            "scale.",
            extra={
                "allowed": "sqlite:///… or postgresql+psycopg://…",
                "default": "sqlite:///~/.local/share/kiosk-suite/aggregator.db (Linux)",
                "cli": "--db",
            },
        ),
    ] = None


class FleetTable(Table):
    """The fleet view and its alerts (`admin-console gui`)."""

    opening_hours: Annotated[
        HoursTable | str | None,
        msgspec.Meta(
            description="When the sites are open: a kiosk offline in these hours raises an "
            "alert. The same format as [session.opening_hours] of kiosk.toml. The former "
            'opening_hours = "09:00-17:00" (with opening_days) is still read.',
            extra={
                "allowed": f'a table of days, like {EXAMPLE}; or formerly "09:00-17:00"',
                "default": 'mon-sat = ["09:00-17:00"]',
            },
        ),
    ] = None
    opening_days: Annotated[
        str | list[str] | None,
        msgspec.Meta(
            description='Former format only, with opening_hours = "09:00-17:00": the open '
            'days, "mon-sat", "mon,wed,fri" or a list of days.',
            extra={"allowed": 'days, like "mon-sat" or ["mon", "thu"]', "default": "mon-sat"},
        ),
    ] = None
    offline_alert_minutes: Annotated[
        float,
        msgspec.Meta(
            gt=0, description="A kiosk offline this long in opening hours raises an alert."
        ),
    ] = 10.0
    disk_alert_pct: Annotated[
        float,
        msgspec.Meta(gt=0, le=100, description="A kiosk's disk fuller than this raises an alert."),
    ] = 90.0
    timezone: Annotated[
        str,
        msgspec.Meta(
            description="The time zone of the opening hours and of the figures' days.",
            extra={"allowed": "an IANA time zone, like Europe/Brussels"},
        ),
    ] = DEFAULT_TIMEZONE

    def __post_init__(self) -> None:
        if isinstance(self.opening_hours, dict) and self.opening_days is not None:
            raise ValueProblem(
                "opening_days",
                'goes with the former opening_hours = "09:00-17:00" only; with '
                '[fleet.opening_hours] name the days there, like mon-sat = ["09:00-17:00"]',
            )
        self.hours()
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueProblem("timezone", f"{self.timezone!r} is an unknown time zone") from None

    def hours(self) -> OpeningHours:
        if isinstance(self.opening_hours, dict):
            return _hours(self.opening_hours)
        span = self.opening_hours or "09:00-17:00"
        try:
            parse_span(span)
        except OpeningHoursError as err:
            raise ValueProblem("opening_hours", str(err)) from None
        try:
            return from_days_and_span(self.opening_days or "mon-sat", span)
        except OpeningHoursError as err:
            raise ValueProblem("opening_days", str(err)) from None


class ReportsTable(Table):
    """The funders' report (`admin-console gui`, Reports)."""

    min_count: Annotated[
        int,
        msgspec.Meta(
            ge=LOWEST_MIN_COUNT,
            description="Counts below this show as <N in the console's report, so that nobody "
            "can be recognised (`admin-console report` takes --min-count).",
            extra={"allowed": f"a whole number, at least {LOWEST_MIN_COUNT}"},
        ),
    ] = 5


class BuddyTable(Table):
    """Who uses this buddy desk (`admin-console buddy`). `admin-console provision buddy`
    writes this table."""

    site: (
        Annotated[
            str,
            msgspec.Meta(
                pattern=NAME_PATTERN,
                description="The site whose help calls this desk shows.",
                extra={"allowed": NAME_RULE, "cli": "--site"},
            ),
        ]
        | None
    ) = None
    name: (
        Annotated[
            str,
            msgspec.Meta(
                min_length=1,
                max_length=64,
                description="The buddy's name as visitors see it.",
                extra={"allowed": "text, 1-64 characters", "cli": "--name"},
            ),
        ]
        | None
    ) = None


DEFAULT_TOPICS = (
    "email",
    "eid-itsme",
    "government-site",
    "banking",
    "printing-scanning",
    "smartphone",
    "files-photos",
    "other",
)


class SiteTable(Table):
    """One site's permanences and help calls, in `[sites.NAME]` (NAME: the site). The
    aggregator's queue keeper (`admin-console serve`) tells the site's kiosks from it whether a
    buddy is on duty and when the next permanence starts; buddy desks show the topics."""

    permanences: Annotated[
        HoursTable,
        msgspec.Meta(
            description="When buddies are planned in the room (the rota), in the format of "
            "the opening hours. With a rota, the kiosks say when nobody is checked in "
            '("Nu is er geen buddy. Volgende permanentie: dinsdag 14:00"); without one they '
            "never do.",
            extra={"default": "no rota"},
        ),
    ] = {}
    off_duty_calls: Annotated[
        str,
        msgspec.Meta(
            pattern="^(staff|none)$",
            description="When no buddy is checked in: staff = the call button stays and the "
            "site's staff answer calls; none = the kiosk says there is no buddy now and offers "
            "no call.",
            extra={"allowed": "staff or none"},
        ),
    ] = "staff"
    topics: Annotated[
        list[Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]],
        msgspec.Meta(
            max_length=30,
            description="What a buddy may tick when closing a call (no free text about a "
            "visitor). Known keys have words in every language: "
            + ", ".join(DEFAULT_TOPICS)
            + "; another key is shown as it is written.",
            extra={"allowed": "a list of keys (lower-case letters, digits, '-')"},
        ),
    ] = msgspec.field(default_factory=lambda: list(DEFAULT_TOPICS))

    def __post_init__(self) -> None:
        try:
            OpeningHours.parse(self.permanences)
        except OpeningHoursError as err:
            raise ValueProblem(("permanences", *([err.key] if err.key else [])), str(err)) from None

    def rota(self) -> OpeningHours:
        return OpeningHours.parse(self.permanences)


class AdminConsoleFile(Table):
    """admin-console --config FILE"""

    broker: Annotated[
        BrokerTable | None, msgspec.Meta(extra={"default": "mqtt://127.0.0.1:1883"})
    ] = None
    database: DatabaseTable = msgspec.field(default_factory=DatabaseTable)
    fleet: FleetTable = msgspec.field(default_factory=FleetTable)
    reports: ReportsTable = msgspec.field(default_factory=ReportsTable)
    buddy: BuddyTable = msgspec.field(default_factory=BuddyTable)
    sites: Annotated[
        dict[str, SiteTable],
        msgspec.Meta(
            description="Per site, [sites.NAME]: its permanences and help-call topics.",
            extra={"allowed": "a table per site name"},
        ),
    ] = {}

    def __post_init__(self) -> None:
        import re

        for name in self.sites:
            if not re.match(NAME_PATTERN, name):
                raise ValueProblem(("sites", name), f"a site's name must be {NAME_RULE}")


@dataclass(frozen=True)
class FileSpec:
    """A config file of the suite, for the reference."""

    title: str
    schema: type[Table]
    read_by: str
    about: str


FILES: tuple[FileSpec, ...] = (
    FileSpec(
        "kiosk.toml",
        KioskFile,
        "`kiosk --config FILE` (else `$KIOSK_CONFIG`, else ~/.config/kiosk-suite/kiosk.toml)",
        "The kiosk PC's settings. `admin-console provision kiosk` writes [broker] and [kiosk] "
        "site, machine. Command line over environment over this file over the defaults.",
    ),
    FileSpec(
        "The admin console's config",
        AdminConsoleFile,
        "`admin-console serve|stats|buddy|gui|report|demo-data --config FILE`",
        "One file for the aggregator, the buddy desk and the console; each command reads the "
        "tables it needs. `admin-console provision` writes [broker] (and [buddy] for a buddy "
        "desk). The command line overrides the file.",
    ),
)
