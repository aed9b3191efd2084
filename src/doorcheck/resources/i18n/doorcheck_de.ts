<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE" sourcelanguage="en">
  <context>
    <name>doorcheck</name>
    <message>
      <source>Paired: this door now joins the event's other doors.</source>
      <translation>Gekoppelt: Dieser Eingang verbindet sich jetzt mit den anderen Eingängen der Veranstaltung.</translation>
    </message>
    <message>
      <source>Print badge</source>
      <translation>Namensschild drucken</translation>
    </message>
    <message>
      <source>Print a badge for this guest now, even if one was printed before?</source>
      <translation>Jetzt ein Namensschild für diesen Gast drucken, auch wenn schon eines gedruckt wurde?</translation>
    </message>
    <message>
      <source>Export check-ins</source>
      <translation>Check-ins exportieren</translation>
    </message>
    <message>
      <source>Excel (*.xlsx);;CSV (*.csv)</source>
      <translation>Excel (*.xlsx);;CSV (*.csv)</translation>
    </message>
    <message>
      <source>That is a door's pairing code: a supervisor pairs doors at an unlocked door.</source>
      <translation>Das ist der Kopplungscode eines Eingangs: Eingänge koppelt eine Aufsicht an einem entsperrten Eingang.</translation>
    </message>
    <message>
      <source>Pair this door</source>
      <translation>Diesen Eingang koppeln</translation>
    </message>
    <message>
      <source>Join this event's other doors with the code just scanned? Only if staff showed it at another door of this event.</source>
      <translation>Mit dem eben gescannten Code die anderen Eingänge dieser Veranstaltung verbinden? Nur wenn das Personal ihn an einem anderen Eingang dieser Veranstaltung gezeigt hat.</translation>
    </message>
    <message>
      <source>Undone: the last check-in was taken back</source>
      <translation>Rückgängig: Der letzte Check-in wurde zurückgenommen</translation>
    </message>
    <message>
      <source>Pair another door</source>
      <translation>Weiteren Eingang koppeln</translation>
    </message>
    <message>
      <source>Wipe local data</source>
      <translation>Lokale Daten löschen</translation>
    </message>
    <message>
      <source>Settings</source>
      <translation>Einstellungen</translation>
    </message>
    <message>
      <source>{count} changes made at this door have not reached the server yet. Wait until the door is online and they are uploaded.</source>
      <translation>{count} Änderungen dieses Eingangs sind noch nicht beim Server. Warten Sie, bis der Eingang online ist und sie hochgeladen sind.</translation>
    </message>
    <message>
      <source>USB scanner set up for a {layout} keyboard</source>
      <translation>USB-Scanner eingerichtet für Tastatur {layout}</translation>
    </message>
    <message>
      <source>Badge not printed: {printer}: {why}. The check-in counts.</source>
      <translation>Namensschild nicht gedruckt: {printer}: {why}. Der Check-in zählt.</translation>
    </message>
    <message>
      <source>This door cannot open</source>
      <translation>Dieser Eingang lässt sich nicht öffnen</translation>
    </message>
    <message>
      <source>Badge printed on {printer}</source>
      <translation>Namensschild gedruckt auf {printer}</translation>
    </message>
    <message>
      <source>Badge not printed: {printer}: {why}</source>
      <translation>Namensschild nicht gedruckt: {printer}: {why}</translation>
    </message>
    <message>
      <source>Eventbrite refused the token. Check it in the login.</source>
      <translation>Eventbrite hat den Token abgelehnt. Prüfen Sie ihn in der Anmeldung.</translation>
    </message>
    <message>
      <source>Eventbrite needs a token. Add it to the login.</source>
      <translation>Eventbrite braucht einen Token. Tragen Sie ihn in der Anmeldung ein.</translation>
    </message>
    <message>
      <source>This token may not read that event's attendees.</source>
      <translation>Dieser Token darf die Teilnehmer dieser Veranstaltung nicht lesen.</translation>
    </message>
    <message>
      <source>Eventbrite does not know that event. Check the event ID.</source>
      <translation>Eventbrite kennt diese Veranstaltung nicht. Prüfen Sie die Veranstaltungs-ID.</translation>
    </message>
    <message>
      <source>Eventbrite's limit of {limit} calls an hour is reached; the door works on and asks again later.</source>
      <translation>Eventbrites Grenze von {limit} Abfragen pro Stunde ist erreicht; der Eingang arbeitet weiter und fragt später erneut.</translation>
    </message>
    <message>
      <source>Eventbrite has a problem; we retry.</source>
      <translation>Eventbrite hat ein Problem; wir versuchen es erneut.</translation>
    </message>
    <message>
      <source>Eventbrite refused a page number; the list is read again.</source>
      <translation>Eventbrite hat eine Seitennummer abgelehnt; die Liste wird neu gelesen.</translation>
    </message>
    <message>
      <source>Eventbrite said there is more but gave no continuation</source>
      <translation>Eventbrite meldet weitere Seiten, nennt aber keine Fortsetzung</translation>
    </message>
    <message>
      <source>Eventbrite no longer takes our page token; reloading</source>
      <translation>Eventbrite nimmt unseren Seiten-Token nicht mehr an; die Liste wird neu geladen</translation>
    </message>
    <message>
      <source>Eventbrite answered {code}: {detail}</source>
      <translation>Eventbrite hat mit {code} geantwortet: {detail}</translation>
    </message>
    <message>
      <source>Eventbrite answered {code}</source>
      <translation>Eventbrite hat mit {code} geantwortet</translation>
    </message>
    <message>
      <source>The XML was refused as unsafe ({why})</source>
      <translation>Das XML wurde als unsicher abgelehnt ({why})</translation>
    </message>
    <message>
      <source>The answer is not well-formed XML: {why}</source>
      <translation>Die Antwort ist kein wohlgeformtes XML: {why}</translation>
    </message>
    <message>
      <source>Eventbrite: {kind}: {text}</source>
      <translation>Eventbrite: {kind}: {text}</translation>
    </message>
    <message>
      <source>Eventbrite: {kind}</source>
      <translation>Eventbrite: {kind}</translation>
    </message>
    <message>
      <source>{path} is larger than {limit} MB: too big for an attendee list</source>
      <translation>{path} ist größer als {limit} MB: zu groß für eine Teilnehmerliste</translation>
    </message>
    <message>
      <source>{source} has a problem (HTTP {status}); we retry</source>
      <translation>{source} hat ein Problem (HTTP {status}); wir versuchen es erneut</translation>
    </message>
    <message>
      <source>cannot open {path}: {why}</source>
      <translation>{path} lässt sich nicht öffnen: {why}</translation>
    </message>
    <message>
      <source>Event Cadence answered HTTP {status}: {detail}; we retry</source>
      <translation>Event Cadence hat mit HTTP {status} geantwortet: {detail}; wir versuchen es erneut</translation>
    </message>
    <message>
      <source>Event Cadence answered HTTP {status}; we retry</source>
      <translation>Event Cadence hat mit HTTP {status} geantwortet; wir versuchen es erneut</translation>
    </message>
    <message>
      <source>Event Cadence refused the API key: check it in the forwarding settings ({detail})</source>
      <translation>Event Cadence hat den API-Schlüssel abgelehnt: prüfen Sie ihn in den Weiterleitungseinstellungen ({detail})</translation>
    </message>
    <message>
      <source>Event Cadence refused the API key: check it in the forwarding settings</source>
      <translation>Event Cadence hat den API-Schlüssel abgelehnt: prüfen Sie ihn in den Weiterleitungseinstellungen</translation>
    </message>
    <message>
      <source>the file has no rows</source>
      <translation>die Datei hat keine Zeilen</translation>
    </message>
    <message>
      <source>code {code} is on rows {rows}: only row {kept} was kept</source>
      <translation>Code {code} steht in den Zeilen {rows}: nur Zeile {kept} wurde übernommen</translation>
    </message>
    <message>
      <source>{count} more rows repeat a code of a row above them: only the first row of each code was kept</source>
      <translation>{count} weitere Zeilen wiederholen den Code einer Zeile darüber: nur die erste Zeile jedes Codes wurde übernommen</translation>
    </message>
    <message>
      <source>1 guest has no code: find them by name at the door</source>
      <translation>1 Gast hat keinen Code: am Eingang nach Namen suchen</translation>
    </message>
    <message>
      <source>1 empty row skipped</source>
      <translation>1 leere Zeile übersprungen</translation>
    </message>
    <message>
      <source>unknown field {name!r}: use one of {fields}</source>
      <translation>unbekanntes Feld {name!r}: möglich sind {fields}</translation>
    </message>
    <message>
      <source>no column {column!r} in this file</source>
      <translation>keine Spalte {column!r} in dieser Datei</translation>
    </message>
    <message>
      <source>no column looks like a code or a name (headers: {found}); map them with field=Column</source>
      <translation>keine Spalte sieht nach Code oder Name aus (Überschriften: {found}); ordnen Sie sie mit field=Spalte zu</translation>
    </message>
    <message>
      <source>{count} guests have no code: find them by name at the door</source>
      <translation>{count} Gäste haben keinen Code: am Eingang nach Namen suchen</translation>
    </message>
    <message>
      <source>{count} empty rows skipped</source>
      <translation>{count} leere Zeilen übersprungen</translation>
    </message>
    <message>
      <source>{path} is not a readable XLSX file ({why})</source>
      <translation>{path} ist keine lesbare XLSX-Datei ({why})</translation>
    </message>
    <message>
      <source>{path} is {mb} MB: too big for a guest list</source>
      <translation>{path} ist {mb} MB groß: zu groß für eine Gästeliste</translation>
    </message>
    <message>
      <source>{path} unpacks to {mb} MB, more than {limit} MB: too big for a guest list</source>
      <translation>{path} wird entpackt {mb} MB groß, mehr als {limit} MB: zu groß für eine Gästeliste</translation>
    </message>
    <message>
      <source>{path} has more than {limit} rows, more than Excel holds: this is not a guest list</source>
      <translation>{path} hat mehr als {limit} Zeilen, mehr als Excel fasst: das ist keine Gästeliste</translation>
    </message>
    <message>
      <source>row {row} of {path} has {count} columns; a sheet has at most {limit}</source>
      <translation>Zeile {row} von {path} hat {count} Spalten; ein Tabellenblatt hat höchstens {limit}</translation>
    </message>
    <message>
      <source>{path} holds more than {limit} cells: too big for a guest list</source>
      <translation>{path} enthält mehr als {limit} Zellen: zu groß für eine Gästeliste</translation>
    </message>
    <message>
      <source>row {row}, column {column} of {path} holds {count} characters; a cell holds at most {limit}</source>
      <translation>Zeile {row}, Spalte {column} von {path} enthält {count} Zeichen; eine Zelle fasst höchstens {limit}</translation>
    </message>
    <message>
      <source>row {row} of {path} is longer than {limit} characters: this is not a guest list</source>
      <translation>Zeile {row} von {path} ist länger als {limit} Zeichen: das ist keine Gästeliste</translation>
    </message>
    <message>
      <source>{path} is not a readable CSV file: {why}</source>
      <translation>{path} ist keine lesbare CSV-Datei: {why}</translation>
    </message>
    <message>
      <source>{path}: its part {part} unpacks to {mb} MB, more than {limit} MB: too big for a guest list</source>
      <translation>{path}: der Teil {part} wird entpackt {mb} MB groß, mehr als {limit} MB: zu groß für eine Gästeliste</translation>
    </message>
    <message>
      <source>{source} sent an answer that is not a JSON object</source>
      <translation>{source} hat eine Antwort geschickt, die kein JSON-Objekt ist</translation>
    </message>
    <message>
      <source>{source} sent a larger answer than the door accepts; we retry</source>
      <translation>{source} hat eine größere Antwort geschickt, als der Eingang annimmt; wir versuchen es erneut</translation>
    </message>
    <message>
      <source>{source} sent an answer that is not JSON (HTTP {status}); we retry</source>
      <translation>{source} hat eine Antwort geschickt, die kein JSON ist (HTTP {status}); wir versuchen es erneut</translation>
    </message>
    <message>
      <source>no sync position yet: load the list first</source>
      <translation>noch keine Sync-Position: laden Sie zuerst die Liste</translation>
    </message>
    <message>
      <source>{source} did not answer in time; we retry</source>
      <translation>{source} hat nicht rechtzeitig geantwortet; wir versuchen es erneut</translation>
    </message>
    <message>
      <source>{source} did not answer in time; the door works on</source>
      <translation>{source} hat nicht rechtzeitig geantwortet; der Eingang arbeitet weiter</translation>
    </message>
    <message>
      <source>Cannot reach {source}; we retry</source>
      <translation>{source} ist nicht erreichbar; wir versuchen es erneut</translation>
    </message>
    <message>
      <source>Cannot reach {source}; the door works on offline</source>
      <translation>{source} ist nicht erreichbar; der Eingang arbeitet offline weiter</translation>
    </message>
    <message>
      <source>XING Events sent a sync answer without events or nextId</source>
      <translation>XING Events hat eine Sync-Antwort ohne events oder nextId geschickt</translation>
    </message>
    <message>
      <source>XING Events sent no ticket for {path}</source>
      <translation>XING Events hat kein Ticket für {path} geschickt</translation>
    </message>
    <message>
      <source>XING Events answered with an error: {why}</source>
      <translation>XING Events hat mit einem Fehler geantwortet: {why}</translation>
    </message>
    <message>
      <source>XING Events refused the API key ({why})</source>
      <translation>XING Events hat den API-Schlüssel abgelehnt ({why})</translation>
    </message>
    <message>
      <source>XING Events no longer knows sync id ({why})</source>
      <translation>XING Events kennt die Sync-ID nicht mehr ({why})</translation>
    </message>
    <message>
      <source>The station server refused the request.</source>
      <translation>Der Stationsserver hat die Anfrage abgelehnt.</translation>
    </message>
    <message>
      <source>The station server could not read our request (invalid JSON).</source>
      <translation>Der Stationsserver konnte unsere Anfrage nicht lesen (ungültiges JSON).</translation>
    </message>
    <message>
      <source>The station server says our request is missing information.</source>
      <translation>Laut Stationsserver fehlen Angaben in unserer Anfrage.</translation>
    </message>
    <message>
      <source>The station session has expired; log in again.</source>
      <translation>Die Sitzung an der Station ist abgelaufen; bitte neu anmelden.</translation>
    </message>
    <message>
      <source>The request was too large for the station server.</source>
      <translation>Die Anfrage war zu groß für den Stationsserver.</translation>
    </message>
    <message>
      <source>The station server does not offer this function (check the server URL).</source>
      <translation>Der Stationsserver bietet diese Funktion nicht an (Serveradresse prüfen).</translation>
    </message>
    <message>
      <source>The event ID is not known to this server. Check the event ID.</source>
      <translation>Diese Event-ID kennt der Server nicht. Prüfen Sie die Event-ID.</translation>
    </message>
    <message>
      <source>The App Code or station name is wrong. Check the station's login details.</source>
      <translation>App-Code oder Stationsname sind falsch. Prüfen Sie die Anmeldedaten der Station.</translation>
    </message>
    <message>
      <source>This station already has the most devices allowed at once. Log out on another device or ask the organizer to raise the limit.</source>
      <translation>An dieser Station sind schon so viele Geräte angemeldet wie erlaubt. Melden Sie ein anderes Gerät ab oder bitten Sie den Veranstalter, das Limit zu erhöhen.</translation>
    </message>
    <message>
      <source>Too many failed logins. Wait a minute, then try again.</source>
      <translation>Zu viele fehlgeschlagene Anmeldungen. Warten Sie eine Minute und versuchen Sie es erneut.</translation>
    </message>
    <message>
      <source>The station server takes no more changes from this door for a minute; they wait here and are sent then.</source>
      <translation>Der Stationsserver nimmt für eine Minute keine Änderungen von diesem Eingang mehr an; sie warten hier und werden dann gesendet.</translation>
    </message>
    <message>
      <source>Cannot reach the station server. Check the network; the door keeps working offline.</source>
      <translation>Der Stationsserver ist nicht erreichbar. Prüfen Sie das Netzwerk; der Eingang arbeitet offline weiter.</translation>
    </message>
    <message>
      <source>The station server did not answer in time; the door keeps working offline.</source>
      <translation>Der Stationsserver hat nicht rechtzeitig geantwortet; der Eingang arbeitet offline weiter.</translation>
    </message>
    <message>
      <source>The station server's secure connection could not be verified (certificate or TLS version). Check the server URL.</source>
      <translation>Die sichere Verbindung zum Stationsserver ließ sich nicht prüfen (Zertifikat oder TLS-Version). Prüfen Sie die Serveradresse.</translation>
    </message>
    <message>
      <source>The station server sent an answer we cannot read; we will retry. If this persists, check the server URL.</source>
      <translation>Der Stationsserver hat unlesbar geantwortet; wir versuchen es erneut. Bleibt das so, prüfen Sie die Serveradresse.</translation>
    </message>
    <message>
      <source>Guest not known to the server.</source>
      <translation>Der Server kennt diesen Gast nicht.</translation>
    </message>
    <message>
      <source>Guest was deleted from the guest list.</source>
      <translation>Der Gast wurde von der Gästeliste gelöscht.</translation>
    </message>
    <message>
      <source>Guest is deregistered.</source>
      <translation>Der Gast ist abgemeldet.</translation>
    </message>
    <message>
      <source>This station's mode does not allow that action.</source>
      <translation>Der Modus dieser Station erlaubt das nicht.</translation>
    </message>
    <message>
      <source>The change is malformed.</source>
      <translation>Die Änderung ist fehlerhaft.</translation>
    </message>
    <message>
      <source>The change to undo is not known.</source>
      <translation>Die zurückzunehmende Änderung ist nicht bekannt.</translation>
    </message>
    <message>
      <source>The time it was made is too far from the event or the server's clock: check this laptop's clock.</source>
      <translation>Der Zeitpunkt liegt zu weit von der Veranstaltung oder der Uhr des Servers entfernt: Prüfen Sie die Uhr dieses Laptops.</translation>
    </message>
    <message>
      <source>The server already has a different change under this change's number; this one was not applied.</source>
      <translation>Der Server hat unter der Nummer dieser Änderung bereits eine andere; diese wurde nicht übernommen.</translation>
    </message>
    <message>
      <source>This guest has had more changes than the server keeps; this one was not applied.</source>
      <translation>Für diesen Gast gab es mehr Änderungen, als der Server speichert; diese wurde nicht übernommen.</translation>
    </message>
    <message>
      <source>not logged in: run 'doorcheck login' first (data folder {folder})</source>
      <translation>nicht angemeldet: zuerst 'doorcheck login' ausführen (Datenordner {folder})</translation>
    </message>
    <message>
      <source>{missing}</source>
      <translation>{missing}</translation>
    </message>
    <message>
      <source>{why}</source>
      <translation>{why}</translation>
    </message>
    <message>
      <source>this door does not know its station's mode yet and cannot ask the server ({why}); run 'doorcheck login' while online</source>
      <translation>dieser Eingang kennt den Modus seiner Station noch nicht und kann den Server nicht fragen ({why}); 'doorcheck login' mit Netzverbindung ausführen</translation>
    </message>
    <message>
      <source>no guest list yet: run 'doorcheck sync' first</source>
      <translation>noch keine Gästeliste: zuerst 'doorcheck sync' ausführen</translation>
    </message>
    <message>
      <source>not a valid ticket code: {why}</source>
      <translation>kein gültiger Ticketcode: {why}</translation>
    </message>
    <message>
      <source>cannot write {file}: {why}</source>
      <translation>{file} kann nicht geschrieben werden: {why}</translation>
    </message>
    <message>
      <source>{what} is not set up: {how}</source>
      <translation>{what} ist nicht eingerichtet: {how}</translation>
    </message>
    <message>
      <source>this door has no mesh secret for its event: log in to the station again, or pair it with 'doorcheck pair CODE' (the code another door shows)</source>
      <translation>Dieser Eingang hat kein Netzgeheimnis für seine Veranstaltung: erneut an der Station anmelden oder mit „doorcheck pair CODE“ koppeln (den Code zeigt ein anderer Eingang)</translation>
    </message>
    <message>
      <source>not a pairing code of this event: {why}</source>
      <translation>kein Kopplungscode dieser Veranstaltung: {why}</translation>
    </message>
    <message>
      <source>the door cannot join the other doors: {why}</source>
      <translation>Der Eingang kann sich den anderen Eingängen nicht anschließen: {why}</translation>
    </message>
    <message>
      <source>a check-in station does not check guests out (the server would refuse it): set this at an exit or a toggle station</source>
      <translation>eine Check-in-Station checkt keine Gäste aus (der Server würde es ablehnen): an einem Ausgang oder einer Wechsel-Station einstellen</translation>
    </message>
    <message>
      <source>no guest with the code {code} on this door's list</source>
      <translation>kein Gast mit dem Code {code} auf der Liste dieses Eingangs</translation>
    </message>
    <message>
      <source>this door's data is encrypted and its key cannot be found: unlock the OS keyring (or log in as the user who set the door up) and try again; without the key the data cannot be read, and it was left as it is (data folder {folder})</source>
      <translation>die Daten dieses Eingangs sind verschlüsselt und ihr Schlüssel ist nicht zu finden: den Schlüsselbund des Systems entsperren (oder als der Benutzer anmelden, der den Eingang eingerichtet hat) und erneut versuchen; ohne den Schlüssel sind die Daten nicht lesbar, sie wurden unverändert gelassen (Datenordner {folder})</translation>
    </message>
    <message>
      <source>this door's key does not open its data file {file}: the key kept for it is not the one it was encrypted with; the file was left as it is</source>
      <translation>der Schlüssel dieses Eingangs öffnet seine Datendatei {file} nicht: der für ihn aufbewahrte Schlüssel ist nicht der, mit dem sie verschlüsselt wurde; die Datei wurde unverändert gelassen</translation>
    </message>
    <message>
      <source>this door's data is encrypted, but SQLCipher (the Python package sqlcipher3) cannot be loaded on this laptop: {why}</source>
      <translation>die Daten dieses Eingangs sind verschlüsselt, aber SQLCipher (das Python-Paket sqlcipher3) lässt sich auf diesem Laptop nicht laden: {why}</translation>
    </message>
    <message>
      <source>the door's data file {file} is not a SQLite database: it may be an encrypted door's whose settings (encryption.json) are gone; the file was left as it is</source>
      <translation>die Datendatei {file} des Eingangs ist keine SQLite-Datenbank: vielleicht gehört sie zu einem verschlüsselten Eingang, dessen Einstellungen (encryption.json) fehlen; die Datei wurde unverändert gelassen</translation>
    </message>
    <message>
      <source>this data folder already holds guest data kept unencrypted ({folder}): wipe it first ('doorcheck wipe'), or give the encrypted door a new folder (--data)</source>
      <translation>dieser Datenordner enthält bereits unverschlüsselte Gästedaten ({folder}): zuerst löschen ('doorcheck wipe') oder dem verschlüsselten Eingang einen neuen Ordner geben (--data)</translation>
    </message>
    <message>
      <source>{file}: {why}</source>
      <translation>{file}: {why}</translation>
    </message>
    <message>
      <source>{file}: 1 guest ({columns}).</source>
      <translation>{file}: 1 Gast ({columns}).</translation>
    </message>
    <message>
      <source>{file}: {count} guests ({columns}).</source>
      <translation>{file}: {count} Gäste ({columns}).</translation>
    </message>
    <message>
      <source>{file}: {count} tickets from an Eventbrite attendee list.</source>
      <translation>{file}: {count} Tickets aus einer Eventbrite-Teilnehmerliste.</translation>
    </message>
    <message>
      <source>The laptop's disk is full: nothing new is recorded until space is free.</source>
      <translation>Die Festplatte des Laptops ist voll: Bis wieder Platz frei ist, wird nichts Neues gespeichert.</translation>
    </message>
    <message>
      <source>An unexpected error ({kind}).</source>
      <translation>Ein unerwarteter Fehler ({kind}).</translation>
    </message>
    <message>
      <source>The door's data file is locked by another program.</source>
      <translation>Die Datendatei des Eingangs ist von einem anderen Programm gesperrt.</translation>
    </message>
    <message>
      <source>The door's data file cannot be written (check its folder's permissions).</source>
      <translation>Die Datendatei des Eingangs kann nicht geschrieben werden (Berechtigungen des Ordners prüfen).</translation>
    </message>
    <message>
      <source>The door's data file failed (SQLite error {code}).</source>
      <translation>Die Datendatei des Eingangs hat versagt (SQLite-Fehler {code}).</translation>
    </message>
    <message>
      <source>The laptop is out of memory.</source>
      <translation>Der Arbeitsspeicher des Laptops ist erschöpft.</translation>
    </message>
    <message>
      <source>The guest list cannot be read: {why}</source>
      <translation>Die Gästeliste kann nicht gelesen werden: {why}</translation>
    </message>
    <message>
      <source>Off</source>
      <translation>Aus</translation>
    </message>
    <message>
      <source>Once per guest</source>
      <translation>Einmal pro Gast</translation>
    </message>
    <message>
      <source>At every check-in</source>
      <translation>Bei jedem Check-in</translation>
    </message>
    <message>
      <source>the default printer</source>
      <translation>der Standarddrucker</translation>
    </message>
    <message>
      <source>the printer could not start the job</source>
      <translation>der Drucker konnte den Auftrag nicht beginnen</translation>
    </message>
    <message>
      <source>the printer failed during the job</source>
      <translation>der Drucker hat beim Auftrag einen Fehler gemeldet</translation>
    </message>
    <message>
      <source>the PDF file was not written</source>
      <translation>die PDF-Datei wurde nicht geschrieben</translation>
    </message>
    <message>
      <source>Print a badge at check-in</source>
      <translation>Beim Check-in ein Namensschild drucken</translation>
    </message>
    <message>
      <source>Badge printer</source>
      <translation>Drucker für Namensschilder</translation>
    </message>
    <message>
      <source>The laptop's default printer</source>
      <translation>Standarddrucker des Laptops</translation>
    </message>
    <message>
      <source>PDF files (the door's badges folder)</source>
      <translation>PDF-Dateien (Ordner „badges“ des Eingangs)</translation>
    </message>
    <message>
      <source>Label size</source>
      <translation>Etikettengröße</translation>
    </message>
    <message>
      <source>Print at check-in</source>
      <translation>Beim Check-in drucken</translation>
    </message>
    <message>
      <source>Printer</source>
      <translation>Drucker</translation>
    </message>
    <message>
      <source>Label</source>
      <translation>Etikett</translation>
    </message>
    <message>
      <source>the file cannot be written here (no permission)</source>
      <translation>die Datei kann hier nicht geschrieben werden (keine Berechtigung)</translation>
    </message>
    <message>
      <source>the printer reports an error (offline or out of paper?)</source>
      <translation>der Drucker meldet einen Fehler (offline oder kein Papier?)</translation>
    </message>
    <message>
      <source>no such printer on this laptop</source>
      <translation>diesen Drucker gibt es auf diesem Laptop nicht</translation>
    </message>
    <message>
      <source>this laptop has no default printer</source>
      <translation>dieser Laptop hat keinen Standarddrucker</translation>
    </message>
    <message>
      <source>the printer does not take labels of {size}</source>
      <translation>der Drucker nimmt keine Etiketten {size}</translation>
    </message>
    <message>
      <source>the printer</source>
      <translation>der Drucker</translation>
    </message>
    <message>
      <source>the folder {folder} does not exist</source>
      <translation>den Ordner {folder} gibt es nicht</translation>
    </message>
    <message>
      <source>Waiting to upload</source>
      <translation>Wartet auf Upload</translation>
    </message>
    <message>
      <source>Sent, no answer yet</source>
      <translation>Gesendet, noch keine Antwort</translation>
    </message>
    <message>
      <source>Conflict</source>
      <translation>Konflikt</translation>
    </message>
    <message>
      <source>Rejected by the server</source>
      <translation>Vom Server abgelehnt</translation>
    </message>
    <message>
      <source>Check-in</source>
      <translation>Check-in</translation>
    </message>
    <message>
      <source>Check-out</source>
      <translation>Check-out</translation>
    </message>
    <message>
      <source>Undo</source>
      <translation>Rückgängig</translation>
    </message>
    <message>
      <source>New companion</source>
      <translation>Neue Begleitperson</translation>
    </message>
    <message>
      <source>Changes at this door</source>
      <translation>Änderungen an diesem Eingang</translation>
    </message>
    <message>
      <source>Changes waiting, in conflict or rejected</source>
      <translation>Wartende, strittige oder abgelehnte Änderungen</translation>
    </message>
    <message>
      <source>Looking for changes…</source>
      <translation>Änderungen werden gesucht…</translation>
    </message>
    <message>
      <source>State</source>
      <translation>Status</translation>
    </message>
    <message>
      <source>What</source>
      <translation>Was</translation>
    </message>
    <message>
      <source>Guest</source>
      <translation>Gast</translation>
    </message>
    <message>
      <source>Door time</source>
      <translation>Zeit am Eingang</translation>
    </message>
    <message>
      <source>Why</source>
      <translation>Grund</translation>
    </message>
    <message>
      <source>Every change made at this door has reached the server.</source>
      <translation>Alle Änderungen dieses Eingangs sind beim Server angekommen.</translation>
    </message>
    <message>
      <source>{count} changes need attention or wait for the server.</source>
      <translation>{count} Änderungen brauchen Aufmerksamkeit oder warten auf den Server.</translation>
    </message>
    <message>
      <source>Check-in station</source>
      <translation>Check-in-Station</translation>
    </message>
    <message>
      <source>Server</source>
      <translation>Server</translation>
    </message>
    <message>
      <source>App Code</source>
      <translation>App-Code</translation>
    </message>
    <message>
      <source>Event ID</source>
      <translation>Event-ID</translation>
    </message>
    <message>
      <source>XING Events</source>
      <translation>XING Events</translation>
    </message>
    <message>
      <source>API address</source>
      <translation>API-Adresse</translation>
    </message>
    <message>
      <source>API key</source>
      <translation>API-Schlüssel</translation>
    </message>
    <message>
      <source>Event ID (optional)</source>
      <translation>Event-ID (optional)</translation>
    </message>
    <message>
      <source>Eventbrite</source>
      <translation>Eventbrite</translation>
    </message>
    <message>
      <source>Token</source>
      <translation>Token</translation>
    </message>
    <message>
      <source>Eventbrite (legacy XML API)</source>
      <translation>Eventbrite (alte XML-API)</translation>
    </message>
    <message>
      <source>User key</source>
      <translation>Benutzerschlüssel</translation>
    </message>
    <message>
      <source>Guest list file (CSV, XLSX, Eventbrite XML)</source>
      <translation>Gästelisten-Datei (CSV, XLSX, Eventbrite-XML)</translation>
    </message>
    <message>
      <source>File</source>
      <translation>Datei</translation>
    </message>
    <message>
      <source>Application key</source>
      <translation>Anwendungsschlüssel</translation>
    </message>
    <message>
      <source>Log this door in</source>
      <translation>Eingang anmelden</translation>
    </message>
    <message>
      <source>Encrypt this door's guest data (its key in the OS keyring)</source>
      <translation>Gästedaten dieses Eingangs verschlüsseln (Schlüssel im Schlüsselbund des Systems)</translation>
    </message>
    <message>
      <source>Type the station's details, or scan its setup code.</source>
      <translation>Geben Sie die Daten der Station ein oder scannen Sie ihren Einrichtungscode.</translation>
    </message>
    <message>
      <source>Log in</source>
      <translation>Anmelden</translation>
    </message>
    <message>
      <source>Where the guests come from</source>
      <translation>Woher die Gäste kommen</translation>
    </message>
    <message>
      <source>Choose…</source>
      <translation>Auswählen …</translation>
    </message>
    <message>
      <source>Guests from</source>
      <translation>Gäste aus</translation>
    </message>
    <message>
      <source>Server address</source>
      <translation>Serveradresse</translation>
    </message>
    <message>
      <source>Scan the setup code with the camera</source>
      <translation>Einrichtungscode mit der Kamera scannen</translation>
    </message>
    <message>
      <source>Guest list</source>
      <translation>Gästeliste</translation>
    </message>
    <message>
      <source>Guest lists (*.csv *.xlsx *.txt *.xml)</source>
      <translation>Gästelisten (*.csv *.xlsx *.txt *.xml)</translation>
    </message>
    <message>
      <source>Reading the file…</source>
      <translation>Die Datei wird gelesen …</translation>
    </message>
    <message>
      <source>Logging in and fetching the guest list…</source>
      <translation>Anmeldung und Abruf der Gästeliste …</translation>
    </message>
    <message>
      <source>Joining the event's doors…</source>
      <translation>Verbinde mit den Eingängen der Veranstaltung …</translation>
    </message>
    <message>
      <source>Hold the station's setup code to the camera.</source>
      <translation>Halten Sie den Einrichtungscode der Station vor die Kamera.</translation>
    </message>
    <message>
      <source>Station</source>
      <translation>Station</translation>
    </message>
    <message>
      <source>Station name</source>
      <translation>Stationsname</translation>
    </message>
    <message>
      <source>the guest list file</source>
      <translation>die Gästelisten-Datei</translation>
    </message>
    <message>
      <source>That code is not a station setup code.</source>
      <translation>Dieser Code ist kein Einrichtungscode einer Station.</translation>
    </message>
    <message>
      <source>Logging in failed: {why}</source>
      <translation>Anmeldung fehlgeschlagen: {why}</translation>
    </message>
    <message>
      <source>Pairing failed: {why}</source>
      <translation>Koppeln fehlgeschlagen: {why}</translation>
    </message>
    <message>
      <source>Fill in all four fields (or scan the setup code).</source>
      <translation>Füllen Sie alle vier Felder aus (oder scannen Sie den Einrichtungscode).</translation>
    </message>
    <message>
      <source>Fill in the fields shown.</source>
      <translation>Füllen Sie die angezeigten Felder aus.</translation>
    </message>
    <message>
      <source>Door</source>
      <translation>Eingang</translation>
    </message>
    <message>
      <source>Open the settings</source>
      <translation>Einstellungen öffnen</translation>
    </message>
    <message>
      <source>Lock</source>
      <translation>Sperren</translation>
    </message>
    <message>
      <source>Lock the kiosk (full screen, PIN to leave)</source>
      <translation>Kiosk sperren (Vollbild, Verlassen nur mit PIN)</translation>
    </message>
    <message>
      <source>Staff</source>
      <translation>Personal</translation>
    </message>
    <message>
      <source>Unlock with the staff PIN</source>
      <translation>Mit der Personal-PIN entsperren</translation>
    </message>
    <message>
      <source>Guests</source>
      <translation>Gäste</translation>
    </message>
    <message>
      <source>Statistics</source>
      <translation>Statistik</translation>
    </message>
    <message>
      <source>Steward mode</source>
      <translation>Ordnermodus</translation>
    </message>
    <message>
      <source>Supervisor…</source>
      <translation>Aufsicht…</translation>
    </message>
    <message>
      <source>Hand the door to a steward</source>
      <translation>Den Eingang an einen Ordner übergeben</translation>
    </message>
    <message>
      <source>Become a supervisor with the staff PIN</source>
      <translation>Mit der Personal-PIN zur Aufsicht wechseln</translation>
    </message>
    <message>
      <source>Wrong PIN. Try again.</source>
      <translation>Falsche PIN. Bitte erneut versuchen.</translation>
    </message>
    <message>
      <source>Pairing code</source>
      <translation>Kopplungscode</translation>
    </message>
    <message>
      <source>Hold this code to the new door's camera: on its login screen, or while it runs (staff only). It joins this event's doors and, where there is no internet, takes the guest list from this door.

The code holds the event's door secret: show it to staff only, and close this window when done.</source>
      <translation>Halten Sie diesen Code vor die Kamera des neuen Eingangs: auf seinem Anmeldebildschirm oder während er läuft (nur Personal). Er verbindet sich mit den Eingängen dieser Veranstaltung und übernimmt, wo kein Internet ist, die Gästeliste von diesem Eingang.

Der Code enthält das Geheimnis der Eingänge dieser Veranstaltung: nur dem Personal zeigen und dieses Fenster danach schließen.</translation>
    </message>
    <message>
      <source>Staff PIN</source>
      <translation>Personal-PIN</translation>
    </message>
    <message>
      <source>The PIN again</source>
      <translation>PIN wiederholen</translation>
    </message>
    <message>
      <source>Choose a staff PIN</source>
      <translation>Personal-PIN festlegen</translation>
    </message>
    <message>
      <source>Type the staff PIN to unlock.</source>
      <translation>Geben Sie zum Entsperren die Personal-PIN ein.</translation>
    </message>
    <message>
      <source>The two PINs differ. Type them again.</source>
      <translation>Die beiden PINs stimmen nicht überein. Bitte erneut eingeben.</translation>
    </message>
    <message>
      <source>At least {count} digits. Staff need it to leave the locked kiosk.</source>
      <translation>Mindestens {count} Ziffern. Das Personal braucht sie, um den gesperrten Kiosk zu verlassen.</translation>
    </message>
    <message>
      <source>The PIN must be at least {count} digits.</source>
      <translation>Die PIN muss mindestens {count} Ziffern haben.</translation>
    </message>
    <message>
      <source>Camera picture</source>
      <translation>Kamerabild</translation>
    </message>
    <message>
      <source>No camera picture yet</source>
      <translation>Noch kein Kamerabild</translation>
    </message>
    <message>
      <source>Event</source>
      <translation>Veranstaltung</translation>
    </message>
    <message>
      <source>Logo</source>
      <translation>Logo</translation>
    </message>
    <message>
      <source>Undo last check-in</source>
      <translation>Letzten Check-in zurücknehmen</translation>
    </message>
    <message>
      <source>Undo the last check-in</source>
      <translation>Den letzten Check-in zurücknehmen</translation>
    </message>
    <message>
      <source>Badge printing</source>
      <translation>Namensschilddruck</translation>
    </message>
    <message>
      <source>not in</source>
      <translation>nicht da</translation>
    </message>
    <message>
      <source>deregistered</source>
      <translation>abgemeldet</translation>
    </message>
    <message>
      <source>First name</source>
      <translation>Vorname</translation>
    </message>
    <message>
      <source>Last name</source>
      <translation>Nachname</translation>
    </message>
    <message>
      <source>Email</source>
      <translation>E-Mail</translation>
    </message>
    <message>
      <source>Check in now</source>
      <translation>Gleich einchecken</translation>
    </message>
    <message>
      <source>Add</source>
      <translation>Hinzufügen</translation>
    </message>
    <message>
      <source>Guest details</source>
      <translation>Gastdetails</translation>
    </message>
    <message>
      <source>Companions: tick to check in with the guest</source>
      <translation>Begleitpersonen: zum gemeinsamen Einchecken ankreuzen</translation>
    </message>
    <message>
      <source>Companions (ticked ones are checked in together)</source>
      <translation>Begleitpersonen (angekreuzte werden mit eingecheckt)</translation>
    </message>
    <message>
      <source>Name, company, email or code</source>
      <translation>Name, Firma, E-Mail oder Code</translation>
    </message>
    <message>
      <source>Search guests</source>
      <translation>Gäste suchen</translation>
    </message>
    <message>
      <source>Guests found</source>
      <translation>Gefundene Gäste</translation>
    </message>
    <message>
      <source>Search result</source>
      <translation>Suchergebnis</translation>
    </message>
    <message>
      <source>Check in</source>
      <translation>Einchecken</translation>
    </message>
    <message>
      <source>Check out</source>
      <translation>Auschecken</translation>
    </message>
    <message>
      <source>Add companion…</source>
      <translation>Begleitperson hinzufügen …</translation>
    </message>
    <message>
      <source>Print badge…</source>
      <translation>Namensschild drucken…</translation>
    </message>
    <message>
      <source>IN since {time}</source>
      <translation>DA seit {time}</translation>
    </message>
    <message>
      <source>left at {time}</source>
      <translation>gegangen um {time}</translation>
    </message>
    <message>
      <source>{name} (companion of {main})</source>
      <translation>{name} (Begleitung von {main})</translation>
    </message>
    <message>
      <source>Company</source>
      <translation>Firma</translation>
    </message>
    <message>
      <source>Notes</source>
      <translation>Notizen</translation>
    </message>
    <message>
      <source>Name</source>
      <translation>Name</translation>
    </message>
    <message>
      <source>IN since {time} at {station}</source>
      <translation>DA seit {time} über {station}</translation>
    </message>
    <message>
      <source>companion of {name}</source>
      <translation>Begleitung von {name}</translation>
    </message>
    <message>
      <source>Add a companion of {name}</source>
      <translation>Begleitperson von {name} hinzufügen</translation>
    </message>
    <message>
      <source>Many guests match: keep typing</source>
      <translation>Viele Treffer: bitte weitertippen</translation>
    </message>
    <message>
      <source>Nobody found</source>
      <translation>Niemand gefunden</translation>
    </message>
    <message>
      <source>Check in party ({count})</source>
      <translation>Gruppe einchecken ({count})</translation>
    </message>
    <message>
      <source>{count} checked in</source>
      <translation>{count} eingecheckt</translation>
    </message>
    <message>
      <source>Choose a guest to see their details.</source>
      <translation>Wählen Sie einen Gast, um die Details zu sehen.</translation>
    </message>
    <message>
      <source>Code</source>
      <translation>Code</translation>
    </message>
    <message>
      <source>{count} change(s) not yet uploaded</source>
      <translation>{count} Änderung(en) noch nicht hochgeladen</translation>
    </message>
    <message>
      <source>Type at least {count} letters</source>
      <translation>Mindestens {count} Zeichen eingeben</translation>
    </message>
    <message>
      <source>{name} added</source>
      <translation>{name} hinzugefügt</translation>
    </message>
    <message>
      <source>{count} found</source>
      <translation>{count} gefunden</translation>
    </message>
    <message>
      <source>As the laptop (system)</source>
      <translation>Wie der Laptop (System)</translation>
    </message>
    <message>
      <source>US (QWERTY)</source>
      <translation>US (QWERTY)</translation>
    </message>
    <message>
      <source>German (QWERTZ)</source>
      <translation>Deutsch (QWERTZ)</translation>
    </message>
    <message>
      <source>French (AZERTY)</source>
      <translation>Französisch (AZERTY)</translation>
    </message>
    <message>
      <source>Camera</source>
      <translation>Kamera</translation>
    </message>
    <message>
      <source>Code formats</source>
      <translation>Code-Formate</translation>
    </message>
    <message>
      <source>Play a sound for every answer</source>
      <translation>Bei jeder Antwort einen Ton spielen</translation>
    </message>
    <message>
      <source>Sync interval</source>
      <translation>Sync-Intervall</translation>
    </message>
    <message>
      <source>Language</source>
      <translation>Sprache</translation>
    </message>
    <message>
      <source>Keyboard layout of the USB scanner</source>
      <translation>Tastaturbelegung des USB-Scanners</translation>
    </message>
    <message>
      <source>Show initials instead of names on the door screen</source>
      <translation>Initialen statt Namen auf dem Eingangsbildschirm zeigen</translation>
    </message>
    <message>
      <source>Logo for the self check-in screen</source>
      <translation>Logo für den Selbst-Check-in-Bildschirm</translation>
    </message>
    <message>
      <source>an image file (PNG, JPEG), optional</source>
      <translation>eine Bilddatei (PNG, JPEG), optional</translation>
    </message>
    <message>
      <source>Wipe this event's data from the laptop…</source>
      <translation>Daten dieses Events vom Laptop löschen …</translation>
    </message>
    <message>
      <source>Sounds</source>
      <translation>Töne</translation>
    </message>
    <message>
      <source>Sync</source>
      <translation>Sync</translation>
    </message>
    <message>
      <source>USB scanner keyboard</source>
      <translation>USB-Scanner-Tastatur</translation>
    </message>
    <message>
      <source>Zone of this door</source>
      <translation>Bereich dieses Eingangs</translation>
    </message>
    <message>
      <source>as the server's plan says</source>
      <translation>wie im Plan des Servers</translation>
    </message>
    <message>
      <source>Capacity of the zone</source>
      <translation>Kapazität des Bereichs</translation>
    </message>
    <message>
      <source>none</source>
      <translation>keine</translation>
    </message>
    <message>
      <source>Check everyone out every day at</source>
      <translation>Alle täglich auschecken um</translation>
    </message>
    <message>
      <source>Daily check-out time</source>
      <translation>Uhrzeit des täglichen Auscheckens</translation>
    </message>
    <message>
      <source>Names on screen</source>
      <translation>Namen auf dem Bildschirm</translation>
    </message>
    <message>
      <source>Self check-in logo</source>
      <translation>Logo beim Selbst-Check-in</translation>
    </message>
    <message>
      <source>Privacy</source>
      <translation>Datenschutz</translation>
    </message>
    <message>
      <source>Images (*.png *.jpg *.jpeg)</source>
      <translation>Bilder (*.png *.jpg *.jpeg)</translation>
    </message>
    <message>
      <source>Delete this event's guest list, changes and scans from this laptop? The door logs out and needs the App Code again.</source>
      <translation>Gästeliste, Änderungen und Scans dieses Events von diesem Laptop löschen? Der Eingang wird abgemeldet und braucht den App-Code erneut.</translation>
    </message>
    <message>
      <source>Play a sound for every answer (no sound player found)</source>
      <translation>Bei jeder Antwort einen Ton spielen (kein Abspielprogramm gefunden)</translation>
    </message>
    <message>
      <source>Change staff PIN…</source>
      <translation>Personal-PIN ändern …</translation>
    </message>
    <message>
      <source>Choose staff PIN…</source>
      <translation>Personal-PIN festlegen …</translation>
    </message>
    <message>
      <source>Initials at self check-in</source>
      <translation>Initialen beim Selbst-Check-in</translation>
    </message>
    <message>
      <source>Initials only, at every door screen</source>
      <translation>Nur Initialen, an jedem Eingangsbildschirm</translation>
    </message>
    <message>
      <source>Full names</source>
      <translation>Vollständige Namen</translation>
    </message>
    <message>
      <source>Zone</source>
      <translation>Bereich</translation>
    </message>
    <message>
      <source>Zone capacity</source>
      <translation>Kapazität des Bereichs</translation>
    </message>
    <message>
      <source>Daily check-out</source>
      <translation>Tägliches Auschecken</translation>
    </message>
    <message>
      <source>Badges</source>
      <translation>Namensschilder</translation>
    </message>
    <message>
      <source>Choose at least one code format.</source>
      <translation>Wählen Sie mindestens ein Code-Format.</translation>
    </message>
    <message>
      <source>The new language shows after the kiosk restarts.</source>
      <translation>Die neue Sprache erscheint nach einem Neustart des Kiosks.</translation>
    </message>
    <message>
      <source>New PIN chosen (saved with the settings)</source>
      <translation>Neue PIN gewählt (wird mit den Einstellungen gespeichert)</translation>
    </message>
    <message>
      <source>Only at an exit or a toggle station: the server refuses check-outs from a check-in station</source>
      <translation>Nur an einem Ausgang oder einer Wechsel-Station: Der Server lehnt Check-outs einer Check-in-Station ab</translation>
    </message>
    <message>
      <source>every {seconds} s</source>
      <translation>alle {seconds} s</translation>
    </message>
    <message>
      <source>95 % full</source>
      <translation>zu 95 % voll</translation>
    </message>
    <message>
      <source>80 % full</source>
      <translation>zu 80 % voll</translation>
    </message>
    <message>
      <source>{inside} of {capacity} ({percent} %)</source>
      <translation>{inside} von {capacity} ({percent} %)</translation>
    </message>
    <message>
      <source>now</source>
      <translation>jetzt</translation>
    </message>
    <message>
      <source>Arrivals per 5 minutes</source>
      <translation>Ankünfte je 5 Minuten</translation>
    </message>
    <message>
      <source>Inside now</source>
      <translation>Jetzt drinnen</translation>
    </message>
    <message>
      <source>Arrivals in the last hour</source>
      <translation>Ankünfte in der letzten Stunde</translation>
    </message>
    <message>
      <source>Per station</source>
      <translation>Je Station</translation>
    </message>
    <message>
      <source>Export check-ins…</source>
      <translation>Check-ins exportieren …</translation>
    </message>
    <message>
      <source>Export check-ins to a CSV or XLSX file</source>
      <translation>Check-ins in eine CSV- oder XLSX-Datei exportieren</translation>
    </message>
    <message>
      <source>Inside per zone</source>
      <translation>Anwesend je Bereich</translation>
    </message>
    <message>
      <source>Doors nearby</source>
      <translation>Eingänge in der Nähe</translation>
    </message>
    <message>
      <source>Pair another door…</source>
      <translation>Weiteren Eingang koppeln …</translation>
    </message>
    <message>
      <source>Show this door's pairing code for a new door</source>
      <translation>Den Kopplungscode dieses Eingangs für einen neuen Eingang zeigen</translation>
    </message>
    <message>
      <source>{doors}: as of {time}</source>
      <translation>{doors}: Stand {time}</translation>
    </message>
    <message>
      <source>Arrived</source>
      <translation>Gekommen</translation>
    </message>
    <message>
      <source>Left</source>
      <translation>Gegangen</translation>
    </message>
    <message>
      <source>Figures from</source>
      <translation>Zahlen von</translation>
    </message>
    <message>
      <source>Last heard</source>
      <translation>Zuletzt gehört</translation>
    </message>
    <message>
      <source>Changes here</source>
      <translation>Änderungen hier</translation>
    </message>
    <message>
      <source>{doors}: never heard from</source>
      <translation>{doors}: nie gehört</translation>
    </message>
    <message>
      <source>{inside} inside now of {capacity} allowed ({percent} %)</source>
      <translation>{inside} jetzt anwesend von {capacity} erlaubt ({percent} %)</translation>
    </message>
    <message>
      <source>{inside} inside now of {guests} guests</source>
      <translation>{inside} von {guests} Gästen jetzt drinnen</translation>
    </message>
    <message>
      <source>{count} arrived in the last hour</source>
      <translation>{count} in der letzten Stunde gekommen</translation>
    </message>
    <message>
      <source>No zone</source>
      <translation>Kein Bereich</translation>
    </message>
    <message>
      <source>Busiest: {count} arrivals at {time}</source>
      <translation>Am meisten: {count} Ankünfte um {time}</translation>
    </message>
    <message>
      <source>Check-ins at these doors since then are not counted</source>
      <translation>Check-ins an diesen Eingängen seitdem sind nicht mitgezählt</translation>
    </message>
    <message>
      <source>{time}, not heard from for 30 s</source>
      <translation>{time}, seit 30 s nichts gehört</translation>
    </message>
    <message>
      <source>Event Cadence</source>
      <translation>Event Cadence</translation>
    </message>
    <message>
      <source>Counting</source>
      <translation>Zählung</translation>
    </message>
    <message>
      <source>Check-in only</source>
      <translation>Nur Check-in</translation>
    </message>
    <message>
      <source>Check-in / check-out</source>
      <translation>Check-in / Check-out</translation>
    </message>
    <message>
      <source>Check-out only</source>
      <translation>Nur Check-out</translation>
    </message>
    <message>
      <source>never heard from</source>
      <translation>nie gehört</translation>
    </message>
    <message>
      <source>Connecting…</source>
      <translation>Verbinde …</translation>
    </message>
    <message>
      <source>Never synced</source>
      <translation>Noch nie synchronisiert</translation>
    </message>
    <message>
      <source>Show the changes waiting, in conflict or rejected</source>
      <translation>Wartende, strittige oder abgelehnte Änderungen zeigen</translation>
    </message>
    <message>
      <source>Failing</source>
      <translation>Fehler</translation>
    </message>
    <message>
      <source>⚠ Sync failing – the door works on</source>
      <translation>⚠ Synchronisierung gestört – der Eingang arbeitet weiter</translation>
    </message>
    <message>
      <source>{door}: {heard}, {count} of its changes here</source>
      <translation>{door}: {heard}, {count} seiner Änderungen hier</translation>
    </message>
    <message>
      <source>not heard from for 30 s</source>
      <translation>seit 30 s nichts gehört</translation>
    </message>
    <message>
      <source>Station and mode</source>
      <translation>Station und Modus</translation>
    </message>
    <message>
      <source>Last sync</source>
      <translation>Letzte Synchronisierung</translation>
    </message>
    <message>
      <source>Changes waiting</source>
      <translation>Wartende Änderungen</translation>
    </message>
    <message>
      <source>Checked in</source>
      <translation>Eingecheckt</translation>
    </message>
    <message>
      <source>Forwarding to Event Cadence</source>
      <translation>Weiterleitung an Event Cadence</translation>
    </message>
    <message>
      <source>Event Cadence: {sent} sent, {waiting} waiting</source>
      <translation>Event Cadence: {sent} gesendet, {waiting} wartend</translation>
    </message>
    <message>
      <source>Doors nearby: {count}</source>
      <translation>Eingänge in der Nähe: {count}</translation>
    </message>
    <message>
      <source>heard {time}</source>
      <translation>gehört {time}</translation>
    </message>
    <message>
      <source>{count} waiting</source>
      <translation>{count} wartend</translation>
    </message>
    <message>
      <source>{inside} / {guests} in</source>
      <translation>{inside} / {guests} da</translation>
    </message>
    <message>
      <source>Guest list from {file}</source>
      <translation>Gästeliste aus {file}</translation>
    </message>
    <message>
      <source>● Online</source>
      <translation>● Online</translation>
    </message>
    <message>
      <source>○ OFFLINE – the door works on</source>
      <translation>○ OFFLINE – der Eingang arbeitet weiter</translation>
    </message>
    <message>
      <source>{count} held back</source>
      <translation>{count} zurückgehalten</translation>
    </message>
    <message>
      <source>{count} not heard from</source>
      <translation>{count} ohne Lebenszeichen</translation>
    </message>
    <message>
      <source>Synced {time}</source>
      <translation>Synchronisiert {time}</translation>
    </message>
    <message>
      <source>{count} conflicts</source>
      <translation>{count} Konflikte</translation>
    </message>
    <message>
      <source>{count} rejected</source>
      <translation>{count} abgelehnt</translation>
    </message>
    <message>
      <source>{count} guests could not be read</source>
      <translation>{count} Gäste konnten nicht gelesen werden</translation>
    </message>
    <message>
      <source>{worker} stopped: {reason}</source>
      <translation>{worker} angehalten: {reason}</translation>
    </message>
    <message>
      <source>{worker} failing: {reason}</source>
      <translation>{worker} gestört: {reason}</translation>
    </message>
    <message>
      <source>Not done</source>
      <translation>Nicht erledigt</translation>
    </message>
    <message>
      <source>This could not be done: {why}</source>
      <translation>Das ließ sich nicht erledigen: {why}</translation>
    </message>
    <message>
      <source>Ready</source>
      <translation>Bereit</translation>
    </message>
    <message>
      <source>Scan result</source>
      <translation>Scan-Ergebnis</translation>
    </message>
    <message>
      <source>Highlight colour</source>
      <translation>Markierungsfarbe</translation>
    </message>
    <message>
      <source>Attention</source>
      <translation>Achtung</translation>
    </message>
    <message>
      <source>Answers waiting behind this one: {count}. Press Enter or tap for the next.</source>
      <translation>Dahinter warten weitere Antworten: {count}. Eingabetaste drücken oder tippen für die nächste.</translation>
    </message>
    <message>
      <source>Hold the code on your ticket up to the camera</source>
      <translation>Halten Sie den Code auf Ihrem Ticket vor die Kamera</translation>
    </message>
    <message>
      <source>Your answer appears here.</source>
      <translation>Ihre Antwort erscheint hier.</translation>
    </message>
    <message>
      <source>Hold your ticket to the camera</source>
      <translation>Halten Sie Ihr Ticket vor die Kamera</translation>
    </message>
    <message>
      <source>Press Enter or tap to continue</source>
      <translation>Eingabetaste drücken oder tippen, um fortzufahren</translation>
    </message>
    <message>
      <source>Answers waiting: {count}</source>
      <translation>Wartende Antworten: {count}</translation>
    </message>
    <message>
      <source>The laptop's disk is full: nothing was recorded. Free some space.</source>
      <translation>Die Festplatte des Laptops ist voll: Nichts wurde gespeichert. Bitte Platz freigeben.</translation>
    </message>
    <message>
      <source>Welcome</source>
      <translation>Willkommen</translation>
    </message>
    <message>
      <source>Goodbye</source>
      <translation>Auf Wiedersehen</translation>
    </message>
    <message>
      <source>Already in</source>
      <translation>Schon da</translation>
    </message>
    <message>
      <source>Not checked in</source>
      <translation>Nicht eingecheckt</translation>
    </message>
    <message>
      <source>Not on the list</source>
      <translation>Nicht auf der Liste</translation>
    </message>
    <message>
      <source>Deregistered</source>
      <translation>Abgemeldet</translation>
    </message>
    <message>
      <source>Not valid</source>
      <translation>Nicht gültig</translation>
    </message>
    <message>
      <source>Not a ticket</source>
      <translation>Kein Ticket</translation>
    </message>
    <message>
      <source>Not at this station</source>
      <translation>Nicht an dieser Station</translation>
    </message>
    <message>
      <source>Not recorded</source>
      <translation>Nicht gespeichert</translation>
    </message>
    <message>
      <source>The code is not readable text.</source>
      <translation>Der Code ist kein lesbarer Text.</translation>
    </message>
    <message>
      <source>The code is far too long to be a ticket.</source>
      <translation>Der Code ist viel zu lang für ein Ticket.</translation>
    </message>
    <message>
      <source>The code is empty.</source>
      <translation>Der Code ist leer.</translation>
    </message>
    <message>
      <source>This is not a ticket of this event.</source>
      <translation>Das ist kein Ticket dieses Events.</translation>
    </message>
    <message>
      <source>{verdict} (companion of {name})</source>
      <translation>{verdict} (Begleitung von {name})</translation>
    </message>
    <message>
      <source>{reason} (the server says: {message})</source>
      <translation>{reason} (der Server meldet: {message})</translation>
    </message>
    <message>
      <source>Already checked in earlier ({time}); this check-in was not needed.</source>
      <translation>Schon früher eingecheckt ({time}); dieser Check-in war nicht nötig.</translation>
    </message>
    <message>
      <source>Not a valid ticket code</source>
      <translation>Kein gültiger Ticketcode</translation>
    </message>
    <message>
      <source>Already checked in earlier ({time} at {station}); this check-in was not needed.</source>
      <translation>Schon früher eingecheckt ({time} über {station}); dieser Check-in war nicht nötig.</translation>
    </message>
    <message>
      <source>Made at a door whose clock was more than a day ahead; not counted</source>
      <translation>An einem Eingang gemacht, dessen Uhr mehr als einen Tag vorging; nicht gezählt</translation>
    </message>
    <message>
      <source>Welcome, {name}</source>
      <translation>Willkommen, {name}</translation>
    </message>
    <message>
      <source>Goodbye, {name}</source>
      <translation>Auf Wiedersehen, {name}</translation>
    </message>
    <message>
      <source>{name}: already checked in at {time}</source>
      <translation>{name}: schon eingecheckt um {time}</translation>
    </message>
    <message>
      <source>{name} is not checked in</source>
      <translation>{name} ist nicht eingecheckt</translation>
    </message>
    <message>
      <source>{name} is deregistered</source>
      <translation>{name} ist abgemeldet</translation>
    </message>
    <message>
      <source>Ticket no longer valid (guest removed)</source>
      <translation>Ticket nicht mehr gültig (Gast entfernt)</translation>
    </message>
    <message>
      <source>This station only checks guests out: nobody is checked in here</source>
      <translation>Diese Station checkt Gäste nur aus: hier wird niemand eingecheckt</translation>
    </message>
    <message>
      <source>Please ask a member of staff.</source>
      <translation>Bitte wenden Sie sich an das Personal.</translation>
    </message>
    <message>
      <source>Welcome, {name} (+{companions})</source>
      <translation>Willkommen, {name} (+{companions})</translation>
    </message>
    <message>
      <source>{name}: already checked in at {time} at {station}</source>
      <translation>{name}: schon eingecheckt um {time} über {station}</translation>
    </message>
    <message>
      <source>This station only checks guests in: nobody is checked out here</source>
      <translation>Diese Station checkt Gäste nur ein: hier wird niemand ausgecheckt</translation>
    </message>
    <message>
      <source>is not checked in</source>
      <translation>ist nicht eingecheckt</translation>
    </message>
    <message>
      <source>has deregistered</source>
      <translation>hat sich abgemeldet</translation>
    </message>
    <message>
      <source>This ticket was removed from the guest list</source>
      <translation>Dieses Ticket wurde von der Gästeliste entfernt</translation>
    </message>
    <message>
      <source>Code {code} is not on the guest list</source>
      <translation>Code {code} steht nicht auf der Gästeliste</translation>
    </message>
    <message>
      <source>with {names}</source>
      <translation>mit {names}</translation>
    </message>
    <message>
      <source>checked in at {time} at {station}</source>
      <translation>eingecheckt um {time} über {station}</translation>
    </message>
    <message>
      <source>checked in at {time}</source>
      <translation>eingecheckt um {time}</translation>
    </message>
    <message>
      <source>This station only checks guests in.</source>
      <translation>Diese Station checkt Gäste nur ein.</translation>
    </message>
    <message>
      <source>This station only checks guests out.</source>
      <translation>Diese Station checkt Gäste nur aus.</translation>
    </message>
  </context>
</TS>
