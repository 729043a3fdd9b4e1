/* et-pty-second-write-is-edge: a pty slave in raw mode becomes readable when
 * the master writes, and every master write is a wakeup: under EPOLLET a
 * second write while the slave is undrained is a new edge (ET-PTYS-1..3);
 * the same from slave to master (ET-PTYM-3). The line discipline delivers
 * asynchronously, so waits that expect an event use a 5 s timeout and waits
 * that expect nothing use 100 ms (as SEMANTICS 3.2 does). Terminal emulators
 * and expect-style tools watch ptys edge-triggered. */
#include "check.h"
#include <termios.h>

int main(void)
{
    test_start();
    int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    check(m >= 0);
    check(grantpt(m) == 0 && unlockpt(m) == 0);
    char *name = ptsname(m);
    check(name != NULL);
    int s = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    check(s >= 0);
    struct termios tio;
    check(tcgetattr(s, &tio) == 0);
    cfmakeraw(&tio);
    check(tcsetattr(s, TCSANOW, &tio) == 0);
    set_nonblock(m);
    set_nonblock(s);
    int ep = make_epoll();
    check(ep_add(ep, s, EPOLLIN | EPOLLET, 1) == 0);
    check(ep_add(ep, m, EPOLLIN | EPOLLET, 2) == 0);

    expect_wait("idle", ep, 8, 100, "none");
    put(m, 1);
    expect_wait("master wrote", ep, 8, 5000, "IN data=1");
    expect_wait("nothing new", ep, 8, 100, "none");
    put(m, 1);
    expect_wait("master wrote again, slave undrained", ep, 8, 5000, "IN data=1");
    expect_wait("nothing new", ep, 8, 100, "none");
    check(drain(s) == 2);

    put(s, 1);
    expect_wait("slave wrote", ep, 8, 5000, "IN data=2");
    expect_wait("nothing new", ep, 8, 100, "none");
    put(s, 1);
    expect_wait("slave wrote again, master undrained", ep, 8, 5000, "IN data=2");
    expect_wait("nothing new", ep, 8, 100, "none");
    check(drain(m) == 2);

    close(ep);
    close(s);
    close(m);
    return test_done();
}
