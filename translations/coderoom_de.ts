<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>StatusText</name>
    <message>
        <source>Finished in %1 s</source>
        <translation>Fertig in %1 s</translation>
    </message>
    <message>
        <source>Error (exit code %1)</source>
        <translation>Fehler (Exit-Code %1)</translation>
    </message>
    <message>
        <source>Error (stopped by signal %1)</source>
        <translation>Fehler (durch Signal %1 beendet)</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <source>Compile error</source>
        <translation>Übersetzungsfehler</translation>
    </message>
    <message>
        <source>Incomplete input</source>
        <translation>Unvollständige Eingabe</translation>
    </message>
    <message numerus="yes">
        <source>Stopped: ran longer than %n s</source>
        <translation>
            <numerusform>Angehalten: lief länger als %n Sekunde</numerusform>
            <numerusform>Angehalten: lief länger als %n s</numerusform>
        </translation>
    </message>
    <message>
        <source>Out of memory</source>
        <translation>Kein Speicher mehr</translation>
    </message>
    <message>
        <source>Too much output</source>
        <translation>Zu viel Ausgabe</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Abgebrochen</translation>
    </message>
    <message>
        <source>Server busy — retrying is safe</source>
        <translation>Server ausgelastet — erneut versuchen ist unbedenklich</translation>
    </message>
    <message>
        <source>Something went wrong on the server</source>
        <translation>Auf dem Server ist etwas schiefgegangen</translation>
    </message>
    <message>
        <source>Something went wrong on the server: %1</source>
        <translation>Auf dem Server ist etwas schiefgegangen: %1</translation>
    </message>
    <message>
        <source>The server did not understand the request</source>
        <translation>Der Server hat die Anfrage nicht verstanden</translation>
    </message>
    <message>
        <source>The server does not know this kind of request</source>
        <translation>Der Server kennt diese Art von Anfrage nicht</translation>
    </message>
    <message>
        <source>The program is too large to send</source>
        <translation>Das Programm ist zu groß zum Senden</translation>
    </message>
    <message>
        <source>The server refused the user name or token</source>
        <translation>Der Server hat Benutzername oder Token abgelehnt</translation>
    </message>
    <message>
        <source>The connection was not set up correctly</source>
        <translation>Die Verbindung wurde nicht richtig aufgebaut</translation>
    </message>
    <message>
        <source>The session no longer exists</source>
        <translation>Die Sitzung existiert nicht mehr</translation>
    </message>
    <message>
        <source>This server does not offer that language</source>
        <translation>Dieser Server bietet diese Sprache nicht an</translation>
    </message>
    <message>
        <source>This language has no interactive prompt on this server</source>
        <translation>Diese Sprache hat auf diesem Server keine interaktive Eingabe</translation>
    </message>
    <message>
        <source>Too many failed attempts; wait a minute and try again</source>
        <translation>Zu viele Fehlversuche; warte eine Minute und versuche es erneut</translation>
    </message>
    <message>
        <source>You have reached your usage limit on this server</source>
        <translation>Du hast dein Nutzungslimit auf diesem Server erreicht</translation>
    </message>
    <message>
        <source>The server is shutting down</source>
        <translation>Der Server wird heruntergefahren</translation>
    </message>
    <message>
        <source>Starting the local server…</source>
        <translation>Lokaler Server wird gestartet…</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Verbinde…</translation>
    </message>
    <message>
        <source>Connecting to %1…</source>
        <translation>Verbinde mit %1…</translation>
    </message>
    <message>
        <source>Local</source>
        <translation>Lokal</translation>
    </message>
    <message>
        <source>Connected to %1</source>
        <translation>Verbunden mit %1</translation>
    </message>
    <message numerus="yes">
        <source>Reconnecting in %n s</source>
        <translation>
            <numerusform>Neuer Verbindungsversuch in %n Sekunde</numerusform>
            <numerusform>Neuer Verbindungsversuch in %n s</numerusform>
        </translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>Offline</translation>
    </message>
    <message>
        <source>Offline: %1</source>
        <translation>Offline: %1</translation>
    </message>
    <message numerus="yes">
        <source>Session restored after the interpreter crashed — %n entries replayed</source>
        <translation>
            <numerusform>Sitzung nach Absturz des Interpreters wiederhergestellt — %n Eintrag wiederholt</numerusform>
            <numerusform>Sitzung nach Absturz des Interpreters wiederhergestellt — %n Einträge wiederholt</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Session restored after a pause — %n entries replayed</source>
        <translation>
            <numerusform>Sitzung nach einer Pause wiederhergestellt — %n Eintrag wiederholt</numerusform>
            <numerusform>Sitzung nach einer Pause wiederhergestellt — %n Einträge wiederholt</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Session restored after the server restarted — %n entries replayed</source>
        <translation>
            <numerusform>Sitzung nach Neustart des Servers wiederhergestellt — %n Eintrag wiederholt</numerusform>
            <numerusform>Sitzung nach Neustart des Servers wiederhergestellt — %n Einträge wiederholt</numerusform>
        </translation>
    </message>
    <message>
        <source>Waiting for the server (position %1 in the queue)</source>
        <translation>Warte auf den Server (Position %1 in der Warteschlange)</translation>
    </message>
    <message>
        <source>Running…</source>
        <translation>Läuft…</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>Bereit</translation>
    </message>
    <message numerus="yes">
        <source>Stopped: nobody answered its input for %n min</source>
        <translation>
            <numerusform>Angehalten: niemand hat %n Minute lang auf die Eingabe geantwortet</numerusform>
            <numerusform>Angehalten: niemand hat %n Minuten lang auf die Eingabe geantwortet</numerusform>
        </translation>
    </message>
    <message>
        <source>Stopped: used up its CPU time</source>
        <translation>Angehalten: CPU-Zeit aufgebraucht</translation>
    </message>
