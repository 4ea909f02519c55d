"""Coderoom REPL driver for Python: one long-lived interpreter session.

Run as `/usr/bin/python3 -I -S -u python_driver.py` with the control channel on fd 3
(JSON lines in, from the server) and fd 4 (JSON lines out, to the server). Fds 0/1/2 belong to
the student's program. The contract is in docs/drivers.md; in short:

    server -> driver  {"op":"eval","seq":N,"code":"...","silent":false,"inputs":[...]}
                      {"op":"complete","seq":N,"code":"...","cursor":K}
                      {"op":"ping","seq":N}  {"op":"interrupt"}
    driver -> server  {"op":"ready",...} {"op":"result",...} {"op":"input_wait",...}
                      {"op":"input",...} {"op":"completions",...} {"op":"pong",...}

Threads: the main thread runs cells one at a time, in order. A reader thread owns fd 3: it
answers ping at once (even while a cell runs), turns "interrupt" into SIGINT aimed at the main
thread and queues everything else for the main thread. SIGINT is blocked in the reader thread so
that a SIGINT sent by the server to the whole process always lands on the main thread, where it
breaks a blocking read of stdin as well as a busy loop.

Standard library only (the sandbox shows /usr and nothing else).
"""

import __future__
import ast
import builtins
import codecs
import codeop
import collections
import io
import json
import linecache
import os
import queue
import re
import rlcompleter
import select
import signal
import sys
import threading
import traceback
import types

CONTROL_IN_FD = 3
CONTROL_OUT_FD = 4
STDIN_FD = 0

# A value's repr longer than this is cut: the server has its own output limits, and a megabyte
# of repr in one JSON line helps nobody.
MAX_VALUE_CHARS = 100_000
MAX_COMPLETIONS = 200

_DRIVER_FILE = os.path.abspath(__file__)
_FUTURE_MASK = 0
for _name in __future__.all_feature_names:
    _FUTURE_MASK |= getattr(__future__, _name).compiler_flag


class ControlChannel:
    """Writes JSON lines to fd 4. Both threads write, so every line goes out under a lock and
    in full (a partial line would corrupt the stream for the server)."""

    def __init__(self, fd):
        self._fd = fd
        self._lock = threading.Lock()

    def send(self, message):
        # ensure_ascii=False keeps lines short for non-English text; 'replace' turns a lone
        # surrogate (possible in str values) into '?' rather than emitting invalid UTF-8.
        data = (json.dumps(message, ensure_ascii=False) + "\n").encode("utf-8", "replace")
        with self._lock:
            view = memoryview(data)
            while view:
                written = os.write(self._fd, view)
                view = view[written:]


class CellState:
    """What the SIGINT handler and the stdin reader need to know about the running cell."""

    def __init__(self):
        self.seq = None
        self.armed = False  # True only while student code runs: SIGINT means KeyboardInterrupt
        # An "interrupt" message that arrives after an eval was received but before its code
        # started (not armed) is kept for the oldest unanswered eval instead of being lost: the
        # server sent it after that eval, on the same channel. Evals are numbered by tickets of
        # our own (a seq need not be unique). The lock makes "arm, then look for an early
        # interrupt" atomic against the reader thread; it is reentrant because the SIGINT
        # handler runs on the main thread, possibly while the main thread holds it.
        self.lock = threading.RLock()
        self.tickets = collections.deque()  # evals received and not yet answered, oldest first
        self.ticket = None  # the eval being handled
        self.early_ticket = None
        # While the stdin reader writes a control line from inside a cell, a KeyboardInterrupt
        # could cut the line in half; the interrupt is held back and raised right after.
        self.deferring = False
        self.deferred = False
        self.silent = False
        self.replay = None  # list of recorded inputs in silent mode, else None


