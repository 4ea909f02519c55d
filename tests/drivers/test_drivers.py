"""Contract tests for the REPL drivers in resources/drivers (see docs/drivers.md).

Each driver runs as a real child process (real python3, node, java; outside the sandbox, which is
tested elsewhere) with its control channel on fds 3 (in) and 4 (out) and its own pipes for
stdin/stdout/stderr. One table of code snippets per case and language drives the same tests for
every language.

Run: /usr/bin/python3 tests/drivers/test_drivers.py [-v] [PythonDriver...]
Every wait is bounded; nothing sleeps for a guessed time.
"""

import fcntl
import json
import os
import selectors
import signal
import statistics
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
DRIVERS = os.environ.get("CODEROOM_DRIVERS_DIR") or os.path.normpath(
    os.path.join(HERE, "..", "..", "resources", "drivers"))

COMMANDS = {
    "python": ["/usr/bin/python3", "-I", "-S", "-u", os.path.join(DRIVERS, "python_driver.py")],
    "javascript": ["/usr/bin/node", os.path.join(DRIVERS, "js_driver.js")],
    "java": ["/usr/bin/java", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
             "-Xss1m", "-Xmx256m", os.path.join(DRIVERS, "JavaDriver.java")],
}

# Bounds for every wait. Java's first eval compiles through JShell, so it gets more room.
# Java: a JVM start plus the in-memory compile of the driver is ~2.7 s of CPU, over 30 s of
# wall time on the shared 2-core machine at a load of 19.
START_TIMEOUT = {"python": 10, "javascript": 10, "java": 60}
STEP_TIMEOUT = {"python": 10, "javascript": 10, "java": 30}


class DriverError(AssertionError):
    pass


