/* lifetime-scm-rights-copy-keeps-item: a watched fd passed over a unix socket
 * (SCM_RIGHTS) arrives as a new descriptor for the same open file. Closing
 * the registered number then leaves the item alive, reporting with its old
 * data, and DEL through the received number is ENOENT, since (number, file)
 * is a different key (LIFE-DUP-1..3 with the copy made by recvmsg instead of
 * dup, SEMANTICS 7.2). Connection hand-off between threads or processes
 * relies on this. */
#include "check.h"

int main(void)
{
    test_start();
    int s[2], p[2];
    make_socketpair(SOCK_STREAM, s);
    make_pipe(p);
    int ep = make_epoll();
    check(ep_add(ep, p[0], EPOLLIN, 1) == 0);

    send_fd(s[0], p[0]);
    int r = recv_fd(s[1]);
    check(r >= 0 && r != p[0]);
    check(close(p[0]) == 0);
    put(p[1], 1);
    expect_wait("registered fd closed, received copy alive", ep, 8, 0, "IN data=1");
    expect_err(ep_del(ep, r), ENOENT);
    check(drain(r) == 1);
    expect_wait("drained through the received copy", ep, 8, 0, "none");
    put(p[1], 1);
    expect_wait("written again", ep, 8, 0, "IN data=1");
    close(r);
    expect_wait("received copy closed (last reference)", ep, 8, 0, "none");

    close(ep);
    close(p[1]);
    close(s[0]);
    close(s[1]);
    return test_done();
}
