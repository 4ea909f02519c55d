'use strict';
// Coderoom REPL driver for JavaScript: one long-lived interpreter session.
//
// Run as `/usr/bin/node js_driver.js` with the control channel on fd 3 (JSON lines in) and
// fd 4 (JSON lines out); fds 0/1/2 belong to the student's program. Contract: docs/drivers.md.
// Node APIs used exist in both Node 18 (Debian 12) and Node 20.
//
// Threads: the main thread runs cells one at a time. Node cannot read fd 3 while a cell spins,
// so a worker thread owns fd 3: it answers ping at once, turns "interrupt" into SIGINT (which
// `breakOnSigint` turns into the end of the running script) and posts everything else to the
// main thread, which handles the messages in order. Both threads write fd 4 under a lock in a
// SharedArrayBuffer so lines never interleave.
//
// Persistence: every cell is a classic `vm.Script` run in ONE context. V8 keeps top-level
// let/const/class bindings of all scripts of a context in a shared script scope, so they persist
// across cells with their real semantics (const stays const). As in node's own REPL,
// declaring the same let/const/class name again in a later cell is a SyntaxError; `var` and
// function declarations may be repeated.

const EventEmitter = require('events');
const fs = require('fs');
const path = require('path');
const util = require('util');
const vm = require('vm');
const { Worker, isMainThread, parentPort, workerData } = require('worker_threads');

const CONTROL_IN_FD = 3;
const CONTROL_OUT_FD = 4;
const MAX_VALUE_CHARS = 100000;
const MAX_COMPLETIONS = 200;

// Shared state layout (Int32Array over a SharedArrayBuffer).
const LOCK = 0; // fd 4 write lock: 0 free, 1 main thread, 2 worker
const ARMED = 1; // ticket of the cell whose student code runs now, 0 when none
const EARLY = 2; // ticket of an eval that an interrupt message reached before it started
const ANSWERED = 3; // tickets up to this one have their result out
const RECEIVED = 4; // tickets handed out so far (worker side)
const SLOTS = 5;

function sleepMs(shared, ms) {
    Atomics.wait(shared, SLOTS, 0, ms);
}

function lock(shared, owner) {
    while (Atomics.compareExchange(shared, LOCK, 0, owner) !== 0) {
        Atomics.wait(shared, LOCK, Atomics.load(shared, LOCK), 5);
    }
}

function unlock(shared) {
    Atomics.store(shared, LOCK, 0);
    Atomics.notify(shared, LOCK, 1);
}

// Writes all of `data` to fd, also when the fd was made non-blocking by someone else.
function writeAll(shared, fd, data) {
    let buffer = Buffer.isBuffer(data) ? data : Buffer.from(String(data), 'utf8');
    while (buffer.length > 0) {
        let written = 0;
        try {
            written = fs.writeSync(fd, buffer, 0, buffer.length);
        } catch (err) {
            if (err.code === 'EAGAIN') {
                sleepMs(shared, 1);
                continue;
            }
            if (err.code === 'EINTR') continue;
            throw err;
        }
        buffer = buffer.subarray(written);
    }
}

function sendControl(shared, owner, message) {
    const line = JSON.stringify(message) + '\n';
    lock(shared, owner);
    try {
        writeAll(shared, CONTROL_OUT_FD, line);
    } finally {
        unlock(shared);
    }
}

// ---------------------------------------------------------------------------------------------
// Worker: owns fd 3.
function runControlReader() {
    const shared = workerData.shared;
    const chunk = Buffer.alloc(65536);
    let pending = '';
    const decoder = new util.TextDecoder('utf-8');
    for (;;) {
        let count = 0;
        try {
            count = fs.readSync(CONTROL_IN_FD, chunk, 0, chunk.length, null);
        } catch (err) {
            if (err.code === 'EINTR') continue;
            if (err.code === 'EAGAIN') {
                sleepMs(shared, 5);
                continue;
            }
            count = 0;
        }
        if (count === 0) {
            parentPort.postMessage({ op: '__eof' });
            return;
        }
        pending += decoder.decode(chunk.subarray(0, count), { stream: true });
        let newline;
        while ((newline = pending.indexOf('\n')) >= 0) {
            const line = pending.slice(0, newline);
            pending = pending.slice(newline + 1);
            if (line.trim()) dispatch(shared, line);
        }
    }
}