class DriverProcess:
    """A driver child with all five channels wired to pipes, pumped from this one thread (no
    threads here: preexec_fn below is only safe in a single-threaded parent)."""

    def __init__(self, language):
        self.language = language
        self.step = STEP_TIMEOUT[language]
        ctl_in_r, self._ctl_in_w = os.pipe()
        self._ctl_out_r, ctl_out_w = os.pipe()

        def wire_control_fds():
            # Parent fds may themselves be 3 or 4: go through high numbers first.
            high_in = fcntl.fcntl(ctl_in_r, fcntl.F_DUPFD, 100)
            high_out = fcntl.fcntl(ctl_out_w, fcntl.F_DUPFD, 100)
            os.dup2(high_in, 3)
            os.dup2(high_out, 4)
            # A parent started in the background may ignore SIGINT, and the JVM keeps an
            # ignored SIGINT ignored: the driver must start with the default disposition.
            signal.signal(signal.SIGINT, signal.SIG_DFL)

        env = {"HOME": os.environ.get("HOME", "/tmp"), "PATH": "/usr/bin:/bin"}
        self.proc = subprocess.Popen(
            COMMANDS[language], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, pass_fds=(3, 4), preexec_fn=wire_control_fds, env=env,
            cwd="/tmp")
        os.close(ctl_in_r)
        os.close(ctl_out_w)
        self.stdout = b""
        self.stderr = b""
        self.messages = []
        self._ctl_buf = b""
        self._sel = selectors.DefaultSelector()
        for fd in (self.proc.stdout.fileno(), self.proc.stderr.fileno(), self._ctl_out_r):
            os.set_blocking(fd, False)
            self._sel.register(fd, selectors.EVENT_READ)
        self._seq = 0

    # --- sending -------------------------------------------------------------------------------
    def send(self, message):
        os.write(self._ctl_in_w, (json.dumps(message) + "\n").encode())

    def next_seq(self):
        self._seq += 1
        return self._seq

    def eval_async(self, code, **extra):
        seq = self.next_seq()
        self.send(dict({"op": "eval", "seq": seq, "code": code}, **extra))
        return seq

    def eval(self, code, **extra):
        return self.result(self.eval_async(code, **extra))

    def result(self, seq, timeout=None):
        return self.wait_for(lambda m: m["op"] == "result" and m.get("seq") == seq,
                             f"result of eval {seq}", timeout)

    def write_stdin(self, text):
        os.write(self.proc.stdin.fileno(), text.encode())

    def interrupt(self, how):
        if how == "signal":
            self.proc.send_signal(signal.SIGINT)
        else:
            self.send({"op": "interrupt"})

    # --- receiving -----------------------------------------------------------------------------
    def _drain(self, fd):
        chunks = []
        while True:
            try:
                data = os.read(fd, 65536)
            except BlockingIOError:
                break
            if not data:
                self._sel.unregister(fd)
                break
            chunks.append(data)
        return b"".join(chunks)

    def pump(self, timeout):
        for key, _ in self._sel.select(timeout):
            fd = key.fd
            if fd == self.proc.stdout.fileno():
                self.stdout += self._drain(fd)
            elif fd == self.proc.stderr.fileno():
                self.stderr += self._drain(fd)
            else:
                self._ctl_buf += self._drain(fd)
                while b"\n" in self._ctl_buf:
                    line, self._ctl_buf = self._ctl_buf.split(b"\n", 1)
                    message = json.loads(line)
                    # What was on stdout/stderr when the line arrived: the driver must have
                    # written a cell's output before its result, so a non-blocking drain now
                    # sees all of it.
                    self.stdout += self._drain_if_open(self.proc.stdout.fileno())
                    self.stderr += self._drain_if_open(self.proc.stderr.fileno())
                    message["_stdout"] = self.stdout.decode(errors="replace")
                    message["_stderr"] = self.stderr.decode(errors="replace")
                    self.messages.append(message)
        if not self._sel.get_map():
            return False
        return True

    def _drain_if_open(self, fd):
        return self._drain(fd) if fd in self._sel.get_map() else b""

    def wait_for(self, predicate, what, timeout=None):
        deadline = time.monotonic() + (timeout or self.step)
        seen = 0
        while True:
            for message in self.messages[seen:]:
                if predicate(message):
                    return message
            seen = len(self.messages)
            left = deadline - time.monotonic()
            if left <= 0 or self.proc.poll() is not None and not self._sel.get_map():
                raise DriverError(
                    f"{self.language}: no {what} within {timeout or self.step}s; messages: "
                    f"{[strip(m) for m in self.messages[-5:]]}; stderr: {self.stderr[-800:]!r}")
            self.pump(min(left, 0.5))

    def wait_output(self, text, since, timeout=None):
        """Waits for text on stdout after byte offset `since` (output of earlier cells could
        hold the same text)."""
        deadline = time.monotonic() + (timeout or self.step)
        while text not in self.stdout[since:].decode(errors="replace"):
            left = deadline - time.monotonic()
            if left <= 0:
                raise DriverError(f"{self.language}: {text!r} never appeared on stdout; "
                                  f"got {self.stdout[-300:]!r}; messages: "
                                  f"{[strip(m) for m in self.messages[-3:]]}; "
                                  f"stderr: {self.stderr[-300:]!r}")
            self.pump(min(left, 0.5))

    def alive(self):
        return self.proc.poll() is None

    def close(self):
        try:
            os.close(self._ctl_in_w)  # EOF on fd 3: the driver exits on its own
        except OSError:
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)
        self._sel.close()
        os.close(self._ctl_out_r)
        self.proc.stdin.close()
        self.proc.stdout.close()
        self.proc.stderr.close()


def strip(message):
    return {k: v for k, v in message.items() if not k.startswith("_")}


def start_driver(language):
    driver = DriverProcess(language)
    driver.ready = driver.wait_for(lambda m: m["op"] == "ready", "ready", START_TIMEOUT[language])
    return driver


