/* cold-close-releases-file: closing a registered descriptor that had been
 * idle for a while (in repoll: watched by its helper thread, whose poll
 * holds a reference to the file) releases the file when close returns, as
 * natively: the peer of a closed socket sees end of file and EPOLLHUP at
 * once, without waiting. A dup of an idle registered descriptor keeps its
 * registration alive after the original is closed (LIFE-DUP-1). */
#include "check.h"

#define PAIRS 100

int main(void)
{
    test_start();
    int s[PAIRS][2];
    int ep = make_epoll(), watch = make_epoll();
    for (int i = 0; i < PAIRS; i++) {
        make_socketpair(SOCK_STREAM, s[i]);
        check(ep_add(ep, s[i][0], EPOLLIN | EPOLLRDHUP, i) == 0);
    }
    expect_wait("idle for a while", ep, 8, 150, "none");
    expect_wait("still idle", ep, 8, 100, "none");

    /* Close an idle registered end: the peer sees EOF immediately. */
    check(close(s[10][0]) == 0);
    set_nonblock(s[10][1]);
    char c;
    ssize_t r = read(s[10][1], &c, 1);
    say("peer read after close -> %s\n", r == 0 ? "0 (end of file)" : rcname(r, errno));
    check(ep_add(watch, s[10][1], EPOLLIN | EPOLLRDHUP, 1) == 0);
    expect_wait("peer reports the close", watch, 8, 0, "IN|HUP|RDHUP data=1");

    /* Many closes in a row. */
    for (int i = 20; i < 40; i++)
        check(close(s[i][0]) == 0);
    int eof = 0;
    for (int i = 20; i < 40; i++) {
        set_nonblock(s[i][1]);
        if (read(s[i][1], &c, 1) == 0)
            eof++;
    }
    say("peers at end of file after 20 closes: %d\n", eof);
    expect_wait("closed ones are gone, the rest idle", ep, 8, 0, "none");

    /* A dup keeps the idle registration alive. */
    int d = dup(s[50][0]);
    check(d >= 0);
    check(close(s[50][0]) == 0);
    expect_wait("idle again", ep, 8, 150, "none");
    check(write(s[50][1], "x", 1) == 1);
    expect_wait("write to the peer of the dup'd end", ep, 8, 5000, "IN data=50");
    check(close(d) == 0);
    set_nonblock(s[50][1]);
    r = read(s[50][1], &c, 1);
    say("peer read after closing the dup -> %s\n", r == 0 ? "0 (end of file)" : rcname(r, errno));
    test_done();
}
