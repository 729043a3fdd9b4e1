/* et-read-is-not-edge: reading from a file does not wake its readers, so a
 * partial read (or a full drain) of an ET item produces no IN event
 * (SEMANTICS 3.1.2, ET-PIPE-4/5, ET-USTREAM-4/5, ET-EVENTFDSEM-4); neither
 * does recv(MSG_PEEK) (IO-PEEK-2) nor read(fd, buf, 0) (IO-ZERO-1). An
 * emulation that treats "still readable after a read" as a new edge spins
 * ET loops that read in chunks. */
#include "check.h"

int main(void)
{
    test_start();
    int p[2], s[2];
    make_pipe(p);
    make_socketpair(SOCK_STREAM, s);
    int sem = make_eventfd(0, EFD_SEMAPHORE);
    int ep = make_epoll();
    check(ep_add(ep, p[0], EPOLLIN | EPOLLET, 1) == 0);
    check(ep_add(ep, s[0], EPOLLIN | EPOLLET, 2) == 0);
    check(ep_add(ep, sem, EPOLLIN | EPOLLET, 3) == 0);
    char c;
    eventfd_t v;

    put(p[1], 3);
    put(s[1], 3);
    check(eventfd_write(sem, 3) == 0);
    expect_wait("three writes", ep, 8, 0, "IN data=1, IN data=2, IN data=3");
    expect_wait("nothing new", ep, 8, 0, "none");

    take(p[0], 1);
    take(s[0], 1);
    check(eventfd_read(sem, &v) == 0);
    expect_wait("after partial reads", ep, 8, 0, "none");

    check(recv(s[0], &c, 1, MSG_PEEK) == 1);
    check(read(p[0], &c, 0) == 0);
    expect_wait("after MSG_PEEK and a 0-byte read", ep, 8, 0, "none");

    check(drain(p[0]) == 2);
    check(drain(s[0]) == 2);
    check(eventfd_read(sem, &v) == 0);
    check(eventfd_read(sem, &v) == 0);
    expect_wait("after draining all", ep, 8, 0, "none");

    close(ep);
    close(p[0]);
    close(p[1]);
    close(s[0]);
    close(s[1]);
    close(sem);
    return test_done();
}
