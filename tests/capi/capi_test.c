/* Helpers for the C API tests; see capi_test.h. */
#define _POSIX_C_SOURCE 200112L /* posix_memalign */

#include "capi_test.h"

#include <stdlib.h>
#include <string.h>

int t_failures = 0;
int t_checks = 0;
const char *t_context = "";

int t_check(int ok, const char *what, const char *file, int line) {
  ++t_checks;
  if (!ok) {
    ++t_failures;
    fprintf(stderr, "%s:%d: FAILED: %s [%s]\n", file, line, what, t_context);
  }
  return ok;
}

int t_check_rc(int got, int want, const char *what, const char *file, int line) {
  ++t_checks;
  if (got != want) {
    ++t_failures;
    fprintf(stderr, "%s:%d: FAILED: %s returned %d (%s), expected %d (%s) [%s]\n", file, line, what, got,
            mqttconn_strerror(got), want, mqttconn_strerror(want), t_context);
    return 0;
  }
  return 1;
}

int t_check_eq(long long got, long long want, const char *what, const char *file, int line) {
  ++t_checks;
  if (got != want) {
    ++t_failures;
    fprintf(stderr, "%s:%d: FAILED: %s: got %lld, expected %lld [%s]\n", file, line, what, got, want, t_context);
    return 0;
  }
  return 1;
}

int t_check_bytes(mqttconn_bytes got, const void *want, size_t want_len, const char *what, const char *file,
                  int line) {
  ++t_checks;
  if (got.len != want_len || (want_len != 0 && (got.ptr == NULL || memcmp(got.ptr, want, want_len) != 0))) {
    ++t_failures;
    fprintf(stderr, "%s:%d: FAILED: %s: got %zu bytes \"%.*s\", expected %zu bytes \"%.*s\" [%s]\n", file, line,
            what, got.len, (int)(got.len < 64 ? got.len : 64), got.ptr ? (const char *)got.ptr : "", want_len,
            (int)(want_len < 64 ? want_len : 64), want ? (const char *)want : "", t_context);
    return 0;
  }
  return 1;
}

int t_report(const char *name) {
  printf("%s: %d checks, %d failed\n", name, t_checks, t_failures);
  return t_failures == 0 ? 0 : 1;
}

/* ---- Allocator ------------------------------------------------------------------------ */

/* Each block is preceded by a header (at least 16 bytes, more for larger alignments) holding
 * a magic number, the size and the alignment, so that free can check what it is told. */
#define TA_MAGIC 0x6d7174746d656d31ull

static size_t ta_header(size_t align) { return align > 16 ? align : 16; }

static void *ta_alloc(size_t size, size_t align, void *user) {
  test_alloc *a = (test_alloc *)user;
  size_t h = ta_header(align);
  void *raw = NULL;
  uint64_t *hdr;
  ++a->count;
  if (a->fail_at != 0 && a->count == a->fail_at) {
    ++a->failed_count;
    return NULL;
  }
  if (posix_memalign(&raw, h < sizeof(void *) ? sizeof(void *) : h, h + (size ? size : 1)) != 0) return NULL;
  hdr = (uint64_t *)raw;
  hdr[0] = TA_MAGIC;
  hdr[1] = ((uint64_t)size << 8) | (uint64_t)(align & 0xFF);
  a->live_bytes += size;
  ++a->live_blocks;
  return (unsigned char *)raw + h;
}

static void ta_free(void *p, size_t size, size_t align, void *user) {
  test_alloc *a = (test_alloc *)user;
  unsigned char *raw;
  uint64_t *hdr;
  if (p == NULL) return;
  raw = (unsigned char *)p - ta_header(align);
  hdr = (uint64_t *)raw;
  if (hdr[0] != TA_MAGIC || hdr[1] != (((uint64_t)size << 8) | (uint64_t)(align & 0xFF))) {
    ++a->bad_free;
    return; /* leak it rather than free a wrong pointer */
  }
  hdr[0] = 0;
  a->live_bytes -= size;
  --a->live_blocks;
  free(raw);
}

void test_alloc_init(test_alloc *a, long fail_at) {
  memset(a, 0, sizeof *a);
  a->hooks.user = a;
  a->hooks.alloc = ta_alloc;
  a->hooks.free = ta_free;
  a->fail_at = fail_at;
}

