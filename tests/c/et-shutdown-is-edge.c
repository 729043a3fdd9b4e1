/* et-shutdown-is-edge: shutdown(2) wakes the wait queues of the socket that
 * calls it and of its peer (sk_state_change, a wakeup without a key), so
 * edge-triggered registrations of either get a new edge with their full
 * current state, even when the state they asked for did not change: a unix
 * stream socket stays OUT after its own SHUT_WR, the peer of a SHUT_RD stays
 * OUT, a TCP socket whose peer sends FIN stays OUT. Found by the
 * differential fuzzer (tests/diff, seeds 129, 368, 461). Closing the peer
 * of a TCP socket (FIN) is the same kind of wakeup (seed 1167), and so is
 * closing the peer of a unix socket that already reports IN|HUP (seed
 * 100407). */
#include "check.h"
#include <netinet/in.h>
#include <arpa/inet.h>

static void tcp_pair(int sv[2])
{
    int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t al = sizeof sa;
    check(l >= 0);
    check(bind(l, (struct sockaddr *)&sa, sizeof sa) == 0 && listen(l, 1) == 0);
    check(getsockname(l, (struct sockaddr *)&sa, &al) == 0);
    sv[0] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    check(connect(sv[0], (struct sockaddr *)&sa, sizeof sa) == 0);
    sv[1] = accept4(l, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    check(sv[1] >= 0);
    set_nonblock(sv[0]);
    close(l);
}

/* register WATCH (ET OUT), consume, then shutdown(SHUTTER, HOW) */
static void one(const char *name, int sv[2], int watch, int shutter, int how)
{
    char line[128];
    int ep = make_epoll();
    check(ep_add(ep, sv[watch], EPOLLOUT | EPOLLET, 1) == 0);
    snprintf(line, sizeof line, "%s: first", name);
    expect_wait(line, ep, 8, 0, "OUT data=1");
    snprintf(line, sizeof line, "%s: consumed", name);
    expect_wait(line, ep, 8, 0, "none");
    if (how < 0) expect_ok(close(sv[shutter]));
    else expect_ok(shutdown(sv[shutter], how));
    snprintf(line, sizeof line, "%s: after the shutdown", name);
    expect_wait(line, ep, 8, 0, "OUT data=1");
    snprintf(line, sizeof line, "%s: consumed again", name);
    expect_wait(line, ep, 8, 0, "none");
    close(ep);
    close(sv[watch]);
    if (how >= 0) close(sv[watch ^ 1]);
}

int main(void)
{
    test_start();
    int sv[2];
    make_socketpair(SOCK_STREAM, sv);
    one("unix stream, its own SHUT_WR", sv, 0, 0, SHUT_WR);
    make_socketpair(SOCK_STREAM, sv);
    one("unix stream, peer's SHUT_RD", sv, 0, 1, SHUT_RD);
    tcp_pair(sv);
    one("tcp, peer's SHUT_WR (FIN)", sv, 0, 1, SHUT_WR);
    tcp_pair(sv);
    one("tcp, peer closed (FIN)", sv, 0, 1, -1);

    /* through a nested instance: the inner becomes ready again */
    int sp[2];
    make_socketpair(SOCK_STREAM, sp);
    int inner = make_epoll(), outer = make_epoll();
    check(ep_add(inner, sp[1], EPOLLET, 2) == 0);
    expect_ok(shutdown(sp[0], SHUT_RDWR));
    expect_wait("peer shut down: HUP", inner, 8, 0, "HUP data=2");
    expect_wait("consumed", inner, 8, 0, "none");
    expect_ok(shutdown(sp[1], SHUT_WR));
    check(ep_add(outer, inner, EPOLLIN, 3) == 0);
    expect_wait("outer after the inner member's own shutdown", outer, 8, 0, "IN data=3");
    expect_wait("inner", inner, 8, 0, "HUP data=2");
    close(outer);
    close(inner);
    close(sp[0]);
    close(sp[1]);

    make_socketpair(SOCK_SEQPACKET, sp);
    int ep = make_epoll();
    expect_ok(shutdown(sp[1], SHUT_RDWR));
    check(ep_add(ep, sp[1], EPOLLIN | EPOLLET, 4) == 0);
    expect_wait("seqpacket after its own SHUT_RDWR", ep, 8, 0, "IN|HUP data=4");
    expect_wait("consumed", ep, 8, 0, "none");
    close(sp[0]);
    expect_wait("after the peer was closed", ep, 8, 0, "IN|HUP data=4");
    close(ep);
    close(sp[1]);
    return test_done();
}
