<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_BE">
<context>
    <name>Alerts</name>
    <message>
        <source>offline for {n} min</source>
        <translation>hors ligne depuis {n} min</translation>
    </message>
    <message>
        <source>disk {pct}% full</source>
        <translation>disque plein à {pct} %</translation>
    </message>
    <message>
        <source>{n} task files left out</source>
        <translation>{n} fichiers de tâche écartés</translation>
    </message>
</context>
<context>
    <name>QtAdminWindow</name>
    <message>
        <source>Admin console — kiosk suite</source>
        <translation>Console d&apos;administration — suite kiosque</translation>
    </message>
    <message>
        <source>Not connected to the broker ({url}) — reconnecting… Live states, help calls and commands wait until it is back.</source>
        <translation>Pas de connexion au broker ({url}) — reconnexion… États en direct, appels à l&apos;aide et commandes attendent son retour.</translation>
    </message>
    <message>
        <source>Overview</source>
        <translation>Vue d&apos;ensemble</translation>
    </message>
    <message>
        <source>Fleet</source>
        <translation>Parc</translation>
    </message>
    <message>
        <source>Help desk</source>
        <translation>Aide</translation>
    </message>
    <message>
        <source>Usage</source>
        <translation>Utilisation</translation>
    </message>
    <message>
        <source>Reports</source>
        <translation>Rapports</translation>
    </message>
    <message>
        <source>Commands</source>
        <translation>Commandes</translation>
    </message>
    <message>
        <source>Signed in as {admin} · database {db}</source>
        <translation>Connecté en tant que {admin} · base {db}</translation>
    </message>
    <message>
        <source>Database unreachable: {why} — trying again every {s} s.</source>
        <translation>Base de données injoignable : {why} — nouvel essai toutes les {s} s.</translation>
    </message>
</context>
<context>
    <name>QtBuddyDesk</name>
    <message>
        <source>PC</source>
        <translation>PC</translation>
    </message>
    <message>
        <source>Task</source>
        <translation>Tâche</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>Étape</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Langue</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>En attente</translation>
    </message>
    <message>
        <source>State</source>
        <translation>État</translation>
    </message>
    <message>
        <source>Buddy desk — {site}</source>
        <translation>Poste buddy — {site}</translation>
    </message>
    <message>
        <source>Help calls at {site}</source>
        <translation>Appels à l&apos;aide à {site}</translation>
    </message>
    <message>
        <source>Your name:</source>
        <translation>Votre nom :</translation>
    </message>
    <message>
        <source>Your name, shown to the visitor</source>
        <translation>Votre nom, tel que le visiteur le voit</translation>
    </message>
    <message>
        <source>Sound on</source>
        <translation>Son activé</translation>
    </message>
    <message>
        <source>Mute the chime for new calls</source>
        <translation>Couper le son des nouveaux appels</translation>
    </message>
    <message>
        <source>Not connected to the broker — reconnecting…</source>
        <translation>Pas de connexion au broker — reconnexion…</translation>
    </message>
    <message>
        <source>No one is waiting for help.</source>
        <translation>Personne n&apos;attend d&apos;aide.</translation>
    </message>
    <message>
        <source>Open help calls</source>
        <translation>Appels à l&apos;aide ouverts</translation>
    </message>
    <message>
        <source>A buddy</source>
        <translation>Un buddy</translation>
    </message>
    <message>
        <source>{name} claimed this call. Mark it resolved anyway?</source>
        <translation>{name} a pris cet appel. Le marquer quand même comme résolu ?</translation>
    </message>
    <message>
        <source>Resolve a call</source>
        <translation>Clore un appel</translation>
    </message>
    <message>
        <source>You ({name}) are going</source>
        <translation>Vous ({name}) y allez</translation>
    </message>
    <message>
        <source>{name} is going</source>
        <translation>{name} y va</translation>
    </message>
    <message>
        <source> (offline)</source>
        <translation> (hors ligne)</translation>
    </message>
    <message>
        <source>(free use)</source>
        <translation>(utilisation libre)</translation>
    </message>
    <message>
        <source>Claim</source>
        <translation>J&apos;y vais</translation>
    </message>
    <message>
        <source>Claim the call of {pc}</source>
        <translation>Prendre l&apos;appel de {pc}</translation>
    </message>
    <message>
        <source>Resolve</source>
        <translation>Résolu</translation>
    </message>
    <message>
        <source>Resolve…</source>
        <translation>Résolu…</translation>
    </message>
    <message>
        <source>Mark the call of {pc} resolved</source>
        <translation>Marquer l&apos;appel de {pc} comme résolu</translation>
    </message>
    <message>
        <source>Sound off</source>
        <translation>Son coupé</translation>
    </message>