class DriverStdin(io.TextIOBase):
    """sys.stdin for student code: reads fd 0, tells the server when it is about to block
    (input_wait) and reports every piece of text the program consumed (input), so the server can
    record it and feed it back on replay. In silent (replay) mode it serves the recorded inputs
    and then EOF, never touching fd 0.

    Text the program has not consumed yet stays buffered here across cells, like a terminal's
    line buffer; only consumed text is reported, so a replay feeds each cell exactly what it
    read."""

    def __init__(self, channel, state):
        super().__init__()
        self._channel = channel
        self._state = state
        self._buffer = ""
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._eof = False
        self._replay_buffer = ""

    # --- io.TextIOBase interface -------------------------------------------------------------
    def readable(self):
        return True

    def isatty(self):
        return False

    def fileno(self):
        return STDIN_FD

    @property
    def encoding(self):
        return "utf-8"

    @property
    def errors(self):
        return "replace"

    def readline(self, size=-1):
        if size is None:
            size = -1
        while True:
            buf = self._current()
            newline = buf.find("\n")
            if newline >= 0 and (size < 0 or newline < size):
                return self._consume(newline + 1)
            if size >= 0 and len(buf) >= size:
                return self._consume(size)
            if not self._fill():
                return self._consume(len(self._current()))

    def read(self, size=-1):
        if size is None:
            size = -1
        while size < 0 or len(self._current()) < size:
            if not self._fill():
                break
        buf = self._current()
        return self._consume(len(buf) if size < 0 else min(size, len(buf)))

    def readlines(self, hint=-1):
        lines = []
        total = 0
        while True:
            line = self.readline()
            if not line:
                return lines
            lines.append(line)
            total += len(line)
            if 0 < hint <= total:
                return lines

    def __iter__(self):
        return self

    def __next__(self):
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    # --- internals ---------------------------------------------------------------------------
    def discard_replay(self):
        self._replay_buffer = ""

    def _current(self):
        return self._replay_buffer if self._state.replay is not None else self._buffer

    def _consume(self, count):
        if self._state.replay is not None:
            text, self._replay_buffer = self._replay_buffer[:count], self._replay_buffer[count:]
            return text
        text, self._buffer = self._buffer[:count], self._buffer[count:]
        if text and not self._state.silent:
            self._notify({"op": "input", "seq": self._state.seq, "data": text})
        return text

    def _notify(self, message):
        self._state.deferring = True
        try:
            self._channel.send(message)
        finally:
            self._state.deferring = False
        if self._state.deferred:
            self._state.deferred = False
            raise KeyboardInterrupt

    def _fill(self):
        """Adds text to the buffer; False at end of input. Blocks (interruptibly) on fd 0."""
        if self._state.replay is not None:
            if not self._state.replay:
                return False
            self._replay_buffer += str(self._state.replay.pop(0))
            return True
        if self._state.silent:
            return False  # silent without recorded inputs: nothing may block
        while True:
            ready, _, _ = select.select([STDIN_FD], [], [], 0)
            if not ready:
                self._notify({"op": "input_wait", "seq": self._state.seq})
            # A SIGINT here raises KeyboardInterrupt out of os.read (PEP 475 retries only when
            # the handler returns normally).
            data = os.read(STDIN_FD, 65536)
            if not data:
                tail = self._decoder.decode(b"", final=True)
                self._decoder.reset()
                self._buffer += tail
                return bool(tail)
            text = self._decoder.decode(data)
            if text:
                self._buffer += text
                return True
            # Only part of a multi-byte character arrived: read on.


class DiscardWriter(io.TextIOBase):
    """sys.stdout/sys.stderr during a silent (replay) cell."""

    def writable(self):
        return True

    def write(self, text):
        return len(text)


class Quitter:
    """exit()/quit(): -S skips `site`, which normally provides them. Students type them."""

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"Use {self.name}() to exit"

    def __call__(self, code=None):
        raise SystemExit(code)


class Helper:
    """help(): also a `site` builtin; pydoc is imported only when asked for."""

    def __repr__(self):
        return "Type help() for interactive help, or help(object) for help about object."

    def __call__(self, *args, **kwargs):
        import pydoc

        return pydoc.help(*args, **kwargs)


class CellOutcome:
    def __init__(self, status, value=None, message=None):
        self.status = status
        self.value = value
        self.message = message


