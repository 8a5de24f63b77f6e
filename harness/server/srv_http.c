/* srv_http.c: request parsing, response heads, the body. See srv_http.h. */
#include "srv_http.h"
#include "body.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* cb_body_byte() repeats every 61 bytes (body.h), so one buffer of
 * SRV_CHUNK + 61 bytes holds every chunk of every body: a chunk starting
 * at offset off is the buffer from off % 61. This is what lets the event
 * server hold 10,000 connections without a body buffer per connection. */
#define SRV_BODY_PERIOD 61

static unsigned char srv_pat[SRV_CHUNK + SRV_BODY_PERIOD];
static pthread_once_t srv_pat_once = PTHREAD_ONCE_INIT;
static int srv_pat_rc;

static void srv_pat_build(void)
{
    cb_body_fill(srv_pat, 0, sizeof srv_pat);
    /* Check the period we rely on, here and far out, so a change to
     * body.h fails loudly instead of serving wrong bytes. */
    for (size_t i = 0; i < sizeof srv_pat; i++)
        if (srv_pat[i] != cb_body_byte(i % SRV_BODY_PERIOD))
            srv_pat_rc = -EINVAL;
    for (uint64_t off = 1000003; off < SRV_BODY_MAX; off *= 7)
        for (uint64_t j = 0; j < 2 * SRV_BODY_PERIOD; j++)
            if (cb_body_byte(off + j) != srv_pat[(off + j) % SRV_BODY_PERIOD])
                srv_pat_rc = -EINVAL;
}

int srv_body_init(void)
{
    pthread_once(&srv_pat_once, srv_pat_build);
    return srv_pat_rc;
}

const unsigned char *srv_body_chunk(uint64_t off, size_t *n)
{
    if (*n > SRV_CHUNK)
        *n = SRV_CHUNK;
    return srv_pat + off % SRV_BODY_PERIOD;
}

/* FNV-1a cannot skip ahead, so a 16 MiB body costs 16 M steps; the
 * benchmarks ask for one length again and again, hence the cache. */
#define SUM_CACHE 8
static __thread struct {
    uint64_t len, sum;
    int used;
} sum_cache[SUM_CACHE];
static __thread unsigned sum_next;

bool srv_sum_step(struct srv_sum *s, uint64_t max_bytes)
{
    srv_body_init();
    uint64_t end = s->len - s->off > max_bytes ? s->off + max_bytes : s->len;
    while (s->off < end) {
        size_t n = end - s->off > SRV_CHUNK ? SRV_CHUNK : (size_t)(end - s->off);
        const unsigned char *p = srv_body_chunk(s->off, &n);
        s->h = cb_fnv1a(s->h, p, n);
        s->off += n;
    }
    return s->off == s->len;
}

bool srv_body_checksum_get(uint64_t len, uint64_t *sum)
{
    if (len <= SRV_SUM_INLINE) {
        struct srv_sum s;
        srv_sum_init(&s, len);
        srv_sum_step(&s, len);
        *sum = s.h;
        return true;
    }
    for (unsigned i = 0; i < SUM_CACHE; i++)
        if (sum_cache[i].used && sum_cache[i].len == len) {
            *sum = sum_cache[i].sum;
            return true;
        }
    return false;
}

void srv_body_checksum_put(uint64_t len, uint64_t sum)
{
    unsigned slot = sum_next++ % SUM_CACHE;
    sum_cache[slot].len = len;
    sum_cache[slot].sum = sum;
    sum_cache[slot].used = 1;
}

uint64_t srv_body_checksum(uint64_t len)
{
    uint64_t sum;
    if (srv_body_checksum_get(len, &sum))
        return sum;
    struct srv_sum s;
    srv_sum_init(&s, len);
    srv_sum_step(&s, len);
    if (len > SRV_SUM_INLINE)
        srv_body_checksum_put(len, s.h);
    return s.h;
}

const char *srv_http_reason(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 206:
        return "Partial Content";
    case 301:
        return "Moved Permanently";
    case 302:
        return "Found";
    case 304:
        return "Not Modified";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 413:
        return "Content Too Large";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    }
    switch (status / 100) {
    case 2:
        return "Success";
    case 3:
        return "Redirection";
    case 4:
        return "Client Error";
    default:
        return "Server Error";
    }
}

size_t srv_http_head(char *out, const struct srv_req *r, bool keep_alive)
{
    return srv_http_head_sum(out, r, keep_alive, srv_body_checksum(r->body_bytes));
}

size_t srv_http_head_sum(char *out, const struct srv_req *r, bool keep_alive, uint64_t sum)
{
    int n = snprintf(out, SRV_RESP_HEAD_MAX,
                     "HTTP/1.1 %d %s\r\n"
                     "Content-Length: %" PRIu64 "\r\n"
                     "Content-Type: application/octet-stream\r\n"
                     "X-Checksum: %016" PRIx64 "\r\n"
                     "Connection: %s\r\n\r\n",
                     r->status, srv_http_reason(r->status), r->body_bytes, sum,
                     keep_alive ? "keep-alive" : "close");
    /* Cannot be truncated (the longest head is ~180 bytes); clamp anyway. */
    return n < 0 ? 0 : (size_t)n < SRV_RESP_HEAD_MAX ? (size_t)n : SRV_RESP_HEAD_MAX - 1;
}

