/* Batches (mqttconn.h, "Batches"): mqttconn_decode_batch() and mqttconn_conn_receive_batch()
 * write the records of the layout byte for byte, stop at a full buffer without losing a packet
 * (BATCH_FULL), keep a packet cut short for later, report a bad packet after the good ones;
 * mqttconn_encode_batch() and mqttconn_conn_send_batch() read records back into the same bytes
 * and refuse bad records. */
#include <stdio.h>
#include <string.h>

#include "capi_test.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static uint32_t rd32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

/* A v5 PUBLISH QoS 1, id 5, topic "a/b", payload "xyz", message expiry 60, user property k=v. */
static const uint8_t publish_v5[] = {
    0x32, 0x17,                   /* PUBLISH QoS 1, remaining length 23 */
    0x00, 0x03, 'a', '/', 'b',    /* topic "a/b" */
    0x00, 0x05,                   /* packet id 5 */
    0x0C,                         /* properties: 12 bytes */
    0x02, 0x00, 0x00, 0x00, 0x3C, /* message expiry interval 60 */
    0x26, 0x00, 0x01, 'k', 0x00, 0x01, 'v', /* user property k=v */
    'x', 'y', 'z'};               /* payload */
static const uint8_t puback_v5[] = {0x40, 0x02, 0x00, 0x05}; /* PUBACK id 5, reason 0 */
static const uint8_t pingreq[] = {0xC0, 0x00};

/* The record of publish_v5 as the layout spells it. */
static const uint8_t publish_record[] = {
    46, 0, 0, 0,        /* size */
    MQTTCONN_PACKET_PUBLISH,
    0x04,               /* flags: qos 1 in bits 2-3 */
    5, 0,               /* packet id */
    0, 0, 0, 0, 0, 0, 0, 0, /* reason, version, keep alive, connect flags, reserved */
    3, 0, 0, 0,         /* topic: 3 bytes */
    3, 0, 0, 0,         /* payload: 3 bytes */
    12, 0, 0, 0,        /* properties: 12 bytes */
    'a', '/', 'b',      /* topic */
    'x', 'y', 'z',      /* payload */
    0x02, 60, 0, 0, 0,  /* properties: message expiry interval 60 (u32) */
    0x26, 1, 0, 'k', 1, 0, 'v'}; /* user property k=v */

static size_t concat(uint8_t *out, const uint8_t *a, size_t na, const uint8_t *b, size_t nb, const uint8_t *c,
                     size_t nc) {
  memcpy(out, a, na);
  memcpy(out + na, b, nb);
  memcpy(out + na + nb, c, nc);
  return na + nb + nc;
}

