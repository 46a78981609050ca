/* The error bands in use: caller mistakes (the connection stays usable), the peer's violations
 * (sticky, with reason code, offset, field, and the CONNACK or DISCONNECT left to send, the
 * decoder without a connection finding the same fault), and a handle after a fatal error
 * (every call but free returns it). */
#include <stdio.h>
#include <string.h>

#include "capi_test.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- The caller-mistake band: the connection stays usable --------------------------- */

static void caller_mistakes(void) {
  mqttconn_config *cfg = NULL;
  mqttconn_conn *c = NULL, *s = NULL;
  mqttconn_packet pk, ev = packet_of(0);
  mqttconn_bytes out;
  size_t n, before;
  uint8_t two[4];
  t_context = "caller mistakes";

  CHECK_RC(mqttconn_config_new(&cfg, NULL), MQTTCONN_OK);
  CHECK_RC(mqttconn_config_set_max_output(cfg, 30), MQTTCONN_OK);
  CHECK_RC(mqttconn_conn_new(&c, cfg, NULL), MQTTCONN_OK);
  CHECK_RC(mqttconn_config_set_role(cfg, MQTTCONN_ROLE_SERVER), MQTTCONN_OK);
  CHECK_RC(mqttconn_conn_new(&s, cfg, NULL), MQTTCONN_OK);
  mqttconn_config_free(cfg);
  if (c == NULL || s == NULL) return;

  /* WRONG_STATE: before CONNECT; a server does not send CONNECT */
  pk = packet_of(MQTTCONN_PACKET_PUBLISH);
  pk.topic = B("t");
  CHECK_RC(mqttconn_conn_publish(c, &pk), MQTTCONN_ERR_WRONG_STATE);
  CHECK_RC(mqttconn_conn_pingreq(c), MQTTCONN_ERR_WRONG_STATE);
  CHECK_RC(mqttconn_conn_pingresp(c), MQTTCONN_ERR_WRONG_STATE);
  pk = packet_of(MQTTCONN_PACKET_CONNECT);
  pk.protocol_version = MQTTCONN_V311;
  pk.client_id = B("client");
  CHECK_RC(mqttconn_conn_connect(s, &pk), MQTTCONN_ERR_WRONG_STATE);
  /* OUTPUT_FULL: a CONNECT bigger than 30 bytes */
  pk.client_id = B("a-client-identifier-of-some-length");
  CHECK_RC(mqttconn_conn_connect(c, &pk), MQTTCONN_ERR_OUTPUT_FULL);
  CHECK_EQ(mqttconn_conn_output_size(c), 0);
  /* INVALID_PACKET: a password without a user name in 3.1.1 */
  pk.client_id = B("client");
  pk.has_password = 1;
  pk.password = B("pw");
  CHECK_RC(mqttconn_conn_connect(c, &pk), MQTTCONN_ERR_INVALID_PACKET);
  {
    mqttconn_error e = error_struct();
    CHECK_RC(mqttconn_conn_last_error(c, &e), MQTTCONN_OK);
    CHECK_EQ(e.code, MQTTCONN_ERR_INVALID_PACKET);
    CHECK_EQ(e.packet_type, MQTTCONN_PACKET_CONNECT);
    CHECK(strcmp(e.field, "password") == 0);
    /* a caller mistake does not close the connection */
    CHECK_RC(mqttconn_conn_error(c, &e), MQTTCONN_DONE);
  }
  CHECK_EQ(mqttconn_conn_state(c), MQTTCONN_STATE_IDLE);
  pk.has_password = 0;
  CHECK_RC(mqttconn_conn_connect(c, &pk), MQTTCONN_OK);
  CHECK_EQ(mqttconn_conn_state(c), MQTTCONN_STATE_CONNECTING);
  CHECK_RC(mqttconn_conn_connect(c, &pk), MQTTCONN_ERR_WRONG_STATE);

  /* EVENT_PENDING: CONNECT and PINGREQ arrive in one read */
  CHECK_RC(mqttconn_conn_output(c, &out), MQTTCONN_OK);
  CHECK_RC(mqttconn_conn_receive(s, out.ptr, out.len, &n), MQTTCONN_OK);
  CHECK_EQ(n, out.len);
  CHECK_RC(mqttconn_conn_output_consume(c, n), MQTTCONN_OK);
  CHECK_RC(mqttconn_conn_output(c, &out), MQTTCONN_DONE);
  CHECK_EQ(out.len, 0);
  two[0] = 0xC0;
  two[1] = 0x00;
  CHECK_RC(mqttconn_conn_receive(s, two, 2, &n), MQTTCONN_ERR_EVENT_PENDING);
  CHECK_EQ(n, 0);
  CHECK_RC(mqttconn_conn_next_event(s, &ev), MQTTCONN_OK);
  CHECK_EQ(ev.type, MQTTCONN_PACKET_CONNECT);
  CHECK_RC(mqttconn_conn_next_event(s, &ev), MQTTCONN_DONE);
  /* a PINGREQ before the server's CONNACK is allowed from a client [V5-U28]; the server
   * sees it and its caller decides */
  CHECK_RC(mqttconn_conn_receive(s, two, 2, &n), MQTTCONN_OK);
  CHECK_RC(mqttconn_conn_next_event(s, &ev), MQTTCONN_OK);
  CHECK_EQ(ev.type, MQTTCONN_PACKET_PINGREQ);

  /* CLOSED: after DISCONNECT */
  pk = packet_of(MQTTCONN_PACKET_CONNACK);
  CHECK_RC(mqttconn_conn_connack(s, &pk), MQTTCONN_OK);
  before = mqttconn_conn_output_size(c);
  CHECK_RC(mqttconn_conn_disconnect(c, NULL), MQTTCONN_OK);
  CHECK(mqttconn_conn_output_size(c) == before + 2);
  CHECK_RC(mqttconn_conn_pingreq(c), MQTTCONN_ERR_CLOSED);
  CHECK_RC(mqttconn_conn_receive(c, two, 2, &n), MQTTCONN_ERR_CLOSED);
  CHECK_EQ(mqttconn_conn_state(c), MQTTCONN_STATE_CLOSED);
  CHECK_EQ(mqttconn_conn_reason_code(c), 0);
  /* output stays readable after close */
  CHECK_RC(mqttconn_conn_output(c, &out), MQTTCONN_OK);
  CHECK_EQ(out.len, 2);
  CHECK_EQ(out.ptr[0], 0xE0);
  mqttconn_conn_free(c);
  mqttconn_conn_free(s);
}