/* ---- Bytes and packets ----------------------------------------------------------------- */

mqttconn_bytes B(const char *s) {
  mqttconn_bytes b;
  b.ptr = (const uint8_t *)s;
  b.len = strlen(s);
  return b;
}

mqttconn_bytes BN(const void *p, size_t n) {
  mqttconn_bytes b;
  b.ptr = (const uint8_t *)p;
  b.len = n;
  return b;
}

mqttconn_packet packet_of(int type) {
  mqttconn_packet p;
  memset(&p, 0, sizeof p);
  p.struct_size = sizeof p;
  p.type = type;
  return p;
}

mqttconn_properties props_empty(void) {
  mqttconn_properties p;
  memset(&p, 0, sizeof p);
  p.struct_size = sizeof p;
  return p;
}

static int has(const mqttconn_properties *p, int id) { return (p->present & MQTTCONN_PROP_BIT(id)) != 0; }

void check_props(const mqttconn_properties *want, const mqttconn_properties *got, const char *where) {
  static const mqttconn_properties none = {sizeof(mqttconn_properties), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                           0, 0, 0, {0, 0}, {0, 0}, {0, 0}, {0, 0}, {0, 0}, {0, 0}, {0, 0},
                                           {0, 0}, {0, 0}, 0, 0, 0, 0};
  const char *saved = t_context;
  char ctx[160];
  size_t i;
  uint64_t want_present;
  if (want == NULL) want = &none;
  snprintf(ctx, sizeof ctx, "%s: %s", saved, where);
  t_context = ctx;
  if (!CHECK(got != NULL)) {
    t_context = saved;
    return;
  }
  CHECK(got->struct_size >= sizeof(mqttconn_properties));
  /* The list bits follow the counts. */
  want_present = want->present & ~(MQTTCONN_PROP_BIT(MQTTCONN_PROP_USER_PROPERTY) |
                                   MQTTCONN_PROP_BIT(MQTTCONN_PROP_SUBSCRIPTION_IDENTIFIER));
  if (want->user_property_count) want_present |= MQTTCONN_PROP_BIT(MQTTCONN_PROP_USER_PROPERTY);
  if (want->subscription_identifier_count) want_present |= MQTTCONN_PROP_BIT(MQTTCONN_PROP_SUBSCRIPTION_IDENTIFIER);
  CHECK_EQ(got->present, want_present);
#define SAME_INT(id, f) \
  if (has(want, id)) CHECK_EQ(got->f, want->f)
#define SAME_BYTES(id, f) \
  if (has(want, id)) CHECK_BYTES(got->f, want->f.ptr, want->f.len)
  SAME_INT(MQTTCONN_PROP_PAYLOAD_FORMAT_INDICATOR, payload_format_indicator);
  SAME_INT(MQTTCONN_PROP_MESSAGE_EXPIRY_INTERVAL, message_expiry_interval);
  SAME_BYTES(MQTTCONN_PROP_CONTENT_TYPE, content_type);
  SAME_BYTES(MQTTCONN_PROP_RESPONSE_TOPIC, response_topic);
  SAME_BYTES(MQTTCONN_PROP_CORRELATION_DATA, correlation_data);
  SAME_INT(MQTTCONN_PROP_SESSION_EXPIRY_INTERVAL, session_expiry_interval);
  SAME_BYTES(MQTTCONN_PROP_ASSIGNED_CLIENT_IDENTIFIER, assigned_client_identifier);
  SAME_INT(MQTTCONN_PROP_SERVER_KEEP_ALIVE, server_keep_alive);
  SAME_BYTES(MQTTCONN_PROP_AUTHENTICATION_METHOD, authentication_method);
  SAME_BYTES(MQTTCONN_PROP_AUTHENTICATION_DATA, authentication_data);
  SAME_INT(MQTTCONN_PROP_REQUEST_PROBLEM_INFORMATION, request_problem_information);
  SAME_INT(MQTTCONN_PROP_WILL_DELAY_INTERVAL, will_delay_interval);
  SAME_INT(MQTTCONN_PROP_REQUEST_RESPONSE_INFORMATION, request_response_information);
  SAME_BYTES(MQTTCONN_PROP_RESPONSE_INFORMATION, response_information);
  SAME_BYTES(MQTTCONN_PROP_SERVER_REFERENCE, server_reference);
  SAME_BYTES(MQTTCONN_PROP_REASON_STRING, reason_string);
  SAME_INT(MQTTCONN_PROP_RECEIVE_MAXIMUM, receive_maximum);
  SAME_INT(MQTTCONN_PROP_TOPIC_ALIAS_MAXIMUM, topic_alias_maximum);
  SAME_INT(MQTTCONN_PROP_TOPIC_ALIAS, topic_alias);
  SAME_INT(MQTTCONN_PROP_MAXIMUM_QOS, maximum_qos);
  SAME_INT(MQTTCONN_PROP_RETAIN_AVAILABLE, retain_available);
  SAME_INT(MQTTCONN_PROP_MAXIMUM_PACKET_SIZE, maximum_packet_size);
  SAME_INT(MQTTCONN_PROP_WILDCARD_SUBSCRIPTION_AVAILABLE, wildcard_subscription_available);
  SAME_INT(MQTTCONN_PROP_SUBSCRIPTION_IDENTIFIER_AVAILABLE, subscription_identifier_available);
  SAME_INT(MQTTCONN_PROP_SHARED_SUBSCRIPTION_AVAILABLE, shared_subscription_available);
#undef SAME_INT
#undef SAME_BYTES
  if (CHECK_EQ(got->user_property_count, want->user_property_count)) {
    for (i = 0; i < want->user_property_count; ++i) {
      CHECK_BYTES(got->user_properties[i].name, want->user_properties[i].name.ptr, want->user_properties[i].name.len);
      CHECK_BYTES(got->user_properties[i].value, want->user_properties[i].value.ptr,
                  want->user_properties[i].value.len);
    }
  }
  if (CHECK_EQ(got->subscription_identifier_count, want->subscription_identifier_count)) {
    for (i = 0; i < want->subscription_identifier_count; ++i) {
      CHECK_EQ(got->subscription_identifiers[i], want->subscription_identifiers[i]);
    }
  }
  t_context = saved;
}

