/* et-socketpair-second-write-is-edge: every write into a unix stream socket
 * wakes its reader, so under EPOLLET a second write into an undrained socket
 * is reported again (ET-USTREAM-1..3); a SOCK_DGRAM pair behaves the same
 * (ET-UDGRAM-3). Socket writes from the same process must produce edges in an
 * emulation (send/sendto/write all count, IO-W-*). */
#include "check.h"

int main(void)
{
    test_start();
    int s[2], d[2];
    make_socketpair(SOCK_STREAM, s);
    make_socketpair(SOCK_DGRAM, d);
    int ep = make_epoll();
    check(ep_add(ep, s[0], EPOLLIN | EPOLLET, 1) == 0);
    check(ep_add(ep, d[0], EPOLLIN | EPOLLET, 2) == 0);

    expect_wait("idle", ep, 8, 0, "none");
    put(s[1], 1);
    expect_wait("stream write", ep, 8, 0, "IN data=1");
    expect_wait("nothing new", ep, 8, 0, "none");
    check(send(s[1], "y", 1, 0) == 1);
    expect_wait("stream send, undrained", ep, 8, 0, "IN data=1");
    expect_wait("nothing new", ep, 8, 0, "none");

    check(send(d[1], "a", 1, 0) == 1);
    expect_wait("datagram", ep, 8, 0, "IN data=2");
    expect_wait("nothing new", ep, 8, 0, "none");
    check(send(d[1], "b", 1, 0) == 1);
    expect_wait("second datagram, first unread", ep, 8, 0, "IN data=2");
    expect_wait("nothing new", ep, 8, 0, "none");

    check(drain(s[0]) == 2);
    check(drain(d[0]) == 2);
    expect_wait("drained", ep, 8, 0, "none");

    close(ep);
    close(s[0]);
    close(s[1]);
    close(d[0]);
    close(d[1]);
    return test_done();
}
