/* Misuse of the C API by its caller: every code has a name and sits in its band; NULL handles
 * and pointers are ARGUMENT (recorded for mqttconn_conn_last_error(), connection still
 * usable); struct_size below the first release's is STRUCT_SIZE and the library writes no
 * byte past struct_size; enum values out of range are ARGUMENT. */
#include <stdio.h>
#include <string.h>

#include "capi_test.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- Codes -------------------------------------------------------------------------- */

static const int all_codes[] = {
    MQTTCONN_OK, MQTTCONN_DONE, MQTTCONN_ERR_ARGUMENT, MQTTCONN_ERR_STRUCT_SIZE, MQTTCONN_ERR_WRONG_STATE,
    MQTTCONN_ERR_INVALID_PACKET, MQTTCONN_ERR_BUFFER_TOO_SMALL, MQTTCONN_ERR_OUTPUT_FULL,
    MQTTCONN_ERR_EVENT_PENDING, MQTTCONN_ERR_CLOSED, MQTTCONN_ERR_NEED_MORE, MQTTCONN_ERR_MALFORMED,
    MQTTCONN_ERR_PROTOCOL, MQTTCONN_ERR_UNSUPPORTED_VERSION, MQTTCONN_ERR_PACKET_TOO_LARGE,
    MQTTCONN_ERR_TOPIC_NAME, MQTTCONN_ERR_TOPIC_FILTER, MQTTCONN_ERR_TOPIC_ALIAS, MQTTCONN_ERR_PAYLOAD_FORMAT,
    MQTTCONN_ERR_NOMEM, MQTTCONN_ERR_INTERNAL};

static void codes(void) {
  size_t i, j;
  const mqttconn_version_info *v = mqttconn_version();
  t_context = "codes";
  for (i = 0; i < COUNT(all_codes); ++i) {
    const char *s = mqttconn_strerror(all_codes[i]);
    const int rc = all_codes[i];
    CHECK(s != NULL && s[0] != '\0');
    CHECK(strcmp(s, "unknown code") != 0);
    for (j = 0; j < i; ++j) CHECK(strcmp(s, mqttconn_strerror(all_codes[j])) != 0);
    /* the bands */
    CHECK(rc >= 0 || (rc <= -1 && rc >= -99) || (rc <= -100 && rc >= -199) || rc <= -900);
    CHECK_EQ(mqttconn_is_fatal(rc), rc <= -900);
  }
  CHECK(strcmp(mqttconn_strerror(-50), "unknown code") == 0);
  CHECK(strcmp(mqttconn_strerror(12345), "unknown code") == 0);
  CHECK(strcmp(mqttconn_strerror(MQTTCONN_ERR_MALFORMED), "malformed packet") == 0);
  CHECK_EQ(mqttconn_is_fatal(-899), 0);
  CHECK_EQ(mqttconn_is_fatal(-12345), 1);

  CHECK(v != NULL);
  CHECK_EQ(v->struct_size, sizeof(mqttconn_version_info));
  CHECK_EQ(v->major, MQTTCONN_VERSION_MAJOR);
  CHECK_EQ(v->minor, MQTTCONN_VERSION_MINOR);
  CHECK_EQ(v->patch, MQTTCONN_VERSION_PATCH);
  CHECK_EQ(v->num, MQTTCONN_VERSION_NUM);
  CHECK_EQ(v->num, (MQTTCONN_VERSION_MAJOR << 16) | (MQTTCONN_VERSION_MINOR << 8) | MQTTCONN_VERSION_PATCH);
  CHECK(strcmp(v->string, MQTTCONN_VERSION_STRING) == 0);
  CHECK(mqttconn_version() == v);
}

/* ---- NULL handles and pointers ------------------------------------------------------ */