function dispatch(shared, line) {
    let message;
    try {
        message = JSON.parse(line);
        if (message === null || typeof message !== 'object' || Array.isArray(message)) {
            throw new Error('a control line must be a JSON object');
        }
    } catch (err) {
        const text = `bad control line: ${err.message}`;
        sendControl(shared, 2, { op: 'protocol_error', message: text });
        return;
    }
    if (message.op === 'ping') {
        const seq = message.seq === undefined ? null : message.seq;
        sendControl(shared, 2, { op: 'pong', seq });
    } else if (message.op === 'interrupt') {
        interruptOldest(shared);
    } else {
        if (message.op === 'eval') message.__ticket = Atomics.add(shared, RECEIVED, 1) + 1;
        parentPort.postMessage(message);
    }
}

// The interrupt belongs to the oldest unanswered eval: stop it if it runs, or mark it so it
// stops as soon as it starts. Whoever takes the EARLY mark back (compareExchange) acts on it,
// so the eval is interrupted once whether it started before or after this point.
function interruptOldest(shared) {
    const oldest = Atomics.load(shared, ANSWERED) + 1;
    if (oldest > Atomics.load(shared, RECEIVED)) return; // nothing outstanding: nothing to stop
    if (Atomics.load(shared, ARMED) === oldest) {
        signalUntilStopped(shared, oldest);
        return;
    }
    Atomics.store(shared, EARLY, oldest);
    if (Atomics.load(shared, ARMED) === oldest &&
        Atomics.compareExchange(shared, EARLY, oldest, 0) === oldest) {
        signalUntilStopped(shared, oldest);
    }
}

function signalUntilStopped(shared, ticket) {
    // One signal: ARMED is only set while the SIGINT watchdog of the cell is active (see
    // Session.run), so it cannot be lost; a second one could land on the next cell.
    if (Atomics.load(shared, ARMED) === ticket) process.kill(process.pid, 'SIGINT');
}

// ---------------------------------------------------------------------------------------------
// Main thread: the session.

class ExitRequest {
    constructor(code) {
        this.code = code;
    }
}

class InterruptedRead {}

const KEYWORDS = ['await', 'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger',
    'default', 'delete', 'do', 'else', 'export', 'extends', 'false', 'finally', 'for', 'function',
    'if', 'import', 'in', 'instanceof', 'let', 'new', 'null', 'return', 'static', 'super',
    'switch', 'this', 'throw', 'true', 'try', 'typeof', 'undefined', 'var', 'void', 'while',
    'with', 'yield'];

class Session {
    constructor(shared) {
        this.shared = shared;
        this.seq = null;
        this.ticket = 0;
        this.silent = false;
        this.replay = null; // recorded inputs while replaying, else null
        this.stdinText = ''; // read from fd 0, not consumed yet
        this.replayText = '';
        this.stdinDecoder = new util.TextDecoder('utf-8');
        this.lexicalNames = new Set();
        this.runner = new vm.Script('__coderoomRun()', { filename: __filename });
        this.context = vm.createContext(this.makeGlobals(), {
            name: 'coderoom',
            // Promise jobs run before the cell's result, so their output belongs to the cell.
            microtaskMode: 'afterEvaluate',
        });
    }

    makeGlobals() {
        const session = this;
        // An EventEmitter because console.Console listens on its streams.
        const out = (fd) => Object.assign(new EventEmitter(), {
            write(chunk, encoding, callback) {
                if (!session.silent) writeAll(session.shared, fd, chunk);
                if (typeof encoding === 'function') encoding();
                else if (typeof callback === 'function') callback();
                return true;
            },
            isTTY: false,
            fd,
        });
        const stdout = out(1);
        const stderr = out(2);
        // console and process.stdout write synchronously with fs.writeSync: node's own pipe
        // streams may queue a write, which would then land after the cell's result line.
        const studentConsole = new console.Console({ stdout, stderr });
        const studentProcess = Object.create(process, {
            stdout: { value: stdout },
            stderr: { value: stderr },
            exit: { value: (code) => { throw new ExitRequest(code === undefined ? 0 : code); } },
        });
        const input = (prompt) => session.input(prompt);
        const cwdRequire = require('module').createRequire(path.join(process.cwd(), 'repl.js'));
        return {
            console: studentConsole, process: studentProcess, require: cwdRequire,
            input, prompt: input, Buffer, URL, URLSearchParams, TextEncoder: util.TextEncoder,
            TextDecoder: util.TextDecoder, setTimeout, clearTimeout, setInterval, clearInterval,
            setImmediate, clearImmediate, queueMicrotask, structuredClone,
        };
    }