# The table: what each case sends, per language. Variable names are unique per case because
# one driver serves a whole test class (Java's start is too slow for one driver per test).
SNIPPETS = {
    "define": {
        "python": "counter = 41",
        "javascript": "var counter = 41",
        "java": "int counter = 41;",
    },
    "use": {"python": "counter + 1", "javascript": "counter + 1", "java": "counter + 1"},
    "values": {
        "python": [("6 * 7", "42"), ("'hi'", "'hi'"), ("[1, 'a']", "[1, 'a']"),
                   ("a_v = 2\nb_v = 3\na_v * b_v", "6")],
        "javascript": [("6 * 7", "42"), ("'hi'", "'hi'"), ("[1, 'a']", "[ 1, 'a' ]"),
                       ("const aV = 2\nconst bV = 3\naV * bV", "6")],
        "java": [("6 * 7", "42"), ("\"hi\"", "\"hi\""), ("java.util.List.of(1, 2)", "[1, 2]"),
                 ("int aV = 2;\nint bV = 3;\naV * bV", "6")],
    },
    "no_value": {
        "python": "print('printed')",
        "javascript": "console.log('printed')",
        "java": "System.out.println(\"printed\");",
    },
    "incomplete": {
        "python": ["if True:", "print(1,", "def f():\n    return 1", "x_s = '''abc"],
        "javascript": ["if (true) {", "console.log(1,", "function f() {\n  return 1",
                       "let s = `abc"],
        "java": ["if (true) {", "System.out.println(1,", "int f() {\n  return 1;",
                 "String s = \"\"\"\nabc"],
    },
    "incomplete_runs_nothing": {
        "python": ("ran_inc = 1\nif ran_inc:", "ran_inc"),
        "javascript": ("var ranInc = 1\nif (ranInc) {", "typeof ranInc"),
        "java": ("int ranInc = 1;\nif (ranInc > 0) {", "ranInc"),
    },
    "syntax_error": {
        "python": ("x = = 1", "SyntaxError"),
        "javascript": ("let = = 1", "SyntaxError"),
        "java": ("int 3x = 1;", "error"),
    },
    "runtime_error": {
        "python": ("def boom():\n    raise ValueError('bad value')\n\nboom()",
                   ["ValueError: bad value", 'File "<cell {seq}>", line 2, in boom',
                    'File "<cell {seq}>", line 4']),
        "javascript": ("function boom() {\n  throw new Error('bad value')\n}\nboom()",
                       ["Error: bad value", "<cell {seq}>:2", "<cell {seq}>:4"]),
        "java": ("void boom() { throw new IllegalStateException(\"bad value\"); }\nboom();",
                 ["IllegalStateException", "bad value"]),
    },
    "driver_frame_markers": {
        "python": ["python_driver", "Traceback (most recent call last):\n  File \"/"],
        "javascript": ["js_driver", "node:vm", "node:internal"],
        "java": ["JavaDriver", "jdk.jshell", "java.base/jdk.internal"],
    },
    "input": {
        "python": ("name_in = input('who? ')\nname_in.upper()", "who? ", "'ADA'"),
        "javascript": ("const nameIn = input('who? ')\nnameIn.toUpperCase()", "who? ",
                       "'ADA'"),
        "java": ("String nameIn = new java.util.Scanner(System.in).nextLine();\n"
                 "System.out.print(\"who? \");\nnameIn.toUpperCase()", None, "\"ADA\""),
    },
    "busy": {
        "python": "print('spinning', flush=True)\nwhile True:\n    pass\n",
        "javascript": "console.log('spinning')\nwhile (true) {}",
        "java": "System.out.println(\"spinning\");\nwhile (true) {}",
    },
    "wait_input": {
        "python": "input()",
        "javascript": "input()",
        "java": "new java.util.Scanner(System.in).nextLine()",
    },
    # (code, status, value): reading past the recorded inputs of a replay meets end of input.
    "end_of_input": {
        "python": ("input(), input()", "error", None),
        "javascript": ("[input(), input()]", "ok", "[ 'only', null ]"),
        "java": ("java.io.BufferedReader rdE = new java.io.BufferedReader("
                 "new java.io.InputStreamReader(System.in));\n"
                 "java.util.Arrays.asList(rdE.readLine(), rdE.readLine())", "ok", "[only, null]"),
    },
    "interrupted": {
        "python": "KeyboardInterrupt",
        "javascript": "interrupted",
        "java": "interrupted",
    },
    "complete": {
        "python": [("my_variable_one = 1", "my_var", "my_variable_one"),
                   ("import math", "math.sq", "math.sqrt(")],
        "javascript": [("let myVariableOne = 1", "myVar", "myVariableOne"),
                       ("", "Math.flo", "Math.floor")],
        "java": [("int myVariableOne = 1;", "myVar", "myVariableOne"),
                 ("", "Math.flo", "Math.floor(")],
    },
    "replay": {
        "python": "a_r = input()\nb_r = input()\nprint('noise')\nint(a_r) + int(b_r)",
        "javascript": "const aR = input()\nconst bR = input()\nconsole.log('noise')\n"
                      "Number(aR) + Number(bR)",
        "java": "java.io.BufferedReader rdR = new java.io.BufferedReader("
                "new java.io.InputStreamReader(System.in));\n"
                "int aR = Integer.parseInt(rdR.readLine().trim());\n"
                "int bR = Integer.parseInt(rdR.readLine().trim());\n"
                "System.out.println(\"noise\");\naR + bR",
    },
    "flood": {
        "python": "for i in range(3000):\n    print('line', i)\n",
        "javascript": "for (let i = 0; i < 3000; i++) console.log('line', i)",
        "java": "for (int i = 0; i < 3000; i++) System.out.println(\"line \" + i);",
    },
    "system_exit": {
        "python": "import sys\nsys.exit(3)",
        "javascript": "process.exit(3)",
        "java": "System.exit(3);",
    },
}


