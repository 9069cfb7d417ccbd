<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="nl_BE">
<context>
    <name>Alerts</name>
    <message>
        <source>offline for {n} min</source>
        <translation>{n} min offline</translation>
    </message>
    <message>
        <source>disk {pct}% full</source>
        <translation>schijf {pct}% vol</translation>
    </message>
    <message>
        <source>{n} task files left out</source>
        <translation>{n} taakbestanden weggelaten</translation>
    </message>
</context>
<context>
    <name>QtAdminWindow</name>
    <message>
        <source>Admin console — kiosk suite</source>
        <translation>Beheerconsole — kiosk-suite</translation>
    </message>
    <message>
        <source>Not connected to the broker ({url}) — reconnecting… Live states, help calls and commands wait until it is back.</source>
        <translation>Geen verbinding met de broker ({url}) — opnieuw verbinden… Live toestand, hulpoproepen en opdrachten wachten tot hij terug is.</translation>
    </message>
    <message>
        <source>Overview</source>
        <translation>Overzicht</translation>
    </message>
    <message>
        <source>Fleet</source>
        <translation>Toestellen</translation>
    </message>
    <message>
        <source>Help desk</source>
        <translation>Hulpbalie</translation>
    </message>
    <message>
        <source>Usage</source>
        <translation>Gebruik</translation>
    </message>
    <message>
        <source>Reports</source>
        <translation>Rapporten</translation>
    </message>
    <message>
        <source>Commands</source>
        <translation>Opdrachten</translation>
    </message>
    <message>
        <source>Signed in as {admin} · database {db}</source>
        <translation>Aangemeld als {admin} · database {db}</translation>
    </message>
    <message>
        <source>Database unreachable: {why} — trying again every {s} s.</source>
        <translation>Database onbereikbaar: {why} — nieuwe poging elke {s} s.</translation>
    </message>
</context>
<context>
    <name>QtBuddyDesk</name>
    <message>
        <source>PC</source>
        <translation>pc</translation>
    </message>
    <message>
        <source>Task</source>
        <translation>Taak</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>Stap</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Taal</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>Wacht</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Toestand</translation>
    </message>
    <message>
        <source>Buddy desk — {site}</source>
        <translation>Buddybalie — {site}</translation>
    </message>
    <message>
        <source>Help calls at {site}</source>
        <translation>Hulpoproepen in {site}</translation>
    </message>
    <message>
        <source>Your name:</source>
        <translation>Je naam:</translation>
    </message>
    <message>
        <source>Your name, shown to the visitor</source>
        <translation>Je naam, zoals de bezoeker hem ziet</translation>
    </message>
    <message>
        <source>Sound on</source>
        <translation>Geluid aan</translation>
    </message>
    <message>
        <source>Mute the chime for new calls</source>
        <translation>Geluid voor nieuwe oproepen uitzetten</translation>
    </message>
    <message>
        <source>Not connected to the broker — reconnecting…</source>
        <translation>Geen verbinding met de broker — opnieuw verbinden…</translation>
    </message>
    <message>
        <source>No one is waiting for help.</source>
        <translation>Niemand wacht op hulp.</translation>
    </message>
    <message>
        <source>Open help calls</source>
        <translation>Open hulpoproepen</translation>
    </message>
    <message>
        <source>A buddy</source>
        <translation>Een buddy</translation>
    </message>
    <message>
        <source>{name} claimed this call. Mark it resolved anyway?</source>
        <translation>{name} heeft deze oproep opgenomen. Toch als opgelost markeren?</translation>
    </message>
    <message>
        <source>Resolve a call</source>
        <translation>Een oproep afsluiten</translation>
    </message>
    <message>
        <source>You ({name}) are going</source>
        <translation>Jij ({name}) gaat</translation>
    </message>
    <message>
        <source>{name} is going</source>
        <translation>{name} gaat</translation>
    </message>
    <message>
        <source> (offline)</source>
        <translation> (offline)</translation>
    </message>
    <message>
        <source>(free use)</source>
        <translation>(vrij gebruik)</translation>
    </message>
    <message>
        <source>Claim</source>
        <translation>Ik ga</translation>
    </message>
    <message>
        <source>Claim the call of {pc}</source>
        <translation>Neem de oproep van {pc} op</translation>
    </message>
    <message>
        <source>Resolve</source>
        <translation>Opgelost</translation>
    </message>
    <message>
        <source>Resolve…</source>
        <translation>Opgelost…</translation>
    </message>
    <message>
        <source>Mark the call of {pc} resolved</source>
        <translation>Markeer de oproep van {pc} als opgelost</translation>
    </message>
    <message>
        <source>Sound off</source>
        <translation>Geluid uit</translation>
    </message>