</context>
<context>
    <name>QtCallNotifier</name>
    <message>
        <source>A visitor asks for help</source>
        <translation>Un visiteur demande de l&apos;aide</translation>
    </message>
    <message>
        <source>{n} visitors ask for help</source>
        <translation>{n} visiteurs demandent de l&apos;aide</translation>
    </message>
    <message>
        <source>Still waiting for a buddy</source>
        <translation>Attend toujours un buddy</translation>
    </message>
    <message>
        <source>{n} call(s) waiting for {m} min or more</source>
        <translation>{n} appel(s) en attente depuis {m} min ou plus</translation>
    </message>
</context>
<context>
    <name>QtCommandsTab</name>
    <message>
        <source>Sent</source>
        <translation>Envoyé</translation>
    </message>
    <message>
        <source>By</source>
        <translation>Par</translation>
    </message>
    <message>
        <source>Command</source>
        <translation>Commande</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>Cible</translation>
    </message>
    <message>
        <source>Kiosk</source>
        <translation>Kiosque</translation>
    </message>
    <message>
        <source>Answer</source>
        <translation>Réponse</translation>
    </message>
    <message>
        <source>Send to:</source>
        <translation>Envoyer à :</translation>
    </message>
    <message>
        <source>one kiosk</source>
        <translation>un kiosque</translation>
    </message>
    <message>
        <source>every kiosk of a site</source>
        <translation>tous les kiosques d&apos;un site</translation>
    </message>
    <message>
        <source>all kiosks</source>
        <translation>tous les kiosques</translation>
    </message>
    <message>
        <source>Command:</source>
        <translation>Commande :</translation>
    </message>
    <message>
        <source>Text ({lang}):</source>
        <translation>Texte ({lang}) :</translation>
    </message>
    <message>
        <source>Show for (hours, 0 = until changed):</source>
        <translation>Afficher pendant (heures, 0 = jusqu&apos;à modification) :</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Envoyer</translation>
    </message>
    <message>
        <source>Sent from this console</source>
        <translation>Envoyé depuis cette console</translation>
    </message>
    <message>
        <source>Audit log (every console)</source>
        <translation>Journal d&apos;audit (toutes les consoles)</translation>
    </message>
    <message>
        <source>choose a site first</source>
        <translation>choisissez d&apos;abord un site</translation>
    </message>
    <message>
        <source>{what} on {n} kiosks ({target})? Visitors there lose their visit.</source>
        <translation>{what} sur {n} kiosques ({target}) ? Les visiteurs y perdent leur visite.</translation>
    </message>
    <message>
        <source>Not connected to the broker: nothing was sent.</source>
        <translation>Pas de connexion au broker : rien n&apos;a été envoyé.</translation>
    </message>
    <message>
        <source>Sent to {n} kiosk(s): {target}.</source>
        <translation>Envoyé à {n} kiosque(s) : {target}.</translation>
    </message>
    <message>
        <source>No broker now: queued for {n} kiosk(s) ({target}), sent when it is back.</source>
        <translation>Pas de broker : en attente pour {n} kiosque(s) ({target}), envoyé dès son retour.</translation>
    </message>
    <message>
        <source>no reason given</source>
        <translation>aucune raison donnée</translation>
    </message>
    <message>
        <source>refused: {reason}</source>
        <translation>refusé : {reason}</translation>
    </message>
    <message>
        <source>done</source>
        <translation>exécuté</translation>
    </message>
    <message>
        <source>no answer</source>
        <translation>pas de réponse</translation>
    </message>
    <message>
        <source>waiting</source>
        <translation>en attente</translation>
    </message>
    <message>
        <source>Send a command</source>
        <translation>Envoyer une commande</translation>
    </message>