class DriverContract:
    """The contract every driver keeps. Subclasses set LANGUAGE."""

    LANGUAGE = None
    driver = None

    @classmethod
    def setUpClass(cls):
        cls.driver = start_driver(cls.LANGUAGE)

    @classmethod
    def tearDownClass(cls):
        if cls.driver is not None:
            cls.driver.close()

    def setUp(self):
        # A test that killed its driver must not take the rest of the class with it.
        if not self.driver.alive():
            type(self).driver = start_driver(self.LANGUAGE)

    def snippet(self, case):
        return SNIPPETS[case][self.LANGUAGE]

    def assertOk(self, result):
        self.assertEqual(result["status"], "ok", strip(result))
        return result

    def output_since(self, before, result):
        return result["_stdout"][len(before):]

    # --- the cases -----------------------------------------------------------------------------
    def test_ready_names_language_and_version(self):
        self.assertEqual(self.driver.ready["language"], self.LANGUAGE)
        self.assertRegex(self.driver.ready["version"], r"^\d+(\.\d+)*")

    def test_state_persists_across_evals(self):
        self.assertOk(self.driver.eval(self.snippet("define")))
        result = self.assertOk(self.driver.eval(self.snippet("use")))
        self.assertEqual(result.get("value"), "42")

    def test_expression_values_come_back_as_value(self):
        for code, expected in self.snippet("values"):
            with self.subTest(code=code):
                result = self.assertOk(self.driver.eval(code))
                self.assertEqual(result.get("value"), expected)

    def test_a_statement_has_no_value_and_its_output_streams(self):
        before = self.driver.stdout.decode()
        result = self.assertOk(self.driver.eval(self.snippet("no_value")))
        self.assertNotIn("value", result)
        self.assertEqual(self.output_since(before, result), "printed\n")

    def test_incomplete_input_is_reported_incomplete(self):
        for code in self.snippet("incomplete"):
            with self.subTest(code=code):
                self.assertEqual(self.driver.eval(code)["status"], "incomplete")

    def test_incomplete_input_runs_nothing(self):
        code, probe = self.snippet("incomplete_runs_nothing")
        self.assertEqual(self.driver.eval(code)["status"], "incomplete")
        result = self.driver.eval(probe)
        if self.LANGUAGE == "javascript":
            self.assertEqual(result.get("value"), "'undefined'")
        else:
            self.assertEqual(result["status"], "error", strip(result))

    def test_a_syntax_error_is_an_error_not_incomplete(self):
        code, marker = self.snippet("syntax_error")
        result = self.driver.eval(code)
        self.assertEqual(result["status"], "error", strip(result))
        self.assertIn(marker, result["message"])

    def test_an_exception_gives_a_clean_traceback_on_message_and_stderr(self):
        self.assertOk(self.driver.eval(self.snippet("define")))
        code, markers = self.snippet("runtime_error")
        before_err = self.driver.stderr.decode()
        seq = self.driver.eval_async(code)
        result = self.driver.result(seq)
        self.assertEqual(result["status"], "error", strip(result))
        for marker in markers:
            self.assertIn(marker.format(seq=seq), result["message"])
        for hidden in self.snippet("driver_frame_markers"):
            self.assertNotIn(hidden, result["message"])
        self.assertIn(markers[0], result["_stderr"][len(before_err):])
        self.assertOk(self.driver.eval(self.snippet("use")))

    def test_input_sends_input_wait_then_reads_the_data_and_reports_it(self):
        code, prompt, expected = self.snippet("input")
        seq = self.driver.eval_async(code)
        wait = self.driver.wait_for(lambda m: m["op"] == "input_wait" and m["seq"] == seq,
                                    "input_wait")
        if prompt:
            self.assertTrue(wait["_stdout"].endswith(prompt), wait["_stdout"][-50:])
        self.driver.write_stdin("ada\n")
        result = self.assertOk(self.driver.result(seq))
        self.assertEqual(result.get("value"), expected)
        reported = [m for m in self.driver.messages if m["op"] == "input" and m["seq"] == seq]
        self.assertEqual("".join(m["data"] for m in reported), "ada\n")
        self.assertLess(self.driver.messages.index(reported[-1]),
                        self.driver.messages.index(result))

    def interrupt_case(self, how, what):
        self.assertOk(self.driver.eval(self.snippet("define")))
        mark = len(self.driver.stdout)
        seq = self.driver.eval_async(self.snippet(what))
        if what == "busy":
            self.driver.wait_output("spinning", mark)
        else:
            self.driver.wait_for(lambda m: m["op"] == "input_wait" and m["seq"] == seq,
                                 "input_wait")
        self.driver.interrupt(how)
        result = self.driver.result(seq)
        self.assertEqual(result["status"], "error", strip(result))
        self.assertIn(self.snippet("interrupted"), result["message"])
        after = self.assertOk(self.driver.eval(self.snippet("use")))
        self.assertEqual(after.get("value"), "42")

    def test_sigint_stops_an_infinite_loop_and_the_state_survives(self):
        self.interrupt_case("signal", "busy")

    def test_interrupt_message_stops_an_infinite_loop_and_the_state_survives(self):
        self.interrupt_case("message", "busy")

    def test_sigint_stops_a_pending_input_and_the_state_survives(self):
        self.interrupt_case("signal", "wait_input")

    def test_interrupt_message_stops_a_pending_input_and_the_state_survives(self):
        self.interrupt_case("message", "wait_input")

    def test_an_interrupt_sent_right_behind_its_eval_is_not_lost(self):
        seq = self.driver.eval_async(self.snippet("busy"))
        self.driver.interrupt("message")
        result = self.driver.result(seq)
        self.assertEqual(result["status"], "error", strip(result))
        self.assertIn(self.snippet("interrupted"), result["message"])

    def test_an_interrupt_while_idle_changes_nothing(self):
        self.driver.interrupt("message")
        self.driver.interrupt("signal")
        self.assertOk(self.driver.eval(self.snippet("define")))
        self.assertEqual(self.assertOk(self.driver.eval(self.snippet("use"))).get("value"), "42")

    def test_completion_sees_the_live_namespace(self):
        for setup, prefix, expected in self.snippet("complete"):
            with self.subTest(prefix=prefix):
                if setup:
                    self.assertOk(self.driver.eval(setup))
                seq = self.driver.next_seq()
                self.driver.send({"op": "complete", "seq": seq, "code": "x = " + prefix,
                                  "cursor": 4 + len(prefix)})
                reply = self.driver.wait_for(
                    lambda m: m["op"] == "completions" and m["seq"] == seq, "completions")
                self.assertIn(expected, reply["items"])

    def test_ping_is_answered_while_a_cell_is_busy(self):
        mark = len(self.driver.stdout)
        seq = self.driver.eval_async(self.snippet("busy"))
        self.driver.wait_output("spinning", mark)
        ping = self.driver.next_seq()
        self.driver.send({"op": "ping", "seq": ping})
        pong = self.driver.wait_for(lambda m: m["op"] == "pong" and m["seq"] == ping, "pong")
        self.assertFalse(any(m["op"] == "result" and m["seq"] == seq
                             for m in self.driver.messages[:self.driver.messages.index(pong)]))
        self.driver.interrupt("message")
        self.assertEqual(self.driver.result(seq)["status"], "error")

    def test_silent_replay_feeds_recorded_inputs_and_shows_nothing(self):
        before_out = self.driver.stdout
        before_err = self.driver.stderr
        first = len(self.driver.messages)
        seq = self.driver.eval_async(self.snippet("replay"), silent=True,
                                     inputs=["5\n", "7\n"])
        result = self.assertOk(self.driver.result(seq))
        self.assertEqual(result.get("value"), "12")
        self.assertEqual(self.driver.stdout, before_out)
        self.assertEqual(self.driver.stderr, before_err)
        chatter = [m for m in self.driver.messages[first:]
                   if m["op"] in ("input", "input_wait")]
        self.assertEqual(chatter, [])

    def test_silent_replay_gives_end_of_input_after_the_recorded_inputs(self):
        code, status, value = self.snippet("end_of_input")
        result = self.driver.eval(code, silent=True, inputs=["only\n"])
        self.assertEqual(result["status"], status, strip(result))
        self.assertEqual(result.get("value"), value)

    def test_output_is_flushed_before_the_result(self):
        before = self.driver.stdout.decode()
        result = self.assertOk(self.driver.eval(self.snippet("flood")))
        output = self.output_since(before, result)
        self.assertTrue(output.endswith("line 2999\n"), output[-40:])
        self.assertEqual(output.count("\n"), 3000)

    def test_exit_in_a_cell_is_an_error_and_the_session_survives(self):
        self.assertOk(self.driver.eval(self.snippet("define")))
        result = self.driver.eval(self.snippet("system_exit"))
        self.assertEqual(result["status"], "error", strip(result))
        self.assertIn("3", result["message"])
        self.assertEqual(self.assertOk(self.driver.eval(self.snippet("use"))).get("value"), "42")


