<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es_ES">
<context>
    <name>StatusText</name>
    <message>
        <source>Finished in %1 s</source>
        <translation>Terminado en %1 s</translation>
    </message>
    <message>
        <source>Error (exit code %1)</source>
        <translation>Error (código de salida %1)</translation>
    </message>
    <message>
        <source>Error (stopped by signal %1)</source>
        <translation>Error (detenido por la señal %1)</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Error</translation>
    </message>
    <message>
        <source>Compile error</source>
        <translation>Error de compilación</translation>
    </message>
    <message>
        <source>Incomplete input</source>
        <translation>Entrada incompleta</translation>
    </message>
    <message numerus="yes">
        <source>Stopped: ran longer than %n s</source>
        <translation>
            <numerusform>Detenido: tardó más de %n segundo</numerusform>
            <numerusform>Detenido: tardó más de %n s</numerusform>
        </translation>
    </message>
    <message>
        <source>Out of memory</source>
        <translation>Sin memoria</translation>
    </message>
    <message>
        <source>Too much output</source>
        <translation>Demasiada salida</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Cancelado</translation>
    </message>
    <message>
        <source>Server busy — retrying is safe</source>
        <translation>Servidor ocupado — puedes volver a intentarlo sin riesgo</translation>
    </message>
    <message>
        <source>Something went wrong on the server</source>
        <translation>Algo salió mal en el servidor</translation>
    </message>
    <message>
        <source>Something went wrong on the server: %1</source>
        <translation>Algo salió mal en el servidor: %1</translation>
    </message>
    <message>
        <source>The server did not understand the request</source>
        <translation>El servidor no entendió la petición</translation>
    </message>
    <message>
        <source>The server does not know this kind of request</source>
        <translation>El servidor no conoce este tipo de petición</translation>
    </message>
    <message>
        <source>The program is too large to send</source>
        <translation>El programa es demasiado grande para enviarlo</translation>
    </message>
    <message>
        <source>The server refused the user name or token</source>
        <translation>El servidor rechazó el usuario o el token</translation>
    </message>
    <message>
        <source>The connection was not set up correctly</source>
        <translation>La conexión no se estableció correctamente</translation>
    </message>
    <message>
        <source>The session no longer exists</source>
        <translation>La sesión ya no existe</translation>
    </message>
    <message>
        <source>This server does not offer that language</source>
        <translation>Este servidor no ofrece ese lenguaje</translation>
    </message>
    <message>
        <source>This language has no interactive prompt on this server</source>
        <translation>Este lenguaje no tiene consola interactiva en este servidor</translation>
    </message>
    <message>
        <source>Too many failed attempts; wait a minute and try again</source>
        <translation>Demasiados intentos fallidos; espera un minuto y vuelve a intentarlo</translation>
    </message>
    <message>
        <source>You have reached your usage limit on this server</source>
        <translation>Has alcanzado tu límite de uso en este servidor</translation>
    </message>
    <message>
        <source>The server is shutting down</source>
        <translation>El servidor se está apagando</translation>
    </message>
    <message>
        <source>Starting the local server…</source>
        <translation>Iniciando el servidor local…</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Conectando…</translation>
    </message>
    <message>
        <source>Connecting to %1…</source>
        <translation>Conectando con %1…</translation>
    </message>
    <message>
        <source>Local</source>
        <translation>Local</translation>
    </message>
    <message>
        <source>Connected to %1</source>
        <translation>Conectado a %1</translation>
    </message>
    <message numerus="yes">
        <source>Reconnecting in %n s</source>
        <translation>
            <numerusform>Reconectando en %n segundo</numerusform>
            <numerusform>Reconectando en %n s</numerusform>
        </translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>Sin conexión</translation>
    </message>
    <message>
        <source>Offline: %1</source>
        <translation>Sin conexión: %1</translation>
    </message>
    <message numerus="yes">
        <source>Session restored after the interpreter crashed — %n entries replayed</source>
        <translation>
            <numerusform>Sesión restaurada tras el fallo del intérprete — %n entrada reproducida</numerusform>
            <numerusform>Sesión restaurada tras el fallo del intérprete — %n entradas reproducidas</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Session restored after a pause — %n entries replayed</source>
        <translation>
            <numerusform>Sesión restaurada tras una pausa — %n entrada reproducida</numerusform>
            <numerusform>Sesión restaurada tras una pausa — %n entradas reproducidas</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Session restored after the server restarted — %n entries replayed</source>
        <translation>
            <numerusform>Sesión restaurada tras reiniciarse el servidor — %n entrada reproducida</numerusform>
            <numerusform>Sesión restaurada tras reiniciarse el servidor — %n entradas reproducidas</numerusform>
        </translation>
    </message>
    <message>
        <source>Waiting for the server (position %1 in the queue)</source>
        <translation>Esperando al servidor (posición %1 en la cola)</translation>
    </message>
    <message>
        <source>Running…</source>
        <translation>Ejecutando…</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>Listo</translation>
    </message>
    <message numerus="yes">
        <source>Stopped: nobody answered its input for %n min</source>
        <translation>
            <numerusform>Detenido: nadie respondió a su entrada en %n minuto</numerusform>
            <numerusform>Detenido: nadie respondió a su entrada en %n minutos</numerusform>
        </translation>
    </message>
    <message>
        <source>Stopped: used up its CPU time</source>
        <translation>Detenido: agotó su tiempo de CPU</translation>
    </message>