static void null_handles(void) {
  mqttconn_packet pk = packet_of(MQTTCONN_PACKET_PUBLISH);
  mqttconn_error e = error_struct();
  mqttconn_bytes b, segs[2];
  size_t n = 99;
  uint8_t buf[8];
  t_context = "NULL handles";

  CHECK_RC(mqttconn_config_new(NULL, NULL), MQTTCONN_ERR_ARGUMENT);
  mqttconn_config_free(NULL);
  CHECK_RC(mqttconn_config_set_role(NULL, MQTTCONN_ROLE_SERVER), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_config_set_max_packet_size(NULL, 100), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_config_set_reject_disallowed_code_points(NULL, 1), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_config_set_check_payload_format(NULL, 1), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_config_set_max_output(NULL, 100), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_config_set_borrow_payloads_from(NULL, 100), MQTTCONN_ERR_ARGUMENT);

  CHECK_RC(mqttconn_conn_new(NULL, NULL, NULL), MQTTCONN_ERR_ARGUMENT);
  mqttconn_conn_free(NULL);
  CHECK_RC(mqttconn_conn_receive(NULL, buf, 0, &n), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_conn_next_event(NULL, &pk), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_conn_connect(NULL, &pk), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_conn_connack(NULL, &pk), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_conn_publish(NULL, &pk), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_conn_puback(NULL, &pk), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_conn_pubrec(NULL, &pk), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_conn_pubrel(NULL, &pk), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_conn_pubcomp(NULL, &pk), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_conn_subscribe(NULL, &pk), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_conn_suback(NULL, &pk), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_conn_unsubscribe(NULL, &pk), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_conn_unsuback(NULL, &pk), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_conn_pingreq(NULL), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_conn_pingresp(NULL), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_conn_disconnect(NULL, NULL), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_conn_auth(NULL, &pk), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_conn_send(NULL, &pk), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_conn_output(NULL, &b), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_conn_output_iov(NULL, segs, 2, &n), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_conn_output_consume(NULL, 1), MQTTCONN_ERR_ARGUMENT);
  CHECK_EQ(mqttconn_conn_output_size(NULL), 0);
  CHECK_EQ(mqttconn_conn_input_buffered(NULL), 0);
  CHECK_RC(mqttconn_conn_state(NULL), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_conn_version(NULL), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_conn_reason_code(NULL), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_conn_error(NULL, &e), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_conn_last_error(NULL, &e), MQTTCONN_ERR_ARGUMENT);

  CHECK_RC(mqttconn_decoder_new(NULL, NULL, NULL), MQTTCONN_ERR_ARGUMENT);
  mqttconn_decoder_free(NULL);
  CHECK_RC(mqttconn_decode(NULL, buf, 2, MQTTCONN_V5, &n, &pk), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_decoder_error(NULL, &e), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_encode(NULL, MQTTCONN_V5, buf, sizeof buf, &n), MQTTCONN_ERR_ARGUMENT);
}

