/* external.c: what the harness needs to know of an external strategy
 * before running it: where it lives, whether it can run, its version. */
#include "strategy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef CB_ROOT
#define CB_ROOT "."
#endif

const char *cb_root(void)
{
    const char *r = getenv("CONCBENCH_ROOT");
    return r && *r ? r : CB_ROOT;
}

/* One word of a command, @ resolved, into out (NUL-terminated);
 * returns the bytes written including the NUL. */
static size_t put_word(char *out, const char *w, size_t wlen)
{
    size_t n = 0;
    if (wlen && w[0] == '@') {
        const char *root = cb_root();
        size_t rl = strlen(root);
        memcpy(out, root, rl);
        out[rl] = '/';
        n = rl + 1;
        w++, wlen--;
    }
    memcpy(out + n, w, wlen);
    out[n + wlen] = '\0';
    return n + wlen + 1;
}

char **cb_external_argv(const struct cb_external *e)
{
    const char *cmd = e->command;
    size_t words = 0, len = strlen(cmd);
    for (const char *p = cmd; *p;) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        words++;
        while (*p && *p != ' ')
            p++;
    }
    size_t roots = words * (strlen(cb_root()) + 2);
    char **argv = malloc((words + 1) * sizeof *argv + len + roots + words + 1);
    if (!argv)
        return NULL;
    char *out = (char *)(argv + words + 1);
    size_t i = 0;
    for (const char *p = cmd; *p;) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        const char *w = p;
        while (*p && *p != ' ')
            p++;
        argv[i++] = out;
        out += put_word(out, w, (size_t)(p - w));
    }
    argv[i] = NULL;
    return argv;
}

/* The first @path of command that does not exist, resolved into buf, or
 * NULL when every one does. */
static const char *missing_path(const char *command, char *buf, size_t len)
{
    for (const char *p = command; *p;) {
        while (*p == ' ')
            p++;
        const char *w = p;
        while (*p && *p != ' ')
            p++;
        if (*w != '@')
            continue;
        snprintf(buf, len, "%s/%.*s", cb_root(), (int)(p - w - 1), w + 1);
        if (access(buf, F_OK) != 0)
            return buf;
    }
    return NULL;
}

int cb_strategy_available(const struct cb_strategy *s, char *why, size_t len)
{
    if (!s->external)
        return 1;
    char **argv = cb_external_argv(s->external);
    char path[4096];
    if (!argv) {
        snprintf(why, len, "out of memory");
        return 0;
    }
    /* The interpreter or the built program, then every path under the
     * root the command names (a script, a class folder). */
    const char *missing = access(argv[0], X_OK) == 0 ? NULL : argv[0];
    if (!missing)
        missing = missing_path(s->external->command, path, sizeof path);
    if (missing) {
        int built = strstr(missing, "/build/") != NULL;
        snprintf(why, len, "%s is missing: needs Debian package %s%s", missing,
                 s->external->package, built ? " and `make peers`" : " (scripts/install-deps.sh)");
    }
    free(argv);
    return missing == NULL;
}

int cb_strategy_version(const struct cb_strategy *s, char *buf, size_t len)
{
    if (!s->external) {
        snprintf(buf, len, "gcc %s", __VERSION__);
        return 0;
    }
    /* The version command may use @paths too: resolve them by building
     * an argv-like copy, then join it back into one shell line. */
    struct cb_external e = {.command = s->external->version};
    char **argv = cb_external_argv(&e);
    if (!argv)
        return -ENOMEM;
    char line[1024] = "";
    size_t off = 0;
    for (size_t i = 0; argv[i] && off < sizeof line; i++)
        off += (size_t)snprintf(line + off, sizeof line - off, "%s%s", i ? " " : "", argv[i]);
    free(argv);
    if (off >= sizeof line)
        return -E2BIG;
    char cmd[1100];
    snprintf(cmd, sizeof cmd, "(%s) 2>/dev/null", line);
    FILE *p = popen(cmd, "re");
    if (!p)
        return -errno;
    int got = fgets(buf, (int)len, p) != NULL;
    int st = pclose(p);
    if (!got || st != 0) {
        buf[0] = '\0';
        return -ENOENT;
    }
    buf[strcspn(buf, "\r\n")] = '\0';
    return 0;
}