</context>
<context>
    <name>coderoom::editor::CodeEditor</name>
    <message>
        <source>Not found</source>
        <translation>Nicht gefunden</translation>
    </message>
    <message numerus="yes">
        <source>%n replaced</source>
        <translation>
            <numerusform>%n ersetzt</numerusform>
            <numerusform>%n ersetzt</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>coderoom::editor::EditorTabs</name>
    <message>
        <source>Unsaved changes</source>
        <translation>Ungespeicherte Änderungen</translation>
    </message>
    <message>
        <source>Save the changes to %1 before closing?</source>
        <translation>Änderungen an %1 vor dem Schließen speichern?</translation>
    </message>
    <message>
        <source>Save file</source>
        <translation>Datei speichern</translation>
    </message>
    <message>
        <source>untitled</source>
        <translation>unbenannt</translation>
    </message>
    <message>
        <source>untitled%1</source>
        <translation>unbenannt%1</translation>
    </message>
    <message>
        <source>Cannot open %1: %2</source>
        <translation>%1 kann nicht geöffnet werden: %2</translation>
    </message>
    <message>
        <source>%1 is too large to edit</source>
        <translation>%1 ist zu groß zum Bearbeiten</translation>
    </message>
    <message>
        <source>Nothing to save</source>
        <translation>Nichts zu speichern</translation>
    </message>
    <message>
        <source>Save cancelled</source>
        <translation>Speichern abgebrochen</translation>
    </message>
    <message>
        <source>Cannot save %1: %2</source>
        <translation>%1 kann nicht gespeichert werden: %2</translation>
    </message>
</context>
<context>
    <name>coderoom::editor::FindBar</name>
    <message>
        <source>Match case</source>
        <translation>Groß-/Kleinschreibung</translation>
    </message>
    <message>
        <source>Whole words</source>
        <translation>Ganze Wörter</translation>
    </message>
    <message>
        <source>Find</source>
        <translation>Suchen</translation>
    </message>
    <message>
        <source>Replace with</source>
        <translation>Ersetzen durch</translation>
    </message>
    <message>
        <source>Previous</source>
        <translation>Zurück</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>Weiter</translation>
    </message>
    <message>
        <source>Replace</source>
        <translation>Ersetzen</translation>
    </message>
    <message>
        <source>Replace all</source>
        <translation>Alle ersetzen</translation>
    </message>
    <message>
        <source>Close (Esc)</source>
        <translation>Schließen (Esc)</translation>
    </message>
</context>
<context>
    <name>coderoom::repl::ConsoleView</name>
    <message>
        <source>Clear output</source>
        <translation>Ausgabe leeren</translation>
    </message>