</context>
<context>
    <name>coderoom::editor::CodeEditor</name>
    <message>
        <source>Not found</source>
        <translation>No encontrado</translation>
    </message>
    <message numerus="yes">
        <source>%n replaced</source>
        <translation>
            <numerusform>%n reemplazado</numerusform>
            <numerusform>%n reemplazados</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>coderoom::editor::EditorTabs</name>
    <message>
        <source>Unsaved changes</source>
        <translation>Cambios sin guardar</translation>
    </message>
    <message>
        <source>Save the changes to %1 before closing?</source>
        <translation>¿Guardar los cambios de %1 antes de cerrar?</translation>
    </message>
    <message>
        <source>Save file</source>
        <translation>Guardar archivo</translation>
    </message>
    <message>
        <source>untitled</source>
        <translation>sin_titulo</translation>
    </message>
    <message>
        <source>untitled%1</source>
        <translation>sin_titulo%1</translation>
    </message>
    <message>
        <source>Cannot open %1: %2</source>
        <translation>No se puede abrir %1: %2</translation>
    </message>
    <message>
        <source>%1 is too large to edit</source>
        <translation>%1 es demasiado grande para editarlo</translation>
    </message>
    <message>
        <source>Nothing to save</source>
        <translation>Nada que guardar</translation>
    </message>
    <message>
        <source>Save cancelled</source>
        <translation>Guardado cancelado</translation>
    </message>
    <message>
        <source>Cannot save %1: %2</source>
        <translation>No se puede guardar %1: %2</translation>
    </message>
</context>
<context>
    <name>coderoom::editor::FindBar</name>
    <message>
        <source>Match case</source>
        <translation>Distinguir mayúsculas</translation>
    </message>
    <message>
        <source>Whole words</source>
        <translation>Palabras completas</translation>
    </message>
    <message>
        <source>Find</source>
        <translation>Buscar</translation>
    </message>
    <message>
        <source>Replace with</source>
        <translation>Reemplazar por</translation>
    </message>
    <message>
        <source>Previous</source>
        <translation>Anterior</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>Siguiente</translation>
    </message>
    <message>
        <source>Replace</source>
        <translation>Reemplazar</translation>
    </message>
    <message>
        <source>Replace all</source>
        <translation>Reemplazar todo</translation>
    </message>
    <message>
        <source>Close (Esc)</source>
        <translation>Cerrar (Esc)</translation>
    </message>
</context>
<context>
    <name>coderoom::repl::ConsoleView</name>
    <message>
        <source>Clear output</source>
        <translation>Borrar la salida</translation>
    </message>
