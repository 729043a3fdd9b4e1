/* et-socket-out-edge-on-peer-read: on AF_UNIX sockets the sender's buffer
 * space is charged for every message until the receiver consumes it; when the
 * peer reads, the skb is freed and the sender gets a write-space wakeup
 * (sock_wfree -> unix_write_space). An edge-triggered EPOLLOUT registration
 * on the sender therefore reports OUT again after each read by the peer,
 * though the sender was writable all along. Found by the differential fuzzer
 * (tests/diff, seed 7) on a datagram pair. The same happens when the peer
 * is closed with the messages unread (seed 1016), and, on a datagram socket
 * whose peer is gone, when a send fails ECONNREFUSED (seed 1192). */
#include "check.h"

static void one(const char *name, int type)
{
    int sv[2];
    make_socketpair(type, sv);
    int ep = make_epoll();
    char line[128];
    put(sv[0], 1);
    put(sv[0], 1);
    check(ep_add(ep, sv[0], EPOLLOUT | EPOLLET, 1) == 0);
    snprintf(line, sizeof line, "%s: first wait", name);
    expect_wait(line, ep, 8, 0, "OUT data=1");
    snprintf(line, sizeof line, "%s: second wait", name);
    expect_wait(line, ep, 8, 0, "none");
    take(sv[1], 1);
    snprintf(line, sizeof line, "%s: after the peer read one message", name);
    expect_wait(line, ep, 8, 0, "OUT data=1");
    snprintf(line, sizeof line, "%s: again", name);
    expect_wait(line, ep, 8, 0, "none");
    close(ep);
    close(sv[0]);
    close(sv[1]);
}

static void peer_close(const char *name, int type)
{
    int sv[2];
    make_socketpair(type, sv);
    int ep = make_epoll();
    char line[128];
    put(sv[0], 1);
    check(ep_add(ep, sv[0], EPOLLOUT | EPOLLET, 1) == 0);
    snprintf(line, sizeof line, "%s: first wait", name);
    expect_wait(line, ep, 8, 0, "OUT data=1");
    close(sv[1]);
    snprintf(line, sizeof line, "%s: after the peer closed with a message unread", name);
    expect_wait(line, ep, 8, 0, type == SOCK_DGRAM ? "OUT data=1" : "OUT|HUP data=1");
    if (type == SOCK_DGRAM) {
        expect_err(write(sv[0], "x", 1), ECONNREFUSED);
        snprintf(line, sizeof line, "%s: after a send that failed ECONNREFUSED", name);
        expect_wait(line, ep, 8, 0, "OUT data=1");
    }
    close(ep);
    close(sv[0]);
}

int main(void)
{
    test_start();
    peer_close("dgram", SOCK_DGRAM);
    one("dgram", SOCK_DGRAM);
    one("seqpacket", SOCK_SEQPACKET);
    one("stream", SOCK_STREAM);
    return test_done();
}
