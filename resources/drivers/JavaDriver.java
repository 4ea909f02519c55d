// Coderoom REPL driver for Java: one long-lived JShell session.
//
// Run with the single-file source launcher (JDK 17), no build step:
//   /usr/bin/java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto -Xss1m -Xmx256m
//       JavaDriver.java
// Control channel: JSON lines in on fd 3 and out on fd 4 (opened as /proc/self/fd/3 and 4:
// they are pipes); fds 0/1/2 belong to the student's program. Contract: docs/drivers.md.
//
// Threads: "main" handles evals and completions in order; "control" reads fd 3, answers ping
// at once and turns "interrupt" into a stop request; "stdin" pumps fd 0 into a queue so that a
// program waiting for input can be stopped (a thread blocked in a native read cannot) and so
// the driver knows when to send input_wait; "stopper" carries out stop requests.
//
// Snippets run in this JVM, on a fresh thread per snippet (JShell's local execution engine,
// subclassed as Engine so the driver sees when student code enters and leaves). Stopping is
// ThreadGroup.stop() (Thread.stop: JDK 17 still delivers ThreadDeath at the next safepoint
// poll, which C1-compiled and interpreted loops have on every back edge, and it wakes sleep,
// wait and park). LocalExecutionControl.stop() is a no-op unless student code runs, and the
// snippet thread starts only after "enter", so one call can miss: the stopper repeats it every
// STOP_RETRY_MS until the cell ends (this also defeats code that catches ThreadDeath).
//
// Per cell (ticket T = order of arrival of the eval), guarded by the driver's monitor:
//   queued --(main takes it: armed = T)--> compiling --(Engine enter: running)--> running
//   running --(Engine leave)--> compiling (next snippet) ... --(result sent: armed = 0)--> done
// An interrupt message stops the oldest unanswered cell: armed -> stop request (stopTicket = T);
// not yet armed -> early = T, and the cell ends at arming without running anything.
// SIGINT has no order relative to fd 3 and Java runs its handler on a thread started after the
// signal (measured ~1 ms, 6 ms worst under load): it stops the armed cell only once that
// cell's student code has started (its first snippet entered; a later snippet may still be
// compiling), and only if its handler thread was created after the cell was armed (thread ids
// count up). The late handler thread alone left a race (a SIGINT sent while idle, the dispatcher
// woken only after the next cell was armed): before arming, the driver raises a signal of its
// own and waits for its handler; pending signals are dispatched lowest number first, so every
// earlier SIGINT has its (lower-id) handler thread by then. A SIGINT during a cell's first
// compile is dropped.

import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.Permission;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.UnresolvedReferenceException;
import jdk.jshell.execution.LocalExecutionControl;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;

public class JavaDriver {
    static final int MAX_VALUE_CHARS = 100_000;
    static final int MAX_COMPLETIONS = 200;
    static final String EXIT_MARK = "coderoom-exit:";
    static final long STOP_RETRY_MS = 20;

    final Object writeLock = new Object();
    final OutputStream control;
    final LinkedBlockingQueue<Map<String, Object>> work = new LinkedBlockingQueue<>();
    final StdinStream stdin = new StdinStream();
    final PrintStream realOut = System.out;
    final PrintStream realErr = System.err;
    final Engine engine = new Engine();
    JShell shell;

    // Interrupt bookkeeping, guarded by `this` (state machine in the header comment).
    long received;
    long answered;
    long armed; // ticket of the eval being compiled or run, 0 when none
    boolean running; // student code runs now (between the engine's enter and leave)
    boolean entered; // student code of the armed cell has started (its first snippet ran)
    long early; // an interrupt message came before its eval was armed
    long stopTicket; // the cell the stopper works on, 0 when none
    boolean stopped; // the armed cell was asked to stop
    // Java starts a new thread for each signal, after the signal: a handler thread created before
    // the cell was armed (a lower thread id; ids count up at construction) carries a SIGINT that
    // came before the cell and is stale. Sampled at arming from a thread object never started.
    long armedThreadMark;
    static final String BARRIER_SIGNAL = "WINCH"; // > SIGINT, not used by the JVM, harmless
    static final long BARRIER_WAIT_MS = 1000;
    final Object barrierLock = new Object();
    long barriersSeen; // guarded by barrierLock
    Object barrierSignal; // a sun.misc.Signal, null without signal support
    java.lang.reflect.Method raise;

