/* et-pipe-write-end-out-edge: the write end of a pipe, registered OUT|ET, is
 * reported once at ADD (ET-PIPE-OUT-1); a read from a pipe that was not full
 * does not wake writers, so no OUT edge (ET-PIPE-OUT-2); a full pipe is not
 * writable (ET-PIPE-OUT-3); draining a full pipe makes an OUT edge
 * (ET-PIPE-OUT-4). ET writers (proxies, buffered senders) wait for exactly
 * this edge after EAGAIN. */
#include "check.h"

int main(void)
{
    test_start();
    int p[2];
    make_pipe(p);
    int ep = make_epoll();
    check(ep_add(ep, p[1], EPOLLOUT | EPOLLET, 4) == 0);

    expect_wait("ADD of an empty pipe's write end", ep, 8, 0, "OUT data=4");
    expect_wait("nothing new", ep, 8, 0, "none");
    put(p[1], 2);
    take(p[0], 1);
    expect_wait("read from a pipe that was not full", ep, 8, 0, "none");
    fill(p[1]);
    expect_wait("pipe full", ep, 8, 0, "none");
    check(drain(p[0]) > 0);
    expect_wait("full pipe drained", ep, 8, 0, "OUT data=4");
    expect_wait("nothing new", ep, 8, 0, "none");

    close(ep);
    close(p[0]);
    close(p[1]);
    return test_done();
}