static void null_pointers(void) {
  mqttconn_conn *c = NULL;
  mqttconn_decoder *d = NULL;
  mqttconn_packet pk = packet_of(MQTTCONN_PACKET_PUBLISH);
  mqttconn_bytes segs[2];
  mqttconn_error e = error_struct();
  size_t n = 0;
  uint8_t buf[16];
  static const mqttconn_allocator half = {NULL, NULL, NULL};
  t_context = "NULL pointers";

  /* an allocator needs both functions */
  c = (mqttconn_conn *)&n;
  CHECK_RC(mqttconn_conn_new(&c, NULL, &half), MQTTCONN_ERR_ARGUMENT);
  CHECK(c == NULL);
  {
    mqttconn_config *cfg = (mqttconn_config *)&n;
    CHECK_RC(mqttconn_config_new(&cfg, &half), MQTTCONN_ERR_ARGUMENT);
    CHECK(cfg == NULL);
  }
  CHECK_RC(mqttconn_decoder_new(&d, NULL, &half), MQTTCONN_ERR_ARGUMENT);
  CHECK(d == NULL);

  if (!CHECK_RC(mqttconn_conn_new(&c, NULL, NULL), MQTTCONN_OK)) return;
  CHECK_RC(mqttconn_conn_last_error(c, &e), MQTTCONN_DONE);
  CHECK_RC(mqttconn_conn_receive(c, buf, 2, NULL), MQTTCONN_ERR_ARGUMENT);
  CHECK_EQ(last_code(c), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_conn_receive(c, NULL, 2, &n), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_conn_last_error(c, &e), MQTTCONN_OK);
  CHECK_EQ(e.code, MQTTCONN_ERR_ARGUMENT);
  CHECK(strcmp(e.field, "in") == 0);
  CHECK(e.what != NULL && e.what[0] != '\0');
  CHECK_RC(mqttconn_conn_next_event(c, NULL), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_conn_connect(c, NULL), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_conn_connack(c, NULL), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_conn_publish(c, NULL), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_conn_puback(c, NULL), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_conn_pubrec(c, NULL), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_conn_pubrel(c, NULL), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_conn_pubcomp(c, NULL), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_conn_subscribe(c, NULL), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_conn_suback(c, NULL), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_conn_unsubscribe(c, NULL), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_conn_unsuback(c, NULL), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_conn_auth(c, NULL), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_conn_send(c, NULL), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_conn_output(c, NULL), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_conn_output_iov(c, segs, 2, NULL), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_conn_output_iov(c, NULL, 2, &n), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_conn_output_iov(c, NULL, 0, &n), MQTTCONN_DONE);
  CHECK_RC(mqttconn_conn_error(c, NULL), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_conn_last_error(c, NULL), MQTTCONN_ERR_ARGUMENT);
  /* arrays and strings: NULL with a nonzero count or length */
  pk.topic.ptr = NULL;
  pk.topic.len = 3;
  CHECK_RC(mqttconn_conn_send(c, &pk), MQTTCONN_ERR_ARGUMENT);
  /* still usable: nothing of the above counted */
  CHECK_EQ(mqttconn_conn_state(c), MQTTCONN_STATE_IDLE);
  CHECK_RC(mqttconn_conn_receive(c, NULL, 0, &n), MQTTCONN_OK);
  CHECK_EQ(n, 0);
  pk = packet_of(MQTTCONN_PACKET_CONNECT);
  pk.protocol_version = MQTTCONN_V5;
  pk.client_id = B("x");
  CHECK_RC(mqttconn_conn_connect(c, &pk), MQTTCONN_OK);
  {
    mqttconn_subscription s;
    mqttconn_properties pr = props_empty();
    memset(&s, 0, sizeof s);
    pk = packet_of(MQTTCONN_PACKET_SUBSCRIBE);
    pk.packet_id = 1;
    pk.subscription_count = 1;
    CHECK_RC(mqttconn_conn_subscribe(c, &pk), MQTTCONN_ERR_ARGUMENT);
    CHECK(strcmp((mqttconn_conn_last_error(c, &e), e.field), "subscriptions") == 0);
    pk.subscriptions = &s;
    s.topic_filter.len = 2;
    CHECK_RC(mqttconn_conn_subscribe(c, &pk), MQTTCONN_ERR_ARGUMENT);
    s.topic_filter = B("a");
    pk.props = &pr;
    pr.user_property_count = 1;
    CHECK_RC(mqttconn_conn_subscribe(c, &pk), MQTTCONN_ERR_ARGUMENT);
    pr.user_property_count = 0;
    pr.subscription_identifier_count = 1;
    CHECK_RC(mqttconn_conn_subscribe(c, &pk), MQTTCONN_ERR_ARGUMENT);
    pr.subscription_identifier_count = 0;
    pr.present = MQTTCONN_PROP_BIT(MQTTCONN_PROP_REASON_STRING);
    pr.reason_string.len = 1;
    CHECK_RC(mqttconn_conn_subscribe(c, &pk), MQTTCONN_ERR_ARGUMENT);
    pk = packet_of(MQTTCONN_PACKET_UNSUBSCRIBE);
    pk.packet_id = 1;
    pk.topic_filter_count = 1;
    CHECK_RC(mqttconn_conn_unsubscribe(c, &pk), MQTTCONN_ERR_ARGUMENT);
  }
  mqttconn_conn_free(c);

  if (!CHECK_RC(mqttconn_decoder_new(&d, NULL, NULL), MQTTCONN_OK)) return;
  CHECK_RC(mqttconn_decoder_error(d, &e), MQTTCONN_DONE);
  pk = packet_of(0);
  buf[0] = 0xC0;
  buf[1] = 0x00;
  CHECK_RC(mqttconn_decode(d, buf, 2, MQTTCONN_V5, NULL, &pk), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_decode(d, buf, 2, MQTTCONN_V5, &n, NULL), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_decode(d, NULL, 2, MQTTCONN_V5, &n, &pk), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_decoder_error(d, NULL), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_decode(d, buf, 2, MQTTCONN_V5, &n, &pk), MQTTCONN_OK);
  CHECK_EQ(pk.type, MQTTCONN_PACKET_PINGREQ);
  mqttconn_decoder_free(d);

  pk = packet_of(MQTTCONN_PACKET_PINGREQ);
  CHECK_RC(mqttconn_encode(&pk, MQTTCONN_V5, buf, sizeof buf, NULL), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_encode(&pk, MQTTCONN_V5, NULL, 4, &n), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_encode(&pk, MQTTCONN_V5, NULL, 0, &n), MQTTCONN_ERR_BUFFER_TOO_SMALL);
  CHECK_EQ(n, 2);
}