static void decode_batch(void) {
  mqttconn_decoder *d = NULL;
  uint8_t in[256], out[512], bad[64];
  size_t len, consumed = 9, written = 9, count = 9, need;
  mqttconn_error e = error_struct();
  t_context = "decode_batch";

  CHECK_EQ(mqttconn_batch_layout(), MQTTCONN_BATCH_LAYOUT);
  CHECK_RC(mqttconn_decoder_new(&d, NULL, NULL), MQTTCONN_OK);
  if (d == NULL) return;
  len = concat(in, publish_v5, sizeof publish_v5, puback_v5, sizeof puback_v5, pingreq, sizeof pingreq);

  /* three packets, three records, byte for byte */
  CHECK_RC(mqttconn_decode_batch(d, in, len, MQTTCONN_V5, out, sizeof out, &consumed, &written, &count), MQTTCONN_OK);
  CHECK_EQ(consumed, len);
  CHECK_EQ(count, 3);
  CHECK_EQ(written, sizeof publish_record + 20 + 20);
  CHECK(memcmp(out, publish_record, sizeof publish_record) == 0);
  {
    const uint8_t *r = out + sizeof publish_record; /* PUBACK: header, empty properties */
    CHECK_EQ(rd32(r), 20);
    CHECK_EQ(r[4], MQTTCONN_PACKET_PUBACK);
    CHECK_EQ(rd16(r + 6), 5);
    CHECK_EQ(r[8], 0);
    CHECK_EQ(rd32(r + 16), 0);
    r += 20; /* PINGREQ */
    CHECK_EQ(rd32(r), 20);
    CHECK_EQ(r[4], MQTTCONN_PACKET_PINGREQ);
  }
  CHECK(written <= MQTTCONN_BATCH_RECORD_MAX(len));

  /* a buffer too small for the first record: BATCH_FULL, nothing consumed, the size needed */
  CHECK_RC(mqttconn_decode_batch(d, in, len, MQTTCONN_V5, out, 10, &consumed, &written, &count), MQTTCONN_BATCH_FULL);
  CHECK_EQ(consumed, 0);
  CHECK_EQ(count, 0);
  need = written;
  CHECK_EQ(need, sizeof publish_record);
  /* room for one record: the second packet stays unconsumed */
  CHECK_RC(mqttconn_decode_batch(d, in, len, MQTTCONN_V5, out, need + 19, &consumed, &written, &count), MQTTCONN_BATCH_FULL);
  CHECK_EQ(consumed, sizeof publish_v5);
  CHECK_EQ(count, 1);
  CHECK_EQ(written, need);

  /* a packet cut short at the end is left for later, without an error */
  CHECK_RC(mqttconn_decode_batch(d, in, len - 1, MQTTCONN_V5, out, sizeof out, &consumed, &written, &count), MQTTCONN_OK);
  CHECK_EQ(consumed, sizeof publish_v5 + sizeof puback_v5);
  CHECK_EQ(count, 2);
  CHECK_RC(mqttconn_decode_batch(d, in, 0, MQTTCONN_V5, out, sizeof out, &consumed, &written, &count), MQTTCONN_OK);
  CHECK_EQ(count, 0);

  /* a bad packet after a good one: its code, the good record kept, the offset from its start */
  memcpy(bad, pingreq, sizeof pingreq);
  bad[2] = 0x30; /* PUBLISH */
  bad[3] = 0x03;
  bad[4] = 0x00; /* topic length 9 runs past the packet */
  bad[5] = 0x09;
  bad[6] = 'a';
  CHECK_RC(mqttconn_decode_batch(d, bad, 7, MQTTCONN_V311, out, sizeof out, &consumed, &written, &count), MQTTCONN_ERR_MALFORMED);
  CHECK_EQ(consumed, 2);
  CHECK_EQ(count, 1);
  CHECK_EQ(written, 20);
  CHECK_RC(mqttconn_decoder_error(d, &e), MQTTCONN_OK);
  CHECK_EQ(e.reason_code, 0x81);
  CHECK_EQ(e.offset, 2);

  /* argument checks */
  CHECK_RC(mqttconn_decode_batch(NULL, in, len, MQTTCONN_V5, out, sizeof out, &consumed, &written, &count), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_decode_batch(d, in, len, MQTTCONN_V5, out, sizeof out, NULL, &written, &count), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_decode_batch(d, NULL, 3, MQTTCONN_V5, out, sizeof out, &consumed, &written, &count), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_decode_batch(d, in, len, MQTTCONN_V5, NULL, 8, &consumed, &written, &count), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_decode_batch(d, in, len, 7, out, sizeof out, &consumed, &written, &count), MQTTCONN_ERR_ARGUMENT);
  mqttconn_decoder_free(d);
}