    send(message) {
        sendControl(this.shared, 1, message);
    }

    // ---- stdin ------------------------------------------------------------------------------
    // input(prompt): one line without its newline, null at end of input (like the browser's
    // prompt() on cancel). Reports what it consumed so the server can replay it.
    input(prompt) {
        if (prompt !== undefined && prompt !== null) {
            const text = String(prompt);
            if (text && !this.silent) writeAll(this.shared, 1, text);
        }
        const line = this.readLine();
        if (line === null) return null;
        return line.endsWith('\n') ? line.slice(0, -1) : line;
    }

    readLine() {
        for (;;) {
            const buffered = this.replay !== null ? this.replayText : this.stdinText;
            const newline = buffered.indexOf('\n');
            if (newline >= 0) return this.consume(newline + 1);
            if (!this.fill()) return buffered.length > 0 ? this.consume(buffered.length) : null;
        }
    }

    consume(count) {
        if (this.replay !== null) {
            const text = this.replayText.slice(0, count);
            this.replayText = this.replayText.slice(count);
            return text;
        }
        const text = this.stdinText.slice(0, count);
        this.stdinText = this.stdinText.slice(count);
        if (text && !this.silent) this.send({ op: 'input', seq: this.seq, data: text });
        return text;
    }

    fill() {
        if (this.replay !== null) {
            if (this.replay.length === 0) return false;
            this.replayText += String(this.replay.shift());
            return true;
        }
        if (this.silent) return false;
        const chunk = Buffer.alloc(65536);
        let announced = false;
        let pauseMs = 1;
        for (;;) {
            const count = this.readStdinNow(chunk);
            if (count === 0) {
                this.stdinText += this.stdinDecoder.decode();
                return false;
            }
            if (count > 0) {
                const text = this.stdinDecoder.decode(chunk.subarray(0, count), { stream: true });
                if (text) {
                    this.stdinText += text;
                    return true;
                }
                continue; // part of a multi-byte character: read on
            }
            if (!announced) {
                this.send({ op: 'input_wait', seq: this.seq });
                announced = true;
            }
            // Waiting in short naps, not in a blocking read: between naps JavaScript runs, so
            // the SIGINT watchdog's TerminateExecution ends the cell. A blocking read would only
            // break if the signal happened to land on the main thread.
            sleepMs(this.shared, pauseMs);
            pauseMs = Math.min(pauseMs * 2, 20);
        }
    }

