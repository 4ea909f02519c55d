"""Coderoom launcher for pre-started Python batch runs (docs/sandbox.md, "Pre-started").

Run as `/usr/bin/python3 -s -S -u -c <this file's text>` inside the normal run sandbox, with
the control channel: fd 3 (from the server) and fd 4 (to the server). It blocks reading ONE
JSON line on fd 3 (after writing `{"op":"ready"}` on fd 4 once it is up):

    {"files": [{"name": "main.py", "content": "<base64>"}, ...], "main": "main.py",
     "args": ["a", "b"]}

then writes the files into /work, closes fds 3 and 4 (student code must not see them) and runs
main so that everything the program sees matches the cold path
`python3 -s -S -u main.py args...`: sys.argv, sys.path[0] == '/work', the cwd, a fresh
__main__ namespace with __file__, the same traceback text for an uncaught exception (this
launcher's frame is removed) and the same exit codes. It never reads stdin (fd 0) before the
program does, so the server's input-wait detection keeps working.

It is passed with -c rather than as a file in /work, so no launcher file is left for the
program to see. Known difference: /proc/self/cmdline shows the -c text (sys.orig_argv is
rewritten to the cold path's). Each launcher serves exactly one run; the sandbox is then gone.
"""


def _coderoom_launch():
    import sys

    before = set(sys.modules)
    # Imported before the job arrives: their cost is paid while waiting, not on the job's clock.
    import base64
    import json
    import os

    os.write(4, b'{"op":"ready"}\n')  # the pool hands out only interpreters this far
    data = b""
    while not data.endswith(b"\n"):
        chunk = os.read(3, 1 << 20)
        if not chunk:
            os._exit(0)  # the server let go of this sandbox before giving it a job
        data += chunk
    job = json.loads(data)
    del data

    os.chdir("/work")
    entry = None
    for entry in job["files"]:
        name = entry["name"]
        if "/" in name or name.startswith("."):
            os._exit(70)  # the server validated names; refuse anything else outright
        fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        os.write(fd, base64.b64decode(entry["content"]))
        os.fchmod(fd, 0o644)
        os.close(fd)
    main = job["main"]
    args = list(job["args"])
    del job, entry
    os.close(3)
    os.close(4)

    path = "/work/" + main
    with open(path, "rb") as source_file:
        source = source_file.read()
    cut = sys.orig_argv.index("-c") if "-c" in sys.orig_argv else len(sys.orig_argv)
    sys.orig_argv = sys.orig_argv[:cut] + [main] + args
    sys.argv = [main] + args
    sys.path[0] = "/work"
    # What the cold path would not have loaded: a program that imports them gets fresh ones.
    for name in set(sys.modules) - before - set(sys.builtin_module_names):
        del sys.modules[name]

    loader_type = sys.modules["_frozen_importlib_external"].SourceFileLoader
    namespace = sys.modules["__main__"].__dict__
    builtins = namespace["__builtins__"]
    namespace.clear()
    namespace.update(
        __name__="__main__",
        __doc__=None,
        __package__=None,
        __loader__=loader_type("__main__", path),
        __spec__=None,
        __annotations__={},
        __builtins__=builtins,
        __file__=path,
        __cached__=None,
    )
    del before, base64, json, builtins, loader_type, cut, source_file
    try:
        code = compile(source, path, "exec", dont_inherit=True)
        del source
        exec(code, namespace)
    except SystemExit:
        raise  # the interpreter handles it exactly as in the cold path
    except BaseException as error:  # noqa: B036 - reported like the interpreter does
        tb = error.__traceback__
        tb = tb.tb_next if tb is not None else None  # drop this launcher's frame
        error.__traceback__ = tb
        sys.excepthook(type(error), error, tb)
        if isinstance(error, KeyboardInterrupt):
            # As the interpreter does: die of SIGINT so the parent sees the interrupt.
            import signal

            for stream in (sys.stdout, sys.stderr):
                try:
                    stream.flush()
                except Exception:  # noqa: BLE001 - a closed stream has nothing to flush
                    pass
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGINT)
        del error, tb
        raise SystemExit(1)


_coderoom_launch()