class Interpreter:
    """One namespace, cells compiled with interactive semantics on the last statement."""

    def __init__(self, channel, state, stdin):
        self._channel = channel
        self._state = state
        self._stdin = stdin
        self._future_flags = 0
        self._value = None
        main = types.ModuleType("__main__")
        main.__dict__["__builtins__"] = builtins
        # The namespace is a real __main__ module so pickle, dataclasses and friends that look
        # classes up through sys.modules find what the student defined.
        sys.modules["__main__"] = main
        self.namespace = main.__dict__
        self._completer = rlcompleter.Completer(self.namespace)

    # --- eval ----------------------------------------------------------------------------------
    def run(self, seq, code):
        filename = f"<cell {seq}>"
        try:
            if codeop.compile_command(code, filename, "exec") is None:
                return CellOutcome("incomplete", message="incomplete input")
            tree = ast.parse(code, filename, "exec")
            if self._ends_inside_block(code, tree, filename):
                return CellOutcome("incomplete", message="a block needs an empty line to end")
        except (SyntaxError, ValueError, OverflowError) as err:
            self._remember_source(filename, code)
            return self._failure(err, compiling=True)

        self._remember_source(filename, code)
        body, last = tree.body, None
        if body and isinstance(body[-1], ast.Expr):
            body, last = body[:-1], body[-1]
        try:
            units = []
            if body:
                units.append(self._compile(ast.Module(body=body, type_ignores=[]),
                                           filename, "exec"))
            if last is not None:
                units.append(self._compile(ast.Interactive(body=[last]), filename, "single"))
        except (SyntaxError, ValueError, OverflowError) as err:
            return self._failure(err, compiling=True)

        self._value = None
        previous_hook = sys.displayhook
        sys.displayhook = self._displayhook
        try:
            try:
                with self._state.lock:
                    self._state.armed = True
                    if self._state.early_ticket == self._state.ticket:
                        raise KeyboardInterrupt
                for unit in units:
                    exec(unit, self.namespace)
            finally:
                with self._state.lock:
                    self._state.armed = False
        except SystemExit as err:
            return self._system_exit(err)
        except BaseException as err:  # KeyboardInterrupt included: the session survives it
            return self._failure(err)
        finally:
            sys.displayhook = previous_hook
        return CellOutcome("ok", value=self._value)

    def _compile(self, tree, filename, mode):
        code = compile(tree, filename, mode, self._future_flags, True)
        self._future_flags |= code.co_flags & _FUTURE_MASK
        return code

    @staticmethod
    def _ends_inside_block(code, tree, filename):
        """The interactive interpreter's rule: a cell whose last statement is a compound one
        (if/for/def/...) needs a trailing empty line, so the prompt can go on adding lines to
        the block. codeop in 'single' mode on that last statement applies exactly that rule."""
        if not tree.body:
            return False
        last = tree.body[-1]
        first_line = min([last.lineno] + [d.lineno for d in getattr(last, "decorator_list", [])])
        tail = "\n".join(code.split("\n")[first_line - 1:])
        try:
            return codeop.compile_command(tail, filename, "single") is None
        except (SyntaxError, ValueError, OverflowError):
            return False

    def _displayhook(self, value):
        if value is None:
            return
        builtins._ = None
        text = repr(value)
        if len(text) > MAX_VALUE_CHARS:
            text = text[:MAX_VALUE_CHARS] + f"... [{len(text) - MAX_VALUE_CHARS} more characters]"
        self._value = text
        builtins._ = value

    @staticmethod
    def _remember_source(filename, code):
        # mtime None: linecache.checkcache leaves the entry alone, so tracebacks of any later
        # cell can still show this cell's lines.
        lines = code.splitlines(keepends=True)
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        linecache.cache[filename] = (len(code), None, lines, filename)

    def _failure(self, err, compiling=False):
        if compiling:
            # Nothing ran: the frames are the compiler's (codeop, the driver), never the cell's.
            # Like the interactive prompt, a syntax error shows no "Traceback" header.
            err.__traceback__ = None
        sys.last_type, sys.last_value, sys.last_traceback = type(err), err, err.__traceback__
        text = format_exception_clean(err)
        self._write_stderr(text)
        return CellOutcome("error", message=text)

    def _system_exit(self, err):
        code = err.code
        text = (f"SystemExit: {code!r}\n" if code is not None else "SystemExit\n")
        text += "(the program asked to exit; the session keeps running with its state)\n"
        self._write_stderr(text)
        return CellOutcome("error", message=text)

    @staticmethod
    def _write_stderr(text):
        try:
            sys.stderr.write(text)
            sys.stderr.flush()
        except Exception:  # a student may have closed or replaced stderr: the result still goes
            pass

    # --- completion ----------------------------------------------------------------------------
    def complete(self, code, cursor):
        """Returns (start, items): each item replaces code[start:cursor]."""
        cursor = max(0, min(len(code), cursor))
        token = re.search(r"[A-Za-z0-9_.]*$", code[:cursor]).group(0)
        start = cursor - len(token)
        items = []
        seen = set()
        try:
            state = 0
            while len(items) < MAX_COMPLETIONS:
                item = self._completer.complete(token, state)
                if item is None:
                    break
                if item not in seen:
                    seen.add(item)
                    items.append(item)
                state += 1
        except Exception:  # evaluating `obj.` for attributes can fail in any way; no items then
            pass
        return start, items