/* Every packet kind: wire -> records -> wire gives the same bytes. */
static void encode_batch_round_trip(void) {
  mqttconn_decoder *d = NULL;
  mqttconn_packet pk;
  mqttconn_properties pr = props_empty(), wpr = props_empty(), upr = props_empty();
  mqttconn_subscription subs[2];
  mqttconn_bytes filters[2];
  static const uint8_t codes[] = {0x00, 0x01, 0x80}, unsub_codes[] = {0x00, 0x11};
  static const uint32_t ids[] = {7, 268435455};
  mqttconn_user_property up;
  uint8_t wire[2048], back[2048], records[4096];
  size_t len = 0, n = 0, consumed, written, count, read, k;
  int type;
  t_context = "encode_batch round trip";

  up.name = B("name");
  up.value = B("value");
  pr.present = MQTTCONN_PROP_BIT(MQTTCONN_PROP_REASON_STRING) | MQTTCONN_PROP_BIT(MQTTCONN_PROP_USER_PROPERTY);
  pr.reason_string = B("why");
  pr.user_properties = &up;
  pr.user_property_count = 1;
  upr.present = MQTTCONN_PROP_BIT(MQTTCONN_PROP_USER_PROPERTY); /* for the kinds without a reason string */
  upr.user_properties = &up;
  upr.user_property_count = 1;
  wpr.present = MQTTCONN_PROP_BIT(MQTTCONN_PROP_WILL_DELAY_INTERVAL) | MQTTCONN_PROP_BIT(MQTTCONN_PROP_CORRELATION_DATA);
  wpr.will_delay_interval = 9;
  wpr.correlation_data = B("\x01\x02");
  subs[0].topic_filter = B("a/+");
  subs[0].qos = 1;
  subs[0].no_local = 1;
  subs[0].retain_as_published = 0;
  subs[0].retain_handling = 2;
  subs[1] = subs[0];
  subs[1].topic_filter = B("b/#");
  subs[1].qos = 2;
  filters[0] = B("a/+");
  filters[1] = B("b/#");

  for (type = MQTTCONN_PACKET_CONNECT; type <= MQTTCONN_PACKET_AUTH; ++type) {
    pk = packet_of(type);
    pk.props = &pr;
    switch (type) {
      case MQTTCONN_PACKET_CONNECT:
        pk.protocol_version = 5;
        pk.clean_start = 1;
        pk.keep_alive = 77;
        pk.client_id = B("cid");
        pk.has_will = 1;
        pk.will_qos = 2;
        pk.will_retain = 1;
        pk.will_topic = B("w");
        pk.will_payload = B("gone");
        pk.will_props = &wpr;
        pk.has_username = 1;
        pk.username = B("u");
        pk.has_password = 1;
        pk.password = B("p");
        pk.props = NULL;
        break;
      case MQTTCONN_PACKET_CONNACK: pk.session_present = 1; break;
      case MQTTCONN_PACKET_PUBLISH:
        pk.qos = 2;
        pk.dup = 1;
        pk.retain = 1;
        pk.packet_id = 3;
        pk.topic = B("t");
        pk.payload = B("payload");
        upr.present |= MQTTCONN_PROP_BIT(MQTTCONN_PROP_SUBSCRIPTION_IDENTIFIER);
        upr.subscription_identifiers = ids;
        upr.subscription_identifier_count = 2;
        pk.props = &upr;
        break;
      case MQTTCONN_PACKET_SUBSCRIBE:
        pk.packet_id = 4;
        pk.subscriptions = subs;
        pk.subscription_count = 2;
        upr.subscription_identifier_count = 1;
        pk.props = &upr;
        break;
      case MQTTCONN_PACKET_UNSUBSCRIBE:
        pk.packet_id = 5;
        pk.topic_filters = filters;
        pk.topic_filter_count = 2;
        upr.present &= ~MQTTCONN_PROP_BIT(MQTTCONN_PROP_SUBSCRIPTION_IDENTIFIER);
        upr.subscription_identifier_count = 0;
        pk.props = &upr;
        break;
      case MQTTCONN_PACKET_SUBACK:
        pk.packet_id = 6;
        pk.reason_codes = BN(codes, sizeof codes);
        break;
      case MQTTCONN_PACKET_UNSUBACK:
        pk.packet_id = 6;
        pk.reason_codes = BN(unsub_codes, sizeof unsub_codes);
        break;
      case MQTTCONN_PACKET_PUBACK:
      case MQTTCONN_PACKET_PUBREC:
      case MQTTCONN_PACKET_PUBREL:
      case MQTTCONN_PACKET_PUBCOMP:
        pk.packet_id = 8;
        pk.reason_code = type == MQTTCONN_PACKET_PUBREC ? 0x10 : 0;
        break;
      case MQTTCONN_PACKET_PINGREQ:
      case MQTTCONN_PACKET_PINGRESP: pk.props = NULL; break;
      case MQTTCONN_PACKET_DISCONNECT: pk.reason_code = 0x04; break;
      case MQTTCONN_PACKET_AUTH:
        pk.reason_code = 0x18;
        pr.present |= MQTTCONN_PROP_BIT(MQTTCONN_PROP_AUTHENTICATION_METHOD);
        pr.authentication_method = B("m");
        break;
      default: break;
    }
    CHECK_RC(mqttconn_encode(&pk, MQTTCONN_V5, wire + len, sizeof wire - len, &n), MQTTCONN_OK);
    len += n;
  }

  CHECK_RC(mqttconn_decoder_new(&d, NULL, NULL), MQTTCONN_OK);
  if (d == NULL) return;
  CHECK_RC(mqttconn_decode_batch(d, wire, len, MQTTCONN_V5, records, sizeof records, &consumed, &written, &count), MQTTCONN_OK);
  CHECK_EQ(count, MQTTCONN_PACKET_AUTH);
  CHECK_EQ(consumed, len);
  CHECK(written <= MQTTCONN_BATCH_RECORD_MAX(len));
  CHECK_RC(mqttconn_encode_batch(records, written, MQTTCONN_V5, back, sizeof back, &read, &n), MQTTCONN_OK);
  CHECK_EQ(read, written);
  CHECK_EQ(n, len);
  CHECK(memcmp(back, wire, len) == 0);

  /* BUFFER_TOO_SMALL when not even the first packet fits: its size */
  CHECK_RC(mqttconn_encode_batch(records, written, MQTTCONN_V5, back, 3, &read, &n), MQTTCONN_ERR_BUFFER_TOO_SMALL);
  CHECK_EQ(read, 0);
  k = n; /* the CONNECT's size */
  CHECK(k > 3 && k < len);
  /* as many as fit: the CONNECT only */
  CHECK_RC(mqttconn_encode_batch(records, written, MQTTCONN_V5, back, k + 1, &read, &n), MQTTCONN_OK);
  CHECK_EQ(n, k);
  CHECK_EQ(read, rd32(records));
  CHECK(memcmp(back, wire, k) == 0);
  mqttconn_decoder_free(d);
}