/* ---- Peer violations ---------------------------------------------------------------- */

/* A server at `version` that has received a CONNECT (and sent CONNACK 0), and the number of
 * stream bytes it has taken. */
static mqttconn_conn *connected_server(int version, mqttconn_config *cfg, size_t *taken) {
  mqttconn_conn *c = NULL, *s = NULL;
  mqttconn_packet pk = packet_of(MQTTCONN_PACKET_CONNECT), ev = packet_of(0);
  mqttconn_bytes out;
  size_t n = 0;
  CHECK_RC(mqttconn_conn_new(&c, NULL, NULL), MQTTCONN_OK);
  CHECK_RC(mqttconn_conn_new(&s, cfg, NULL), MQTTCONN_OK);
  pk.protocol_version = (uint8_t)version;
  pk.client_id = B("client");
  pk.clean_start = 1;
  CHECK_RC(mqttconn_conn_connect(c, &pk), MQTTCONN_OK);
  CHECK_RC(mqttconn_conn_output(c, &out), MQTTCONN_OK);
  CHECK_RC(mqttconn_conn_receive(s, out.ptr, out.len, &n), MQTTCONN_OK);
  CHECK_EQ(n, out.len);
  *taken = n;
  CHECK_RC(mqttconn_conn_next_event(s, &ev), MQTTCONN_OK);
  pk = packet_of(MQTTCONN_PACKET_CONNACK);
  CHECK_RC(mqttconn_conn_connack(s, &pk), MQTTCONN_OK);
  CHECK_RC(mqttconn_conn_output_consume(s, mqttconn_conn_output_size(s)), MQTTCONN_OK);
  mqttconn_conn_free(c);
  return s;
}

