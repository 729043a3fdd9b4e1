/* cold-fork-child-waits: a child forked while the parent's registrations
 * are idle (repoll: cold, watched by a helper thread that the child does
 * not inherit) waits on its copy of the instance and sees a write made by
 * the parent, both at once and after idling in the child too. */
#include "check.h"

#define PAIRS 100

int main(void)
{
    test_start();
    int s[PAIRS][2], go[2];
    int ep = make_epoll();
    for (int i = 0; i < PAIRS; i++) {
        make_socketpair(SOCK_STREAM, s[i]);
        check(ep_add(ep, s[i][0], EPOLLIN, i) == 0);
    }
    expect_wait("parent idle for a while", ep, 8, 150, "none");
    expect_wait("still idle", ep, 8, 100, "none");
    check(pipe(go) == 0);

    pid_t child = fork();
    check(child >= 0);
    if (child == 0) {
        close(go[1]);
        char c;
        check(read(go[0], &c, 1) == 1);
        expect_wait("child: parent wrote into pair 20", ep, 8, 5000, "IN data=20");
        take(s[20][0], 1);
        expect_wait("child idle for a while", ep, 8, 150, "none");
        check(read(go[0], &c, 1) == 1);
        expect_wait("child: parent wrote into pair 80", ep, 8, 5000, "IN data=80");
        take(s[80][0], 1);
        _exit(g_failed ? 1 : 0);
    }
    close(go[0]);
    check(write(s[20][1], "x", 1) == 1);
    check(write(go[1], "1", 1) == 1);
    usleep(300 * 1000);
    check(write(s[80][1], "y", 1) == 1);
    check(write(go[1], "2", 1) == 1);
    int st;
    check(waitpid(child, &st, 0) == child);
    say("child exit status %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    expect_wait("parent: the child drained both", ep, 8, 0, "none");
    test_done();
}