static void bad_records(void) {
  uint8_t rec[sizeof publish_record + 4], out[128];
  size_t read = 9, n = 9;
  t_context = "bad records";

  memcpy(rec, publish_record, sizeof publish_record);
  CHECK_RC(mqttconn_encode_batch(rec, sizeof publish_record, MQTTCONN_V5, out, sizeof out, &read, &n), MQTTCONN_OK);
  CHECK_EQ(n, sizeof publish_v5);
  CHECK(memcmp(out, publish_v5, n) == 0);
  /* a size past the buffer */
  CHECK_RC(mqttconn_encode_batch(rec, sizeof publish_record - 1, MQTTCONN_V5, out, sizeof out, &read, &n), MQTTCONN_ERR_ARGUMENT);
  CHECK_EQ(read, 0);
  /* a size below the header's */
  rec[0] = 8;
  CHECK_RC(mqttconn_encode_batch(rec, sizeof publish_record, MQTTCONN_V5, out, sizeof out, &read, &n), MQTTCONN_ERR_ARGUMENT);
  rec[0] = sizeof publish_record;
  /* a reserved byte that is not 0 */
  rec[13] = 1;
  CHECK_RC(mqttconn_encode_batch(rec, sizeof publish_record, MQTTCONN_V5, out, sizeof out, &read, &n), MQTTCONN_ERR_ARGUMENT);
  rec[13] = 0;
  /* a type that is no packet type */
  rec[4] = 16;
  CHECK_RC(mqttconn_encode_batch(rec, sizeof publish_record, MQTTCONN_V5, out, sizeof out, &read, &n), MQTTCONN_ERR_ARGUMENT);
  rec[4] = MQTTCONN_PACKET_PUBLISH;
  /* an unknown property id (0x04) */
  rec[sizeof publish_record - 12] = 0x04;
  CHECK_RC(mqttconn_encode_batch(rec, sizeof publish_record, MQTTCONN_V5, out, sizeof out, &read, &n), MQTTCONN_ERR_ARGUMENT);
  rec[sizeof publish_record - 12] = 0x02;
  /* a value too wide for its property: a receive maximum of 65,536 */
  rec[sizeof publish_record - 12] = MQTTCONN_PROP_RECEIVE_MAXIMUM;
  rec[sizeof publish_record - 9] = 1; /* u32 65,536 */
  CHECK_RC(mqttconn_encode_batch(rec, sizeof publish_record, MQTTCONN_V5, out, sizeof out, &read, &n), MQTTCONN_ERR_ARGUMENT);
  rec[sizeof publish_record - 9] = 0;
  rec[sizeof publish_record - 12] = 0x02;
  /* a section longer than the record */
  rec[16] = 200;
  CHECK_RC(mqttconn_encode_batch(rec, sizeof publish_record, MQTTCONN_V5, out, sizeof out, &read, &n), MQTTCONN_ERR_ARGUMENT);
  rec[16] = 3;
  /* a record the encoder refuses: QoS 3 */
  rec[5] = 0x0C;
  CHECK_RC(mqttconn_encode_batch(rec, sizeof publish_record, MQTTCONN_V5, out, sizeof out, &read, &n), MQTTCONN_ERR_ARGUMENT);
  rec[5] = 0x04;
  /* properties at 3.1.1 */
  CHECK_RC(mqttconn_encode_batch(rec, sizeof publish_record, MQTTCONN_V311, out, sizeof out, &read, &n), MQTTCONN_ERR_INVALID_PACKET);
  CHECK_RC(mqttconn_encode_batch(rec, sizeof publish_record, MQTTCONN_V5, out, sizeof out, NULL, &n), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_encode_batch(NULL, 4, MQTTCONN_V5, out, sizeof out, &read, &n), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_encode_batch(rec, 0, MQTTCONN_V5, out, sizeof out, &read, &n), MQTTCONN_OK);
  CHECK_EQ(n, 0);
}