static mqttconn_config *server_config(uint32_t max_packet, int check_payload_format) {
  mqttconn_config *cfg = NULL;
  CHECK_RC(mqttconn_config_new(&cfg, NULL), MQTTCONN_OK);
  CHECK_RC(mqttconn_config_set_role(cfg, MQTTCONN_ROLE_SERVER), MQTTCONN_OK);
  if (max_packet) CHECK_RC(mqttconn_config_set_max_packet_size(cfg, max_packet), MQTTCONN_OK);
  CHECK_RC(mqttconn_config_set_check_payload_format(cfg, check_payload_format), MQTTCONN_OK);
  return cfg;
}

/* What the connection queued to tell the peer, decoded: its type and reason code. */
static void check_answer(mqttconn_conn *s, int version, int type, int reason_code) {
  mqttconn_decoder *d = NULL;
  mqttconn_packet pk = packet_of(0);
  mqttconn_bytes out;
  size_t n = 0;
  if (type == 0) {
    CHECK_EQ(mqttconn_conn_output_size(s), 0);
    CHECK_RC(mqttconn_conn_output(s, &out), MQTTCONN_DONE);
    return;
  }
  CHECK_RC(mqttconn_decoder_new(&d, NULL, NULL), MQTTCONN_OK);
  if (CHECK_RC(mqttconn_conn_output(s, &out), MQTTCONN_OK)) {
    CHECK_RC(mqttconn_decode(d, out.ptr, out.len, version, &n, &pk), MQTTCONN_OK);
    CHECK_EQ(n, out.len);
    CHECK_EQ(pk.type, type);
    CHECK_EQ(pk.reason_code, reason_code);
  }
  mqttconn_decoder_free(d);
}

typedef struct violation {
  const char *name;
  int version;          /* of the CONNECT before (0: the bytes are the first packet) */
  uint32_t max_packet;  /* server config */
  int check_payload_format;
  const uint8_t *bytes;
  size_t len;
  int code;
  int reason_code;
  int packet_type;
  const char *field;
  int answer_type; /* what the server queues: CONNACK, DISCONNECT or nothing */
  int answer_version;
  int answer_reason;
} violation;

static const uint8_t topic_wildcard[] = {0x30, 0x06, 0x00, 0x03, 'a', '/', '+', 0x00};
static const uint8_t reserved_flags[] = {0xC1, 0x00};
static const uint8_t alias_zero[] = {0x30, 0x07, 0x00, 0x01, 'a', 0x03, 0x23, 0x00, 0x00};
static const uint8_t bad_utf8_payload[] = {0x30, 0x07, 0x00, 0x01, 'a', 0x02, 0x01, 0x01, 0xFF};
static const uint8_t bad_filter[] = {0x82, 0x0A, 0x00, 0x01, 0x00, 0x00, 0x05, 'a', '/', '#', '/', 'b', 0x00};
static const uint8_t second_connect[] = {0x10, 0x0D, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x02, 0x00, 0x3C, 0x00, 0x01, 'a'};
static const uint8_t level_6[] = {0x10, 0x0D, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x06, 0x02, 0x00, 0x3C, 0x00, 0x01, 'a'};
static const uint8_t big_connect[] = {0x10, 0x20, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0x02, 0x00, 0x3C, 0x00,
                                      0x00, 0x13, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j',
                                      'k', 'l', 'm', 'n', 'o', 'p', 'q', 'r', 's'};