</context>
<context>
    <name>coderoom::repl::OutputPane</name>
    <message>
        <source>The program is waiting for input: type and press Enter</source>
        <translation>El programa espera una entrada: escribe y pulsa Intro</translation>
    </message>
    <message>
        <source>Input:</source>
        <translation>Entrada:</translation>
    </message>
    <message>
        <source>[end of input]</source>
        <translation>[fin de la entrada]</translation>
    </message>
    <message>
        <source>(output was cut short)</source>
        <translation>(la salida se recortó)</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>Borrar</translation>
    </message>
    <message>
        <source>Clear the output</source>
        <translation>Borrar la salida</translation>
    </message>
</context>
<context>
    <name>coderoom::repl::ReplWidget</name>
    <message>
        <source>Interrupt</source>
        <translation>Interrumpir</translation>
    </message>
    <message>
        <source>Interrupt the running code (Ctrl+C)</source>
        <translation>Interrumpir el código en ejecución (Ctrl+C)</translation>
    </message>
    <message>
        <source>Restart</source>
        <translation>Reiniciar</translation>
    </message>
    <message>
        <source>Start a fresh interpreter; variables are forgotten</source>
        <translation>Iniciar un intérprete nuevo; las variables se olvidan</translation>
    </message>
    <message>
        <source>Interpreter restarted</source>
        <translation>Intérprete reiniciado</translation>
    </message>
    <message>
        <source>The interpreter could not start: %1</source>
        <translation>El intérprete no pudo iniciarse: %1</translation>
    </message>
    <message>
        <source>The interpreter is not available</source>
        <translation>El intérprete no está disponible</translation>
    </message>
    <message>
        <source>The code is waiting for input</source>
        <translation>El código espera una entrada</translation>
    </message>
    <message numerus="yes">
        <source>Waiting for the server to start your interpreter: %n ahead of you</source>
        <translation>
            <numerusform>Esperando a que el servidor inicie tu intérprete: %n por delante</numerusform>
            <numerusform>Esperando a que el servidor inicie tu intérprete: %n por delante</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>The server is busy: waiting for a free interpreter (%n ahead of you)</source>
        <translation>
            <numerusform>El servidor está ocupado: esperando un intérprete libre (%n por delante)</numerusform>
            <numerusform>El servidor está ocupado: esperando un intérprete libre (%n por delante)</numerusform>
        </translation>
    </message>
    <message>
        <source>Press Restart to start a fresh interpreter.</source>
        <translation>Pulsa Reiniciar para empezar con un intérprete nuevo.</translation>
    </message>
    <message>
        <source>Starting a fresh interpreter…</source>
        <translation>Iniciando un intérprete nuevo…</translation>
    </message>
</context>
<context>
    <name>coderoom::ui::ConnectionDialog</name>
    <message>
        <source>Remember the token on this computer</source>
        <translation>Recordar el token en este equipo</translation>
    </message>
    <message>
        <source>Connect to a Coderoom server</source>
        <translation>Conectar con un servidor Coderoom</translation>
    </message>
    <message>
        <source>Optional: the certificate that signed the server&apos;s</source>
        <translation>Opcional: el certificado que firmó el del servidor</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Examinar…</translation>
    </message>
    <message>
        <source>Server address:</source>
        <translation>Dirección del servidor:</translation>
    </message>
    <message>
        <source>User name:</source>
        <translation>Usuario:</translation>
    </message>
    <message>
        <source>Token:</source>
        <translation>Token:</translation>
    </message>
    <message>
        <source>CA certificate:</source>
        <translation>Certificado de la CA:</translation>
    </message>
    <message>
        <source>Connect</source>
        <translation>Conectar</translation>
    </message>
    <message>
        <source>CA certificate</source>
        <translation>Certificado de la CA</translation>
    </message>
    <message>
        <source>Certificates (*.pem *.crt);;All (*)</source>
        <translation>Certificados (*.pem *.crt);;Todos (*)</translation>
    </message>
    <message>
        <source>This file does not exist.</source>
        <translation>Este archivo no existe.</translation>
    </message>
    <message>
        <source>This file cannot be read.</source>
        <translation>Este archivo no se puede leer.</translation>
    </message>