</context>
<context>
    <name>QtCallNotifier</name>
    <message>
        <source>A visitor asks for help</source>
        <translation>Een bezoeker vraagt hulp</translation>
    </message>
    <message>
        <source>{n} visitors ask for help</source>
        <translation>{n} bezoekers vragen hulp</translation>
    </message>
    <message>
        <source>Still waiting for a buddy</source>
        <translation>Wacht nog op een buddy</translation>
    </message>
    <message>
        <source>{n} call(s) waiting for {m} min or more</source>
        <translation>{n} oproep(en) wachten al {m} min of langer</translation>
    </message>
</context>
<context>
    <name>QtCommandsTab</name>
    <message>
        <source>Sent</source>
        <translation>Verstuurd</translation>
    </message>
    <message>
        <source>By</source>
        <translation>Door</translation>
    </message>
    <message>
        <source>Command</source>
        <translation>Opdracht</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>Doel</translation>
    </message>
    <message>
        <source>Kiosk</source>
        <translation>Kiosk</translation>
    </message>
    <message>
        <source>Answer</source>
        <translation>Antwoord</translation>
    </message>
    <message>
        <source>Send to:</source>
        <translation>Versturen naar:</translation>
    </message>
    <message>
        <source>one kiosk</source>
        <translation>één kiosk</translation>
    </message>
    <message>
        <source>every kiosk of a site</source>
        <translation>alle kiosken van een locatie</translation>
    </message>
    <message>
        <source>all kiosks</source>
        <translation>alle kiosken</translation>
    </message>
    <message>
        <source>Command:</source>
        <translation>Opdracht:</translation>
    </message>
    <message>
        <source>Text ({lang}):</source>
        <translation>Tekst ({lang}):</translation>
    </message>
    <message>
        <source>Show for (hours, 0 = until changed):</source>
        <translation>Tonen gedurende (uren, 0 = tot een wijziging):</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Versturen</translation>
    </message>
    <message>
        <source>Sent from this console</source>
        <translation>Verstuurd vanaf deze console</translation>
    </message>
    <message>
        <source>Audit log (every console)</source>
        <translation>Auditlog (alle consoles)</translation>
    </message>
    <message>
        <source>choose a site first</source>
        <translation>kies eerst een locatie</translation>
    </message>
    <message>
        <source>{what} on {n} kiosks ({target})? Visitors there lose their visit.</source>
        <translation>{what} op {n} kiosken ({target})? Bezoekers daar verliezen hun bezoek.</translation>
    </message>
    <message>
        <source>Not connected to the broker: nothing was sent.</source>
        <translation>Geen verbinding met de broker: er is niets verstuurd.</translation>
    </message>
    <message>
        <source>Sent to {n} kiosk(s): {target}.</source>
        <translation>Verstuurd naar {n} kiosk(s): {target}.</translation>
    </message>
    <message>
        <source>No broker now: queued for {n} kiosk(s) ({target}), sent when it is back.</source>
        <translation>Nu geen broker: klaargezet voor {n} kiosk(s) ({target}), verstuurd zodra hij terug is.</translation>
    </message>
    <message>
        <source>no reason given</source>
        <translation>geen reden opgegeven</translation>
    </message>
    <message>
        <source>refused: {reason}</source>
        <translation>geweigerd: {reason}</translation>
    </message>
    <message>
        <source>done</source>
        <translation>uitgevoerd</translation>
    </message>
    <message>
        <source>no answer</source>
        <translation>geen antwoord</translation>
    </message>
    <message>
        <source>waiting</source>
        <translation>wacht</translation>
    </message>
    <message>
        <source>Send a command</source>
        <translation>Een opdracht versturen</translation>
    </message>