def _strip_driver_frames(te):
    seen = set()
    while te is not None and id(te) not in seen:
        seen.add(id(te))
        te.stack = traceback.StackSummary.from_list(
            [frame for frame in te.stack if os.path.abspath(frame.filename) != _DRIVER_FILE])
        _strip_driver_frames(te.__cause__)
        te = te.__context__


def format_exception_clean(err):
    """The traceback the interactive interpreter would print, minus the driver's own frames."""
    te = traceback.TracebackException(type(err), err, err.__traceback__, compact=True)
    _strip_driver_frames(te)
    return "".join(te.format())


class SilentOutput:
    """Redirects stdout/stderr to nowhere for a replayed cell, at the Python level and, where
    /dev/null exists, at the fd level (so os.write(1, ...) and child processes are quiet too)."""

    def __enter__(self):
        sys.stdout.flush()
        sys.stderr.flush()
        self._py = (sys.stdout, sys.stderr)
        self._discard = (DiscardWriter(), DiscardWriter())
        sys.stdout, sys.stderr = self._discard
        self._saved = []
        try:
            null = os.open(os.devnull, os.O_WRONLY)
        except OSError:
            return self
        for fd in (1, 2):
            self._saved.append((fd, os.dup(fd)))
            os.dup2(null, fd)
        os.close(null)
        return self

    def __exit__(self, *exc):
        for fd, saved in self._saved:
            os.dup2(saved, fd)
            os.close(saved)
        # A replayed cell that rebound sys.stdout keeps its choice, as it did the first time.
        if sys.stdout is self._discard[0]:
            sys.stdout = self._py[0]
        if sys.stderr is self._discard[1]:
            sys.stderr = self._py[1]
        return False