    // One read of stdin that never blocks when stdin is a pipe: bytes read (0 at EOF), or -1
    // when nothing is there yet. Node has no poll/select for a synchronous caller, so a pipe is
    // opened a second time through /proc with O_NONBLOCK (a new open file description: fd 0's
    // own flags, shared with the server, stay untouched).
    readStdinNow(chunk) {
        if (this.stdinFd === undefined) {
            this.stdinFd = -1;
            try {
                if (fs.fstatSync(0).isFIFO()) {
                    this.stdinFd = fs.openSync('/proc/self/fd/0',
                        fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
                }
            } catch (err) {
                this.stdinFd = -1;
            }
        }
        const fd = this.stdinFd >= 0 ? this.stdinFd : 0;
        try {
            return fs.readSync(fd, chunk, 0, chunk.length, null);
        } catch (err) {
            if (err.code === 'EAGAIN') return -1;
            if (err.code === 'EINTR') throw new InterruptedRead();
            throw err;
        }
    }

    // ---- eval -------------------------------------------------------------------------------
    compile(code, filename) {
        // Like node's REPL: `{ a: 1 }` alone is an object literal, not a block.
        if (/^\s*{/.test(code) && !/;\s*$/.test(code)) {
            try {
                return new vm.Script(`(${code}\n)`, { filename });
            } catch (err) {
                // not an expression: compile it as written
            }
        }
        return new vm.Script(code, { filename });
    }

    static isIncomplete(err) {
        return err && err.name === 'SyntaxError' &&
            /^(Unexpected end of input|Unterminated template literal)/.test(err.message);
    }

    run(seq, code) {
        const filename = `<cell ${seq}>`;
        let script;
        try {
            script = this.compile(code, filename);
        } catch (err) {
            if (Session.isIncomplete(err)) return { status: 'incomplete', message: err.message };
            return this.failure(err, true);
        }
        let value;
        // The cell runs inside a tiny outer script so that ARMED is set and cleared only while
        // the outer script's SIGINT watchdog is active: a SIGINT sent because of ARMED can then
        // neither be lost before the watchdog starts nor be left pending for the next cell.
        const shared = this.shared;
        const ticket = this.ticket;
        this.context.__coderoomRun = () => {
            Atomics.store(shared, ARMED, ticket);
            try {
                if (Atomics.compareExchange(shared, EARLY, ticket, 0) === ticket) {
                    throw new InterruptedRead();
                }
                return script.runInContext(this.context, { displayErrors: false });
            } finally {
                Atomics.store(shared, ARMED, 0);
            }
        };
        try {
            value = this.runner.runInContext(this.context,
                { breakOnSigint: true, displayErrors: false });
        } catch (err) {
            return this.failure(err, false);
        } finally {
            Atomics.store(this.shared, ARMED, 0);
        }
        this.rememberDeclarations(code);
        if (value === undefined) return { status: 'ok' };
        let text = util.inspect(value, { depth: 2, colors: false, maxStringLength: 10000 });
        if (text.length > MAX_VALUE_CHARS) {
            text = `${text.slice(0, MAX_VALUE_CHARS)}... [${text.length - MAX_VALUE_CHARS} more]`;
        }
        return { status: 'ok', value: text };
    }

    failure(err, compiling) {
        let text;
        if (err instanceof ExitRequest) {
            text = `process.exit(${util.inspect(err.code)}) was called; the session keeps ` +
                'running with its state\n';
        } else if (err instanceof InterruptedRead || isSigintTermination(err)) {
            text = 'Uncaught Error: interrupted (SIGINT); the session keeps its state\n';
        } else {
            text = (compiling ? '' : 'Uncaught ') + cleanStack(err) + '\n';
        }
        if (!this.silent) writeAll(this.shared, 2, text);
        return { status: 'error', message: text };
    }

    // Top-level let/const/class names are not properties of the global object, so completion
    // learns them from the cells that declared them.
    rememberDeclarations(code) {
        const re = /^(?:let|const|class)\s+([A-Za-z_$][\w$]*)/gm;
        let match;
        while ((match = re.exec(code)) !== null) this.lexicalNames.add(match[1]);
    }

    complete(code, cursor) {
        const before = code.slice(0, Math.max(0, Math.min(code.length, cursor)));
        const token = /[\w$.]*$/.exec(before)[0];
        const start = before.length - token.length;
        const dot = token.lastIndexOf('.');
        const names = new Set();
        let prefix = token;
        let head = '';
        if (dot >= 0) {
            head = token.slice(0, dot + 1);
            prefix = token.slice(dot + 1);
            const expression = token.slice(0, dot);
            // Only plain name chains are evaluated: completion must not call student code.
            if (/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/.test(expression)) {
                try {
                    const target = vm.runInContext(expression, this.context, { timeout: 200 });
                    for (let o = target; o != null; o = Object.getPrototypeOf(o)) {
                        for (const name of Object.getOwnPropertyNames(o)) names.add(name);
                    }
                } catch (err) {
                    // no such object: no items
                }
            }
        } else {
            const global = vm.runInContext('globalThis', this.context);
            for (const name of Object.getOwnPropertyNames(global)) names.add(name);
            for (const name of this.lexicalNames) names.add(name);
            for (const name of KEYWORDS) names.add(name);
        }
        const items = [...names]
            .filter((n) => n.startsWith(prefix) && /^[A-Za-z_$][\w$]*$/.test(n) &&
                !n.startsWith('__coderoom'))
            .sort().slice(0, MAX_COMPLETIONS).map((n) => head + n);
        return { start, items };
    }

    handle(message) {
        const seq = message.seq === undefined ? null : message.seq;
        if (message.op === 'eval') {
            this.ticket = message.__ticket;
            let reply = { op: 'result', seq, status: 'error', message: 'driver failure' };
            try {
                reply = this.evaluate(seq, message);
            } finally {
                // The result's ticket is answered before the line goes out: an interrupt the
                // server sends after seeing this result belongs to the next eval.
                Atomics.store(this.shared, ANSWERED, this.ticket);
                if (Atomics.load(this.shared, LOCK) === 1) unlock(this.shared);
                this.send(reply);
            }
        } else if (message.op === 'complete') {
            const code = typeof message.code === 'string' ? message.code : '';
            const cursor = Number.isInteger(message.cursor) ? message.cursor : code.length;
            const { start, items } = this.complete(code, cursor);
            this.send({ op: 'completions', seq, items, start });
        } else if (message.op === '__eof') {
            process.exit(0);
        } else {
            const text = `unknown op: ${message.op}`;
            this.send({ op: 'result', seq, status: 'error', message: text });
        }
    }

    evaluate(seq, message) {
        if (typeof message.code !== 'string') {
            return { op: 'result', seq, status: 'error', message: "eval needs a string 'code'" };
        }
        this.seq = seq;
        this.silent = message.silent === true;
        this.replay = this.silent && Array.isArray(message.inputs) ? message.inputs.slice() : null;
        let outcome;
        try {
            outcome = this.run(seq, message.code);
        } finally {
            this.silent = false;
            this.replay = null;
            this.replayText = '';
        }
        const reply = { op: 'result', seq, status: outcome.status };
        if (outcome.value !== undefined) reply.value = outcome.value;
        if (outcome.message !== undefined) reply.message = outcome.message;
        return reply;
    }
}

function isSigintTermination(err) {
    // No instanceof: the error may come from the context's realm.
    return err !== null && typeof err === 'object' &&
        err.code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED';
}

// The stack without the driver's and node's own frames; a syntax error keeps node's
// "file:line, source, caret" header.
function cleanStack(err) {
    // Not `instanceof Object`: errors thrown by a cell come from the context's realm.
    const isObject = err !== null && (typeof err === 'object' || typeof err === 'function');
    if (!isObject || typeof err.stack !== 'string') {
        return util.inspect(err, { depth: 2, colors: false });
    }
    const driverFile = __filename;
    return err.stack.split('\n').filter((line) => {
        if (!/^\s+at /.test(line)) return true;
        return !line.includes(driverFile) && !line.includes('node:') && !line.includes('(vm.js') &&
            !line.includes('internal/');
    }).join('\n');
}

function main() {
    const shared = new Int32Array(new SharedArrayBuffer(4 * (SLOTS + 1)));
    const session = new Session(shared);
    // Outside a cell (breakOnSigint replaces handlers while one runs) a SIGINT is dropped: it
    // has no order relative to the evals on fd 3.
    process.on('SIGINT', () => {});
    // Callbacks of timers and promises a cell left behind run between evals; their failures
    // are the student's output, not the end of the session (node would exit by default).
    process.on('uncaughtException', (err) => {
        writeAll(shared, 2, `Uncaught ${cleanStack(err)}\n`);
    });
    process.on('unhandledRejection', (reason) => {
        writeAll(shared, 2, `Uncaught (in promise) ${cleanStack(reason)}\n`);
    });
    const worker = new Worker(__filename, { workerData: { shared } });
    worker.on('message', (message) => session.handle(message));
    worker.on('error', (err) => {
        writeAll(shared, 2, `coderoom driver: control reader failed: ${err && err.stack}\n`);
        process.exit(70);
    });
    session.send({ op: 'ready', language: 'javascript', version: process.versions.node });
}

if (isMainThread) {
    main();
} else {
    runControlReader();
}