</context>
<context>
    <name>coderoom::repl::OutputPane</name>
    <message>
        <source>The program is waiting for input: type and press Enter</source>
        <translation>Das Programm wartet auf eine Eingabe: tippen und Enter drücken</translation>
    </message>
    <message>
        <source>Input:</source>
        <translation>Eingabe:</translation>
    </message>
    <message>
        <source>[end of input]</source>
        <translation>[Ende der Eingabe]</translation>
    </message>
    <message>
        <source>(output was cut short)</source>
        <translation>(Ausgabe wurde gekürzt)</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>Leeren</translation>
    </message>
    <message>
        <source>Clear the output</source>
        <translation>Die Ausgabe leeren</translation>
    </message>
</context>
<context>
    <name>coderoom::repl::ReplWidget</name>
    <message>
        <source>Interrupt</source>
        <translation>Unterbrechen</translation>
    </message>
    <message>
        <source>Interrupt the running code (Ctrl+C)</source>
        <translation>Laufenden Code unterbrechen (Strg+C)</translation>
    </message>
    <message>
        <source>Restart</source>
        <translation>Neu starten</translation>
    </message>
    <message>
        <source>Start a fresh interpreter; variables are forgotten</source>
        <translation>Einen frischen Interpreter starten; Variablen gehen verloren</translation>
    </message>
    <message>
        <source>Interpreter restarted</source>
        <translation>Interpreter neu gestartet</translation>
    </message>
    <message>
        <source>The interpreter could not start: %1</source>
        <translation>Der Interpreter konnte nicht starten: %1</translation>
    </message>
    <message>
        <source>The interpreter is not available</source>
        <translation>Der Interpreter ist nicht verfügbar</translation>
    </message>
    <message>
        <source>The code is waiting for input</source>
        <translation>Der Code wartet auf eine Eingabe</translation>
    </message>
    <message numerus="yes">
        <source>Waiting for the server to start your interpreter: %n ahead of you</source>
        <translation>
            <numerusform>Warte, bis der Server deinen Interpreter startet: %n vor dir</numerusform>
            <numerusform>Warte, bis der Server deinen Interpreter startet: %n vor dir</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>The server is busy: waiting for a free interpreter (%n ahead of you)</source>
        <translation>
            <numerusform>Der Server ist ausgelastet: warte auf einen freien Interpreter (%n vor dir)</numerusform>
            <numerusform>Der Server ist ausgelastet: warte auf einen freien Interpreter (%n vor dir)</numerusform>
        </translation>
    </message>
    <message>
        <source>Press Restart to start a fresh interpreter.</source>
        <translation>Mit „Neu starten“ einen frischen Interpreter starten.</translation>
    </message>
    <message>
        <source>Starting a fresh interpreter…</source>
        <translation>Ein frischer Interpreter wird gestartet…</translation>
    </message>
</context>
<context>
    <name>coderoom::ui::ConnectionDialog</name>
    <message>
        <source>Remember the token on this computer</source>
        <translation>Token auf diesem Computer merken</translation>
    </message>
    <message>
        <source>Connect to a Coderoom server</source>
        <translation>Mit einem Coderoom-Server verbinden</translation>
    </message>
    <message>
        <source>Optional: the certificate that signed the server&apos;s</source>
        <translation>Optional: das Zertifikat, das das des Servers signiert hat</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <source>Server address:</source>
        <translation>Serveradresse:</translation>
    </message>
    <message>
        <source>User name:</source>
        <translation>Benutzername:</translation>
    </message>
    <message>
        <source>Token:</source>
        <translation>Token:</translation>
    </message>
    <message>
        <source>CA certificate:</source>
        <translation>CA-Zertifikat:</translation>
    </message>
    <message>
        <source>Connect</source>
        <translation>Verbinden</translation>
    </message>
    <message>
        <source>CA certificate</source>
        <translation>CA-Zertifikat</translation>
    </message>
    <message>
        <source>Certificates (*.pem *.crt);;All (*)</source>
        <translation>Zertifikate (*.pem *.crt);;Alle (*)</translation>
    </message>
    <message>
        <source>This file does not exist.</source>
        <translation>Diese Datei existiert nicht.</translation>
    </message>
    <message>
        <source>This file cannot be read.</source>
        <translation>Diese Datei kann nicht gelesen werden.</translation>
    </message>
