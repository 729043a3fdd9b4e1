/* io-stdio-write-is-edge: data written through stdio (fdopen on a dup of a
 * socket, fputs, fflush) reaches the kernel through glibc's internal write,
 * which no LD_PRELOAD can interpose; the kernel still sees a wakeup, so an
 * undrained ET reader gets a new edge (IO-W-STDIO, SEMANTICS 11.1/15). The
 * same goes for dprintf. An emulation has to notice the queued byte count
 * growing instead. */
#include "check.h"

int main(void)
{
    test_start();
    int s[2];
    make_socketpair(SOCK_STREAM, s);
    int ep = make_epoll();
    check(ep_add(ep, s[0], EPOLLIN | EPOLLET, 1) == 0);

    int d = dup(s[1]);
    check(d >= 0);
    FILE *f = fdopen(d, "w");
    check(f != NULL);
    check(fputs("a", f) >= 0);
    check(fflush(f) == 0);
    expect_wait("fputs + fflush", ep, 8, 0, "IN data=1");
    expect_wait("nothing new", ep, 8, 0, "none");
    check(fputs("b", f) >= 0);
    check(fflush(f) == 0);
    expect_wait("fputs + fflush again, undrained", ep, 8, 0, "IN data=1");
    check(fclose(f) == 0);
    check(dprintf(s[1], "c") == 1);
    expect_wait("dprintf, undrained", ep, 8, 0, "IN data=1");
    expect_wait("nothing new", ep, 8, 0, "none");
    check(drain(s[0]) == 3);

    close(ep);
    close(s[0]);
    close(s[1]);
    return test_done();
}