</context>
<context>
    <name>QtFilterBar</name>
    <message>
        <source>Last 7 days</source>
        <translation>7 derniers jours</translation>
    </message>
    <message>
        <source>Last 30 days</source>
        <translation>30 derniers jours</translation>
    </message>
    <message>
        <source>Last 90 days</source>
        <translation>90 derniers jours</translation>
    </message>
    <message>
        <source>This year</source>
        <translation>Cette année</translation>
    </message>
    <message>
        <source>Last 365 days</source>
        <translation>365 derniers jours</translation>
    </message>
    <message>
        <source>Custom</source>
        <translation>Personnalisé</translation>
    </message>
    <message>
        <source>Sites:</source>
        <translation>Sites :</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Du</translation>
    </message>
    <message>
        <source>to</source>
        <translation>au</translation>
    </message>
    <message>
        <source>Apply</source>
        <translation>Appliquer</translation>
    </message>
    <message>
        <source>All sites</source>
        <translation>Tous les sites</translation>
    </message>
    <message>
        <source>The start date {start} is after the end date {end}.</source>
        <translation>La date de début {start} est après la date de fin {end}.</translation>
    </message>
    <message>
        <source>{n} sites</source>
        <translation>{n} sites</translation>
    </message>
</context>
<context>
    <name>QtFleetTab</name>
    <message>
        <source>Site</source>
        <translation>Site</translation>
    </message>
    <message>
        <source>PC</source>
        <translation>PC</translation>
    </message>
    <message>
        <source>State</source>
        <translation>État</translation>
    </message>
    <message>
        <source>Last seen</source>
        <translation>Vu pour la dernière fois</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>Version</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>Memory</source>
        <translation>Mémoire</translation>
    </message>
    <message>
        <source>Disk</source>
        <translation>Disque</translation>
    </message>
    <message>
        <source>Alerts</source>
        <translation>Alertes</translation>
    </message>
    <message>
        <source>idle</source>
        <translation>libre</translation>
    </message>
    <message>
        <source>in a session</source>
        <translation>en session</translation>
    </message>
    <message>
        <source>locked</source>
        <translation>verrouillé</translation>
    </message>
    <message>
        <source>offline</source>
        <translation>hors ligne</translation>
    </message>
    <message>
        <source>Site:</source>
        <translation>Site :</translation>
    </message>
    <message>
        <source>All sites</source>
        <translation>Tous les sites</translation>
    </message>
    <message>
        <source>Opening hours: {hours} · offline alert after {m} min · disk alert above {d}%</source>
        <translation>Heures d&apos;ouverture : {hours} · alerte hors ligne après {m} min · alerte disque au-delà de {d} %</translation>
    </message>
    <message>
        <source>No kiosk has reported yet.</source>
        <translation>Aucun kiosque ne s&apos;est encore signalé.</translation>
    </message>
    <message>
        <source>{n} kiosks, {off} offline</source>
        <translation>{n} kiosques, {off} hors ligne</translation>
    </message>
    <message>
        <source>{n} alerts — </source>
        <translation>{n} alertes — </translation>
    </message>
    <message>
        <source> … and {m} more</source>
        <translation> … et {m} autres</translation>
    </message>
</context>
<context>
    <name>QtHeatmap</name>
    <message>
        <source>Mon</source>
        <translation>lun</translation>
    </message>
    <message>
        <source>Tue</source>
        <translation>mar</translation>
    </message>
    <message>
        <source>Wed</source>
        <translation>mer</translation>
    </message>
    <message>
        <source>Thu</source>
        <translation>jeu</translation>
    </message>
    <message>
        <source>Fri</source>
        <translation>ven</translation>
    </message>
    <message>
        <source>Sat</source>
        <translation>sam</translation>
    </message>
    <message>
        <source>Sun</source>
        <translation>dim</translation>
    </message>