void check_packet(const mqttconn_packet *want, const mqttconn_packet *got, int version) {
  size_t i;
  const int v5 = version == MQTTCONN_V5;
  CHECK_EQ(got->type, want->type);
  if (got->type != want->type) return;
  CHECK(got->props != NULL);
  CHECK(got->will_props != NULL);
  switch (want->type) {
    case MQTTCONN_PACKET_CONNECT:
      CHECK_EQ(got->protocol_version, want->protocol_version);
      CHECK_EQ(got->bridge, want->bridge);
      CHECK_EQ(got->clean_start, want->clean_start);
      CHECK_EQ(got->keep_alive, want->keep_alive);
      CHECK_BYTES(got->client_id, want->client_id.ptr, want->client_id.len);
      CHECK_EQ(got->has_will, want->has_will);
      if (want->has_will) {
        CHECK_EQ(got->will_qos, want->will_qos);
        CHECK_EQ(got->will_retain, want->will_retain);
        CHECK_BYTES(got->will_topic, want->will_topic.ptr, want->will_topic.len);
        CHECK_BYTES(got->will_payload, want->will_payload.ptr, want->will_payload.len);
        check_props(v5 ? want->will_props : NULL, got->will_props, "will properties");
      }
      CHECK_EQ(got->has_username, want->has_username);
      if (want->has_username) CHECK_BYTES(got->username, want->username.ptr, want->username.len);
      CHECK_EQ(got->has_password, want->has_password);
      if (want->has_password) CHECK_BYTES(got->password, want->password.ptr, want->password.len);
      break;
    case MQTTCONN_PACKET_CONNACK:
      CHECK_EQ(got->session_present, want->session_present);
      CHECK_EQ(got->reason_code, want->reason_code);
      break;
    case MQTTCONN_PACKET_PUBLISH:
      CHECK_EQ(got->dup, want->dup);
      CHECK_EQ(got->qos, want->qos);
      CHECK_EQ(got->retain, want->retain);
      CHECK_BYTES(got->topic, want->topic.ptr, want->topic.len);
      if (want->qos > 0) CHECK_EQ(got->packet_id, want->packet_id);
      CHECK_BYTES(got->payload, want->payload.ptr, want->payload.len);
      break;
    case MQTTCONN_PACKET_PUBACK:
    case MQTTCONN_PACKET_PUBREC:
    case MQTTCONN_PACKET_PUBREL:
    case MQTTCONN_PACKET_PUBCOMP:
      CHECK_EQ(got->packet_id, want->packet_id);
      CHECK_EQ(got->reason_code, v5 ? want->reason_code : 0);
      if (want->type == MQTTCONN_PACKET_PUBREL) CHECK_EQ(got->dup, want->dup);
      break;
    case MQTTCONN_PACKET_SUBSCRIBE:
      CHECK_EQ(got->packet_id, want->packet_id);
      CHECK_EQ(got->dup, want->dup);
      if (CHECK_EQ(got->subscription_count, want->subscription_count)) {
        for (i = 0; i < want->subscription_count; ++i) {
          const mqttconn_subscription *a = &want->subscriptions[i], *b = &got->subscriptions[i];
          CHECK_BYTES(b->topic_filter, a->topic_filter.ptr, a->topic_filter.len);
          CHECK_EQ(b->qos, a->qos);
          CHECK_EQ(b->no_local, a->no_local);
          CHECK_EQ(b->retain_as_published, a->retain_as_published);
          CHECK_EQ(b->retain_handling, a->retain_handling);
        }
      }
      break;
    case MQTTCONN_PACKET_SUBACK:
    case MQTTCONN_PACKET_UNSUBACK:
      CHECK_EQ(got->packet_id, want->packet_id);
      CHECK_BYTES(got->reason_codes, want->reason_codes.ptr, want->reason_codes.len);
      break;
    case MQTTCONN_PACKET_UNSUBSCRIBE:
      CHECK_EQ(got->packet_id, want->packet_id);
      CHECK_EQ(got->dup, want->dup);
      if (CHECK_EQ(got->topic_filter_count, want->topic_filter_count)) {
        for (i = 0; i < want->topic_filter_count; ++i) {
          CHECK_BYTES(got->topic_filters[i], want->topic_filters[i].ptr, want->topic_filters[i].len);
        }
      }
      break;
    case MQTTCONN_PACKET_DISCONNECT:
    case MQTTCONN_PACKET_AUTH:
      CHECK_EQ(got->reason_code, v5 ? want->reason_code : 0);
      break;
    default:
      break;
  }
  check_props(v5 ? want->props : NULL, got->props, "properties");
}