class PythonDriver(DriverContract, unittest.TestCase):
    LANGUAGE = "python"

    def test_input_reports_only_what_the_program_consumed(self):
        self.driver.write_stdin("5\n7\n")
        first = self.driver.eval_async("int(input()) * 10")
        self.assertEqual(self.assertOk(self.driver.result(first)).get("value"), "50")
        second = self.driver.eval_async("int(input()) * 10")
        self.assertEqual(self.assertOk(self.driver.result(second)).get("value"), "70")
        reported = [(m["seq"], m["data"]) for m in self.driver.messages if m["op"] == "input"
                    and m["seq"] in (first, second)]
        self.assertEqual(reported, [(first, "5\n"), (second, "7\n")])
        self.assertFalse(any(m["op"] == "input_wait" and m["seq"] in (first, second)
                             for m in self.driver.messages))

    def test_a_block_needs_a_trailing_newline_like_the_interactive_prompt(self):
        loop = "total_b = 0\nfor i in range(4):\n    total_b += i"
        self.assertEqual(self.driver.eval(loop)["status"], "incomplete")
        self.assertOk(self.driver.eval(loop + "\n"))
        self.assertEqual(self.driver.eval("total_b").get("value"), "6")

    def test_a_syntax_error_points_into_the_cell(self):
        seq = self.driver.eval_async("y = 1\nz = (1 +* 2)")
        result = self.driver.result(seq)
        self.assertIn(f'File "<cell {seq}>", line 2', result["message"])
        self.assertNotIn("Traceback", result["message"])

    def test_underscore_holds_the_last_value(self):
        self.assertOk(self.driver.eval("40 + 2"))
        self.assertEqual(self.driver.eval("_ * 2").get("value"), "84")

    def test_silent_replay_silences_output_written_straight_to_fd_1(self):
        before = self.driver.stdout
        self.assertOk(self.driver.eval("import os\nos.write(1, b'raw\\n')", silent=True))
        self.assertEqual(self.driver.stdout, before)
        self.assertOk(self.driver.eval("os.write(1, b'loud\\n')"))
        self.driver.wait_output("loud", len(before))