</context>
<context>
    <name>QtHelpDeskTab</name>
    <message>
        <source>Site</source>
        <translation>Site</translation>
    </message>
    <message>
        <source>PC</source>
        <translation>PC</translation>
    </message>
    <message>
        <source>Task</source>
        <translation>Tâche</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>Étape</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Langue</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>En attente</translation>
    </message>
    <message>
        <source>State</source>
        <translation>État</translation>
    </message>
    <message>
        <source>Opened</source>
        <translation>Ouvert</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>Issue</translation>
    </message>
    <message>
        <source>Buddy</source>
        <translation>Buddy</translation>
    </message>
    <message>
        <source>Wait</source>
        <translation>Attente</translation>
    </message>
    <message>
        <source>Handling</source>
        <translation>Traitement</translation>
    </message>
    <message>
        <source>Waiting now (all sites)</source>
        <translation>En attente maintenant (tous les sites)</translation>
    </message>
    <message>
        <source>No one is waiting for help.</source>
        <translation>Personne n&apos;attend d&apos;aide.</translation>
    </message>
    <message>
        <source>History</source>
        <translation>Historique</translation>
    </message>
    <message>
        <source>No data for this period.</source>
        <translation>Pas de données pour cette période.</translation>
    </message>
    <message>
        <source>(free use)</source>
        <translation>(utilisation libre)</translation>
    </message>
    <message>
        <source>{name} is going</source>
        <translation>{name} y va</translation>
    </message>
    <message>
        <source>Claim</source>
        <translation>J&apos;y vais</translation>
    </message>
    <message>
        <source>Resolve</source>
        <translation>Résolu</translation>
    </message>
    <message>
        <source>waiting</source>
        <translation>en attente</translation>
    </message>
    <message>
        <source>buddy going</source>
        <translation>buddy en route</translation>
    </message>
    <message>
        <source>resolved</source>
        <translation>résolu</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>annulé</translation>
    </message>
    <message>
        <source>expired</source>
        <translation>expiré</translation>
    </message>
    <message>
        <source>{calls} calls, {answered} answered · median wait {median} · 90% waited less than {p90} · median handling {handling}</source>
        <translation>{calls} appels, {answered} pris en charge · attente médiane {median} · 90 % ont attendu moins de {p90} · traitement médian {handling}</translation>
    </message>
</context>
<context>
    <name>QtOverviewTab</name>
    <message>
        <source>Site</source>
        <translation>Site</translation>
    </message>
    <message>
        <source>Online</source>
        <translation>En ligne</translation>
    </message>
    <message>
        <source>In a session</source>
        <translation>En session</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>Hors ligne</translation>
    </message>
    <message>
        <source>Sessions today</source>
        <translation>Sessions aujourd&apos;hui</translation>
    </message>
    <message>
        <source>Open help calls</source>
        <translation>Appels à l&apos;aide ouverts</translation>
    </message>
    <message>
        <source>Median wait today</source>
        <translation>Attente médiane aujourd&apos;hui</translation>
    </message>
    <message>
        <source>Alerts</source>
        <translation>Alertes</translation>
    </message>
    <message>
        <source>kiosks online</source>
        <translation>kiosques en ligne</translation>
    </message>
    <message>
        <source>visitors at a kiosk now</source>
        <translation>visiteurs à un kiosque maintenant</translation>
    </message>
    <message>
        <source>sessions today</source>
        <translation>sessions aujourd&apos;hui</translation>
    </message>
    <message>
        <source>help calls open</source>
        <translation>appels à l&apos;aide ouverts</translation>
    </message>
    <message>
        <source>alerts (Fleet tab)</source>
        <translation>alertes (onglet Parc)</translation>
    </message>
    <message>
        <source>Sites</source>
        <translation>Sites</translation>
    </message>
    <message>
        <source>No data yet: no kiosk has reported and no visit was stored.</source>
        <translation>Pas encore de données : aucun kiosque ne s&apos;est signalé et aucune visite n&apos;est enregistrée.</translation>
    </message>
    <message>
        <source> (+{n} more)</source>
        <translation> (+{n} autres)</translation>
    </message>