/* ---- The link ----------------------------------------------------------------------- */

static int drain(mqttconn_conn *from, link_end *to, int use_iov) {
  for (;;) {
    size_t total = 0, i, n = 0;
    int rc;
    if (use_iov) {
      mqttconn_bytes segs[3];
      rc = mqttconn_conn_output_iov(from, segs, 3, &n);
      if (rc == MQTTCONN_DONE) {
        CHECK_EQ(n, 0);
        break;
      }
      if (rc != MQTTCONN_OK) return rc;
      for (i = 0; i < n; ++i) {
        if (to->wire_len + segs[i].len > sizeof to->wire) return MQTTCONN_ERR_BUFFER_TOO_SMALL;
        memcpy(to->wire + to->wire_len, segs[i].ptr, segs[i].len);
        to->wire_len += segs[i].len;
        total += segs[i].len;
      }
    } else {
      mqttconn_bytes out;
      rc = mqttconn_conn_output(from, &out);
      if (rc == MQTTCONN_DONE) {
        CHECK_EQ(out.len, 0);
        break;
      }
      if (rc != MQTTCONN_OK) return rc;
      /* take it in two writes, as a transport might */
      total = out.len > 1 ? out.len / 2 : out.len;
      if (to->wire_len + total > sizeof to->wire) return MQTTCONN_ERR_BUFFER_TOO_SMALL;
      memcpy(to->wire + to->wire_len, out.ptr, total);
      to->wire_len += total;
    }
    rc = mqttconn_conn_output_consume(from, total);
    if (rc != MQTTCONN_OK) return rc;
  }
  CHECK_EQ(mqttconn_conn_output_size(from), 0);
  return MQTTCONN_OK;
}