/* ---- struct_size -------------------------------------------------------------------- */

static void struct_sizes(void) {
  mqttconn_conn *client = NULL, *server = NULL;
  mqttconn_config *cfg = NULL;
  mqttconn_decoder *d = NULL;
  mqttconn_packet pk;
  mqttconn_properties pr = props_empty();
  mqttconn_error e = error_struct();
  size_t n = 0;
  uint8_t buf[64];
  /* a caller struct followed by bytes the library must not touch */
  union {
    mqttconn_packet p;
    unsigned char raw[sizeof(mqttconn_packet) + 32];
  } big;
  union {
    mqttconn_error e;
    unsigned char raw[sizeof(mqttconn_error) + 32];
  } big_err;
  size_t i;
  static const uint8_t pingreq[] = {0xC0, 0x00};
  t_context = "struct_size";

  CHECK_RC(mqttconn_config_new(&cfg, NULL), MQTTCONN_OK);
  CHECK_RC(mqttconn_config_set_role(cfg, MQTTCONN_ROLE_SERVER), MQTTCONN_OK);
  CHECK_RC(mqttconn_conn_new(&server, cfg, NULL), MQTTCONN_OK);
  CHECK_RC(mqttconn_conn_new(&client, NULL, NULL), MQTTCONN_OK);
  mqttconn_config_free(cfg);
  if (client == NULL || server == NULL) return;

  /* sends */
  pk = packet_of(MQTTCONN_PACKET_CONNECT);
  pk.protocol_version = MQTTCONN_V5;
  pk.client_id = B("c");
  pk.struct_size = sizeof pk - 1;
  CHECK_RC(mqttconn_conn_connect(client, &pk), MQTTCONN_ERR_STRUCT_SIZE);
  CHECK_EQ(last_code(client), MQTTCONN_ERR_STRUCT_SIZE);
  pk.struct_size = 0;
  CHECK_RC(mqttconn_conn_send(client, &pk), MQTTCONN_ERR_STRUCT_SIZE);
  pk.struct_size = sizeof pk;
  pr.struct_size = sizeof pr - 1;
  pk.props = &pr;
  CHECK_RC(mqttconn_conn_connect(client, &pk), MQTTCONN_ERR_STRUCT_SIZE);
  pk.props = NULL;
  pk.has_will = 1;
  pk.will_topic = B("w");
  pk.will_props = &pr;
  CHECK_RC(mqttconn_conn_connect(client, &pk), MQTTCONN_ERR_STRUCT_SIZE);
  pr.struct_size = sizeof pr;
  CHECK_RC(mqttconn_conn_connect(client, &pk), MQTTCONN_OK);
  CHECK_EQ(mqttconn_conn_output_size(client), 22); /* with the Will's empty property block */

  /* events: a short struct leaves the event pending */
  {
    mqttconn_bytes out;
    CHECK_RC(mqttconn_conn_output(client, &out), MQTTCONN_OK);
    CHECK_RC(mqttconn_conn_receive(server, out.ptr, out.len, &n), MQTTCONN_OK);
    CHECK_EQ(n, out.len);
  }
  memset(&big, 0xAB, sizeof big);
  big.p.struct_size = sizeof(mqttconn_packet) - 1;
  CHECK_RC(mqttconn_conn_next_event(server, &big.p), MQTTCONN_ERR_STRUCT_SIZE);
  big.p.struct_size = 0;
  CHECK_RC(mqttconn_conn_next_event(server, &big.p), MQTTCONN_ERR_STRUCT_SIZE);
  big.p.struct_size = sizeof(mqttconn_packet);
  CHECK_RC(mqttconn_conn_next_event(server, &big.p), MQTTCONN_OK);
  CHECK_EQ(big.p.type, MQTTCONN_PACKET_CONNECT);
  CHECK_EQ(big.p.struct_size, sizeof(mqttconn_packet));
  for (i = sizeof(mqttconn_packet); i < sizeof big.raw; ++i) CHECK_EQ(big.raw[i], 0xAB);
  CHECK_RC(mqttconn_conn_output_consume(client, 1000), MQTTCONN_OK);
  CHECK_EQ(mqttconn_conn_output_size(client), 0);

  /* errors */
  CHECK_RC(mqttconn_conn_receive(server, buf, 0, NULL), MQTTCONN_ERR_ARGUMENT);
  memset(&big_err, 0xAB, sizeof big_err);
  big_err.e.struct_size = sizeof(mqttconn_error) - 1;
  CHECK_RC(mqttconn_conn_last_error(server, &big_err.e), MQTTCONN_ERR_STRUCT_SIZE);
  CHECK_RC(mqttconn_conn_error(server, &big_err.e), MQTTCONN_ERR_STRUCT_SIZE);
  big_err.e.struct_size = sizeof(mqttconn_error);
  CHECK_RC(mqttconn_conn_last_error(server, &big_err.e), MQTTCONN_OK);
  CHECK_EQ(big_err.e.code, MQTTCONN_ERR_STRUCT_SIZE); /* the call just before */
  CHECK_EQ(big_err.e.struct_size, sizeof(mqttconn_error));
  for (i = sizeof(mqttconn_error); i < sizeof big_err.raw; ++i) CHECK_EQ(big_err.raw[i], 0xAB);

  /* the codec */
  CHECK_RC(mqttconn_decoder_new(&d, NULL, NULL), MQTTCONN_OK);
  memset(&big, 0xAB, sizeof big);
  big.p.struct_size = sizeof(mqttconn_packet) - 8;
  CHECK_RC(mqttconn_decode(d, pingreq, 2, MQTTCONN_V5, &n, &big.p), MQTTCONN_ERR_STRUCT_SIZE);
  e.struct_size = 4;
  CHECK_RC(mqttconn_decoder_error(d, &e), MQTTCONN_ERR_STRUCT_SIZE);
  e.struct_size = sizeof e;
  CHECK_RC(mqttconn_decoder_error(d, &e), MQTTCONN_OK);
  CHECK_EQ(e.code, MQTTCONN_ERR_STRUCT_SIZE);
  big.p.struct_size = sizeof(mqttconn_packet);
  CHECK_RC(mqttconn_decode(d, pingreq, 2, MQTTCONN_V5, &n, &big.p), MQTTCONN_OK);
  for (i = sizeof(mqttconn_packet); i < sizeof big.raw; ++i) CHECK_EQ(big.raw[i], 0xAB);
  pk = packet_of(MQTTCONN_PACKET_PINGREQ);
  pk.struct_size = 8;
  CHECK_RC(mqttconn_encode(&pk, MQTTCONN_V5, buf, sizeof buf, &n), MQTTCONN_ERR_STRUCT_SIZE);

  mqttconn_decoder_free(d);
  mqttconn_conn_free(client);
  mqttconn_conn_free(server);
}