</context>
<context>
    <name>QtReportsTab</name>
    <message>
        <source>Hide counts below</source>
        <translation>Masquer les nombres sous</translation>
    </message>
    <message>
        <source>Save CSV…</source>
        <translation>Enregistrer en CSV…</translation>
    </message>
    <message>
        <source>Save PDF…</source>
        <translation>Enregistrer en PDF…</translation>
    </message>
    <message>
        <source>Counting…</source>
        <translation>Comptage…</translation>
    </message>
    <message>
        <source>No data for this period.</source>
        <translation>Pas de données pour cette période.</translation>
    </message>
    <message>
        <source>Ready to save.</source>
        <translation>Prêt à enregistrer.</translation>
    </message>
    <message>
        <source>Save the report</source>
        <translation>Enregistrer le rapport</translation>
    </message>
    <message>
        <source>Could not save {path}: {why}</source>
        <translation>Impossible d&apos;enregistrer {path} : {why}</translation>
    </message>
    <message>
        <source>Saved {path}</source>
        <translation>Enregistré : {path}</translation>
    </message>
</context>
<context>
    <name>QtUsageTab</name>
    <message>
        <source>sessions</source>
        <translation>sessions</translation>
    </message>
    <message>
        <source>guided tasks started</source>
        <translation>tâches guidées commencées</translation>
    </message>
    <message>
        <source>of them completed</source>
        <translation>dont terminées</translation>
    </message>
    <message>
        <source>help calls</source>
        <translation>appels à l&apos;aide</translation>
    </message>
    <message>
        <source>median wait for a buddy</source>
        <translation>attente médiane d&apos;un buddy</translation>
    </message>
    <message>
        <source>No data for this period and these sites.</source>
        <translation>Pas de données pour cette période et ces sites.</translation>
    </message>
    <message>
        <source>day</source>
        <translation>jour</translation>
    </message>
    <message>
        <source>week</source>
        <translation>semaine</translation>
    </message>
    <message>
        <source>month</source>
        <translation>mois</translation>
    </message>
    <message>
        <source>step {n}</source>
        <translation>étape {n}</translation>
    </message>
    <message>
        <source>Sessions by hour of the week</source>
        <translation>Sessions par heure de la semaine</translation>
    </message>
    <message>
        <source>Sessions per {unit}</source>
        <translation>Sessions par {unit}</translation>
    </message>
    <message>
        <source>Guided tasks: started, completed, given up</source>
        <translation>Tâches guidées : commencées, terminées, abandonnées</translation>
    </message>
    <message>
        <source>started</source>
        <translation>commencées</translation>
    </message>
    <message>
        <source>completed</source>
        <translation>terminées</translation>
    </message>
    <message>
        <source>given up</source>
        <translation>abandonnées</translation>
    </message>
    <message>
        <source>Where people give up (step of the task)</source>
        <translation>Où les gens abandonnent (étape de la tâche)</translation>
    </message>
    <message>
        <source>Sessions by language</source>
        <translation>Sessions par langue</translation>
    </message>
    <message>
        <source>Help calls and median wait per {unit}</source>
        <translation>Appels à l&apos;aide et attente médiane par {unit}</translation>
    </message>
    <message>
        <source>median wait (min)</source>
        <translation>attente médiane (min)</translation>
    </message>
    <message>
        <source>calls</source>
        <translation>appels</translation>
    </message>
    <message>
        <source>minutes</source>
        <translation>minutes</translation>
    </message>
    <message>
        <source>How long visitors waited for a buddy</source>
        <translation>Combien de temps les visiteurs ont attendu un buddy</translation>
    </message>
</context>
<context>
    <name>Time</name>
    <message>
        <source>{n} s ago</source>
        <translation>il y a {n} s</translation>
    </message>
    <message>
        <source>{n} min ago</source>
        <translation>il y a {n} min</translation>
    </message>
    <message>
        <source>{n} h ago</source>
        <translation>il y a {n} h</translation>
    </message>
    <message>
        <source>{n} days ago</source>
        <translation>il y a {n} jours</translation>
    </message>
</context>
</TS>