int transfer(mqttconn_conn *from, link_end *to, size_t chunk, int use_iov, mqttconn_packet *ev, int max) {
  size_t pos = 0, partial = 0; /* partial: bytes of a packet not yet whole */
  int events = 0, rc;
  to->wire_len = 0;
  rc = drain(from, to, use_iov);
  if (rc != MQTTCONN_OK) return rc;
  while (pos < to->wire_len) {
    size_t n = to->wire_len - pos < chunk ? to->wire_len - pos : chunk;
    const uint8_t *p = to->wire + pos;
    while (n > 0) {
      size_t used = 0;
      rc = mqttconn_conn_receive(to->conn, p, n, &used);
      if (rc != MQTTCONN_OK) return rc;
      if (!CHECK(used > 0 && used <= n)) return MQTTCONN_ERR_INTERNAL;
      p += used;
      n -= used;
      pos += used;
      if (events < max) {
        rc = mqttconn_conn_next_event(to->conn, &ev[events]);
      } else {
        mqttconn_packet extra = packet_of(0);
        rc = mqttconn_conn_next_event(to->conn, &extra);
      }
      if (rc == MQTTCONN_OK) {
        ++events;
        partial = 0;
      } else if (rc != MQTTCONN_DONE) {
        return rc;
      } else {
        partial += used;
      }
      CHECK_EQ(mqttconn_conn_input_buffered(to->conn), partial);
    }
  }
  return events;
}

int send_kind(mqttconn_conn *c, const mqttconn_packet *p) {
  switch (p->type) {
    case MQTTCONN_PACKET_CONNECT: return mqttconn_conn_connect(c, p);
    case MQTTCONN_PACKET_CONNACK: return mqttconn_conn_connack(c, p);
    case MQTTCONN_PACKET_PUBLISH: return mqttconn_conn_publish(c, p);
    case MQTTCONN_PACKET_PUBACK: return mqttconn_conn_puback(c, p);
    case MQTTCONN_PACKET_PUBREC: return mqttconn_conn_pubrec(c, p);
    case MQTTCONN_PACKET_PUBREL: return mqttconn_conn_pubrel(c, p);
    case MQTTCONN_PACKET_PUBCOMP: return mqttconn_conn_pubcomp(c, p);
    case MQTTCONN_PACKET_SUBSCRIBE: return mqttconn_conn_subscribe(c, p);
    case MQTTCONN_PACKET_SUBACK: return mqttconn_conn_suback(c, p);
    case MQTTCONN_PACKET_UNSUBSCRIBE: return mqttconn_conn_unsubscribe(c, p);
    case MQTTCONN_PACKET_UNSUBACK: return mqttconn_conn_unsuback(c, p);
    case MQTTCONN_PACKET_PINGREQ: return mqttconn_conn_pingreq(c);
    case MQTTCONN_PACKET_PINGRESP: return mqttconn_conn_pingresp(c);
    case MQTTCONN_PACKET_DISCONNECT: return mqttconn_conn_disconnect(c, p);
    case MQTTCONN_PACKET_AUTH: return mqttconn_conn_auth(c, p);
    default: return mqttconn_conn_send(c, p);
  }
}

void exchange(mqttconn_conn *from, link_end *to, const mqttconn_packet *p, int version, size_t chunk, int generic) {
  mqttconn_packet ev = packet_of(0);
  int n;
  if (!CHECK_RC(generic ? mqttconn_conn_send(from, p) : send_kind(from, p), MQTTCONN_OK)) {
    mqttconn_error e;
    memset(&e, 0, sizeof e);
    e.struct_size = sizeof e;
    if (mqttconn_conn_last_error(from, &e) == MQTTCONN_OK) fprintf(stderr, "  send: %s %s\n", e.field, e.what);
    return;
  }
  CHECK(mqttconn_conn_output_size(from) > 0);
  n = transfer(from, to, chunk, (p->type + (int)chunk) % 2, &ev, 1);
  if (!CHECK_EQ(n, 1)) {
    mqttconn_error e;
    memset(&e, 0, sizeof e);
    e.struct_size = sizeof e;
    if (mqttconn_conn_last_error(to->conn, &e) == MQTTCONN_OK) fprintf(stderr, "  receive: %s %s\n", e.field, e.what);
    return;
  }
  check_packet(p, &ev, version);
}