class JavaScriptDriver(DriverContract, unittest.TestCase):
    LANGUAGE = "javascript"

    def test_let_and_const_keep_their_meaning_across_cells(self):
        self.assertOk(self.driver.eval("const fixedC = 1"))
        result = self.driver.eval("fixedC = 2")
        self.assertEqual(result["status"], "error", strip(result))
        self.assertIn("TypeError", result["message"])
        self.assertEqual(self.driver.eval("fixedC").get("value"), "1")

    def test_promise_callbacks_finish_inside_their_cell(self):
        before = self.driver.stdout.decode()
        result = self.assertOk(self.driver.eval("Promise.resolve(5).then(v => console.log(v))"))
        self.assertEqual(self.output_since(before, result), "5\n")

    def test_an_object_literal_alone_is_a_value_not_a_block(self):
        self.assertEqual(self.driver.eval("{ a: 1 }").get("value"), "{ a: 1 }")

    def test_a_failing_timer_callback_does_not_end_the_session(self):
        self.assertOk(self.driver.eval("setTimeout(() => { throw new Error('late') }, 0)"))
        self.assertOk(self.driver.eval("Promise.reject(new Error('nobody listens'))"))
        self.assertOk(self.driver.eval("1 + 1"))
        self.assertTrue(self.driver.alive())


