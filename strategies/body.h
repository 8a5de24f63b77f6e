/*
 * body.h: the test server's response body and the checksum both sides use.
 *
 * Byte i of every body is cb_body_byte(i), so a client can verify a body of
 * any length without the server sending anything else; the server also
 * sends the checksum in an X-Checksum header (16 hex digits) so a client of
 * any other URL-shaped server can still compare. The checksum is FNV-1a 64,
 * fed byte by byte, so it can be computed incrementally as data arrives.
 */
#ifndef CB_BODY_H
#define CB_BODY_H

#include <stddef.h>
#include <stdint.h>

#define CB_FNV_OFFSET 0xcbf29ce484222325ULL
#define CB_FNV_PRIME  0x100000001b3ULL

/* Byte number i of a test-server body: printable, period 61 (a prime, so
 * a shifted or truncated body does not checksum the same). */
static inline unsigned char cb_body_byte(uint64_t i)
{
    return (unsigned char)('A' + (i % 61));
}

/* Continue an FNV-1a 64 checksum h over len bytes. Start with CB_FNV_OFFSET. */
static inline uint64_t cb_fnv1a(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= CB_FNV_PRIME;
    }
    return h;
}

/* Checksum of a whole test-server body of len bytes. */
static inline uint64_t cb_body_checksum(uint64_t len)
{
    uint64_t h = CB_FNV_OFFSET;
    for (uint64_t i = 0; i < len; i++) {
        h ^= cb_body_byte(i);
        h *= CB_FNV_PRIME;
    }
    return h;
}

/* Fill buf with bytes [off, off+len) of a body. */
static inline void cb_body_fill(unsigned char *buf, uint64_t off, size_t len)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = cb_body_byte(off + i);
}

#endif