/* ---- Enum values -------------------------------------------------------------------- */

static void enum_values(void) {
  mqttconn_config *cfg = NULL;
  mqttconn_conn *c = NULL;
  mqttconn_decoder *d = NULL;
  mqttconn_packet pk;
  mqttconn_properties pr = props_empty();
  mqttconn_subscription s;
  size_t n;
  uint8_t buf[64];
  static const uint8_t pingreq[] = {0xC0, 0x00};
  t_context = "enum values";

  CHECK_RC(mqttconn_config_new(&cfg, NULL), MQTTCONN_OK);
  CHECK_RC(mqttconn_config_set_role(cfg, 2), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_config_set_role(cfg, -1), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_config_set_max_packet_size(cfg, 0), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_config_set_max_packet_size(cfg, UINT32_MAX), MQTTCONN_OK); /* the protocol's limit */
  CHECK_RC(mqttconn_conn_new(&c, cfg, NULL), MQTTCONN_OK);
  mqttconn_config_free(cfg);
  if (c == NULL) return;

  pk = packet_of(MQTTCONN_PACKET_CONNECT);
  pk.client_id = B("c");
  pk.protocol_version = 0;
  CHECK_RC(mqttconn_conn_connect(c, &pk), MQTTCONN_ERR_ARGUMENT);
  pk.protocol_version = 6;
  CHECK_RC(mqttconn_conn_connect(c, &pk), MQTTCONN_ERR_ARGUMENT);
  pk.protocol_version = MQTTCONN_V5;
  pk.has_will = 1;
  pk.will_topic = B("w");
  pk.will_qos = 3;
  CHECK_RC(mqttconn_conn_connect(c, &pk), MQTTCONN_ERR_ARGUMENT);
  pk.will_qos = 0;
  pk.props = &pr;
  pr.present = MQTTCONN_PROP_BIT(0); /* id 0 is not a property */
  CHECK_RC(mqttconn_conn_connect(c, &pk), MQTTCONN_ERR_ARGUMENT);
  pr.present = MQTTCONN_PROP_BIT(0x04);
  CHECK_RC(mqttconn_conn_connect(c, &pk), MQTTCONN_ERR_ARGUMENT);
  pr.present = MQTTCONN_PROP_BIT(63);
  CHECK_RC(mqttconn_conn_connect(c, &pk), MQTTCONN_ERR_ARGUMENT);
  pr.present = MQTTCONN_PROP_BIT(MQTTCONN_PROP_REQUEST_PROBLEM_INFORMATION);
  pr.request_problem_information = 2; /* a byte the wire cannot carry */
  CHECK_RC(mqttconn_conn_connect(c, &pk), MQTTCONN_ERR_INVALID_PACKET);
  pr.request_problem_information = 1;
  CHECK_RC(mqttconn_conn_send(c, &pk), MQTTCONN_OK);

  pk = packet_of(MQTTCONN_PACKET_PUBLISH);
  pk.topic = B("t");
  pk.qos = 3;
  pk.packet_id = 1;
  CHECK_RC(mqttconn_conn_publish(c, &pk), MQTTCONN_ERR_ARGUMENT);
  memset(&s, 0, sizeof s);
  s.topic_filter = B("t");
  s.qos = 3;
  pk = packet_of(MQTTCONN_PACKET_SUBSCRIBE);
  pk.packet_id = 1;
  pk.subscriptions = &s;
  pk.subscription_count = 1;
  CHECK_RC(mqttconn_conn_subscribe(c, &pk), MQTTCONN_ERR_ARGUMENT);
  s.qos = 0;
  s.retain_handling = 3;
  CHECK_RC(mqttconn_conn_subscribe(c, &pk), MQTTCONN_ERR_ARGUMENT);
  pk = packet_of(0);
  CHECK_RC(mqttconn_conn_send(c, &pk), MQTTCONN_ERR_ARGUMENT);
  pk.type = 16;
  CHECK_RC(mqttconn_conn_send(c, &pk), MQTTCONN_ERR_ARGUMENT);
  pk.type = -1;
  CHECK_RC(mqttconn_conn_send(c, &pk), MQTTCONN_ERR_ARGUMENT);
  /* p->type is ignored by the per-kind functions */
  pk = packet_of(MQTTCONN_PACKET_SUBACK);
  CHECK_RC(mqttconn_conn_disconnect(c, &pk), MQTTCONN_OK);
  CHECK_EQ(mqttconn_conn_state(c), MQTTCONN_STATE_CLOSED);
  mqttconn_conn_free(c);

  CHECK_RC(mqttconn_decoder_new(&d, NULL, NULL), MQTTCONN_OK);
  pk = packet_of(0);
  CHECK_RC(mqttconn_decode(d, pingreq, 2, 2, &n, &pk), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_decode(d, pingreq, 2, 6, &n, &pk), MQTTCONN_ERR_ARGUMENT);
  mqttconn_decoder_free(d);
  pk = packet_of(MQTTCONN_PACKET_PINGREQ);
  CHECK_RC(mqttconn_encode(&pk, 7, buf, sizeof buf, &n), MQTTCONN_ERR_ARGUMENT);
  pk.type = 0;
  CHECK_RC(mqttconn_encode(&pk, MQTTCONN_V5, buf, sizeof buf, &n), MQTTCONN_ERR_ARGUMENT);
}

int main(void) {
  codes();
  null_handles();
  null_pointers();
  struct_sizes();
  enum_values();
  return t_report("capi arguments");
}
