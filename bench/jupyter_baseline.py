#!/usr/bin/python3
"""Jupyter baseline for coderoom-bench: kernel start, execute round trip, kernel memory.

Run with Debian's python3 (python3-jupyter-client + python3-ipykernel):
    /usr/bin/python3 bench/jupyter_baseline.py --iterations 200
Prints human-readable lines on stderr and one JSON object as the last line on stdout.
All times in milliseconds. The kernel runs outside any sandbox (the stock setup).
"""
import argparse
import json
import math
import os
import statistics
import sys
import time

try:
    from jupyter_client import KernelManager
except ImportError:
    print("jupyter_client is missing: apt-get install python3-jupyter-client "
          "python3-ipykernel", file=sys.stderr)
    sys.exit(3)


def pss_kb(pid):
    """Proportional set size of one process, from /proc/PID/smaps_rollup."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def quantile(values, q):
    s = sorted(values)  # nearest rank, as coderoom-bench computes it
    rank = max(1, min(len(s), math.ceil(q * len(s))))
    return s[rank - 1]


def wait_reply(kc, msg_id):
    while True:
        msg = kc.get_shell_msg(timeout=30)
        if msg["parent_header"].get("msg_id") == msg_id:
            return msg


def wait_idle(kc, msg_id):
    while True:
        msg = kc.get_iopub_msg(timeout=30)
        if (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status"
                and msg["content"]["execution_state"] == "idle"):
            return


def main():
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # quiet debugpy's note
    parser = argparse.ArgumentParser()
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--starts", type=int, default=3)
    args = parser.parse_args()

    starts = []
    reply_ms = []
    idle_ms = []
    pss = []
    for run in range(args.starts):
        t0 = time.perf_counter()
        km = KernelManager(kernel_name="python3")
        km.start_kernel()
        kc = km.client()
        kc.start_channels()
        kc.wait_for_ready(timeout=60)  # kernel_info round trip: the kernel answers
        msg_id = kc.execute("x = 0")
        wait_reply(kc, msg_id)
        starts.append((time.perf_counter() - t0) * 1000)
        wait_idle(kc, msg_id)
        if run == 0:
            # Round trip as a notebook sees it: execute_reply on shell, and idle on iopub
            # (the point where all output of the cell has arrived).
            for i in range(args.iterations + 20):
                t = time.perf_counter()
                msg_id = kc.execute("x += 1")
                wait_reply(kc, msg_id)
                r = (time.perf_counter() - t) * 1000
                wait_idle(kc, msg_id)
                d = (time.perf_counter() - t) * 1000
                if i >= 20:
                    reply_ms.append(r)
                    idle_ms.append(d)
        pid = km.provisioner.process.pid if km.provisioner else km.kernel.pid
        pss.append(pss_kb(pid))
        kc.stop_channels()
        km.shutdown_kernel(now=True)

    result = {
        "kernel_start_ms_median": statistics.median(starts),
        "kernel_start_ms_max": max(starts),
        "starts": len(starts),
        "execute_reply_ms_median": statistics.median(reply_ms),
        "execute_reply_ms_p99": quantile(reply_ms, 0.99),
        "execute_reply_ms_max": max(reply_ms),
        "execute_idle_ms_median": statistics.median(idle_ms),
        "execute_idle_ms_p99": quantile(idle_ms, 0.99),
        "iterations": len(reply_ms),
        "kernel_pss_kb": statistics.median(pss),
    }
    print(json.dumps(result, indent=None), file=sys.stderr)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
