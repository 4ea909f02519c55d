#!/usr/bin/env python3
"""What a run that imports Debian's course libraries costs through coderoomd, against the same
import in a plain python3 on the host (the floor), measured in the same run.

Start a server that answers REST without a token, then:
    coderoomd --data-dir /tmp/d --listen 127.0.0.1:18765 --rest-without-token &
    python3 bench/python_libraries.py [http://127.0.0.1:18765]

Each program runs 7 times; the medians are printed. The coderoomd figure is the whole Piston
request (HTTP, sandbox, the program), so its floor is a `print(1)` run.
"""
import json
import statistics
import subprocess
import sys
import time
import urllib.request

URL = (sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:18765") + "/api/v2/execute"
ENV = {"PYTHONPATH": "/usr/lib/python3/dist-packages", "OPENBLAS_NUM_THREADS": "1",
       "MPLBACKEND": "Agg", "PATH": "/usr/bin"}
PROGRAMS = [("print(1)", "print(1)"), ("import numpy", "import numpy"),
            ("import pandas", "import pandas"), ("import scipy.stats", "import scipy.stats"),
            ("import matplotlib.pyplot", "import matplotlib.pyplot"),
            ("all four", "import numpy, pandas, scipy.stats, matplotlib.pyplot")]


def through_coderoomd(code):
    body = json.dumps({"language": "python", "version": "*",
                       "files": [{"name": "main.py", "content": code}]}).encode()
    start = time.perf_counter()
    request = urllib.request.Request(URL, data=body, headers={"Content-Type": "application/json"})
    reply = json.loads(urllib.request.urlopen(request).read())
    if reply["run"].get("code") != 0:
        raise SystemExit("%s failed: %s" % (code, reply["run"].get("stderr", "")[-300:]))
    return time.perf_counter() - start


def on_the_host(code):
    start = time.perf_counter()
    subprocess.run(["/usr/bin/python3", "-s", "-S", "-c", code], env=ENV, check=True,
                   capture_output=True)
    return time.perf_counter() - start


print("| program | coderoomd (ms) | host python3 (ms) | difference (ms) |")
print("| --- | ---: | ---: | ---: |")
for name, code in PROGRAMS:
    ours = statistics.median(through_coderoomd(code) for _ in range(7)) * 1000
    host = statistics.median(on_the_host(code) for _ in range(7)) * 1000
    print("| `%s` | %.0f | %.0f | %+.0f |" % (name, ours, host, ours - host))
