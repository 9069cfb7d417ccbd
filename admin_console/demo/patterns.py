"""How a week in a public computer room looks, for the demo dataset (no Qt, no database).

:class:`Generator` makes one local day of rows for every kiosk: visits in opening hours, their
events, help requests and, at the end, every kiosk's last status. ``admin_console.demo.data``
writes them. Everything comes from one seeded random generator: a seed gives the same day.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

SITE_NAMES = (
    "schaerbeek",
    "anderlecht",
    "molenbeek",
    "elsene",
    "gent",
    "antwerpen",
    "leuven",
    "liege",
    "namur",
    "charleroi",
    "brugge",
    "mechelen",
    "hasselt",
    "kortrijk",
    "mons",
    "aalst",
    "sint-niklaas",
    "genk",
    "oostende",
    "tournai",
    "verviers",
    "seraing",
    "mouscron",
    "roeselare",
    "vorst",
    "jette",
    "evere",
    "ukkel",
    "etterbeek",
    "sint-gillis",
    "koekelberg",
    "ganshoren",
    "turnhout",
    "lier",
    "geel",
    "herentals",
    "dendermonde",
    "lokeren",
    "wavre",
    "nivelles",
    "arlon",
    "dinant",
    "ath",
    "waterloo",
    "ieper",
    "tienen",
    "vilvoorde",
    "halle",
    "beveren",
    "eupen",
)
BRUSSELS = frozenset(SITE_NAMES[:4]) | frozenset(SITE_NAMES[24:32])
WALLOON = frozenset(
    {"liege", "namur", "charleroi", "mons", "tournai", "verviers", "seraing", "mouscron"}
    | {"wavre", "nivelles", "arlon", "dinant", "ath", "waterloo", "eupen"}
)
LANGS = {
    "brussels": {"fr": 46, "nl": 20, "ar": 14, "en": 8, "tr": 5, "ro": 4, "es": 3},
    "walloon": {"fr": 80, "nl": 3, "ar": 7, "en": 4, "tr": 3, "pl": 3},
    "flemish": {"nl": 72, "fr": 9, "en": 6, "ar": 6, "tr": 4, "pl": 3},
}
TASK_WEIGHTS = {  # what visitors come for most
    "mypension-check": 14,
    "irisbox-certificate": 12,
    "csam-login": 16,
    "myminfin-tax-document": 11,
    "gmail-account": 12,
    "outlook-account": 6,
    "plan-trip": 10,
    "phishing-recognise": 6,
}
HARD_STEPS = {"csam-login": 2, "irisbox-certificate": 1, "myminfin-tax-document": 3}
OPEN_HOUR, CLOSE_HOUR = 9, 17
HOUR_WEIGHTS = (0.6, 1.0, 1.15, 0.7, 0.8, 1.1, 1.0, 0.65)  # 09h … 16h
WEEKDAY_FACTOR = (1.0, 1.15, 0.8, 1.15, 0.9, 0.6, 0.0)  # Monday … Sunday
BUDDIES = ("Sara", "Yassine", "Lotte", "Mehdi", "Emma", "Noah", "Ines", "Lucas", "Fatima", "Jan")
VERSIONS = ("0.3.0", "0.3.0", "0.3.0", "0.2.9")
# Permanences (issue 16): every site is staffed on Tuesday and Thursday afternoons; some add a
# Monday morning or a Wednesday afternoon. (weekday, start, end) in local hours.
ROTA_BASE = ((1, 13.0, 17.0), (3, 13.0, 17.0))
ROTA_EXTRA = ((0, 10.0, 12.5), (2, 13.5, 16.5))
STAFF = "staff"  # who answers a call when no buddy is on duty (the site's own staff)
OUTCOME_WEIGHTS = {"solved": 62, "partly": 17, "referred": 11, "left": 4, "": 6}  # "": not said
TOPICS_BY_TASK = {  # what a call during a guided task is most often about
    "csam-login": ("eid-itsme", "government-site"),
    "mypension-check": ("government-site", "eid-itsme"),
    "myminfin-tax-document": ("government-site", "eid-itsme", "printing-scanning"),
    "irisbox-certificate": ("government-site", "eid-itsme", "printing-scanning"),
    "gmail-account": ("email", "smartphone"),
    "outlook-account": ("email",),
    "plan-trip": ("smartphone", "other"),
    "phishing-recognise": ("email", "banking"),
}
FREE_TOPICS = ("banking", "email", "printing-scanning", "files-photos", "smartphone", "other")
END_REASONS = (("user", 70), ("idle", 24), ("time_limit", 4), ("admin", 2))


_V4_MASK = ~((0xF000 << 64) | (0xC000 << 48)) & ((1 << 128) - 1)
_V4_BITS = (0x4000 << 64) | (0x8000 << 48)


@dataclass(frozen=True)
class TaskShape:
    id: str
    steps: int
    site_keys: tuple[str, ...]


# What kiosk/tasks/builtin held when this was written: used where the catalog is not installed
# (an admin-only bundle).
KNOWN_TASKS = (
    TaskShape("gmail-account", 8, ("google-account", "gmail")),
    TaskShape("outlook-account", 7, ("outlook",)),
    TaskShape("irisbox-certificate", 7, ("irisbox", "mybxl", "csam", "itsme")),
    TaskShape("mypension-check", 7, ("mypension", "csam", "itsme")),
    TaskShape("myminfin-tax-document", 7, ("myminfin", "csam", "itsme")),
    TaskShape("csam-login", 7, ("csam", "itsme")),
    TaskShape("plan-trip", 6, ("stib", "delijn", "sncb")),
    TaskShape("phishing-recognise", 5, ()),
)


def builtin_tasks() -> list[TaskShape]:
    """Ids, step counts and web site keys of the tasks the kiosk ships with."""
    try:
        from kiosk.tasks.catalog import BUILTIN_FOLDER, load_catalog
    except ImportError:
        return list(KNOWN_TASKS)
    catalog = load_catalog([BUILTIN_FOLDER])
    return [
        TaskShape(task.id, len(task.steps), tuple(d.key for d in task.domains))
        for task in catalog.tasks()
    ] or list(KNOWN_TASKS)


def site_names(count: int) -> list[str]:
    return [SITE_NAMES[n] if n < len(SITE_NAMES) else f"site-{n + 1:03d}" for n in range(count)]


def _weighted(rng: random.Random, weights: Mapping[str, float]) -> str:
    return rng.choices(list(weights), list(weights.values()))[0]


def _region(site: str) -> str:
    return "brussels" if site in BRUSSELS else "walloon" if site in WALLOON else "flemish"


class _Picker:
    """Weighted choice from a fixed table, cheap enough for millions of draws."""

    def __init__(self, rng: random.Random, weights: Mapping[str, float]) -> None:
        self._rng = rng
        self._items = list(weights)
        total = float(sum(weights.values()))
        acc = 0.0
        self._cum: list[float] = []
        for item in self._items:
            acc += weights[item] / total
            self._cum.append(acc)

    def __call__(self) -> str:
        x = self._rng.random()
        for item, limit in zip(self._items, self._cum, strict=True):
            if x < limit:
                return item
        return self._items[-1]


class DayRows:
    """The rows of one local day, for every kiosk."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.visits: list[dict[str, Any]] = []
        self.help: list[dict[str, Any]] = []
        self.shifts: list[dict[str, Any]] = []