static const violation violations[] = {
    {"wildcard in a v5 topic name", MQTTCONN_V5, 0, 0, topic_wildcard, sizeof topic_wildcard,
     MQTTCONN_ERR_TOPIC_NAME, 0x90, MQTTCONN_PACKET_PUBLISH, "topic name", MQTTCONN_PACKET_DISCONNECT, MQTTCONN_V5,
     0x90},
    {"reserved flags in 3.1.1", MQTTCONN_V311, 0, 0, reserved_flags, sizeof reserved_flags, MQTTCONN_ERR_MALFORMED,
     0x81, MQTTCONN_PACKET_PINGREQ, NULL, 0, 0, 0},
    {"topic alias 0", MQTTCONN_V5, 0, 0, alias_zero, sizeof alias_zero, MQTTCONN_ERR_TOPIC_ALIAS, 0x94,
     MQTTCONN_PACKET_PUBLISH, NULL, MQTTCONN_PACKET_DISCONNECT, MQTTCONN_V5, 0x94},
    {"payload marked UTF-8 that is not", MQTTCONN_V5, 0, 1, bad_utf8_payload, sizeof bad_utf8_payload,
     MQTTCONN_ERR_PAYLOAD_FORMAT, 0x99, MQTTCONN_PACKET_PUBLISH, NULL, MQTTCONN_PACKET_DISCONNECT, MQTTCONN_V5, 0x99},
    {"bad topic filter", MQTTCONN_V5, 0, 0, bad_filter, sizeof bad_filter, MQTTCONN_ERR_TOPIC_FILTER, 0x8F,
     MQTTCONN_PACKET_SUBSCRIBE, NULL, MQTTCONN_PACKET_DISCONNECT, MQTTCONN_V5, 0x8F},
    {"second CONNECT", MQTTCONN_V311, 0, 0, second_connect, sizeof second_connect, MQTTCONN_ERR_PROTOCOL, 0x82,
     MQTTCONN_PACKET_CONNECT, NULL, 0, 0, 0},
    {"protocol level 6", 0, 0, 0, level_6, sizeof level_6, MQTTCONN_ERR_UNSUPPORTED_VERSION, 0x84,
     MQTTCONN_PACKET_CONNECT, "protocol level", MQTTCONN_PACKET_CONNACK, MQTTCONN_V311, 1},
    /* refused from its fixed header, before its level is seen: closed without CONNACK */
    {"CONNECT over the maximum packet size", 0, 16, 0, big_connect, sizeof big_connect,
     MQTTCONN_ERR_PACKET_TOO_LARGE, 0x95, MQTTCONN_PACKET_CONNECT, NULL, 0, 0, 0},
};

static void peer_violations(void) {
  size_t i, k;
  for (i = 0; i < COUNT(violations); ++i) {
    const violation *v = &violations[i];
    mqttconn_config *cfg = server_config(v->max_packet, v->check_payload_format);
    mqttconn_conn *s = NULL;
    mqttconn_decoder *d = NULL;
    mqttconn_error e = error_struct(), de = error_struct();
    mqttconn_packet pk = packet_of(0);
    size_t taken = 0, n = 99;
    int rc = 0;
    t_context = v->name;
    if (v->version != 0) {
      s = connected_server(v->version, cfg, &taken);
    } else {
      CHECK_RC(mqttconn_conn_new(&s, cfg, NULL), MQTTCONN_OK);
    }
    mqttconn_config_free(cfg);
    if (s == NULL) continue;
    /* byte by byte: the violation shows at the byte that completes the fault */
    for (k = 0; k < v->len; ++k) {
      rc = mqttconn_conn_receive(s, v->bytes + k, 1, &n);
      if (rc != MQTTCONN_OK) break;
      CHECK_EQ(n, 1);
    }
    CHECK_RC(rc, v->code);
    CHECK(rc <= -100 && rc >= -199);
    /* sticky, with the same error */
    CHECK_RC(mqttconn_conn_receive(s, v->bytes, v->len, &n), v->code);
    CHECK_RC(mqttconn_conn_receive(s, NULL, 0, &n), v->code);
    CHECK_EQ(mqttconn_conn_state(s), MQTTCONN_STATE_CLOSED);
    CHECK_EQ(mqttconn_conn_reason_code(s), v->reason_code);
    CHECK_RC(mqttconn_conn_error(s, &e), MQTTCONN_OK);
    CHECK_EQ(e.code, v->code);
    CHECK_EQ(e.reason_code, v->reason_code);
    CHECK_EQ(e.packet_type, v->packet_type);
    CHECK(e.field != NULL && e.what != NULL && e.what[0] != '\0');
    if (v->field) CHECK(strcmp(e.field, v->field) == 0);
    CHECK(e.offset >= taken && e.offset < taken + v->len);
    CHECK_EQ(last_code(s), v->code);
    /* the decoder without a connection finds the same fault at the same place in the packet */
    if (v->packet_type != MQTTCONN_PACKET_CONNECT || v->version == 0) {
      mqttconn_config *dc = server_config(v->max_packet, v->check_payload_format);
      CHECK_RC(mqttconn_decoder_new(&d, dc, NULL), MQTTCONN_OK);
      mqttconn_config_free(dc);
      CHECK_RC(mqttconn_decode(d, v->bytes, v->len, v->version ? v->version : MQTTCONN_V5, &n, &pk), v->code);
      CHECK_RC(mqttconn_decoder_error(d, &de), MQTTCONN_OK);
      CHECK_EQ(de.code, v->code);
      CHECK_EQ(de.reason_code, v->reason_code);
      CHECK_EQ(de.offset + taken, e.offset);
      CHECK(strcmp(de.field, e.field) == 0);
      mqttconn_decoder_free(d);
    }
    /* sending is over; what is queued tells the peer why */
    pk = packet_of(MQTTCONN_PACKET_PINGRESP);
    CHECK_RC(mqttconn_conn_pingresp(s), MQTTCONN_ERR_CLOSED);
    check_answer(s, v->answer_version, v->answer_type, v->answer_reason);
    mqttconn_conn_free(s);
  }
}

