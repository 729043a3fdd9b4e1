/* et-socket-out-edge-on-peer-read: on AF_UNIX sockets the sender's buffer
 * space is charged for every message until the receiver consumes it; when the
 * peer reads, the skb is freed and the sender gets a write-space wakeup
 * (sock_wfree -> unix_write_space). An edge-triggered EPOLLOUT registration
 * on the sender therefore reports OUT again after each read by the peer,
 * though the sender was writable all along. Found by the differential fuzzer
 * (tests/diff, seed 7) on a datagram pair. */
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

int main(void)
{
    test_start();
    one("dgram", SOCK_DGRAM);
    one("seqpacket", SOCK_SEQPACKET);
    one("stream", SOCK_STREAM);
    return test_done();
}