class Generator:
    def __init__(
        self,
        *,
        sites: int,
        kiosks_per_site: int,
        seed: int,
        sessions_per_kiosk_day: float,
        zone: ZoneInfo,
        now: datetime,
    ) -> None:
        self.rng = random.Random(seed)
        self.zone = zone
        self.now = now.astimezone(UTC).replace(tzinfo=None)
        self.sites = site_names(sites)
        self.kiosks = [f"pc-{n + 1:02d}" for n in range(kiosks_per_site)]
        self.rate = sessions_per_kiosk_day
        self.tasks = {t.id: t for t in builtin_tasks()}
        weights = {t: TASK_WEIGHTS.get(t, 5) for t in self.tasks}
        self.pick_task = _Picker(self.rng, weights)
        self.pick_lang = {region: _Picker(self.rng, w) for region, w in LANGS.items()}
        self.pick_end = _Picker(self.rng, dict(END_REASONS))
        self.site_factor = {s: 0.6 + 0.8 * self.rng.random() for s in self.sites}
        self.saturday = {s: self.rng.random() < 0.7 for s in self.sites}
        self.free_keys = sorted({k for t in self.tasks.values() for k in t.site_keys})
        # The help loop draws from its own generator: the events, visits and calls of a seed
        # stay what they were before shifts, outcomes and topics were added.
        self.loop_rng = random.Random(seed * 7919 + 16)
        self.rota = {s: self._site_rota(s) for s in self.sites}
        self.team = {s: self.loop_rng.sample(BUDDIES, 5) for s in self.sites}

    def uid(self) -> str:
        """A random (v4) UUID from the seeded generator, so that a seed gives the same ids."""
        h = f"{self.rng.getrandbits(128) & _V4_MASK | _V4_BITS:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def day(self, day: date) -> DayRows:
        out = DayRows()
        weekday = day.weekday()
        for site in self.sites:
            if WEEKDAY_FACTOR[weekday] == 0 or (weekday == 5 and not self.saturday[site]):
                continue
            mean = self.rate * WEEKDAY_FACTOR[weekday] * self.site_factor[site]
            first_call = len(out.help)
            for machine in self.kiosks:
                self._kiosk_day(out, day, site, machine, mean)
            on_duty = self._shifts(out, day, site)
            for row in out.help[first_call:]:
                self._closing(row, on_duty)
        return out

    # --- the help loop: permanences, who answered, how calls were closed ------------------------

    def _site_rota(self, site: str) -> list[tuple[int, float, float]]:
        rota = list(ROTA_BASE)
        rota += [extra for extra in ROTA_EXTRA if self.loop_rng.random() < 0.4]
        return sorted(rota)

    def _local(self, day: date, hours: float) -> datetime:
        moment = datetime.combine(day, time(), self.zone) + timedelta(hours=hours)
        return moment.astimezone(UTC).replace(tzinfo=None)

    def _shifts(
        self, out: DayRows, day: date, site: str
    ) -> list[tuple[datetime, datetime | None, str]]:
        """The day's shifts at a site along its rota: one to three buddies each, checking in
        and out a few minutes around the permanence; a shift still going at ``now`` has no
        check-out yet, and now and then a buddy forgets to check out."""
        rng, shifts = self.loop_rng, []
        for weekday, start, end in self.rota[site]:
            if weekday != day.weekday():
                continue
            count = 1 + (rng.random() < 0.55) + (rng.random() < 0.2)
            for buddy in rng.sample(self.team[site], count):
                began = self._local(day, start + rng.uniform(-0.15, 0.3))
                ended: datetime | None = self._local(day, end + rng.uniform(-0.3, 0.25))
                if began >= self.now:
                    continue
                if ended is not None and (ended > self.now or rng.random() < 0.01):
                    ended = None  # still on duty, or a forgotten check-out
                shifts.append((began, ended, buddy))
                out.shifts.append(
                    {
                        "id": self.uid_from(rng),
                        "site": site,
                        "buddy": buddy,
                        "started": began,
                        "ended": ended,
                        "ended_by": None if ended is None else self.uid_from(rng),
                    }
                )
        return shifts

    def uid_from(self, rng: random.Random) -> str:
        h = f"{rng.getrandbits(128) & _V4_MASK | _V4_BITS:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def _closing(
        self, row: dict[str, Any], on_duty: list[tuple[datetime, datetime | None, str]]
    ) -> None:
        """Who claimed a call (a buddy on duty then, else the site's staff), and for a
        resolved one the outcome and topics the buddy ticked."""
        rng, claimed = self.loop_rng, row["claimed"]
        if claimed is None:
            return
        there = [
            buddy
            for began, ended, buddy in on_duty
            if began <= claimed and (ended is None or claimed < ended)
        ]
        row["buddy"] = rng.choice(there) if there else STAFF
        if row["state"] != "resolved":
            return
        outcome = _weighted(rng, OUTCOME_WEIGHTS)
        row["outcome"] = outcome or None
        if outcome == "left" or rng.random() < 0.1:
            return  # nothing ticked
        likely = TOPICS_BY_TASK.get(row["task"] or "", FREE_TOPICS)
        topics = [rng.choice(likely)]
        if rng.random() < 0.25:
            topics.append(rng.choice(FREE_TOPICS))
        row["topics"] = ",".join(dict.fromkeys(topics))

    def _kiosk_day(self, out: DayRows, day: date, site: str, machine: str, mean: float) -> None:
        rng = self.rng
        count = max(0, round(rng.gauss(mean, mean**0.5)))
        opening = datetime.combine(day, time(OPEN_HOUR), self.zone)
        starts = sorted(self._start_offset() for _ in range(count))
        for offset in starts:
            start = (opening + timedelta(seconds=offset)).astimezone(UTC).replace(tzinfo=None)
            if start >= self.now:
                return
            self._session(out, site, machine, start)

    def _start_offset(self) -> float:
        hour = self.rng.choices(range(len(HOUR_WEIGHTS)), HOUR_WEIGHTS)[0]
        return hour * 3600 + self.rng.random() * 3600

    def _session(self, out: DayRows, site: str, machine: str, start: datetime) -> None:
        rng, session = self.rng, self.uid()
        lang = self.pick_lang[_region(site)]()
        t = 0.0
        events: list[tuple[float, str, dict[str, Any]]] = [(0.0, "session_started", {"lang": lang})]
        if rng.random() < 0.06:
            t += 20
            events.append((t, "accessibility_changed", {"setting": "text_size", "value": 150}))
        if rng.random() < 0.04:
            t += 15
            lang = "fr" if lang == "nl" else "nl"
            events.append((t, "language_changed", {"lang": lang}))
        task: TaskShape | None = None
        help_at: tuple[float, str | None, int | None] | None = None
        if rng.random() < 0.62:
            task = self.tasks[self.pick_task()]
            t += 30 + rng.random() * 60
            events.append((t, "task_started", {"task": task.id}))
            if task.site_keys and rng.random() < 0.8:
                events.append((t + 5, "site_opened", {"site_key": task.site_keys[0]}))
            gave_up: int | None = None
            for step in range(task.steps):
                t += 40 + rng.random() * 150
                events.append((t, "task_step", {"task": task.id, "step": step}))
                hazard = 0.18 if HARD_STEPS.get(task.id) == step else 0.025
                if rng.random() < hazard:
                    gave_up = step
                    break
            stuck = gave_up is not None
            if rng.random() < (0.3 if stuck else 0.05):
                help_at = (t + 10, task.id, gave_up if stuck else task.steps - 1)
                t += 60
            t += 20
            if stuck:
                events.append((t, "task_abandoned", {"task": task.id, "step": gave_up}))
            else:
                events.append((t, "task_completed", {"task": task.id}))
        else:
            for _ in range(rng.randint(1, 3)):
                t += 60 + rng.random() * 400
                events.append((t, "site_opened", {"site_key": rng.choice(self.free_keys)}))
            if rng.random() < 0.05:
                help_at = (t + 30, None, None)
        if help_at is not None:
            t = self._help(out, site, machine, start, help_at, lang, events, t)
        t = max(t + 60 + rng.random() * 300, 90.0)
        reason = self.pick_end()
        end = start + timedelta(seconds=t)
        if end > self.now:
            end, reason = self.now, ""  # still at the PC
        else:
            events.append((t, "session_ended", {"reason": reason, "duration_s": round(t, 1)}))
        for offset, kind, data in events:
            ts = start + timedelta(seconds=offset)
            if ts > self.now:
                break
            out.events.append(
                {
                    "id": self.uid(),
                    "site": site,
                    "machine": machine,
                    "type": kind,
                    "ts": ts,
                    "received": ts + timedelta(milliseconds=200 + rng.random() * 800),
                    "session": session,
                    "data": data,
                }
            )
        out.visits.append(
            {
                "id": session,
                "site": site,
                "machine": machine,
                "started": start,
                "ended": end if reason else None,
                "lang": events[0][2]["lang"],
                "end_reason": reason or None,
                "duration_s": round(t, 1) if reason else None,
            }
        )

    def _help(
        self,
        out: DayRows,
        site: str,
        machine: str,
        start: datetime,
        at: tuple[float, str | None, int | None],
        lang: str,
        events: list[tuple[float, str, dict[str, Any]]],
        t: float,
    ) -> float:
        rng, request = self.rng, self.uid()
        offset, task, step = at
        events.append((offset, "help_requested", {"request": request, "task": task}))
        opened = start + timedelta(seconds=offset)
        if opened > self.now:
            return t
        wait = min(max(rng.lognormvariate(5.3, 0.55), 30.0), 1500.0)  # median about 3.5 min
        handling = 120 + rng.random() * 720
        row: dict[str, Any] = {
            "id": request,
            "site": site,
            "machine": machine,
            "state": "resolved",
            "task": task,
            "step": step,
            "lang": lang,
            "buddy": None,
            "opened": opened,
            "claimed": None,
            "closed": None,
            "updated": opened,
            "outcome": None,
            "topics": None,
        }
        fate = rng.random()
        if fate < 0.08:  # the visitor left before anyone came
            row.update(state="cancelled", closed=opened + timedelta(seconds=wait * 0.8))
            t = max(t, offset + wait * 0.8)
        elif fate < 0.095:  # nobody came: the aggregator expires the call after two hours
            row.update(state="expired", closed=opened + timedelta(hours=2))
        else:
            claimed = opened + timedelta(seconds=wait)
            closed = claimed + timedelta(seconds=handling)
            row.update(buddy=rng.choice(BUDDIES), claimed=claimed, closed=closed)
            t = max(t, offset + wait + handling)
        if row["closed"] is not None and row["closed"] > self.now:
            self._still_open(row)
        row["updated"] = row["closed"] or row["claimed"] or opened
        out.help.append(row)
        return t

    def _still_open(self, row: dict[str, Any]) -> None:
        if row["claimed"] is not None and row["claimed"] <= self.now:
            row.update(state="claimed", closed=None)
        else:
            row.update(state="open", claimed=None, closed=None, buddy=None)

    def machine_rows(self) -> list[dict[str, Any]]:
        rows = []
        for s, site in enumerate(self.sites):
            for m, machine in enumerate(self.kiosks):
                state = self.rng.choice(("idle", "in_session", "in_session"))
                seen = self.now - timedelta(seconds=self.rng.randint(5, 55))
                if (s * len(self.kiosks) + m) % 23 == 7:
                    state, seen = "offline", self.now - timedelta(minutes=self.rng.randint(12, 400))
                figures = {
                    "version": VERSIONS[(s + m) % len(VERSIONS)],
                    "cpu_pct": round(3 + self.rng.random() * (40 if state == "in_session" else 8)),
                    "mem_pct": round(30 + self.rng.random() * 35),
                    "disk_pct": round(35 + self.rng.random() * 40),
                    "uptime_s": self.rng.randint(3600, 9 * 3600),
                }
                if s == 0 and m == len(self.kiosks) - 1:
                    figures["disk_pct"] = 94
                rows.append(
                    {"site": site, "machine": machine, "state": state, "last_seen": seen}
                    | {"status": figures}
                )
        return rows
