# SPDX-License-Identifier: LGPL-2.1-or-later
# bench/notify/bench.py HELPER WORK RUNS SECONDS: the measurements of bench/notify/run.
import os
import socket
import statistics
import subprocess
import sys
import time

helper, work, runs, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
client = os.path.join(work, "root", "notify")
sock_path = os.path.join(work, "notify.sock")
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(sock_path)
sock.settimeout(10)


def helper_env():
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "NOTIFY_SOCKET": sock_path}
    return env


def stop(p):
    # SIGKILL: the payload (PID 1, no handler for SIGTERM) would wait out stop_timeout;
    # its parent-death signal ends the container with the helper.
    p.kill()
    p.wait()


def time_to_ready(name):
    """µs from just before the helper's exec to the READY=1 it passes on, and (with a
    payload that stamps its message) from the payload's send to its arrival here."""
    sock.settimeout(0)
    while True:  # drain what an earlier run left
        try:
            sock.recv(4096)
        except (BlockingIOError, TimeoutError):
            break
    sock.settimeout(10)
    t0 = time.monotonic_ns()
    p = subprocess.Popen([helper, "--config", os.path.join(work, name + ".json"), name],
                         env=helper_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        while True:
            data = sock.recv(4096)
            lines = data.split(b"\n")
            if b"READY=1" in lines:
                t1 = time.monotonic_ns()
                sent = [int(x.split()[1]) for x in lines if x.startswith(b"STATUS=sent ")]
                break
    except socket.timeout:
        stop(p)
        sys.exit(f"bench/notify: no READY=1 from the {name} container: {p.stderr.read().decode()}")
    stop(p)
    if sent:
        relay_samples.append((t1 - sent[0]) / 1000)
    return (t1 - t0) / 1000


relay_samples = []


def direct_hop():
    """µs from the same client's send to its arrival here without a relay (the floor: one
    datagram and one wakeup on this machine, now)."""
    # -d: we are waiting in recv() when it sends, as for the relay.
    p = subprocess.Popen([client, "-d", "50", "-T", "READY=1"], env=helper_env())
    lines = sock.recv(4096).split(b"\n")
    t1 = time.monotonic_ns()
    p.wait()
    sent = [int(x.split()[1]) for x in lines if x.startswith(b"STATUS=sent ")]
    return (t1 - sent[0]) / 1000


def relay():
    samples = {"plain": [], "notify": []}
    direct = []
    for _ in range(3):  # warm up
        time_to_ready("plain"), time_to_ready("notify")
    relay_samples.clear()
    for i in range(runs):
        order = ("plain", "notify") if i % 2 == 0 else ("notify", "plain")
        for name in order:
            samples[name].append(time_to_ready(name))
        direct.append(direct_hop())
    med = {k: statistics.median(v) for k, v in samples.items()}
    print("## relay: exec of the helper to READY=1 (µs, %d runs each, alternating)\n" % runs)
    print("| container | median | p10 | p90 |")
    print("| --- | ---: | ---: | ---: |")
    for k, v in samples.items():
        q = statistics.quantiles(v, n=10)
        print(f"| {k} | {med[k]:.0f} | {q[0]:.0f} | {q[-1]:.0f} |")
    d = med["notify"] - med["plain"]
    q = statistics.quantiles(relay_samples, n=10)
    r = statistics.median(relay_samples)
    qd = statistics.quantiles(direct, n=10)
    f = statistics.median(direct)
    print(f"| notify: the payload's send to READY=1 here (through the relay) | {r:.0f} | {q[0]:.0f} | {q[-1]:.0f} |")
    print(f"| floor: the same client's send straight to this socket | {f:.0f} | {qd[0]:.0f} | {qd[-1]:.0f} |")
    added = max(r - f, 0)
    print(f"\nthe relay adds {added / 1000:.3f} ms between the payload's READY=1 and systemd's "
          f"(through the relay {r / 1000:.3f} ms, straight {f / 1000:.3f} ms; target <= 0.5 ms): "
          f"{'met' if added <= 500 else 'NOT met'}; a notify container is ready "
          f"{d / 1000:.3f} ms after a plain one, which also holds the payload's own exec and start "
          f"(a plain container is READY=1 at its exec)\n")


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # utime stime cutime cstime: fields 14-17 of proc(5), here 11-14 after "state"
    return [int(x) for x in fields[11:15]]


def on_cpu_ns(pid):
    # schedstat: the time on a CPU in ns (the helper is one thread), finer than the ticks
    with open(f"/proc/{pid}/schedstat") as f:
        return int(f.read().split()[0])


def supervisor_cpu(name):
    p = subprocess.Popen([helper, "--config", os.path.join(work, name + ".json"), name],
                         env=helper_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            if b"READY=1" in sock.recv(4096).split(b"\n"):
                break
        except socket.timeout:
            break
    a, an = cpu_ticks(p.pid), on_cpu_ns(p.pid)
    t0 = time.monotonic()
    time.sleep(seconds)
    b, bn = cpu_ticks(p.pid), on_cpu_ns(p.pid)
    elapsed = time.monotonic() - t0
    stop(p)
    hz = os.sysconf("SC_CLK_TCK")
    own = (bn - an) / 1e9
    children = (b[2] + b[3] - a[2] - a[3]) / hz
    return own, children, elapsed


def health():
    print(f"## health: the supervisor's CPU time over {seconds} s (a check every second)\n")
    print("| container | supervisor (on a CPU, schedstat) | % of one core | its reaped children "
          "(the checks' processes, user+system) |")
    print("| --- | ---: | ---: | ---: |")
    result = {}
    for name in ("plain", "health"):
        own, children, elapsed = supervisor_cpu(name)
        result[name] = own / elapsed * 100
        print(f"| {name} | {own * 1000:.1f} ms | {own / elapsed * 100:.3f}% | {children * 1000:.0f} ms |")
    print(f"\nhealth checks every second cost the supervisor {result['health']:.2f}% of one core "
          f"(target <= 2%): {'met' if result['health'] <= 2 else 'NOT met'}; with its checks' own "
          f"processes (intermediate and /bin/true) counted too: see the last column")


relay()
health()
