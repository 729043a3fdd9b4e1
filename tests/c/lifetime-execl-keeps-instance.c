/* lifetime-execl-keeps-instance: execl, execlp and execle keep an epoll
 * instance created without EPOLL_CLOEXEC, like execve does (LIFE-EXEC-2..5):
 * the new image finds the registered item with its data. glibc builds the
 * argument vector of these variadic calls itself and calls execve through an
 * internal alias that no preload sees, so repoll hooks them separately; the
 * calls here pass twelve arguments, more than fit in registers on x86-64 and
 * aarch64, so the hook must read the caller's stack slots correctly. execle
 * passes its own environment: the new image must see exactly that, with no
 * variable of repoll's, also when that environment does not preload repoll
 * (the new image then cannot remove one). execlp finds the program through
 * PATH. */
#include "check.h"

extern char **environ;

static int exec_image(int argc, char **argv)
{
    alarm(20);
    /* argv: prog exec-image KIND ep rd x1 ... x7 */
    say("new image (%s): argc=%d last=%s", argv[2], argc, argv[argc - 1]);
    for (int i = 5; i < argc; i++) {
        char want[16];
        snprintf(want, sizeof want, "x%d", i - 4);
        if (strcmp(argv[i], want) != 0) {
            say("argv[%d]=%s, want %s", i, argv[i], want);
            g_failed = 1;
        }
    }
    int ep = atoi(argv[3]);
    /* Without LD_PRELOAD the new image's epoll fd is not one under repoll. */
    if (strcmp(argv[2], "execle-clean") != 0)
        expect_wait("new image: inherited instance", ep, 8, 0, "IN data=7");
    int n = 0, ours = 0;
    for (char **e = environ; *e; e++) {
        n++;
        if (strncmp(*e, "REPOLL_INHERIT", 14) == 0) ours++;
    }
    say("new image: REPOLL_INHERIT visible: %s", ours ? "yes" : "no");
    if (ours) g_failed = 1;
    if (strncmp(argv[2], "execle", 6) == 0) {
        const char *v = getenv("LIFETIME_EXECL");
        say("new image: environment entries=%d LIFETIME_EXECL=%s", n - (getenv("LD_PRELOAD") ? 1 : 0),
            v ? v : "(unset)");
    }
    return g_failed ? 1 : 0;
}

static void wait_child(const char *what, pid_t pid)
{
    int st;
    check(waitpid(pid, &st, 0) == pid);
    say("%s: exit status %d", what, WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
    if (!(WIFEXITED(st) && WEXITSTATUS(st) == 0)) g_failed = 1;
}

int main(int argc, char **argv)
{
    if (argc >= 4 && strcmp(argv[1], "exec-image") == 0)
        return exec_image(argc, argv);

    test_start();
    int p[2];
    check(pipe(p) == 0);
    int ep = epoll_create1(0);
    check(ep >= 0);
    check(ep_add(ep, p[0], EPOLLIN, 7) == 0);
    put(p[1], 1);

    char self[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    check(len > 0);
    self[len] = 0;
    char dir[] = "/tmp/repoll-execlp.XXXXXX";
    check(mkdtemp(dir) != NULL);
    char link[PATH_MAX];
    snprintf(link, sizeof link, "%s/repoll-execlp-self", dir);
    check(symlink(self, link) == 0);

    char a_ep[16], a_rd[16];
    snprintf(a_ep, sizeof a_ep, "%d", ep);
    snprintf(a_rd, sizeof a_rd, "%d", p[0]);

    static const char *kinds[] = { "execl", "execlp", "execle", "execle-clean" };
    for (int k = 0; k < 4; k++) {
        pid_t pid = fork();
        check(pid >= 0);
        if (pid == 0) {
            if (k == 0) {
                execl(self, "self", "exec-image", "execl", a_ep, a_rd,
                      "x1", "x2", "x3", "x4", "x5", "x6", "x7", (char *)NULL);
            } else if (k == 1) {
                setenv("PATH", dir, 1);
                execlp("repoll-execlp-self", "self", "exec-image", "execlp", a_ep, a_rd,
                       "x1", "x2", "x3", "x4", "x5", "x6", "x7", (char *)NULL);
            } else if (k == 3) {
                char *env[] = { "LIFETIME_EXECL=clean", NULL };
                execle(self, "self", "exec-image", "execle-clean", a_ep, a_rd,
                       "x1", "x2", "x3", "x4", "x5", "x6", "x7", (char *)NULL, env);
            } else {
                /* Keep LD_PRELOAD so the new image runs under the same epoll. */
                char pre[4096] = "LD_PRELOAD=";
                const char *lp = getenv("LD_PRELOAD");
                char *env[] = { "LIFETIME_EXECL=yes", lp ? strncat(pre, lp, sizeof pre - 12) : NULL, NULL };
                execle(self, "self", "exec-image", "execle", a_ep, a_rd,
                       "x1", "x2", "x3", "x4", "x5", "x6", "x7", (char *)NULL, env);
            }
            _exit(127);
        }
        wait_child(kinds[k], pid);
    }
    expect_wait("parent: still readable", ep, 8, 0, "IN data=7");

    unlink(link);
    rmdir(dir);
    close(ep);
    close(p[0]);
    close(p[1]);
    return test_done();
}