</context>
<context>
    <name>coderoom::ui::MainActions</name>
    <message>
        <source>&amp;New Python file</source>
        <translation>&amp;Neue Python-Datei</translation>
    </message>
    <message>
        <source>New</source>
        <translation>Neu</translation>
    </message>
    <message>
        <source>New C++ file</source>
        <translation>Neue C++-Datei</translation>
    </message>
    <message>
        <source>New Java file</source>
        <translation>Neue Java-Datei</translation>
    </message>
    <message>
        <source>New JavaScript file</source>
        <translation>Neue JavaScript-Datei</translation>
    </message>
    <message>
        <source>&amp;Open…</source>
        <translation>Ö&amp;ffnen…</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Öffnen</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>&amp;Speichern</translation>
    </message>
    <message>
        <source>Save &amp;as…</source>
        <translation>Speichern &amp;unter…</translation>
    </message>
    <message>
        <source>&amp;Close file</source>
        <translation>Datei s&amp;chließen</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;Find…</source>
        <translation>&amp;Suchen…</translation>
    </message>
    <message>
        <source>&amp;Replace…</source>
        <translation>&amp;Ersetzen…</translation>
    </message>
    <message>
        <source>Zoom &amp;in</source>
        <translation>Ver&amp;größern</translation>
    </message>
    <message>
        <source>Zoom &amp;out</source>
        <translation>Ver&amp;kleinern</translation>
    </message>
    <message>
        <source>&amp;Normal size</source>
        <translation>&amp;Normale Größe</translation>
    </message>
    <message>
        <source>&amp;Light</source>
        <translation>&amp;Hell</translation>
    </message>
    <message>
        <source>&amp;Dark</source>
        <translation>&amp;Dunkel</translation>
    </message>
    <message>
        <source>&amp;Run</source>
        <translation>&amp;Ausführen</translation>
    </message>
    <message>
        <source>Run the current file (F5)</source>
        <translation>Aktuelle Datei ausführen (F5)</translation>
    </message>
    <message>
        <source>&amp;Stop</source>
        <translation>&amp;Stopp</translation>
    </message>
    <message>
        <source>Stop the running program (Shift+F5)</source>
        <translation>Laufendes Programm stoppen (Umschalt+F5)</translation>
    </message>
    <message>
        <source>Run in &amp;REPL</source>
        <translation>In der &amp;REPL ausführen</translation>
    </message>
    <message>
        <source>Run the file in the interactive prompt, then inspect its variables</source>
        <translation>Datei in der interaktiven Eingabe ausführen und dann ihre Variablen ansehen</translation>
    </message>
    <message>
        <source>Restart the &amp;interpreter</source>
        <translation>&amp;Interpreter neu starten</translation>
    </message>
    <message>
        <source>&amp;Local (this computer)</source>
        <translation>&amp;Lokal (dieser Computer)</translation>
    </message>
    <message>
        <source>Connect to &amp;server…</source>
        <translation>Mit &amp;Server verbinden…</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>Systemsprache</translation>
    </message>
    <message>
        <source>&amp;About Coderoom</source>
        <translation>&amp;Über Coderoom</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>New file in</source>
        <translation>Neue Datei in</translation>
    </message>
    <message>
        <source>Open &amp;recent</source>
        <translation>&amp;Zuletzt geöffnet</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>&amp;Bearbeiten</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>&amp;Theme</source>
        <translation>&amp;Farbschema</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>&amp;Sprache</translation>
    </message>
    <message>
        <source>&amp;Connection</source>
        <translation>&amp;Verbindung</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>Main</source>
        <translation>Haupt</translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation>&amp;Rückgängig</translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation>&amp;Wiederherstellen</translation>
    </message>
    <message>
        <source>Cu&amp;t</source>
        <translation>&amp;Ausschneiden</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>&amp;Kopieren</translation>
    </message>
    <message>
        <source>&amp;Paste</source>
        <translation>&amp;Einfügen</translation>
    </message>
    <message>
        <source>Select &amp;all</source>
        <translation>&amp;Alles auswählen</translation>
    </message>
    <message>
        <source>Co&amp;mment or uncomment lines</source>
        <translation>Zeilen aus- oder ein&amp;kommentieren</translation>
    </message>
    <message>
        <source>C&amp;lear output</source>
        <translation>Ausgabe &amp;leeren</translation>
    </message>
    <message>
        <source>Clear the Output pane</source>
        <translation>Den Ausgabebereich leeren</translation>
    </message>
    <message>
        <source>&amp;Getting started</source>
        <translation>&amp;Erste Schritte</translation>
    </message>