</context>
<context>
    <name>QtFilterBar</name>
    <message>
        <source>Last 7 days</source>
        <translation>Laatste 7 dagen</translation>
    </message>
    <message>
        <source>Last 30 days</source>
        <translation>Laatste 30 dagen</translation>
    </message>
    <message>
        <source>Last 90 days</source>
        <translation>Laatste 90 dagen</translation>
    </message>
    <message>
        <source>This year</source>
        <translation>Dit jaar</translation>
    </message>
    <message>
        <source>Last 365 days</source>
        <translation>Laatste 365 dagen</translation>
    </message>
    <message>
        <source>Custom</source>
        <translation>Zelf kiezen</translation>
    </message>
    <message>
        <source>Sites:</source>
        <translation>Locaties:</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Van</translation>
    </message>
    <message>
        <source>to</source>
        <translation>tot</translation>
    </message>
    <message>
        <source>Apply</source>
        <translation>Toepassen</translation>
    </message>
    <message>
        <source>All sites</source>
        <translation>Alle locaties</translation>
    </message>
    <message>
        <source>The start date {start} is after the end date {end}.</source>
        <translation>De begindatum {start} ligt na de einddatum {end}.</translation>
    </message>
    <message>
        <source>{n} sites</source>
        <translation>{n} locaties</translation>
    </message>
</context>
<context>
    <name>QtFleetTab</name>
    <message>
        <source>Site</source>
        <translation>Locatie</translation>
    </message>
    <message>
        <source>PC</source>
        <translation>pc</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Toestand</translation>
    </message>
    <message>
        <source>Last seen</source>
        <translation>Laatst gezien</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>Versie</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>Memory</source>
        <translation>Geheugen</translation>
    </message>
    <message>
        <source>Disk</source>
        <translation>Schijf</translation>
    </message>
    <message>
        <source>Alerts</source>
        <translation>Meldingen</translation>
    </message>
    <message>
        <source>idle</source>
        <translation>vrij</translation>
    </message>
    <message>
        <source>in a session</source>
        <translation>in gebruik</translation>
    </message>
    <message>
        <source>locked</source>
        <translation>vergrendeld</translation>
    </message>
    <message>
        <source>offline</source>
        <translation>offline</translation>
    </message>
    <message>
        <source>Site:</source>
        <translation>Locatie:</translation>
    </message>
    <message>
        <source>All sites</source>
        <translation>Alle locaties</translation>
    </message>
    <message>
        <source>Opening hours: {hours} · offline alert after {m} min · disk alert above {d}%</source>
        <translation>Openingsuren: {hours} · melding offline na {m} min · melding schijf boven {d}%</translation>
    </message>
    <message>
        <source>No kiosk has reported yet.</source>
        <translation>Nog geen kiosk heeft zich gemeld.</translation>
    </message>
    <message>
        <source>{n} kiosks, {off} offline</source>
        <translation>{n} kiosken, {off} offline</translation>
    </message>
    <message>
        <source>{n} alerts — </source>
        <translation>{n} meldingen — </translation>
    </message>
    <message>
        <source> … and {m} more</source>
        <translation> … en nog {m}</translation>
    </message>
</context>
<context>
    <name>QtHeatmap</name>
    <message>
        <source>Mon</source>
        <translation>ma</translation>
    </message>
    <message>
        <source>Tue</source>
        <translation>di</translation>
    </message>
    <message>
        <source>Wed</source>
        <translation>wo</translation>
    </message>
    <message>
        <source>Thu</source>
        <translation>do</translation>
    </message>
    <message>
        <source>Fri</source>
        <translation>vr</translation>
    </message>
    <message>
        <source>Sat</source>
        <translation>za</translation>
    </message>
    <message>
        <source>Sun</source>
        <translation>zo</translation>
    </message>