/* The client side: a second CONNACK is a protocol error, answered with DISCONNECT 0x82. */
static void client_violation(void) {
  mqttconn_conn *c = NULL;
  mqttconn_packet pk = packet_of(MQTTCONN_PACKET_CONNECT), ev = packet_of(0);
  static const uint8_t connacks[] = {0x20, 0x03, 0x00, 0x00, 0x00, 0x20, 0x03, 0x00, 0x00, 0x00};
  size_t n = 0;
  mqttconn_error e = error_struct();
  t_context = "client: second CONNACK";
  CHECK_RC(mqttconn_conn_new(&c, NULL, NULL), MQTTCONN_OK);
  pk.protocol_version = MQTTCONN_V5;
  pk.clean_start = 1;
  pk.client_id = B("c");
  CHECK_RC(mqttconn_conn_connect(c, &pk), MQTTCONN_OK);
  CHECK_RC(mqttconn_conn_output_consume(c, (size_t)-1), MQTTCONN_OK);
  CHECK_RC(mqttconn_conn_receive(c, connacks, sizeof connacks, &n), MQTTCONN_OK);
  CHECK_EQ(n, 5);
  CHECK_RC(mqttconn_conn_next_event(c, &ev), MQTTCONN_OK);
  CHECK_EQ(ev.type, MQTTCONN_PACKET_CONNACK);
  CHECK_RC(mqttconn_conn_receive(c, connacks + 5, 5, &n), MQTTCONN_ERR_PROTOCOL);
  CHECK_RC(mqttconn_conn_error(c, &e), MQTTCONN_OK);
  CHECK_EQ(e.offset, 5);
  CHECK_EQ(e.packet_type, MQTTCONN_PACKET_CONNACK);
  CHECK_EQ(e.reason_code, 0x82);
  check_answer(c, MQTTCONN_V5, MQTTCONN_PACKET_DISCONNECT, 0x82);
  mqttconn_conn_free(c);
}

/* ---- After a fatal error ------------------------------------------------------------ */