/* ---- Errors and pairs ----------------------------------------------------------------- */

mqttconn_error error_struct(void) {
  mqttconn_error e;
  memset(&e, 0, sizeof e);
  e.struct_size = sizeof e;
  return e;
}

int last_code(const mqttconn_conn *c) {
  mqttconn_error e = error_struct();
  int rc = mqttconn_conn_last_error(c, &e);
  return rc == MQTTCONN_OK ? e.code : rc;
}

void send_c2s(pair *p, const mqttconn_packet *pk) {
  exchange(p->client.conn, &p->server, pk, p->version, p->chunk, ++p->step % 2);
}
void send_s2c(pair *p, const mqttconn_packet *pk) {
  exchange(p->server.conn, &p->client, pk, p->version, p->chunk, ++p->step % 2);
}

int open_pair(pair *p, int version, size_t chunk, int configured, test_alloc *a) {
  mqttconn_config *cc = NULL, *sc = NULL;
  int rc;
  memset(p, 0, sizeof *p);
  p->version = version;
  p->chunk = chunk;
  if (configured) {
    /* every setter; values that let the whole conversation through */
    CHECK_RC(mqttconn_config_new(&cc, &a->hooks), MQTTCONN_OK);
    CHECK_RC(mqttconn_config_new(&sc, NULL), MQTTCONN_OK);
    CHECK_RC(mqttconn_config_set_role(cc, MQTTCONN_ROLE_CLIENT), MQTTCONN_OK);
    CHECK_RC(mqttconn_config_set_role(sc, MQTTCONN_ROLE_SERVER), MQTTCONN_OK);
    CHECK_RC(mqttconn_config_set_max_packet_size(cc, 100000), MQTTCONN_OK);
    CHECK_RC(mqttconn_config_set_max_packet_size(sc, 65536), MQTTCONN_OK);
    CHECK_RC(mqttconn_config_set_reject_disallowed_code_points(cc, 1), MQTTCONN_OK);
    CHECK_RC(mqttconn_config_set_reject_disallowed_code_points(sc, 1), MQTTCONN_OK);
    CHECK_RC(mqttconn_config_set_check_payload_format(cc, 1), MQTTCONN_OK);
    CHECK_RC(mqttconn_config_set_check_payload_format(sc, 1), MQTTCONN_OK);
    CHECK_RC(mqttconn_config_set_max_output(cc, 4096), MQTTCONN_OK);
    CHECK_RC(mqttconn_config_set_max_output(sc, 8192), MQTTCONN_OK);
    /* payloads of 4 bytes and more go out by reference: output comes in several runs */
    CHECK_RC(mqttconn_config_set_borrow_payloads_from(cc, 4), MQTTCONN_OK);
    CHECK_RC(mqttconn_config_set_borrow_payloads_from(sc, 0), MQTTCONN_OK);
    rc = mqttconn_conn_new(&p->client.conn, cc, &a->hooks);
    CHECK_RC(rc, MQTTCONN_OK);
    rc = mqttconn_conn_new(&p->server.conn, sc, &a->hooks);
    CHECK_RC(rc, MQTTCONN_OK);
    /* the connections copied what they need */
    mqttconn_config_free(cc);
    mqttconn_config_free(sc);
  } else {
    CHECK_RC(mqttconn_config_new(&sc, &a->hooks), MQTTCONN_OK);
    CHECK_RC(mqttconn_config_set_role(sc, MQTTCONN_ROLE_SERVER), MQTTCONN_OK);
    CHECK_RC(mqttconn_conn_new(&p->client.conn, NULL, &a->hooks), MQTTCONN_OK);
    CHECK_RC(mqttconn_conn_new(&p->server.conn, sc, &a->hooks), MQTTCONN_OK);
    mqttconn_config_free(sc);
  }
  return p->client.conn != NULL && p->server.conn != NULL;
}

void close_pair(pair *p) {
  mqttconn_conn_free(p->client.conn);
  mqttconn_conn_free(p->server.conn);
}

void check_states(pair *p, int client, int server) {
  CHECK_EQ(mqttconn_conn_state(p->client.conn), client);
  CHECK_EQ(mqttconn_conn_state(p->server.conn), server);
}
