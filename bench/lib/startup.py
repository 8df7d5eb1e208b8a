#!/usr/bin/env python3
"""Start-up time: from spawning a command to the first proxied GET answered 200.

  startup.py --origin-port P [--reps N] LABEL=COMMAND [LABEL=COMMAND ...]

Each COMMAND runs under `sh -c 'exec COMMAND'` with QUARKUS_HTTP_PORT, QUARKUS_MANAGEMENT_PORT (free
random ports) and OUTRIGGER_UPSTREAM_URL (the origin) in its environment. The clock starts just
before the spawn; a GET /obj/startup-<n>?size=1024 is tried every 2 ms (connection refused: again)
until a 200 arrives. The process is then stopped (SIGTERM) and the next command starts. Commands are
interleaved rep by rep so machine noise spreads over all of them; prints each sample and per label
the median [min-max] and the median CPU time the process had used when the 200 arrived (machine
load stretches the wall time; the CPU time moves less).
"""
import argparse, os, signal, socket, statistics, subprocess, sys, time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def try_get(port, path):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n" % path).encode())
            head = b""
            while b"\r\n" not in head:
                chunk = s.recv(4096)
                if not chunk:
                    return None
                head += chunk
            return int(head.split(None, 2)[1])
    except OSError:
        return None


def cpu_ms(pid):
    """CPU time the process has used so far (all threads: JIT compilers and GC included)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def one(label, command, origin_port, n, timeout):
    port, mgmt = free_port(), free_port()
    env = dict(os.environ, QUARKUS_HTTP_PORT=str(port), QUARKUS_MANAGEMENT_PORT=str(mgmt),
               OUTRIGGER_UPSTREAM_URL="http://127.0.0.1:%d" % origin_port)
    path = "/obj/startup-%d-%d?size=1024" % (os.getpid(), n)
    t0 = time.monotonic()
    proc = subprocess.Popen(["sh", "-c", command if "exec " in command else "exec " + command], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        while time.monotonic() - t0 < timeout:
            if proc.poll() is not None:
                sys.exit("%s exited with %s: %s" % (label, proc.returncode, proc.stderr.read().decode()[-2000:]))
            status = try_get(port, path)
            if status == 200:
                return (time.monotonic() - t0) * 1000, cpu_ms(proc.pid)
            time.sleep(0.002)
        sys.exit("%s: no 200 within %s s" % (label, timeout))
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--origin-port", type=int, required=True)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("commands", nargs="+", metavar="LABEL=COMMAND")
    a = ap.parse_args()
    cmds = [c.split("=", 1) for c in a.commands]
    samples = {label: [] for label, _ in cmds}
    cpus = {label: [] for label, _ in cmds}
    n = 0
    for rep in range(a.reps):
        for label, command in cmds:
            n += 1
            ms, cpu = one(label, command, a.origin_port, n, a.timeout)
            samples[label].append(ms)
            cpus[label].append(cpu)
            print("rep %d  %-24s %7.0f ms  (cpu %5.0f ms)" % (rep + 1, label, ms, cpu), flush=True)
    print()
    for label, xs in samples.items():
        print("%-24s median %5.0f ms  [%.0f-%.0f]  cpu median %5.0f ms  n=%d" % (
            label, statistics.median(xs), min(xs), max(xs), statistics.median(cpus[label]), len(xs)))


if __name__ == "__main__":
    main()