/* A client sends records, a server receives them as records, through a small buffer too. */
static void connection_batches(void) {
  mqttconn_conn *c = NULL, *s = NULL, *idle = NULL;
  mqttconn_config *cfg = NULL;
  mqttconn_decoder *d = NULL;
  mqttconn_packet last = packet_of(0), connect = packet_of(MQTTCONN_PACKET_CONNECT);
  mqttconn_bytes o;
  uint8_t wire[1024], records[1024], out[1024];
  size_t len, consumed, written, count, read, n, first;
  t_context = "connection batches";

  CHECK_RC(mqttconn_config_new(&cfg, NULL), MQTTCONN_OK);
  CHECK_RC(mqttconn_config_set_role(cfg, MQTTCONN_ROLE_SERVER), MQTTCONN_OK);
  CHECK_RC(mqttconn_conn_new(&c, NULL, NULL), MQTTCONN_OK);
  CHECK_RC(mqttconn_conn_new(&s, cfg, NULL), MQTTCONN_OK);
  CHECK_RC(mqttconn_decoder_new(&d, NULL, NULL), MQTTCONN_OK);
  mqttconn_config_free(cfg);
  if (c == NULL || s == NULL || d == NULL) return;

  /* a PUBLISH record before CONNECT: the send's WRONG_STATE */
  CHECK_RC(mqttconn_conn_new(&idle, NULL, NULL), MQTTCONN_OK);
  CHECK_RC(mqttconn_conn_send_batch(idle, publish_record, sizeof publish_record, &read), MQTTCONN_ERR_WRONG_STATE);
  CHECK_EQ(read, 0);
  CHECK_EQ(mqttconn_conn_output_size(idle), 0);
  mqttconn_conn_free(idle);

  /* the client: CONNECT sent as a packet */
  connect.protocol_version = 5;
  connect.client_id = B("c");
  CHECK_RC(mqttconn_conn_connect(c, &connect), MQTTCONN_OK);
  CHECK_RC(mqttconn_conn_output(c, &o), MQTTCONN_OK);
  len = o.len;
  memcpy(wire, o.ptr, len);
  CHECK_RC(mqttconn_conn_output_consume(c, len), MQTTCONN_OK);

  /* the server: the CONNECT as a record, through a buffer too small for it */
  CHECK_RC(mqttconn_conn_receive_batch(s, wire, len, records, 8, &consumed, &written, &count, &last), MQTTCONN_BATCH_FULL);
  CHECK_EQ(count, 0);
  CHECK_EQ(written, 0);
  CHECK_EQ(consumed, len);
  CHECK_EQ(last.type, MQTTCONN_PACKET_CONNECT); /* the event that did not fit */
  CHECK_BYTES(last.client_id, "c", 1);
  CHECK_RC(mqttconn_conn_receive_batch(s, wire + len, 0, records, sizeof records, &consumed, &written, &count, &last), MQTTCONN_OK);
  CHECK_EQ(count, 0);

  /* CONNACK, then the client's PUBLISH and PINGREQ records in one call */
  {
    mqttconn_packet ack = packet_of(MQTTCONN_PACKET_CONNACK);
    CHECK_RC(mqttconn_conn_connack(s, &ack), MQTTCONN_OK);
    CHECK_RC(mqttconn_conn_output(s, &o), MQTTCONN_OK);
    n = o.len;
    CHECK_RC(mqttconn_conn_receive_batch(c, o.ptr, n, records, sizeof records, &consumed, &written, &count, &last), MQTTCONN_OK);
    CHECK_EQ(count, 1);
    CHECK_EQ(records[4], MQTTCONN_PACKET_CONNACK);
    CHECK_RC(mqttconn_conn_output_consume(s, n), MQTTCONN_OK);
  }
  memcpy(records, publish_record, sizeof publish_record);
  memset(records + sizeof publish_record, 0, 20);
  records[sizeof publish_record] = 20;
  records[sizeof publish_record + 4] = MQTTCONN_PACKET_PINGREQ;
  CHECK_RC(mqttconn_conn_send_batch(c, records, sizeof publish_record + 20, &read), MQTTCONN_OK);
  CHECK_EQ(read, sizeof publish_record + 20);
  CHECK_RC(mqttconn_conn_output(c, &o), MQTTCONN_OK);
  CHECK_EQ(o.len, sizeof publish_v5 + sizeof pingreq);
  CHECK(memcmp(o.ptr, publish_v5, sizeof publish_v5) == 0);
  len = o.len;
  memcpy(wire, o.ptr, len);
  CHECK_RC(mqttconn_conn_output_consume(c, len), MQTTCONN_OK);

  /* fed in two pieces: the PUBLISH split in the middle */
  first = 7;
  CHECK_RC(mqttconn_conn_receive_batch(s, wire, first, out, sizeof out, &consumed, &written, &count, &last), MQTTCONN_OK);
  CHECK_EQ(consumed, first);
  CHECK_EQ(count, 0);
  CHECK_RC(mqttconn_conn_receive_batch(s, wire + first, len - first, out, sizeof out, &consumed, &written, &count, &last), MQTTCONN_OK);
  CHECK_EQ(consumed, len - first);
  CHECK_EQ(count, 2);
  CHECK(written >= sizeof publish_record);
  CHECK(memcmp(out, publish_record, sizeof publish_record) == 0);
  CHECK_EQ(out[sizeof publish_record + 4], MQTTCONN_PACKET_PINGREQ);

  /* a violation after a good packet: the good record, then the code; every later call too */
  {
    static const uint8_t bad[] = {0xC0, 0x00, 0xF0, 0x00}; /* PINGREQ, AUTH without a method */
    CHECK_RC(mqttconn_conn_receive_batch(s, bad, sizeof bad, out, sizeof out, &consumed, &written, &count, &last), MQTTCONN_ERR_PROTOCOL);
    CHECK_EQ(count, 1);
    CHECK_EQ(out[4], MQTTCONN_PACKET_PINGREQ);
    CHECK(mqttconn_conn_reason_code(s) >= 0x80);
    CHECK_RC(mqttconn_conn_receive_batch(s, bad, 2, out, sizeof out, &consumed, &written, &count, &last), MQTTCONN_ERR_PROTOCOL);
  }

  /* argument checks */
  CHECK_RC(mqttconn_conn_receive_batch(NULL, wire, 1, out, sizeof out, &consumed, &written, &count, &last), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_conn_receive_batch(c, wire, 1, out, sizeof out, &consumed, &written, &count, NULL), MQTTCONN_ERR_ARGUMENT);
  last.struct_size = 8;
  CHECK_RC(mqttconn_conn_receive_batch(c, wire, 1, out, sizeof out, &consumed, &written, &count, &last), MQTTCONN_ERR_STRUCT_SIZE);
  CHECK_RC(mqttconn_conn_send_batch(NULL, records, 20, &read), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_conn_send_batch(c, records, 20, NULL), MQTTCONN_ERR_ARGUMENT);
  CHECK_RC(mqttconn_conn_send_batch(c, publish_record, 10, &read), MQTTCONN_ERR_ARGUMENT);

  mqttconn_decoder_free(d);
  mqttconn_conn_free(c);
  mqttconn_conn_free(s);
}