</context>
<context>
    <name>QtHelpDeskTab</name>
    <message>
        <source>Site</source>
        <translation>Locatie</translation>
    </message>
    <message>
        <source>PC</source>
        <translation>pc</translation>
    </message>
    <message>
        <source>Task</source>
        <translation>Taak</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>Stap</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Taal</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>Wacht</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Toestand</translation>
    </message>
    <message>
        <source>Opened</source>
        <translation>Geopend</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>Afloop</translation>
    </message>
    <message>
        <source>Buddy</source>
        <translation>Buddy</translation>
    </message>
    <message>
        <source>Wait</source>
        <translation>Wachttijd</translation>
    </message>
    <message>
        <source>Handling</source>
        <translation>Afhandeling</translation>
    </message>
    <message>
        <source>Waiting now (all sites)</source>
        <translation>Wachten nu (alle locaties)</translation>
    </message>
    <message>
        <source>No one is waiting for help.</source>
        <translation>Niemand wacht op hulp.</translation>
    </message>
    <message>
        <source>History</source>
        <translation>Geschiedenis</translation>
    </message>
    <message>
        <source>No data for this period.</source>
        <translation>Geen gegevens voor deze periode.</translation>
    </message>
    <message>
        <source>(free use)</source>
        <translation>(vrij gebruik)</translation>
    </message>
    <message>
        <source>{name} is going</source>
        <translation>{name} gaat</translation>
    </message>
    <message>
        <source>Claim</source>
        <translation>Ik ga</translation>
    </message>
    <message>
        <source>Resolve</source>
        <translation>Opgelost</translation>
    </message>
    <message>
        <source>waiting</source>
        <translation>wacht</translation>
    </message>
    <message>
        <source>buddy going</source>
        <translation>buddy onderweg</translation>
    </message>
    <message>
        <source>resolved</source>
        <translation>opgelost</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>geannuleerd</translation>
    </message>
    <message>
        <source>expired</source>
        <translation>verlopen</translation>
    </message>
    <message>
        <source>{calls} calls, {answered} answered · median wait {median} · 90% waited less than {p90} · median handling {handling}</source>
        <translation>{calls} oproepen, {answered} beantwoord · mediane wachttijd {median} · 90% wachtte minder dan {p90} · mediane afhandeling {handling}</translation>
    </message>
</context>
<context>
    <name>QtOverviewTab</name>
    <message>
        <source>Site</source>
        <translation>Locatie</translation>
    </message>
    <message>
        <source>Online</source>
        <translation>Online</translation>
    </message>
    <message>
        <source>In a session</source>
        <translation>In gebruik</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>Offline</translation>
    </message>
    <message>
        <source>Sessions today</source>
        <translation>Sessies vandaag</translation>
    </message>
    <message>
        <source>Open help calls</source>
        <translation>Open hulpoproepen</translation>
    </message>
    <message>
        <source>Median wait today</source>
        <translation>Mediane wachttijd vandaag</translation>
    </message>
    <message>
        <source>Alerts</source>
        <translation>Meldingen</translation>
    </message>
    <message>
        <source>kiosks online</source>
        <translation>kiosken online</translation>
    </message>
    <message>
        <source>visitors at a kiosk now</source>
        <translation>bezoekers nu aan een kiosk</translation>
    </message>
    <message>
        <source>sessions today</source>
        <translation>sessies vandaag</translation>
    </message>
    <message>
        <source>help calls open</source>
        <translation>open hulpoproepen</translation>
    </message>
    <message>
        <source>alerts (Fleet tab)</source>
        <translation>meldingen (tab Toestellen)</translation>
    </message>
    <message>
        <source>Sites</source>
        <translation>Locaties</translation>
    </message>
    <message>
        <source>No data yet: no kiosk has reported and no visit was stored.</source>
        <translation>Nog geen gegevens: geen kiosk heeft zich gemeld en er is geen bezoek opgeslagen.</translation>
    </message>
    <message>
        <source> (+{n} more)</source>
        <translation> (+{n} meer)</translation>
    </message>