class Driver:
    def __init__(self):
        for fd in (CONTROL_IN_FD, CONTROL_OUT_FD):
            # Programs the student starts (os.system, exec) must not inherit the control channel.
            os.set_inheritable(fd, False)
        self.channel = ControlChannel(CONTROL_OUT_FD)
        self.state = CellState()
        self.stdin = DriverStdin(self.channel, self.state)
        self.work = queue.Queue()
        self.interpreter = Interpreter(self.channel, self.state, self.stdin)
        self._main_thread = threading.main_thread().ident
        self._next_ticket = 0

    def setup_process(self):
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.reconfigure(encoding="utf-8", errors="backslashreplace")
            except (AttributeError, ValueError):
                pass
        sys.stdin = self.stdin
        builtins.input = self._input
        builtins.exit = Quitter("exit")
        builtins.quit = Quitter("quit")
        builtins.help = Helper()
        sys.argv = [""]
        # Like the interactive interpreter: modules in the working directory are importable.
        sys.path.insert(0, "")
        # -I ignores PYTHONPATH; the language's environment still names the library directories
        # a batch run sees (Debian's dist-packages), so cells can import the same packages.
        extra = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
        sys.path[1:1] = [p for p in extra if p not in sys.path]
        signal.signal(signal.SIGINT, self._on_sigint)

    def _input(self, prompt=""):
        """builtins.input: the same as the built-in one when stdin is not a terminal, but
        through sys.stdin so that the reads are reported."""
        if prompt:
            sys.stdout.write(str(prompt))
        sys.stdout.flush()
        line = sys.stdin.readline()
        if not line:
            raise EOFError("EOF when reading a line")
        return line[:-1] if line.endswith("\n") else line

    def _on_sigint(self, signum, frame):
        # Outside student code an interrupt has nothing to stop: it is dropped, so a late
        # Ctrl+C can never break the driver loop or the next cell.
        # A SIGINT outside student code is dropped: it has no order relative to the evals on
        # the control channel, so it cannot be said to belong to the next one.
        with self.state.lock:
            if not self.state.armed:
                return
        if self.state.deferring:
            self.state.deferred = True
            return
        raise KeyboardInterrupt

    def _read_control(self):
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        pending = b""
        while True:
            try:
                chunk = os.read(CONTROL_IN_FD, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                self.work.put(None)
                return
            pending += chunk
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                if line.strip():
                    self._dispatch(line)

    def _dispatch(self, line):
        try:
            message = json.loads(line.decode("utf-8", "replace"))
            if not isinstance(message, dict):
                raise ValueError("a control line must be a JSON object")
        except ValueError as err:
            self.channel.send({"op": "protocol_error", "message": f"bad control line: {err}"})
            return
        op = message.get("op")
        if op == "ping":
            self.channel.send({"op": "pong", "seq": message.get("seq")})
        elif op == "interrupt":
            with self.state.lock:
                if self.state.armed:
                    signal.pthread_kill(self._main_thread, signal.SIGINT)
                elif self.state.tickets:
                    self.state.early_ticket = self.state.tickets[0]
        else:
            if op == "eval":
                with self.state.lock:
                    self._next_ticket += 1
                    message["_ticket"] = self._next_ticket
                    self.state.tickets.append(self._next_ticket)
            self.work.put(message)

    def serve(self):
        self.setup_process()
        reader = threading.Thread(target=self._read_control, name="control", daemon=True)
        reader.start()
        self.channel.send({"op": "ready", "language": "python",
                           "version": ".".join(str(v) for v in sys.version_info[:3])})
        while True:
            try:
                message = self.work.get()
                if message is None:
                    break
                self._handle(message)
            except KeyboardInterrupt:
                continue  # only possible in a race with a cell's end; the result is already out
        self._flush_output()
        os._exit(0)

    def _handle(self, message):
        op = message.get("op")
        seq = message.get("seq")
        if op == "eval":
            self.state.ticket = message["_ticket"]
            reply = {"op": "result", "seq": seq, "status": "error", "message": "driver failure"}
            try:
                reply = self._eval(seq, message)
            finally:
                # Answered before the result goes out: an interrupt sent after the server saw
                # this result belongs to the next eval.
                with self.state.lock:
                    self.state.tickets.popleft()
                    self.state.ticket = None
                self.channel.send(reply)
        elif op == "complete":
            code = str(message.get("code", ""))
            cursor = message.get("cursor", len(code))
            if not isinstance(cursor, int):
                cursor = len(code)
            start, items = self.interpreter.complete(code, cursor)
            self.channel.send({"op": "completions", "seq": seq, "items": items, "start": start})
        else:
            self.channel.send({"op": "result", "seq": seq, "status": "error",
                               "message": f"unknown op: {op!r}"})

    def _eval(self, seq, message):
        code = message.get("code")
        if not isinstance(code, str):
            return {"op": "result", "seq": seq, "status": "error",
                    "message": "eval needs a string 'code'"}
        silent = bool(message.get("silent", False))
        inputs = message.get("inputs")
        self.state.seq = seq
        self.state.silent = silent
        self.state.replay = list(inputs) if silent and isinstance(inputs, list) else None
        self.state.deferred = False
        try:
            if silent:
                with SilentOutput():
                    outcome = self.interpreter.run(seq, code)
            else:
                outcome = self.interpreter.run(seq, code)
        finally:
            self.state.replay = None
            self.state.silent = False
            self.stdin.discard_replay()
            self._flush_output()
        reply = {"op": "result", "seq": seq, "status": outcome.status}
        if outcome.value is not None:
            reply["value"] = outcome.value
        if outcome.message is not None:
            reply["message"] = outcome.message
        # Output first (flushed above), result second: the server attributes everything
        # before the result line to this eval.
        return reply

    @staticmethod
    def _flush_output():
        for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
            try:
                if stream is not None:
                    stream.flush()
            except Exception:
                pass


if __name__ == "__main__":
    Driver().serve()