    JavaDriver() throws IOException {
        control = new FileOutputStream("/proc/self/fd/4");
    }

    public static void main(String[] args) throws Exception {
        new JavaDriver().serve();
    }

    void serve() throws Exception {
        System.setIn(stdin);
        blockExit();
        shell = JShell.builder().executionEngine(new EngineProvider(), Map.of()).build();
        warmUp();
        Thread stopper = new Thread(this::stopLoop, "stopper");
        stopper.setDaemon(true);
        stopper.start();
        Thread pump = new Thread(stdin::pump, "stdin");
        pump.setDaemon(true);
        pump.start();
        Thread reader = new Thread(this::readControl, "control");
        reader.setDaemon(true);
        reader.start();
        installSigint();
        Map<String, Object> ready = new LinkedHashMap<>();
        ready.put("op", "ready");
        ready.put("language", "java");
        ready.put("version", System.getProperty("java.version"));
        send(ready);
        for (;;) {
            Map<String, Object> message = work.take();
            if ("__eof".equals(message.get("op"))) break;
            handle(message);
        }
        System.out.flush();
        System.err.flush();
        Runtime.getRuntime().halt(0);
    }

    // JShell sets up its compiler on the first eval (seconds on a loaded machine): do it before
    // "ready", so the student's first cell is not charged for it against the eval time limit.
    void warmUp() {
        for (SnippetEvent event : shell.eval("int coderoomWarmUp = 0;")) {
            shell.drop(event.snippet());
        }
    }

    // ---- control channel --------------------------------------------------------------------
    void send(Map<String, Object> message) {
        byte[] line = (Json.write(message) + "\n").getBytes(StandardCharsets.UTF_8);
        synchronized (writeLock) {
            try {
                control.write(line);
                control.flush();
            } catch (IOException e) {
                Runtime.getRuntime().halt(0); // the server is gone
            }
        }
    }

    void readControl() {
        try (InputStream in = new FileInputStream("/proc/self/fd/3")) {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            byte[] chunk = new byte[65536];
            int count;
            while ((count = in.read(chunk)) > 0) {
                for (int i = 0; i < count; i++) {
                    if (chunk[i] != '\n') {
                        line.write(chunk[i]);
                        continue;
                    }
                    String text = line.toString(StandardCharsets.UTF_8);
                    line.reset();
                    if (!text.isBlank()) dispatch(text);
                }
            }
        } catch (IOException e) {
            // treated as EOF below
        }
        Map<String, Object> eof = new LinkedHashMap<>();
        eof.put("op", "__eof");
        work.add(eof);
    }

    void dispatch(String line) {
        Map<String, Object> message;
        try {
            message = Json.parseObject(line);
        } catch (IllegalArgumentException e) {
            Map<String, Object> error = new LinkedHashMap<>();
            error.put("op", "protocol_error");
            error.put("message", "bad control line: " + e.getMessage());
            send(error);
            return;
        }
        Object op = message.get("op");
        if ("ping".equals(op)) {
            Map<String, Object> pong = new LinkedHashMap<>();
            pong.put("op", "pong");
            pong.put("seq", message.get("seq"));
            send(pong);
        } else if ("interrupt".equals(op)) {
            interruptOldest();
        } else {
            if ("eval".equals(op)) {
                synchronized (this) {
                    message.put("__ticket", ++received);
                }
            }
            work.add(message);
        }
    }

    synchronized void interruptOldest() {
        long oldest = answered + 1;
        if (oldest > received) return;
        if (armed == oldest) {
            requestStop();
        } else {
            early = oldest;
        }
    }

    // Guarded by `this`.
    void requestStop() {
        stopped = true;
        stopTicket = armed;
        notifyAll();
    }