static void fatal(void) {
  test_alloc a;
  mqttconn_conn *c = NULL;
  mqttconn_decoder *d = NULL;
  mqttconn_config *cfg = (mqttconn_config *)&a;
  mqttconn_packet pk = packet_of(MQTTCONN_PACKET_CONNECT);
  mqttconn_error e = error_struct();
  mqttconn_bytes b, segs[2];
  size_t n = 7;
  uint8_t buf[256];
  int rc;
  t_context = "fatal";

  test_alloc_init(&a, 1);
  CHECK_RC(mqttconn_config_new(&cfg, &a.hooks), MQTTCONN_ERR_NOMEM);
  CHECK(cfg == NULL);
  CHECK_RC(mqttconn_conn_new(&c, NULL, &a.hooks), MQTTCONN_OK); /* allocation 2 */
  CHECK_EQ(a.live_blocks, 1);
  if (c == NULL) return;
  a.fail_at = a.count + 1; /* the output buffer */
  pk.protocol_version = MQTTCONN_V5;
  pk.client_id = B("c");
  CHECK_RC(mqttconn_conn_connect(c, &pk), MQTTCONN_ERR_NOMEM);
  CHECK_EQ(a.failed_count, 2);
  /* every later call but free returns the fatal code */
  CHECK_RC(mqttconn_conn_connect(c, &pk), MQTTCONN_ERR_NOMEM);
  CHECK_RC(mqttconn_conn_send(c, &pk), MQTTCONN_ERR_NOMEM);
  CHECK_RC(mqttconn_conn_publish(c, &pk), MQTTCONN_ERR_NOMEM);
  CHECK_RC(mqttconn_conn_disconnect(c, NULL), MQTTCONN_ERR_NOMEM);
  CHECK_RC(mqttconn_conn_pingreq(c), MQTTCONN_ERR_NOMEM);
  CHECK_RC(mqttconn_conn_receive(c, buf, 2, &n), MQTTCONN_ERR_NOMEM);
  CHECK_RC(mqttconn_conn_receive(c, NULL, 2, NULL), MQTTCONN_ERR_NOMEM);
  CHECK_RC(mqttconn_conn_next_event(c, &pk), MQTTCONN_ERR_NOMEM);
  CHECK_RC(mqttconn_conn_output(c, &b), MQTTCONN_ERR_NOMEM);
  CHECK_RC(mqttconn_conn_output_iov(c, segs, 2, &n), MQTTCONN_ERR_NOMEM);
  CHECK_RC(mqttconn_conn_output_consume(c, 1), MQTTCONN_ERR_NOMEM);
  CHECK_EQ(mqttconn_conn_output_size(c), 0);
  CHECK_RC(mqttconn_conn_state(c), MQTTCONN_ERR_NOMEM);
  CHECK_RC(mqttconn_conn_version(c), MQTTCONN_ERR_NOMEM);
  CHECK_RC(mqttconn_conn_reason_code(c), MQTTCONN_ERR_NOMEM);
  CHECK_RC(mqttconn_conn_error(c, &e), MQTTCONN_ERR_NOMEM);
  CHECK_EQ(e.code, MQTTCONN_ERR_NOMEM);
  e.code = 0;
  CHECK_RC(mqttconn_conn_last_error(c, &e), MQTTCONN_ERR_NOMEM);
  CHECK_EQ(e.code, MQTTCONN_ERR_NOMEM);
  mqttconn_conn_free(c);
  CHECK_EQ(a.live_bytes, 0);

  /* a decoder: the array of an event with many user properties cannot grow */
  test_alloc_init(&a, 2);
  CHECK_RC(mqttconn_decoder_new(&d, NULL, &a.hooks), MQTTCONN_OK);
  if (d == NULL) return;
  {
    mqttconn_user_property ups[8];
    mqttconn_properties pr = props_empty();
    size_t k;
    for (k = 0; k < 8; ++k) {
      ups[k].name = B("n");
      ups[k].value = B("v");
    }
    pr.user_properties = ups;
    pr.user_property_count = 8;
    pk = packet_of(MQTTCONN_PACKET_PUBLISH);
    pk.topic = B("t");
    pk.props = &pr;
    CHECK_RC(mqttconn_encode(&pk, MQTTCONN_V5, buf, sizeof buf, &n), MQTTCONN_OK);
  }
  rc = mqttconn_decode(d, buf, n, MQTTCONN_V5, &n, &pk);
  CHECK_RC(rc, MQTTCONN_ERR_NOMEM);
  CHECK_RC(mqttconn_decode(d, buf, 2, MQTTCONN_V5, &n, &pk), MQTTCONN_ERR_NOMEM);
  CHECK_RC(mqttconn_decoder_error(d, &e), MQTTCONN_ERR_NOMEM);
  CHECK_EQ(e.code, MQTTCONN_ERR_NOMEM);
  mqttconn_decoder_free(d);
  CHECK_EQ(a.live_bytes, 0);
  CHECK_EQ(a.bad_free, 0);
}

int main(void) {
  caller_mistakes();
  peer_violations();
  client_violation();
  fatal();
  return t_report("capi errors");
}
