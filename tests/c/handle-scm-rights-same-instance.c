/* handle-scm-rights-same-instance: a descriptor received over a unix socket
 * (SCM_RIGHTS) names the same open file as the one sent, so a received epoll
 * fd is the same instance: ADD through it of an item the sender registered is
 * EEXIST, it reports the sender's items with their data, and it keeps the
 * instance alive after the original is closed (SEMANTICS 1.1, 7.5).
 * Process-handoff code (systemd socket passing, zero-downtime restarts) moves
 * fds this way. Here the fd is sent to the same process, which an emulation
 * sees as a new number appearing through recvmsg. */
#include "check.h"

int main(void)
{
    test_start();
    int s[2], p[2];
    make_socketpair(SOCK_STREAM, s);
    make_pipe(p);
    int ep = make_epoll();
    check(ep_add(ep, p[0], EPOLLIN, 1) == 0);

    send_fd(s[0], ep);
    int ep2 = recv_fd(s[1]);
    check(ep2 >= 0 && ep2 != ep);
    expect_err(ep_add(ep2, p[0], EPOLLIN, 2), EEXIST);
    put(p[1], 1);
    expect_wait("through the received epoll fd", ep2, 8, 0, "IN data=1");
    check(close(ep) == 0);
    expect_wait("after closing the original epoll fd", ep2, 8, 0, "IN data=1");

    close(ep2);
    close(p[0]);
    close(p[1]);
    close(s[0]);
    close(s[1]);
    return test_done();
}