/* One client run on allocator `a`: CONNECT, CONNACK, then publish_record through send_batch.
 * Returns the first failing code (or OK); *grew says whether send_batch itself allocated. */
static int send_batch_run(test_alloc *a, int *grew) {
  static const uint8_t connack_v5[] = {0x20, 0x03, 0x00, 0x00, 0x00};
  mqttconn_conn *c = NULL;
  mqttconn_packet connect = packet_of(MQTTCONN_PACKET_CONNECT);
  size_t used, read;
  long before;
  int rc;
  *grew = 0;
  connect.protocol_version = 5;
  connect.client_id = B("c");
  rc = mqttconn_conn_new(&c, NULL, &a->hooks);
  if (rc != MQTTCONN_OK) return rc;
  if ((rc = mqttconn_conn_connect(c, &connect)) == MQTTCONN_OK &&
      (rc = mqttconn_conn_receive(c, connack_v5, sizeof connack_v5, &used)) == MQTTCONN_OK) {
    before = a->count;
    rc = mqttconn_conn_send_batch(c, publish_record, sizeof publish_record, &read);
    *grew = a->count > before;
    if (rc == MQTTCONN_ERR_NOMEM) {
      /* fatal, as everywhere: every later call on the handle says so */
      CHECK_RC(mqttconn_conn_pingreq(c), MQTTCONN_ERR_NOMEM);
      CHECK_RC(mqttconn_conn_send_batch(c, publish_record, sizeof publish_record, &read), MQTTCONN_ERR_NOMEM);
    }
  }
  mqttconn_conn_free(c);
  return rc;
}