    // The "stopper" thread: stops the snippet threads of the cell asked to stop, again every
    // STOP_RETRY_MS while that cell's student code runs (see the header comment).
    void stopLoop() {
        synchronized (this) {
            for (;;) {
                try {
                    if (stopTicket != 0 && stopTicket == armed && running) {
                        engine.stop();
                        wait(STOP_RETRY_MS);
                    } else {
                        wait();
                    }
                } catch (InterruptedException e) {
                    return;
                } catch (ExecutionControl.ExecutionControlException e) {
                    realErr.println("coderoom driver: stop failed: " + e);
                }
            }
        }
    }

    synchronized void codeEntered() {
        running = true;
        entered = true;
        notifyAll();
    }

    synchronized void codeLeft() {
        running = false;
    }

    // A SIGINT from the server: stop the running eval; dropped when none runs (the JVM would
    // otherwise exit). Through reflection: sun.misc.Signal is in jdk.unsupported and naming it
    // makes the in-memory compile warn on every start.
    void installSigint() {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handler = Class.forName("sun.misc.SignalHandler");
            signal.getMethod("handle", signal, handler).invoke(null,
                    signal.getConstructor(String.class).newInstance("INT"),
                    signalHandler(handler, this::stopRunning));
            barrierSignal = signal.getConstructor(String.class).newInstance(BARRIER_SIGNAL);
            signal.getMethod("handle", signal, handler).invoke(null, barrierSignal,
                    signalHandler(handler, this::barrierReached));
            raise = signal.getMethod("raise", signal);
        } catch (ReflectiveOperationException | RuntimeException e) {
            realErr.println("coderoom driver: no SIGINT handler (" + e + "); use the message");
            barrierSignal = null;
        }
    }

    static Object signalHandler(Class<?> handler, Runnable action) {
        return java.lang.reflect.Proxy.newProxyInstance(handler.getClassLoader(),
                new Class<?>[] {handler}, (p, m, a) -> {
                    if ("handle".equals(m.getName())) action.run();
                    return null;
                });
    }

    void barrierReached() {
        synchronized (barrierLock) {
            barriersSeen++;
            barrierLock.notifyAll();
        }
    }

    // Before a cell is armed: every SIGINT that reached the process before this point gets its
    // handler thread created first. The JVM dispatches pending signals lowest number first, so
    // once our own BARRIER_SIGNAL (raised now) is handled, an earlier SIGINT (2) has been
    // dispatched; its handler thread then has a lower id than the mark taken after this.
    void awaitSignalBarrier() {
        if (barrierSignal == null) return;
        long want;
        synchronized (barrierLock) {
            want = barriersSeen + 1;
        }
        try {
            raise.invoke(null, barrierSignal);
            long deadline = System.nanoTime() + BARRIER_WAIT_MS * 1_000_000L;
            synchronized (barrierLock) {
                while (barriersSeen < want) {
                    long left = (deadline - System.nanoTime()) / 1_000_000L;
                    if (left <= 0) break; // a slow dispatcher must not hold up the cell
                    barrierLock.wait(left);
                }
            }
        } catch (ReflectiveOperationException | InterruptedException e) {
            // no barrier this time: the thread-id check alone
        }
    }

    synchronized void stopRunning() {
        if (armed != 0 && entered && Thread.currentThread().getId() > armedThreadMark)
            requestStop();
    }

    synchronized boolean isArmed() {
        return armed != 0;
    }

    // System.exit in a cell would end the whole session: a security manager turns it into an
    // exception instead. JDK 17 prints a deprecation warning on System.err when one is set;
    // that warning is for us, not the student, so it goes nowhere.
    @SuppressWarnings("removal")
    void blockExit() {
        PrintStream err = System.err;
        try {
            System.setErr(new PrintStream(OutputStream.nullOutputStream()));
            System.setSecurityManager(new SecurityManager() {
                @Override
                public void checkPermission(Permission perm) {
                    if (perm.getName().startsWith("exitVM") && isArmed()) {
                        // "exitVM.3" -> "coderoom-exit:3"
                        throw new SecurityException(EXIT_MARK + perm.getName().substring(7));
                    }
                }

                @Override
                public void checkPermission(Permission perm, Object context) {
                    checkPermission(perm);
                }
            });
        } catch (UnsupportedOperationException | SecurityException e) {
            // -Djava.security.manager=disallow: System.exit then ends the session (a crash).
        } finally {
            System.setErr(err);
        }
    }

    // ---- evals ------------------------------------------------------------------------------
    void handle(Map<String, Object> message) {
        Object op = message.get("op");
        Object seq = message.get("seq");
        if ("eval".equals(op)) {
            long ticket = (Long) message.get("__ticket");
            Map<String, Object> reply = result(seq, "error", null, "driver failure");
            try {
                reply = evaluate(seq, ticket, message);
            } finally {
                synchronized (this) {
                    answered = ticket;
                }
                send(reply);
            }
        } else if ("complete".equals(op)) {
            Object code = message.get("code");
            String text = code instanceof String ? (String) code : "";
            Object cursor = message.get("cursor");
            int at = cursor instanceof Long ? (int) Math.max(0, Math.min(text.length(),
                    (Long) cursor)) : text.length();
            complete(seq, text, at);
        } else {
            send(result(seq, "error", null, "unknown op: " + op));
        }
    }

    static Map<String, Object> result(Object seq, String status, String value, String message) {
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("op", "result");
        reply.put("seq", seq);
        reply.put("status", status);
        if (value != null) reply.put("value", value);
        if (message != null) reply.put("message", message);
        return reply;
    }

    Map<String, Object> evaluate(Object seq, long ticket, Map<String, Object> message) {
        if (!(message.get("code") instanceof String)) {
            return result(seq, "error", null, "eval needs a string 'code'");
        }
        String code = (String) message.get("code");
        boolean silent = Boolean.TRUE.equals(message.get("silent"));
        List<String> inputs = null;
        if (silent) {
            inputs = new ArrayList<>();
            if (message.get("inputs") instanceof List<?> list) {
                for (Object item : list) inputs.add(String.valueOf(item));
            }
        }
        // Split the cell into snippets first: an incomplete one means nothing runs.
        List<String> snippets = new ArrayList<>();
        SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
        String rest = code;
        while (!rest.isBlank()) {
            SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(rest);
            switch (info.completeness()) {
                case DEFINITELY_INCOMPLETE:
                case CONSIDERED_INCOMPLETE:
                    return result(seq, "incomplete", null, "incomplete input");
                case EMPTY:
                    rest = "";
                    continue;
                default:
                    break;
            }
            String source = info.source() != null ? info.source() : rest;
            snippets.add(source);
            rest = info.source() != null ? info.remaining() : "";
        }
        stdin.begin(seq, silent, inputs);
        if (silent) {
            System.setOut(new PrintStream(OutputStream.nullOutputStream()));
            System.setErr(new PrintStream(OutputStream.nullOutputStream()));
        }
        StringBuilder errors = new StringBuilder();
        String value = null;
        try {
            awaitSignalBarrier();
            final long threadMark = new Thread(() -> {}).getId();
            synchronized (this) {
                armed = ticket;
                armedThreadMark = threadMark;
                stopped = early == ticket;
                stopTicket = stopped ? ticket : 0;
                entered = false;
            }
            for (String snippet : snippets) {
                if (isStopped()) break;
                value = null;
                for (SnippetEvent event : shell.eval(snippet)) {
                    if (event.causeSnippet() != null) continue; // knock-on updates
                    String problem = describeFailure(event);
                    if (problem != null) {
                        errors.append(problem);
                    } else if (event.snippet().subKind()
                            == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND
                            || event.snippet().kind() == Snippet.Kind.EXPRESSION) {
                        value = event.value();
                    }
                }
                if (errors.length() > 0) break;
            }
        } finally {
            synchronized (this) {
                armed = 0;
                stopTicket = 0;
            }
            System.out.flush();
            System.err.flush();
            if (silent) {
                System.setOut(realOut);
                System.setErr(realErr);
            }
            stdin.end();
        }
        if (isStopped()) {
            errors.setLength(0);
            errors.append("interrupted: the cell was stopped; the session keeps its state\n");
        }
        if (errors.length() > 0) {
            if (!silent) {
                realErr.print(errors);
                realErr.flush();
            }
            return result(seq, "error", null, errors.toString());
        }
        if (value != null && value.length() > MAX_VALUE_CHARS) {
            value = value.substring(0, MAX_VALUE_CHARS) + "... ["
                    + (value.length() - MAX_VALUE_CHARS) + " more characters]";
        }
        return result(seq, "ok", value, null);
    }

    synchronized boolean isStopped() {
        return stopped;
    }

    String describeFailure(SnippetEvent event) {
        StringBuilder text = new StringBuilder();
        if (event.status() == Snippet.Status.REJECTED) {
            shell.diagnostics(event.snippet()).forEach(diag -> appendDiag(text, event, diag));
            if (text.length() == 0) text.append("error: rejected: ").append(
                    event.snippet().source().strip()).append('\n');
            return text.toString();
        }
        Throwable failure = event.exception();
        if (failure == null) return null;
        if (failure instanceof UnresolvedReferenceException unresolved) {
            return "error: " + unresolved.getSnippet().source().strip()
                    + " refers to something not defined yet\n";
        }
        if (failure instanceof EvalException eval) {
            String name = eval.getExceptionClassName();
            String why = eval.getMessage();
            if ("java.lang.SecurityException".equals(name) && why != null
                    && why.startsWith(EXIT_MARK)) {
                return "System.exit(" + why.substring(EXIT_MARK.length())
                        + ") was called; the session keeps running with its state\n";
            }
            text.append("Exception ").append(name);
            if (eval.getMessage() != null) text.append(": ").append(eval.getMessage());
            text.append('\n');
            for (StackTraceElement frame : eval.getStackTrace()) {
                String file = frame.getFileName() == null ? "" : frame.getFileName();
                // Frames of the student's snippets are named "#<snippet id>"; the rest of the
                // stack below them is JShell's and the driver's machinery.
                if (!file.startsWith("#") && frame.getClassName().startsWith("jdk.")) continue;
                if (frame.getClassName().contains("JavaDriver")) continue;
                if (frame.getClassName().startsWith("java.lang.reflect")
                        || frame.getClassName().startsWith("jdk.internal")) continue;
                String method = frame.getClassName().isEmpty() ? frame.getMethodName()
                        : frame.getClassName() + "." + frame.getMethodName();
                text.append("  at ").append(method.isEmpty() ? "(cell)" : method).append(" (")
                        .append(file).append(':').append(frame.getLineNumber()).append(")\n");
            }
            return text.toString();
        }
        if (failure.getClass().getSimpleName().equals("StoppedException") || isStopped()) {
            return "interrupted\n";
        }
        return failure + "\n";
    }

    static void appendDiag(StringBuilder text, SnippetEvent event, Diag diag) {
        String source = event.snippet().source();
        long at = Math.max(0, Math.min(source.length(), diag.getStartPosition()));
        int line = 1;
        for (int i = 0; i < at; i++) {
            if (source.charAt(i) == '\n') line++;
        }
        text.append(diag.isError() ? "error: " : "warning: ")
                .append(diag.getMessage(null).replace("\n", "\n  ")).append(" (line ")
                .append(line).append(")\n");
    }

    void complete(Object seq, String code, int cursor) {
        String before = code.substring(0, cursor);
        int start = cursor;
        while (start > 0 && (Character.isJavaIdentifierPart(before.charAt(start - 1))
                || before.charAt(start - 1) == '.')) {
            start--;
        }
        int[] anchor = new int[1];
        LinkedHashSet<String> items = new LinkedHashSet<>();
        try {
            for (SourceCodeAnalysis.Suggestion s :
                    shell.sourceCodeAnalysis().completionSuggestions(before, cursor, anchor)) {
                // JShell anchors after the dot; items replace code[start:cursor] instead.
                String item = before.substring(Math.min(start, anchor[0]), anchor[0])
                        + s.continuation();
                if (items.size() < MAX_COMPLETIONS) items.add(item);
            }
        } catch (RuntimeException e) {
            // no items
        }
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("op", "completions");
        reply.put("seq", seq);
        reply.put("items", new ArrayList<>(items));
        reply.put("start", (long) Math.min(start, anchor[0]));
        send(reply);
    }

    // ---- execution engine ---------------------------------------------------------------
    // JShell's local engine, told to report when student code enters and leaves.
    final class Engine extends LocalExecutionControl {
        @Override
        protected void clientCodeEnter() {
            super.clientCodeEnter();
            codeEntered();
        }

        @Override
        protected void clientCodeLeave() {
            super.clientCodeLeave();
            codeLeft();
        }
    }

    final class EngineProvider implements ExecutionControlProvider {
        @Override
        public String name() {
            return "coderoom";
        }

        @Override
        public ExecutionControl generate(ExecutionEnv env, Map<String, String> parameters) {
            return engine;
        }
    }

    // ---- stdin ------------------------------------------------------------------------------
    // System.in for the student: served from the pump's queue (or the replay inputs); reports
    // consumed bytes as input messages and announces input_wait before it waits.
    final class StdinStream extends InputStream {
        final LinkedBlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();
        byte[] buffer = new byte[0];
        int position;
        boolean endOfInput;
        Object seq;
        boolean silent;
        List<String> replay;
        byte[] replayBuffer = new byte[0];
        int replayPosition;

        void pump() {
            byte[] chunk = new byte[65536];
            try (FileInputStream in = new FileInputStream(java.io.FileDescriptor.in)) {
                int count;
                while ((count = in.read(chunk)) > 0) {
                    chunks.add(java.util.Arrays.copyOf(chunk, count));
                }
            } catch (IOException e) {
                // end of input
            }
            chunks.add(new byte[0]);
        }

        synchronized void begin(Object evalSeq, boolean evalSilent, List<String> inputs) {
            seq = evalSeq;
            silent = evalSilent;
            replay = inputs;
            replayBuffer = new byte[0];
            replayPosition = 0;
        }

        synchronized void end() {
            replay = null;
            silent = false;
        }

        @Override
        public synchronized int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public synchronized int read(byte[] target, int offset, int length) throws IOException {
            if (length == 0) return 0;
            if (replay != null) return readReplay(target, offset, length);
            if (silent) return -1;
            if (position >= buffer.length && !fill()) return -1;
            int count = Math.min(length, buffer.length - position);
            System.arraycopy(buffer, position, target, offset, count);
            position += count;
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("op", "input");
            report.put("seq", seq);
            report.put("data", new String(target, offset, count, StandardCharsets.UTF_8));
            send(report);
            return count;
        }

        @Override
        public synchronized int available() {
            if (replay != null) return replayBuffer.length - replayPosition;
            return buffer.length - position;
        }

        private int readReplay(byte[] target, int offset, int length) {
            while (replayPosition >= replayBuffer.length) {
                if (replay.isEmpty()) return -1;
                replayBuffer = replay.remove(0).getBytes(StandardCharsets.UTF_8);
                replayPosition = 0;
            }
            int count = Math.min(length, replayBuffer.length - replayPosition);
            System.arraycopy(replayBuffer, replayPosition, target, offset, count);
            replayPosition += count;
            return count;
        }

        private boolean fill() throws IOException {
            if (endOfInput) return false;
            byte[] next = chunks.poll();
            if (next == null) {
                Map<String, Object> wait = new LinkedHashMap<>();
                wait.put("op", "input_wait");
                wait.put("seq", seq);
                send(wait);
                try {
                    // Waiting in a queue, not in a native read, so a stop can end it. ThreadDeath,
                    // not an IOException: student code that catches IOException and reads again
                    // would never stop.
                    while ((next = chunks.poll(STOP_RETRY_MS, TimeUnit.MILLISECONDS)) == null) {
                        if (isStopped()) throw new ThreadDeath();
                    }
                } catch (InterruptedException e) {
                    if (isStopped()) throw new ThreadDeath();
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted");
                }
            }
            if (next.length == 0) {
                endOfInput = true;
                return false;
            }
            buffer = next;
            position = 0;
            return true;
        }
    }

    // ---- JSON: the small subset the control channel uses ------------------------------------
    static final class Json {
        final String text;
        int at;

        Json(String text) {
            this.text = text;
        }

        @SuppressWarnings("unchecked")
        static Map<String, Object> parseObject(String text) {
            Json parser = new Json(text);
            Object value = parser.value();
            parser.skipSpace();
            if (!(value instanceof Map) || parser.at != text.length()) {
                throw new IllegalArgumentException("a control line must be one JSON object");
            }
            return (Map<String, Object>) value;
        }

        Object value() {
            skipSpace();
            if (at >= text.length()) throw new IllegalArgumentException("unexpected end");
            char c = text.charAt(at);
            if (c == '{') return object();
            if (c == '[') return array();
            if (c == '"') return string();
            if (text.startsWith("true", at)) return literal(4, Boolean.TRUE);
            if (text.startsWith("false", at)) return literal(5, Boolean.FALSE);
            if (text.startsWith("null", at)) return literal(4, null);
            return number();
        }

        Object literal(int length, Object value) {
            at += length;
            return value;
        }

        Map<String, Object> object() {
            Map<String, Object> map = new LinkedHashMap<>();
            at++;
            skipSpace();
            if (peek() == '}') {
                at++;
                return map;
            }
            for (;;) {
                skipSpace();
                String key = string();
                skipSpace();
                expect(':');
                map.put(key, value());
                skipSpace();
                if (peek() == ',') {
                    at++;
                    continue;
                }
                expect('}');
                return map;
            }
        }

        List<Object> array() {
            List<Object> list = new ArrayList<>();
            at++;
            skipSpace();
            if (peek() == ']') {
                at++;
                return list;
            }
            for (;;) {
                list.add(value());
                skipSpace();
                if (peek() == ',') {
                    at++;
                    continue;
                }
                expect(']');
                return list;
            }
        }

        String string() {
            expect('"');
            StringBuilder out = new StringBuilder();
            for (;;) {
                if (at >= text.length()) throw new IllegalArgumentException("unterminated string");
                char c = text.charAt(at++);
                if (c == '"') return out.toString();
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                char e = text.charAt(at++);
                switch (e) {
                    case 'n' -> out.append('\n');
                    case 't' -> out.append('\t');
                    case 'r' -> out.append('\r');
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'u' -> {
                        out.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
                        at += 4;
                    }
                    default -> out.append(e);
                }
            }
        }

        Object number() {
            int begin = at;
            while (at < text.length() && "+-0123456789.eE".indexOf(text.charAt(at)) >= 0) at++;
            String digits = text.substring(begin, at);
            if (digits.isEmpty()) throw new IllegalArgumentException("bad value at " + begin);
            try {
                return Long.parseLong(digits);
            } catch (NumberFormatException e) {
                return Double.parseDouble(digits);
            }
        }

        char peek() {
            return at < text.length() ? text.charAt(at) : '\0';
        }

        void expect(char c) {
            if (peek() != c) throw new IllegalArgumentException("expected '" + c + "' at " + at);
            at++;
        }

        void skipSpace() {
            while (at < text.length() && Character.isWhitespace(text.charAt(at))) at++;
        }

        static String write(Object value) {
            StringBuilder out = new StringBuilder();
            write(out, value);
            return out.toString();
        }

        static void write(StringBuilder out, Object value) {
            if (value == null) {
                out.append("null");
            } else if (value instanceof String s) {
                out.append('"');
                for (int i = 0; i < s.length(); i++) {
                    char c = s.charAt(i);
                    switch (c) {
                        case '"' -> out.append("\\\"");
                        case '\\' -> out.append("\\\\");
                        case '\n' -> out.append("\\n");
                        case '\r' -> out.append("\\r");
                        case '\t' -> out.append("\\t");
                        default -> {
                            if (c < 0x20 || Character.isSurrogate(c)) {
                                out.append(String.format("\\u%04x", (int) c));
                            } else {
                                out.append(c);
                            }
                        }
                    }
                }
                out.append('"');
            } else if (value instanceof Map<?, ?> map) {
                out.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> entry : map.entrySet()) {
                    if (String.valueOf(entry.getKey()).startsWith("__")) continue;
                    if (!first) out.append(',');
                    first = false;
                    write(out, String.valueOf(entry.getKey()));
                    out.append(':');
                    write(out, entry.getValue());
                }
                out.append('}');
            } else if (value instanceof List<?> list) {
                out.append('[');
                for (int i = 0; i < list.size(); i++) {
                    if (i > 0) out.append(',');
                    write(out, list.get(i));
                }
                out.append(']');
            } else {
                out.append(value);
            }
        }
    }
}