size_t srv_http_error(char *out, int status)
{
    const char *why = status == 405 ? "method not allowed\n" : "bad request\n";
    int n = snprintf(out, SRV_RESP_HEAD_MAX,
                     "HTTP/1.1 %d %s\r\n"
                     "Content-Length: %zu\r\n"
                     "Content-Type: text/plain\r\n"
                     "%s"
                     "Connection: close\r\n\r\n%s",
                     status, srv_http_reason(status), strlen(why),
                     status == 405 ? "Allow: GET, HEAD\r\n" : "", why);
    return n < 0 ? 0 : (size_t)n < SRV_RESP_HEAD_MAX ? (size_t)n : SRV_RESP_HEAD_MAX - 1;
}

/* ---- parsing ---------------------------------------------------------- */

/* A decimal number of n > 0 digits, no sign, at most max. 0 or -EINVAL. */
static int parse_u64(const char *s, size_t n, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    if (n == 0)
        return -EINVAL;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -EINVAL;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (max - d) / 10)
            return -EINVAL;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

/* Milliseconds with an optional fraction of up to 6 digits ("1000",
 * "0.5"), into nanoseconds. 0 or -EINVAL. */
static int parse_ms(const char *s, size_t n, uint64_t *ns)
{
    const char *dot = memchr(s, '.', n);
    size_t ni = dot ? (size_t)(dot - s) : n;
    uint64_t ms, frac = 0;
    if (parse_u64(s, ni, SRV_LATENCY_MAX_NS / 1000000, &ms))
        return -EINVAL;
    if (dot) {
        size_t nf = n - ni - 1;
        if (nf == 0 || nf > 6 || parse_u64(dot + 1, nf, 999999, &frac))
            return -EINVAL;
        for (size_t i = nf; i < 6; i++)
            frac *= 10;
    }
    uint64_t v = ms * 1000000 + frac;
    if (v > SRV_LATENCY_MAX_NS)
        return -EINVAL;
    *ns = v;
    return 0;
}

static bool lit_eq(const char *s, size_t n, const char *lit)
{
    return strlen(lit) == n && strncasecmp(s, lit, n) == 0;
}

static bool is_tchar(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* One query parameter k=v. 0 or -EINVAL. */
static int parse_param(const char *k, size_t kn, const char *v, size_t vn, struct srv_req *r)
{
    uint64_t x;
    if (lit_eq(k, kn, "ms"))
        return parse_ms(v, vn, &r->latency_ns);
    if (lit_eq(k, kn, "bytes"))
        return parse_u64(v, vn, SRV_BODY_MAX, &r->body_bytes);
    if (lit_eq(k, kn, "reset"))
        return parse_u64(v, vn, SRV_BODY_MAX, &r->reset_after);
    if (lit_eq(k, kn, "status")) {
        if (parse_u64(v, vn, 599, &x) || x < 200)
            return -EINVAL;
        r->status = (int)x;
    }
    return 0; /* unknown parameters are ignored */
}

/* The request target: what latency, size, status and reset it asks for. */
static int parse_target(const char *t, size_t n, struct srv_req *r)
{
    /* Absolute form (a client talking to a proxy): skip scheme and host. */
    if (n >= 7 &&
        (strncasecmp(t, "http://", 7) == 0 || (n >= 8 && strncasecmp(t, "https://", 8) == 0))) {
        const char *a = memchr(t, ':', n) + 3;
        size_t rest = n - (size_t)(a - t), i = 0;
        while (i < rest && a[i] != '/' && a[i] != '?')
            i++;
        t = a + i;
        n = rest - i;
        if (n == 0)
            return 0;
    }
    if (n == 0 || (t[0] != '/' && t[0] != '?'))
        return -EINVAL;
    const char *hash = memchr(t, '#', n);
    if (hash)
        n = (size_t)(hash - t);
    const char *q = memchr(t, '?', n);
    size_t pn = q ? (size_t)(q - t) : n;
    if (pn > 7 && strncmp(t, "/delay/", 7) == 0 && parse_ms(t + 7, pn - 7, &r->latency_ns))
        return -EINVAL;
    if (!q)
        return 0;
    const char *p = q + 1, *end = t + n;
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *pe = amp ? amp : end;
        const char *eq = memchr(p, '=', (size_t)(pe - p));
        if (eq && parse_param(p, (size_t)(eq - p), eq + 1, (size_t)(pe - eq - 1), r))
            return -EINVAL;
        p = pe + 1;
    }
    return 0;
}