/* The arrays a record's lists become come from the connection's allocator, an allocation it
 * refuses makes the handle fatal, and nothing leaks; a bad record is remembered as such. */
static void send_batch_allocator(void) {
  test_alloc a;
  long i, total;
  int grew, rc;
  t_context = "send_batch allocator";
  test_alloc_init(&a, 0);
  CHECK_RC(send_batch_run(&a, &grew), MQTTCONN_OK);
  CHECK(grew); /* the user property's array came from the hooks */
  CHECK_EQ(a.live_blocks, 0);
  total = a.count;
  for (i = 1; i <= total; ++i) {
    test_alloc_init(&a, i);
    rc = send_batch_run(&a, &grew);
    CHECK_EQ(a.failed_count, 1);
    CHECK_RC(rc, MQTTCONN_ERR_NOMEM);
    CHECK_EQ(a.live_blocks, 0);
    CHECK_EQ(a.live_bytes, 0);
    CHECK(!a.bad_free);
  }
  {
    mqttconn_conn *c = NULL;
    mqttconn_error err;
    size_t read;
    memset(&err, 0, sizeof err);
    err.struct_size = sizeof err;
    CHECK_RC(mqttconn_conn_new(&c, NULL, NULL), MQTTCONN_OK);
    if (c == NULL) return;
    CHECK_RC(mqttconn_conn_send_batch(c, publish_record, 10, &read), MQTTCONN_ERR_ARGUMENT);
    CHECK_RC(mqttconn_conn_last_error(c, &err), MQTTCONN_OK);
    CHECK_EQ(err.code, MQTTCONN_ERR_ARGUMENT);
    CHECK(err.field != NULL && strcmp(err.field, "record") == 0);
    mqttconn_conn_free(c);
  }
}

int main(void) {
  decode_batch();
  encode_batch_round_trip();
  bad_records();
  connection_batches();
  send_batch_allocator();
  (void)COUNT(pingreq);
  return t_report("capi batch");
}