</context>
<context>
    <name>coderoom::ui::MainActions</name>
    <message>
        <source>&amp;New Python file</source>
        <translation>&amp;Nuevo archivo Python</translation>
    </message>
    <message>
        <source>New</source>
        <translation>Nuevo</translation>
    </message>
    <message>
        <source>New C++ file</source>
        <translation>Nuevo archivo C++</translation>
    </message>
    <message>
        <source>New Java file</source>
        <translation>Nuevo archivo Java</translation>
    </message>
    <message>
        <source>New JavaScript file</source>
        <translation>Nuevo archivo JavaScript</translation>
    </message>
    <message>
        <source>&amp;Open…</source>
        <translation>&amp;Abrir…</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Abrir</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>&amp;Guardar</translation>
    </message>
    <message>
        <source>Save &amp;as…</source>
        <translation>Guardar &amp;como…</translation>
    </message>
    <message>
        <source>&amp;Close file</source>
        <translation>&amp;Cerrar archivo</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Salir</translation>
    </message>
    <message>
        <source>&amp;Find…</source>
        <translation>&amp;Buscar…</translation>
    </message>
    <message>
        <source>&amp;Replace…</source>
        <translation>&amp;Reemplazar…</translation>
    </message>
    <message>
        <source>Zoom &amp;in</source>
        <translation>&amp;Ampliar</translation>
    </message>
    <message>
        <source>Zoom &amp;out</source>
        <translation>&amp;Reducir</translation>
    </message>
    <message>
        <source>&amp;Normal size</source>
        <translation>Tamaño &amp;normal</translation>
    </message>
    <message>
        <source>&amp;Light</source>
        <translation>&amp;Claro</translation>
    </message>
    <message>
        <source>&amp;Dark</source>
        <translation>&amp;Oscuro</translation>
    </message>
    <message>
        <source>&amp;Run</source>
        <translation>&amp;Ejecutar</translation>
    </message>
    <message>
        <source>Run the current file (F5)</source>
        <translation>Ejecutar el archivo actual (F5)</translation>
    </message>
    <message>
        <source>&amp;Stop</source>
        <translation>&amp;Detener</translation>
    </message>
    <message>
        <source>Stop the running program (Shift+F5)</source>
        <translation>Detener el programa en ejecución (Mayús+F5)</translation>
    </message>
    <message>
        <source>Run in &amp;REPL</source>
        <translation>Ejecutar en el &amp;REPL</translation>
    </message>
    <message>
        <source>Run the file in the interactive prompt, then inspect its variables</source>
        <translation>Ejecutar el archivo en la consola interactiva y luego inspeccionar sus variables</translation>
    </message>
    <message>
        <source>Restart the &amp;interpreter</source>
        <translation>Reiniciar el &amp;intérprete</translation>
    </message>
    <message>
        <source>&amp;Local (this computer)</source>
        <translation>&amp;Local (este equipo)</translation>
    </message>
    <message>
        <source>Connect to &amp;server…</source>
        <translation>Conectar con un &amp;servidor…</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>Idioma del sistema</translation>
    </message>
    <message>
        <source>&amp;About Coderoom</source>
        <translation>&amp;Acerca de Coderoom</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Archivo</translation>
    </message>
    <message>
        <source>New file in</source>
        <translation>Nuevo archivo en</translation>
    </message>
    <message>
        <source>Open &amp;recent</source>
        <translation>Abrir &amp;reciente</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>&amp;Editar</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ver</translation>
    </message>
    <message>
        <source>&amp;Theme</source>
        <translation>&amp;Tema</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>&amp;Idioma</translation>
    </message>
    <message>
        <source>&amp;Connection</source>
        <translation>&amp;Conexión</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>A&amp;yuda</translation>
    </message>
    <message>
        <source>Main</source>
        <translation>Principal</translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation>&amp;Deshacer</translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation>&amp;Rehacer</translation>
    </message>
    <message>
        <source>Cu&amp;t</source>
        <translation>Cor&amp;tar</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>&amp;Copiar</translation>
    </message>
    <message>
        <source>&amp;Paste</source>
        <translation>&amp;Pegar</translation>
    </message>
    <message>
        <source>Select &amp;all</source>
        <translation>Seleccionar &amp;todo</translation>
    </message>
    <message>
        <source>Co&amp;mment or uncomment lines</source>
        <translation>Co&amp;mentar o descomentar líneas</translation>
    </message>
    <message>
        <source>C&amp;lear output</source>
        <translation>&amp;Borrar la salida</translation>
    </message>
    <message>
        <source>Clear the Output pane</source>
        <translation>Borrar el panel de salida</translation>
    </message>
    <message>
        <source>&amp;Getting started</source>
        <translation>&amp;Primeros pasos</translation>
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
        <translation>Salida</translation>
    </message>
    <message>
        <source>Interactive prompt</source>
        <translation>Consola interactiva</translation>
    </message>
    <message>
        <source>Output and prompt</source>
        <translation>Salida y consola</translation>
    </message>
    <message>
        <source>Cannot open file</source>
        <translation>No se puede abrir el archivo</translation>
    </message>
    <message>
        <source>Save file as</source>
        <translation>Guardar archivo como</translation>
    </message>
    <message>
        <source>Cannot save file</source>
        <translation>No se puede guardar el archivo</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Idioma</translation>
    </message>
    <message>
        <source>The new language is used the next time Coderoom starts.</source>
        <translation>El nuevo idioma se usará la próxima vez que se inicie Coderoom.</translation>
    </message>
    <message>
        <source>Clear the list</source>
        <translation>Vaciar la lista</translation>
    </message>
    <message>
        <source>Open file</source>
        <translation>Abrir archivo</translation>
    </message>
    <message>
        <source>Code (*.py *.cpp *.cc *.cxx *.h *.hpp *.java *.js);;All files (*)</source>
        <translation>Código (*.py *.cpp *.cc *.cxx *.h *.hpp *.java *.js);;Todos los archivos (*)</translation>
    </message>
    <message>
        <source>About Coderoom</source>
        <translation>Acerca de Coderoom</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Coderoom %1&lt;/h3&gt;&lt;p&gt;Write and run code, on this computer or on your class&apos;s server.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Coderoom %1&lt;/h3&gt;&lt;p&gt;Escribe y ejecuta código, en este equipo o en el servidor de tu clase.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Getting started</source>
        <translation>Primeros pasos</translation>
    </message>
    <message>
        <source>&lt;h3&gt;First steps&lt;/h3&gt;&lt;ol&gt;&lt;li&gt;Type your program in the editor (File, New file in… gives a starting point for C++, Java and JavaScript).&lt;/li&gt;&lt;li&gt;Press &lt;b&gt;F5&lt;/b&gt; to run it. What it prints appears in &lt;b&gt;Output&lt;/b&gt;; when it asks for input, type the answer in the line under the output and press Enter.&lt;/li&gt;&lt;li&gt;Press &lt;b&gt;Ctrl+F5&lt;/b&gt; to run it in the &lt;b&gt;Interactive prompt&lt;/b&gt;: afterwards you can type Python, Java or JavaScript lines there and look at your variables.&lt;/li&gt;&lt;li&gt;Click a line of an error message to jump to the line in your file.&lt;/li&gt;&lt;/ol&gt;&lt;h3&gt;Shortcuts&lt;/h3&gt;&lt;table&gt;&lt;tr&gt;&lt;td&gt;F5&lt;/td&gt;&lt;td&gt;Run&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Shift+F5&lt;/td&gt;&lt;td&gt;Stop&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Ctrl+F5&lt;/td&gt;&lt;td&gt;Run in the interactive prompt&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Ctrl+/&lt;/td&gt;&lt;td&gt;Comment or uncomment lines&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Ctrl+F, Ctrl+H&lt;/td&gt;&lt;td&gt;Find, replace&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Ctrl+= / Ctrl+-&lt;/td&gt;&lt;td&gt;Bigger / smaller text&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Ctrl+C in the prompt&lt;/td&gt;&lt;td&gt;Interrupt the running code&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Tab, Up, Down in the prompt&lt;/td&gt;&lt;td&gt;Complete, earlier lines&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;h3&gt;What the limits mean&lt;/h3&gt;&lt;p&gt;A program may &lt;b&gt;run&lt;/b&gt; for %1 seconds; then it is stopped and the message says so. Time it spends &lt;b&gt;waiting for you to type&lt;/b&gt; does not count: think as long as you need. If nobody answers for %2 minutes, it is stopped too. A program also has a memory limit (%3 MiB) and an output limit; the message after a run always names the limit that stopped it.&lt;/p&gt;&lt;p&gt;The interactive prompt keeps your variables, even when the server restarts its interpreter; &lt;b&gt;Restart&lt;/b&gt; gives you a fresh one.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Primeros pasos&lt;/h3&gt;&lt;ol&gt;&lt;li&gt;Escribe tu programa en el editor (Archivo, Nuevo archivo en… te da un punto de partida para C++, Java y JavaScript).&lt;/li&gt;&lt;li&gt;Pulsa &lt;b&gt;F5&lt;/b&gt; para ejecutarlo. Lo que imprime aparece en &lt;b&gt;Salida&lt;/b&gt;; si pide una entrada, escribe la respuesta en la línea bajo la salida y pulsa Intro.&lt;/li&gt;&lt;li&gt;Pulsa &lt;b&gt;Ctrl+F5&lt;/b&gt; para ejecutarlo en la &lt;b&gt;consola interactiva&lt;/b&gt;: después puedes escribir allí líneas de Python, Java o JavaScript y ver tus variables.&lt;/li&gt;&lt;li&gt;Haz clic en una línea de un mensaje de error para saltar a esa línea de tu archivo.&lt;/li&gt;&lt;/ol&gt;&lt;h3&gt;Atajos&lt;/h3&gt;&lt;table&gt;&lt;tr&gt;&lt;td&gt;F5&lt;/td&gt;&lt;td&gt;Ejecutar&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Mayús+F5&lt;/td&gt;&lt;td&gt;Detener&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Ctrl+F5&lt;/td&gt;&lt;td&gt;Ejecutar en la consola interactiva&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Ctrl+/&lt;/td&gt;&lt;td&gt;Comentar o descomentar líneas&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Ctrl+F, Ctrl+H&lt;/td&gt;&lt;td&gt;Buscar, reemplazar&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Ctrl+= / Ctrl+-&lt;/td&gt;&lt;td&gt;Texto más grande / más pequeño&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Ctrl+C en la consola&lt;/td&gt;&lt;td&gt;Interrumpir el código en ejecución&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Tab, Arriba, Abajo en la consola&lt;/td&gt;&lt;td&gt;Completar, líneas anteriores&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;h3&gt;Qué significan los límites&lt;/h3&gt;&lt;p&gt;Un programa puede &lt;b&gt;ejecutarse&lt;/b&gt; durante %1 segundos; después se detiene y el mensaje lo dice. El tiempo que pasa &lt;b&gt;esperando a que escribas&lt;/b&gt; no cuenta: piensa todo lo que necesites. Si nadie responde en %2 minutos, también se detiene. Un programa tiene además un límite de memoria (%3 MiB) y un límite de salida; el mensaje tras una ejecución siempre nombra el límite que lo detuvo.&lt;/p&gt;&lt;p&gt;La consola interactiva conserva tus variables, incluso cuando el servidor reinicia su intérprete; &lt;b&gt;Reiniciar&lt;/b&gt; te da uno nuevo.&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>coderoom::ui::RunController</name>
    <message>
        <source>This file&apos;s language cannot be run</source>
        <translation>El lenguaje de este archivo no se puede ejecutar</translation>
    </message>
    <message>
        <source>Running %1</source>
        <translation>Ejecutando %1</translation>
    </message>
    <message>
        <source>No interactive prompt for this language</source>
        <translation>No hay consola interactiva para este lenguaje</translation>
    </message>
    <message>
        <source>Running %1 in the interactive prompt</source>
        <translation>Ejecutando %1 en la consola interactiva</translation>
    </message>
    <message>
        <source>%1 has no interactive prompt, so the program runs here instead.</source>
        <translation>%1 no tiene consola interactiva, así que el programa se ejecuta aquí.</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Write and run code: Python, C++, Java, JavaScript.</source>
        <translation>Escribe y ejecuta código: Python, C++, Java, JavaScript.</translation>
    </message>
    <message>
        <source>Files to open.</source>
        <translation>Archivos que abrir.</translation>
    </message>
</context>
</TS>
