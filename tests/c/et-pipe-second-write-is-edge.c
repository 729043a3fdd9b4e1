/* et-pipe-second-write-is-edge: under EPOLLET the kernel queues the item once
 * per wakeup of the file, and every write into a pipe is a wakeup, even when
 * the reader has not drained the earlier data (SEMANTICS 3.1.2, ET-PIPE-1..3,
 * ET-PIPE-6). It is not a not-ready -> ready transition. libuv, libevent and
 * others never drain their ET wake-up pipe/eventfd; an emulation that only
 * fires on transitions hangs them on the second wake-up (PITFALLS). */
#include "check.h"

int main(void)
{
    test_start();
    int p[2];
    make_pipe(p);
    int ep = make_epoll();
    check(ep_add(ep, p[0], EPOLLIN | EPOLLET, 3) == 0);

    expect_wait("empty", ep, 8, 0, "none");
    put(p[1], 1);
    expect_wait("first write", ep, 8, 0, "IN data=3");
    expect_wait("no new write", ep, 8, 0, "none");
    put(p[1], 1);
    expect_wait("second write, first byte unread", ep, 8, 0, "IN data=3");
    expect_wait("no new write", ep, 8, 0, "none");
    put(p[1], 1);
    put(p[1], 1);
    expect_wait("two more writes: one event", ep, 8, 0, "IN data=3");
    expect_wait("no new write", ep, 8, 0, "none");
    check(drain(p[0]) == 4);
    expect_wait("drained", ep, 8, 0, "none");
    put(p[1], 1);
    expect_wait("write after drain", ep, 8, 0, "IN data=3");
    expect_wait("no new write", ep, 8, 0, "none");

    close(ep);
    close(p[0]);
    close(p[1]);
    return test_done();
}