</context>
<context>
    <name>QtReportsTab</name>
    <message>
        <source>Hide counts below</source>
        <translation>Aantallen verbergen onder</translation>
    </message>
    <message>
        <source>Save CSV…</source>
        <translation>CSV opslaan…</translation>
    </message>
    <message>
        <source>Save PDF…</source>
        <translation>PDF opslaan…</translation>
    </message>
    <message>
        <source>Counting…</source>
        <translation>Aan het tellen…</translation>
    </message>
    <message>
        <source>No data for this period.</source>
        <translation>Geen gegevens voor deze periode.</translation>
    </message>
    <message>
        <source>Ready to save.</source>
        <translation>Klaar om op te slaan.</translation>
    </message>
    <message>
        <source>Save the report</source>
        <translation>Rapport opslaan</translation>
    </message>
    <message>
        <source>Could not save {path}: {why}</source>
        <translation>Kon {path} niet opslaan: {why}</translation>
    </message>
    <message>
        <source>Saved {path}</source>
        <translation>Opgeslagen: {path}</translation>
    </message>
</context>
<context>
    <name>QtUsageTab</name>
    <message>
        <source>sessions</source>
        <translation>sessies</translation>
    </message>
    <message>
        <source>guided tasks started</source>
        <translation>begeleide taken gestart</translation>
    </message>
    <message>
        <source>of them completed</source>
        <translation>daarvan voltooid</translation>
    </message>
    <message>
        <source>help calls</source>
        <translation>hulpoproepen</translation>
    </message>
    <message>
        <source>median wait for a buddy</source>
        <translation>mediane wachttijd op een buddy</translation>
    </message>
    <message>
        <source>No data for this period and these sites.</source>
        <translation>Geen gegevens voor deze periode en locaties.</translation>
    </message>
    <message>
        <source>day</source>
        <translation>dag</translation>
    </message>
    <message>
        <source>week</source>
        <translation>week</translation>
    </message>
    <message>
        <source>month</source>
        <translation>maand</translation>
    </message>
    <message>
        <source>step {n}</source>
        <translation>stap {n}</translation>
    </message>
    <message>
        <source>Sessions by hour of the week</source>
        <translation>Sessies per uur van de week</translation>
    </message>
    <message>
        <source>Sessions per {unit}</source>
        <translation>Sessies per {unit}</translation>
    </message>
    <message>
        <source>Guided tasks: started, completed, given up</source>
        <translation>Begeleide taken: gestart, voltooid, opgegeven</translation>
    </message>
    <message>
        <source>started</source>
        <translation>gestart</translation>
    </message>
    <message>
        <source>completed</source>
        <translation>voltooid</translation>
    </message>
    <message>
        <source>given up</source>
        <translation>opgegeven</translation>
    </message>
    <message>
        <source>Where people give up (step of the task)</source>
        <translation>Waar mensen opgeven (stap van de taak)</translation>
    </message>
    <message>
        <source>Sessions by language</source>
        <translation>Sessies per taal</translation>
    </message>
    <message>
        <source>Help calls and median wait per {unit}</source>
        <translation>Hulpoproepen en mediane wachttijd per {unit}</translation>
    </message>
    <message>
        <source>median wait (min)</source>
        <translation>mediane wachttijd (min)</translation>
    </message>
    <message>
        <source>calls</source>
        <translation>oproepen</translation>
    </message>
    <message>
        <source>minutes</source>
        <translation>minuten</translation>
    </message>
    <message>
        <source>How long visitors waited for a buddy</source>
        <translation>Hoe lang bezoekers op een buddy wachtten</translation>
    </message>
</context>
<context>
    <name>Time</name>
    <message>
        <source>{n} s ago</source>
        <translation>{n} s geleden</translation>
    </message>
    <message>
        <source>{n} min ago</source>
        <translation>{n} min geleden</translation>
    </message>
    <message>
        <source>{n} h ago</source>
        <translation>{n} u geleden</translation>
    </message>
    <message>
        <source>{n} days ago</source>
        <translation>{n} dagen geleden</translation>
    </message>
</context>
</TS>