</context>
<context>
    <name>coderoom::ui::MainWindow</name>
    <message>
        <source>Coderoom</source>
        <translation>Coderoom</translation>
    </message>
    <message>
        <source>Output</source>
        <translation>Ausgabe</translation>
    </message>
    <message>
        <source>Interactive prompt</source>
        <translation>Interaktive Eingabe</translation>
    </message>
    <message>
        <source>Output and prompt</source>
        <translation>Ausgabe und Eingabe</translation>
    </message>
    <message>
        <source>Cannot open file</source>
        <translation>Datei kann nicht geöffnet werden</translation>
    </message>
    <message>
        <source>Save file as</source>
        <translation>Datei speichern unter</translation>
    </message>
    <message>
        <source>Cannot save file</source>
        <translation>Datei kann nicht gespeichert werden</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Sprache</translation>
    </message>
    <message>
        <source>The new language is used the next time Coderoom starts.</source>
        <translation>Die neue Sprache wird beim nächsten Start von Coderoom verwendet.</translation>
    </message>
    <message>
        <source>Clear the list</source>
        <translation>Liste leeren</translation>
    </message>
    <message>
        <source>Open file</source>
        <translation>Datei öffnen</translation>
    </message>
    <message>
        <source>Code (*.py *.cpp *.cc *.cxx *.h *.hpp *.java *.js);;All files (*)</source>
        <translation>Code (*.py *.cpp *.cc *.cxx *.h *.hpp *.java *.js);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>About Coderoom</source>
        <translation>Über Coderoom</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Coderoom %1&lt;/h3&gt;&lt;p&gt;Write and run code, on this computer or on your class&apos;s server.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Coderoom %1&lt;/h3&gt;&lt;p&gt;Code schreiben und ausführen, auf diesem Computer oder auf dem Server deiner Klasse.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Getting started</source>
        <translation>Erste Schritte</translation>
    </message>
    <message>
        <source>&lt;h3&gt;First steps&lt;/h3&gt;&lt;ol&gt;&lt;li&gt;Type your program in the editor (File, New file in… gives a starting point for C++, Java and JavaScript).&lt;/li&gt;&lt;li&gt;Press &lt;b&gt;F5&lt;/b&gt; to run it. What it prints appears in &lt;b&gt;Output&lt;/b&gt;; when it asks for input, type the answer in the line under the output and press Enter.&lt;/li&gt;&lt;li&gt;Press &lt;b&gt;Ctrl+F5&lt;/b&gt; to run it in the &lt;b&gt;Interactive prompt&lt;/b&gt;: afterwards you can type Python, Java or JavaScript lines there and look at your variables.&lt;/li&gt;&lt;li&gt;Click a line of an error message to jump to the line in your file.&lt;/li&gt;&lt;/ol&gt;&lt;h3&gt;Shortcuts&lt;/h3&gt;&lt;table&gt;&lt;tr&gt;&lt;td&gt;F5&lt;/td&gt;&lt;td&gt;Run&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Shift+F5&lt;/td&gt;&lt;td&gt;Stop&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Ctrl+F5&lt;/td&gt;&lt;td&gt;Run in the interactive prompt&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Ctrl+/&lt;/td&gt;&lt;td&gt;Comment or uncomment lines&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Ctrl+F, Ctrl+H&lt;/td&gt;&lt;td&gt;Find, replace&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Ctrl+= / Ctrl+-&lt;/td&gt;&lt;td&gt;Bigger / smaller text&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Ctrl+C in the prompt&lt;/td&gt;&lt;td&gt;Interrupt the running code&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Tab, Up, Down in the prompt&lt;/td&gt;&lt;td&gt;Complete, earlier lines&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;h3&gt;What the limits mean&lt;/h3&gt;&lt;p&gt;A program may &lt;b&gt;run&lt;/b&gt; for %1 seconds; then it is stopped and the message says so. Time it spends &lt;b&gt;waiting for you to type&lt;/b&gt; does not count: think as long as you need. If nobody answers for %2 minutes, it is stopped too. A program also has a memory limit (%3 MiB) and an output limit; the message after a run always names the limit that stopped it.&lt;/p&gt;&lt;p&gt;The interactive prompt keeps your variables, even when the server restarts its interpreter; &lt;b&gt;Restart&lt;/b&gt; gives you a fresh one.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Erste Schritte&lt;/h3&gt;&lt;ol&gt;&lt;li&gt;Schreib dein Programm in den Editor (Datei, Neue Datei in… gibt einen Anfang für C++, Java und JavaScript).&lt;/li&gt;&lt;li&gt;Drück &lt;b&gt;F5&lt;/b&gt;, um es auszuführen. Was es ausgibt, steht in &lt;b&gt;Ausgabe&lt;/b&gt;; fragt es nach einer Eingabe, tipp die Antwort in die Zeile unter der Ausgabe und drück Enter.&lt;/li&gt;&lt;li&gt;Drück &lt;b&gt;Strg+F5&lt;/b&gt;, um es in der &lt;b&gt;interaktiven Eingabe&lt;/b&gt; auszuführen: danach kannst du dort Python-, Java- oder JavaScript-Zeilen eingeben und deine Variablen ansehen.&lt;/li&gt;&lt;li&gt;Klick auf eine Zeile einer Fehlermeldung, um zur Zeile in deiner Datei zu springen.&lt;/li&gt;&lt;/ol&gt;&lt;h3&gt;Tastenkürzel&lt;/h3&gt;&lt;table&gt;&lt;tr&gt;&lt;td&gt;F5&lt;/td&gt;&lt;td&gt;Ausführen&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Umschalt+F5&lt;/td&gt;&lt;td&gt;Stoppen&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Strg+F5&lt;/td&gt;&lt;td&gt;In der interaktiven Eingabe ausführen&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Strg+/&lt;/td&gt;&lt;td&gt;Zeilen aus- oder einkommentieren&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Strg+F, Strg+H&lt;/td&gt;&lt;td&gt;Suchen, ersetzen&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Strg+= / Strg+-&lt;/td&gt;&lt;td&gt;Größere / kleinere Schrift&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Strg+C in der Eingabe&lt;/td&gt;&lt;td&gt;Laufenden Code unterbrechen&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Tab, Hoch, Runter in der Eingabe&lt;/td&gt;&lt;td&gt;Vervollständigen, frühere Zeilen&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;h3&gt;Was die Grenzen bedeuten&lt;/h3&gt;&lt;p&gt;Ein Programm darf %1 Sekunden &lt;b&gt;laufen&lt;/b&gt;; dann wird es gestoppt, und die Meldung sagt es. Zeit, in der es &lt;b&gt;wartet, bis du etwas tippst&lt;/b&gt;, zählt nicht: denk so lange nach, wie du brauchst. Antwortet %2 Minuten lang niemand, wird es ebenfalls gestoppt. Ein Programm hat auch eine Speichergrenze (%3 MiB) und eine Ausgabegrenze; die Meldung nach einem Lauf nennt immer die Grenze, die es gestoppt hat.&lt;/p&gt;&lt;p&gt;Die interaktive Eingabe behält deine Variablen, auch wenn der Server ihren Interpreter neu startet; &lt;b&gt;Neu starten&lt;/b&gt; gibt dir einen frischen.&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>coderoom::ui::RunController</name>
    <message>
        <source>This file&apos;s language cannot be run</source>
        <translation>Die Sprache dieser Datei kann nicht ausgeführt werden</translation>
    </message>
    <message>
        <source>Running %1</source>
        <translation>%1 wird ausgeführt</translation>
    </message>
    <message>
        <source>No interactive prompt for this language</source>
        <translation>Keine interaktive Eingabe für diese Sprache</translation>
    </message>
    <message>
        <source>Running %1 in the interactive prompt</source>
        <translation>%1 wird in der interaktiven Eingabe ausgeführt</translation>
    </message>
    <message>
        <source>%1 has no interactive prompt, so the program runs here instead.</source>
        <translation>%1 hat keine interaktive Eingabe, deshalb läuft das Programm hier.</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Write and run code: Python, C++, Java, JavaScript.</source>
        <translation>Code schreiben und ausführen: Python, C++, Java, JavaScript.</translation>
    </message>
    <message>
        <source>Files to open.</source>
        <translation>Zu öffnende Dateien.</translation>
    </message>
</context>
</TS>