/* The request line "METHOD SP target SP HTTP/1.x". Sets *v11. */
static int parse_request_line(const char *s, size_t n, struct srv_req *r, bool *v11)
{
    const char *sp1 = memchr(s, ' ', n);
    if (!sp1 || sp1 == s)
        return 400;
    for (const char *c = s; c < sp1; c++)
        if (!is_tchar((unsigned char)*c))
            return 400;
    const char *t = sp1 + 1, *end = s + n;
    const char *sp2 = memchr(t, ' ', (size_t)(end - t));
    if (!sp2 || sp2 == t)
        return 400;
    for (const char *c = t; c < sp2; c++)
        if ((unsigned char)*c <= ' ' || *c == 0x7f)
            return 400;
    const char *v = sp2 + 1;
    if (lit_eq(v, (size_t)(end - v), "HTTP/1.1"))
        *v11 = true;
    else if (lit_eq(v, (size_t)(end - v), "HTTP/1.0"))
        *v11 = false;
    else
        return 400;
    size_t mn = (size_t)(sp1 - s);
    if (mn == 4 && memcmp(s, "HEAD", 4) == 0)
        r->head_only = true;
    else if (mn != 3 || memcmp(s, "GET", 3) != 0)
        return 405;
    if (parse_target(t, (size_t)(sp2 - t), r))
        return 400;
    return 0;
}

/* The header fields we care about: Connection, Content-Length,
 * Transfer-Encoding. Returns 0 or 400. */
static int parse_field(const char *s, size_t n, bool *close, bool *ka, uint64_t *clen)
{
    if (n == 0 || s[0] == ' ' || s[0] == '\t') /* obsolete line folding */
        return 400;
    const char *colon = memchr(s, ':', n);
    if (!colon || colon == s)
        return 400;
    size_t kn = (size_t)(colon - s);
    for (size_t i = 0; i < kn; i++)
        if (!is_tchar((unsigned char)s[i]))
            return 400;
    const char *v = colon + 1, *end = s + n;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    size_t vn = (size_t)(end - v);
    if (lit_eq(s, kn, "connection")) {
        for (const char *p = v; p < end;) {
            const char *comma = memchr(p, ',', (size_t)(end - p));
            const char *te = comma ? comma : end, *ts = p;
            while (ts < te && (*ts == ' ' || *ts == '\t'))
                ts++;
            while (te > ts && (te[-1] == ' ' || te[-1] == '\t'))
                te--;
            *close |= lit_eq(ts, (size_t)(te - ts), "close");
            *ka |= lit_eq(ts, (size_t)(te - ts), "keep-alive");
            p = comma ? comma + 1 : end;
        }
    } else if (lit_eq(s, kn, "content-length")) {
        uint64_t x;
        if (parse_u64(v, vn, SRV_HEAD_MAX, &x) || (*clen != UINT64_MAX && *clen != x))
            return 400;
        *clen = x;
    } else if (lit_eq(s, kn, "transfer-encoding")) {
        return 400; /* a GET server has no use for chunked request bodies */
    }
    return 0;
}

static size_t parse_fail(struct srv_req *r, int status, size_t took)
{
    r->error = status;
    r->keep_alive = false;
    return took;
}

size_t srv_http_parse(const char *buf, size_t len, uint64_t def_latency_ns, uint64_t def_bytes,
                      struct srv_req *r)
{
    *r = (struct srv_req){.latency_ns = def_latency_ns,
                          .body_bytes = def_bytes,
                          .reset_after = UINT64_MAX,
                          .status = 200};
    size_t lim = len < SRV_HEAD_MAX ? len : SRV_HEAD_MAX;
    /* RFC 9112 2.2: ignore empty lines before the request line (some
     * clients send a CRLF after a request body). */
    size_t start = 0;
    while (start < lim && (buf[start] == '\r' || buf[start] == '\n'))
        start++;

    /* Find the empty line that ends the head; headers are parsed after,
     * so a partial head costs one memchr per line and nothing else. */
    size_t p = start, head_end;
    for (;;) {
        const char *nl = memchr(buf + p, '\n', lim - p);
        if (!nl)
            return len >= SRV_HEAD_MAX ? parse_fail(r, 400, len) : 0;
        size_t eol = (size_t)(nl - buf);
        if (p > start && (eol == p || (eol == p + 1 && buf[p] == '\r'))) {
            head_end = eol + 1;
            break;
        }
        p = eol + 1;
    }

    bool v11 = false, close = false, ka = false;
    uint64_t clen = UINT64_MAX;
    int err = 0;
    for (p = start; p < head_end && !err;) {
        const char *nl = memchr(buf + p, '\n', head_end - p);
        size_t eol = (size_t)(nl - buf), n = eol - p;
        if (n && buf[eol - 1] == '\r')
            n--;
        if (p == start)
            err = parse_request_line(buf + p, n, r, &v11);
        else if (n)
            err = parse_field(buf + p, n, &close, &ka, &clen);
        p = eol + 1;
    }
    if (err)
        return parse_fail(r, err, head_end);

    /* A GET may carry a body; take it whole or not at all. */
    size_t total = head_end + (clen == UINT64_MAX ? 0 : (size_t)clen);
    if (total > SRV_HEAD_MAX)
        return parse_fail(r, 400, len);
    if (len < total)
        return 0;
    r->keep_alive = !close && (v11 || ka);
    /* These statuses have no body by definition (RFC 9110 6.4.1). */
    if (r->status == 204 || r->status == 304)
        r->body_bytes = 0;
    return total;
}
