/* Helpers for the C API tests (plain C99): checks, a counting allocator that can fail the
 * i-th allocation, a client/server pair on a fake link, and packet comparison. */
#ifndef MQTTCONN_CAPI_TEST_H
#define MQTTCONN_CAPI_TEST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mqttconn.h"

/* ---- Checks: count failures, keep going ------------------------------------------------ */

extern int t_failures;
extern int t_checks;
extern const char *t_context; /* printed with each failure */

#define CHECK(cond) t_check((cond) != 0, #cond, __FILE__, __LINE__)
#define CHECK_RC(expr, want) t_check_rc((expr), (want), #expr, __FILE__, __LINE__)
#define CHECK_EQ(a, b) t_check_eq((long long)(a), (long long)(b), #a " == " #b, __FILE__, __LINE__)
#define CHECK_BYTES(got, want_ptr, want_len) \
  t_check_bytes((got), (const void *)(want_ptr), (want_len), #got, __FILE__, __LINE__)

int t_check(int ok, const char *what, const char *file, int line);
int t_check_rc(int got, int want, const char *what, const char *file, int line);
int t_check_eq(long long got, long long want, const char *what, const char *file, int line);
int t_check_bytes(mqttconn_bytes got, const void *want, size_t want_len, const char *what, const char *file,
                  int line);
/* Prints a summary; returns the process exit status. */
int t_report(const char *name);

/* ---- A counting allocator that fails the fail_at-th allocation --------------------------- */

typedef struct test_alloc {
  mqttconn_allocator hooks; /* pass &a.hooks to the library */
  long fail_at;             /* 1-based; 0: never fail */
  long count;               /* allocations asked for so far */
  long failed_count;        /* how many were refused (0 or 1) */
  size_t live_bytes;        /* allocated and not yet freed */
  long live_blocks;
  int bad_free;             /* a free whose size or alignment did not match its allocation */
} test_alloc;

void test_alloc_init(test_alloc *a, long fail_at);

/* ---- Bytes ------------------------------------------------------------------------------ */

mqttconn_bytes B(const char *s); /* a C string as bytes (no terminator) */
mqttconn_bytes BN(const void *p, size_t n);

/* ---- Packets ---------------------------------------------------------------------------- */

/* A zeroed packet of `type` with struct_size set. */
mqttconn_packet packet_of(int type);
/* A zeroed property block with struct_size set. */
mqttconn_properties props_empty(void);

/* Compares what was sent with what arrived, field by field for the fields of want->type,
 * properties included (at level 5; below it, got's props must be empty). */
void check_packet(const mqttconn_packet *want, const mqttconn_packet *got, int version);
void check_props(const mqttconn_properties *want, const mqttconn_properties *got, const char *where);

/* ---- A client and a server on a fake link --------------------------------------------- */

typedef struct link_end {
  mqttconn_conn *conn;
  uint8_t wire[1 << 16]; /* bytes in flight to this end; events may view them */
  size_t wire_len;
} link_end;

/* Moves everything `from` has queued to `to` (read with mqttconn_conn_output_iov() when
 * use_iov, else mqttconn_conn_output()), feeds it in chunks of `chunk` bytes and takes the
 * events into ev[0..max). Returns the number of events, or the first failing code (< 0). */
int transfer(mqttconn_conn *from, link_end *to, size_t chunk, int use_iov, mqttconn_packet *ev, int max);

/* Sends p from `from` (with mqttconn_conn_send() when generic, else the per-kind function),
 * moves it to `to` and checks that exactly one event arrives that equals p. */
void exchange(mqttconn_conn *from, link_end *to, const mqttconn_packet *p, int version, size_t chunk, int generic);

/* The per-kind send function for p->type. */
int send_kind(mqttconn_conn *c, const mqttconn_packet *p);

/* ---- Errors ---------------------------------------------------------------------------- */

mqttconn_error error_struct(void); /* zeroed, struct_size set */
/* The code of the connection's last failed call (or what mqttconn_conn_last_error() said). */
int last_code(const mqttconn_conn *c);

/* ---- Pairs ----------------------------------------------------------------------------- */

/* Both ends of a fake link, their level and feeding: see test_conversation_*.c. */
typedef struct pair {
  link_end client, server;
  int version;
  size_t chunk;
  int step; /* alternates the per-kind and the generic send function */
} pair;

/* Creates both connections through `a` (configured: every config setter, with values that let
 * a whole conversation through); nonzero on success. */
int open_pair(pair *p, int version, size_t chunk, int configured, test_alloc *a);
void close_pair(pair *p);
void check_states(pair *p, int client, int server);
/* exchange() from the client to the server, or the other way. */
void send_c2s(pair *p, const mqttconn_packet *pk);
void send_s2c(pair *p, const mqttconn_packet *pk);

#endif
