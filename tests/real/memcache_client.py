"""memcache_client.py PORT - drives memcached over its text protocol from
several connections at once and prints a transcript that must be the same
natively and under repoll: every reply, in request order per step.

Steps: set/get on 8 interleaved connections, multi-get, incr/decr, add and
replace rules, append/prepend, delete, a 600 kB value, 200 pipelined sets
on one connection, and a final stats line with the counters that do not
depend on timing."""
import socket
import sys

PORT = int(sys.argv[1])


class Conn:
    def __init__(self):
        self.s = socket.create_connection(("127.0.0.1", PORT), timeout=20)
        self.buf = b""

    def send(self, data):
        self.s.sendall(data)

    def line(self):
        while b"\r\n" not in self.buf:
            chunk = self.s.recv(65536)
            if not chunk:
                raise EOFError("connection closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def exact(self, n):
        while len(self.buf) < n:
            chunk = self.s.recv(65536)
            if not chunk:
                raise EOFError("connection closed")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def cmd(self, text, value=None):
        if value is None:
            self.send(text.encode() + b"\r\n")
        else:
            self.send(text.encode() + b"\r\n" + value + b"\r\n")
        return self.line().decode()

    def get(self, keys):
        self.send(("get " + " ".join(keys) + "\r\n").encode())
        out = []
        while True:
            line = self.line().decode()
            if line == "END":
                return out
            _, key, flags, size = line.split()
            data = self.exact(int(size) + 2)[:-2]
            out.append((key, flags, len(data), data[:16].decode(errors="replace")))


def say(*a):
    print(*a, flush=True)


conns = [Conn() for _ in range(8)]
for i, c in enumerate(conns):
    say("set k%d:" % i, c.cmd("set k%d %d 0 %d" % (i, i, 5 + i), b"v" * (5 + i)))
for i, c in enumerate(conns):
    other = (i + 3) % len(conns)
    say("get k%d from conn %d:" % (other, i), c.get(["k%d" % other]))
say("multi-get:", conns[0].get(["k%d" % i for i in range(8)] + ["missing"]))
c = conns[1]
say("set n:", c.cmd("set n 0 0 2", b"10"))
say("incr n 5:", c.cmd("incr n 5"))
say("decr n 20:", c.cmd("decr n 20"))
say("incr missing:", c.cmd("incr missing 1"))
say("add n:", c.cmd("add n 0 0 1", b"x"))
say("replace nothere:", c.cmd("replace nothere 0 0 1", b"x"))
say("append k1:", c.cmd("append k1 0 0 3", b"abc"))
say("prepend k1:", c.cmd("prepend k1 0 0 3", b"xyz"))
say("get k1:", conns[2].get(["k1"]))
say("delete k2:", conns[3].cmd("delete k2"))
say("delete k2 again:", conns[4].cmd("delete k2"))
big = bytes((i * 7) % 251 for i in range(600_000))
say("set big:", conns[5].cmd("set big 0 0 %d" % len(big), big))
got = conns[6].get(["big"])
say("get big:", [(k, f, n) for k, f, n, _ in got])
conns[6].send(b"get big\r\n")
head = conns[6].line().split()
data = conns[6].exact(int(head[3]) + 2)[:-2]
conns[6].line()
say("big intact:", data == big)
p = conns[7]
p.send(b"".join(b"set p%d 0 0 3\r\nabc\r\n" % i for i in range(200)))
replies = [p.line().decode() for _ in range(200)]
say("pipelined sets:", len(replies), set(replies))
say("pipelined get count:", len(p.get(["p%d" % i for i in range(200)])))
stats = {}
conns[0].send(b"stats\r\n")
while True:
    line = conns[0].line().decode()
    if line == "END":
        break
    _, k, v = line.split(" ", 2)
    stats[k] = v
for k in ("cmd_get", "cmd_set", "get_hits", "get_misses", "delete_hits", "delete_misses",
          "incr_hits", "incr_misses", "decr_hits", "curr_items", "total_connections"):
    say("stats", k, stats.get(k))
for c in conns:
    c.s.close()