# Java cells that must stop within INTERRUPT_BOUND seconds of an interrupt: (name, code, what to
# wait for before interrupting: a line on stdout, or None for input_wait).
JAVA_STOPPABLE = [
    ("an empty infinite loop", "System.out.println(\"spin-a\");\nwhile (true) {}", "spin-a"),
    ("a loop calling a method", "long tickJ(long n) { return n + 1; }\nlong nJ = 0;\n"
     "System.out.println(\"spin-b\");\nwhile (true) nJ = tickJ(nJ);", "spin-b"),
    ("a long Thread.sleep", "System.out.println(\"spin-c\");\nThread.sleep(100000);",
     "spin-c"),
    ("a pending System.in read", "new java.util.Scanner(System.in).nextLine()", None),
]
# Not in the table: a busy loop inside `try { } catch (Throwable t) { }` in another loop. Each
# ThreadDeath lands in the inner loop and is swallowed; the driver's repeated stops end it only
# when one lands outside the try, which took from 0.3 s to minutes. The server's interrupt grace
# (kill, rebuild by replay) is the answer to that, as for Python's `except BaseException`.
INTERRUPT_BOUND = 2.0


class JavaDriver(DriverContract, unittest.TestCase):
    LANGUAGE = "java"

    def test_each_kind_of_busy_cell_stops_within_the_bound_either_way(self):
        self.assertOk(self.driver.eval("int keptJ = 7;"))
        for how in ("message", "signal"):
            for name, code, marker in JAVA_STOPPABLE:
                with self.subTest(how=how, cell=name):
                    mark = len(self.driver.stdout)
                    seq = self.driver.eval_async(code)
                    if marker:
                        self.driver.wait_output(marker, mark)
                    else:
                        self.driver.wait_for(
                            lambda m, s=seq: m["op"] == "input_wait" and m["seq"] == s,
                            "input_wait")
                    began = time.monotonic()
                    self.driver.interrupt(how)
                    result = self.driver.result(seq)
                    latency = time.monotonic() - began
                    self.assertEqual(result["status"], "error", strip(result))
                    self.assertIn("interrupted", result["message"])
                    self.assertLess(latency, INTERRUPT_BOUND, f"{how}: {name}")
                    if os.environ.get("CODEROOM_DRIVERS_VERBOSE"):
                        print(f"\n  {how:8} {name}: {latency * 1000:.0f} ms", end="")
            # Once per way, not per cell: every Java eval costs a compile.
            self.assertEqual(self.driver.eval("keptJ * 6").get("value"), "42")

    def test_a_sigint_while_idle_does_not_stop_the_next_cell(self):
        # Java runs a signal's handler late, on a thread it starts: an idle SIGINT followed at
        # once by an eval used to stop that eval now and then (a signal barrier fixed it).
        for _ in range(3):
            self.driver.interrupt("signal")
            self.assertOk(self.driver.eval("int idleJ = 1;\nidleJ += 1;"))
        self.assertEqual(self.driver.eval("idleJ").get("value"), "2")

    def stop_a_spinning_cell(self, marker, *ways):
        mark = len(self.driver.stdout)
        seq = self.driver.eval_async(f"System.out.println(\"{marker}\");\nwhile (true) {{}}")
        self.driver.wait_output(marker, mark)
        for how in ways:
            self.driver.interrupt(how)
        self.assertIn("interrupted", self.driver.result(seq)["message"])

    def test_the_sigint_sent_with_a_stop_message_does_not_stop_the_next_cell(self):
        # What the server does: the message and SIGINT together. The message stops the cell;
        # Java handles the signal later, often once the cell is over, and then it must not hit
        # the next cell.
        for round_ in range(3):
            with self.subTest(round=round_):
                self.stop_a_spinning_cell(f"stopme{round_}", "message", "signal")
                self.assertOk(self.driver.eval(f"int idleJ{round_} = 1;\nidleJ{round_} += 1;"))
        self.assertEqual(self.driver.eval("idleJ0 + idleJ1 + idleJ2").get("value"), "6")

    def test_a_second_and_third_sigint_still_stop_busy_cells(self):
        for round_ in range(3):  # the second SIGINT of a session once went unheard
            with self.subTest(round=round_):
                self.stop_a_spinning_cell(f"again{round_}", "signal")

    def test_a_declaration_can_be_replaced_in_a_later_cell(self):
        self.assertOk(self.driver.eval("int twiceJ(int x) { return 2 * x; }"))
        self.assertOk(self.driver.eval("int twiceJ(int x) { return 3 * x; }"))
        self.assertEqual(self.driver.eval("twiceJ(5)").get("value"), "15")


def measure(language, evals=200):
    """Start time to ready (median of 5) and, for Python, eval round trip (median of N)."""
    starts = []
    for _ in range(5):
        began = time.monotonic()
        driver = start_driver(language)
        starts.append(time.monotonic() - began)
        if len(starts) < 5:
            driver.close()
    trips = []
    for _ in range(evals):
        began = time.monotonic()
        driver.eval("1")
        trips.append(time.monotonic() - began)
    driver.close()
    return statistics.median(starts), statistics.median(trips)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--measure":
        for lang in sys.argv[2:] or ["python", "javascript", "java"]:
            start, trip = measure(lang, 200 if lang == "python" else 20)
            print(f"{lang}: start to ready {start * 1000:.0f} ms (median of 5), "
                  f"eval round trip {trip * 1000:.2f} ms (median)")
        sys.exit(0)
    unittest.main()
