/* work.c: the slots' helpers every strategy shares. */
#include "work.h"

#include <errno.h>
#include <unistd.h>

size_t cb_tasks_fail_unfilled(struct cb_task *tasks, size_t n, int error, uint64_t detail)
{
    size_t filled = 0;
    for (size_t k = 0; k < n; k++) {
        if (tasks[k].error == CB_OK && tasks[k].finished_ns == 0) {
            tasks[k].error = error;
            tasks[k].value = detail;
            filled++;
        }
    }
    return filled;
}

int cb_write_all(int fd, const void *buf, size_t len)
{
    while (len) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n < 0 ? -errno : -EIO;
        buf = (const char *)buf + n;
        len -= (size_t)n;
    }
    return 0;
}

void cb_tasks_fail(struct cb_task *tasks, size_t from, size_t n, int error, int err)
{
    for (size_t k = from; k < n; k++) {
        tasks[k].error = error;
        tasks[k].value = (uint64_t)err;
    }
}
