/* A whole MQTT 5.0 client <-> server conversation through the C API: every packet kind in
 * the direction the protocol allows (AUTH before CONNACK and for re-authentication), every
 * field and all 27 properties set (user properties repeated and in order, several
 * subscription identifiers, Will properties, every subscription option), each packet read back
 * as an event on the other side and compared field by field; then a server DISCONNECT. Runs
 * fed whole, byte by byte and in 5-byte chunks, with default and with fully set configs,
 * through a counting allocator that must be back at zero after the frees. */
#include <stdio.h>
#include <string.h>

#include "capi_test.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- MQTT 5.0 ------------------------------------------------------------------------- */

static const uint8_t binary_payload[] = {0x00, 0x01, 0xFE, 0xFF, 0x80, 0x00, 0x7F};

static void conversation_v5(size_t chunk, int configured) {
  test_alloc a;
  pair p;
  static const mqttconn_user_property ups_connect[] = {{{(const uint8_t *)"k", 1}, {(const uint8_t *)"v1", 2}},
                                                       {{(const uint8_t *)"k", 1}, {(const uint8_t *)"v2", 2}},
                                                       {{(const uint8_t *)"x", 1}, {NULL, 0}}};
  mqttconn_user_property ups_will[1], ups_a[2], ups_b[3];
  const uint32_t sub_ids_pub[] = {1, 268435455, 42};
  const uint32_t sub_id_subscribe[] = {99};
  mqttconn_subscription subs[3];
  mqttconn_bytes filters[2];
  const uint8_t suback_codes[] = {0x00, 0x01, 0x02};
  const uint8_t unsuback_codes[] = {0x00, 0x11};
  mqttconn_properties pr, wpr;
  mqttconn_packet pk;

  test_alloc_init(&a, 0);
  if (!open_pair(&p, MQTTCONN_V5, chunk, configured, &a)) return;
  ups_will[0].name = B("w");
  ups_will[0].value = B("1");
  ups_a[0].name = B("trace");
  ups_a[0].value = B("abc");
  ups_a[1].name = B("unit");
  ups_a[1].value = B("C");
  ups_b[0].name = B("a");
  ups_b[0].value = B("1");
  ups_b[1].name = B("b");
  ups_b[1].value = B("2");
  ups_b[2].name = B("a");
  ups_b[2].value = B("3");
  check_states(&p, MQTTCONN_STATE_IDLE, MQTTCONN_STATE_IDLE);

  /* CONNECT, with a Will and enhanced authentication */
  pk = packet_of(MQTTCONN_PACKET_CONNECT);
  pk.protocol_version = MQTTCONN_V5;
  pk.clean_start = 0;
  pk.keep_alive = 60;
  pk.client_id = B("client-1");
  pk.has_will = 1;
  pk.will_qos = 1;
  pk.will_retain = 1;
  pk.will_topic = B("will/topic");
  pk.will_payload = BN(binary_payload, sizeof binary_payload);
  pk.has_username = 1;
  pk.username = B("user");
  pk.has_password = 1;
  pk.password = BN("\0pw\xff", 4);
  wpr = props_empty();
  wpr.present = MQTTCONN_PROP_BIT(MQTTCONN_PROP_WILL_DELAY_INTERVAL) |
                MQTTCONN_PROP_BIT(MQTTCONN_PROP_PAYLOAD_FORMAT_INDICATOR) |
                MQTTCONN_PROP_BIT(MQTTCONN_PROP_MESSAGE_EXPIRY_INTERVAL) |
                MQTTCONN_PROP_BIT(MQTTCONN_PROP_CONTENT_TYPE) | MQTTCONN_PROP_BIT(MQTTCONN_PROP_RESPONSE_TOPIC) |
                MQTTCONN_PROP_BIT(MQTTCONN_PROP_CORRELATION_DATA);
  wpr.will_delay_interval = 10;
  wpr.payload_format_indicator = 0;
  wpr.message_expiry_interval = 3600;
  wpr.content_type = B("application/octet-stream");
  wpr.response_topic = B("will/response");
  wpr.correlation_data = BN("\x00\x01\x02", 3);
  wpr.user_properties = ups_will;
  wpr.user_property_count = COUNT(ups_will);
  pk.will_props = &wpr;
  pr = props_empty();
  pr.present = MQTTCONN_PROP_BIT(MQTTCONN_PROP_SESSION_EXPIRY_INTERVAL) |
               MQTTCONN_PROP_BIT(MQTTCONN_PROP_RECEIVE_MAXIMUM) |
               MQTTCONN_PROP_BIT(MQTTCONN_PROP_MAXIMUM_PACKET_SIZE) |
               MQTTCONN_PROP_BIT(MQTTCONN_PROP_TOPIC_ALIAS_MAXIMUM) |
               MQTTCONN_PROP_BIT(MQTTCONN_PROP_REQUEST_RESPONSE_INFORMATION) |
               MQTTCONN_PROP_BIT(MQTTCONN_PROP_REQUEST_PROBLEM_INFORMATION) |
               MQTTCONN_PROP_BIT(MQTTCONN_PROP_AUTHENTICATION_METHOD) |
               MQTTCONN_PROP_BIT(MQTTCONN_PROP_AUTHENTICATION_DATA);
  pr.session_expiry_interval = 30;
  pr.receive_maximum = 20;
  pr.maximum_packet_size = 100000;
  pr.topic_alias_maximum = 5;
  pr.request_response_information = 1;
  pr.request_problem_information = 1;
  pr.authentication_method = B("SCRAM-SHA-1");
  pr.authentication_data = B("client-first");
  pr.user_properties = ups_connect;
  pr.user_property_count = COUNT(ups_connect);
  pk.props = &pr;
  send_c2s(&p, &pk);
  check_states(&p, MQTTCONN_STATE_CONNECTING, MQTTCONN_STATE_CONNECTING);
  CHECK_EQ(mqttconn_conn_version(p.client.conn), MQTTCONN_V5);
  CHECK_EQ(mqttconn_conn_version(p.server.conn), MQTTCONN_V5);

  /* AUTH both ways before CONNACK */
  pk = packet_of(MQTTCONN_PACKET_AUTH);
  pk.reason_code = 0x18;
  pr = props_empty();
  pr.present = MQTTCONN_PROP_BIT(MQTTCONN_PROP_AUTHENTICATION_METHOD) |
               MQTTCONN_PROP_BIT(MQTTCONN_PROP_AUTHENTICATION_DATA) | MQTTCONN_PROP_BIT(MQTTCONN_PROP_REASON_STRING);
  pr.authentication_method = B("SCRAM-SHA-1");
  pr.authentication_data = B("server-first");
  pr.reason_string = B("continue");
  pr.user_properties = ups_a;
  pr.user_property_count = COUNT(ups_a);
  pk.props = &pr;
  send_s2c(&p, &pk);
  pr.authentication_data = B("client-final");
  pr.present &= ~MQTTCONN_PROP_BIT(MQTTCONN_PROP_REASON_STRING);
  pr.user_property_count = 0;
  send_c2s(&p, &pk);

  /* CONNACK with every property a CONNACK may carry */
  pk = packet_of(MQTTCONN_PACKET_CONNACK);
  pk.session_present = 1;
  pk.reason_code = 0;
  pr = props_empty();
  pr.present = MQTTCONN_PROP_BIT(MQTTCONN_PROP_SESSION_EXPIRY_INTERVAL) |
               MQTTCONN_PROP_BIT(MQTTCONN_PROP_RECEIVE_MAXIMUM) | MQTTCONN_PROP_BIT(MQTTCONN_PROP_MAXIMUM_QOS) |
               MQTTCONN_PROP_BIT(MQTTCONN_PROP_RETAIN_AVAILABLE) |
               MQTTCONN_PROP_BIT(MQTTCONN_PROP_MAXIMUM_PACKET_SIZE) |
               MQTTCONN_PROP_BIT(MQTTCONN_PROP_ASSIGNED_CLIENT_IDENTIFIER) |
               MQTTCONN_PROP_BIT(MQTTCONN_PROP_TOPIC_ALIAS_MAXIMUM) | MQTTCONN_PROP_BIT(MQTTCONN_PROP_REASON_STRING) |
               MQTTCONN_PROP_BIT(MQTTCONN_PROP_WILDCARD_SUBSCRIPTION_AVAILABLE) |
               MQTTCONN_PROP_BIT(MQTTCONN_PROP_SUBSCRIPTION_IDENTIFIER_AVAILABLE) |
               MQTTCONN_PROP_BIT(MQTTCONN_PROP_SHARED_SUBSCRIPTION_AVAILABLE) |
               MQTTCONN_PROP_BIT(MQTTCONN_PROP_SERVER_KEEP_ALIVE) |
               MQTTCONN_PROP_BIT(MQTTCONN_PROP_RESPONSE_INFORMATION) |
               MQTTCONN_PROP_BIT(MQTTCONN_PROP_SERVER_REFERENCE) |
               MQTTCONN_PROP_BIT(MQTTCONN_PROP_AUTHENTICATION_METHOD) |
               MQTTCONN_PROP_BIT(MQTTCONN_PROP_AUTHENTICATION_DATA);
  pr.session_expiry_interval = 30;
  pr.receive_maximum = 10;
  pr.maximum_qos = 1;
  pr.retain_available = 1;
  pr.maximum_packet_size = 65536;
  pr.assigned_client_identifier = B("assigned-1");
  pr.topic_alias_maximum = 10;
  pr.reason_string = B("welcome");
  pr.wildcard_subscription_available = 1;
  pr.subscription_identifier_available = 1;
  pr.shared_subscription_available = 1;
  pr.server_keep_alive = 30;
  pr.response_information = B("resp/info");
  pr.server_reference = B("other.example:1883");
  pr.authentication_method = B("SCRAM-SHA-1");
  pr.authentication_data = B("server-final");
  pr.user_properties = ups_b;
  pr.user_property_count = COUNT(ups_b);
  pk.props = &pr;
  send_s2c(&p, &pk);
  check_states(&p, MQTTCONN_STATE_CONNECTED, MQTTCONN_STATE_CONNECTED);

  /* PUBLISH QoS 1 client -> server, with a topic alias and every PUBLISH property the client sends */
  pk = packet_of(MQTTCONN_PACKET_PUBLISH);
  pk.dup = 1;
  pk.qos = 1;
  pk.retain = 1;
  pk.topic = B("sensors/1/temp");
  pk.packet_id = 1;
  pk.payload = B("{\"t\":21.5}");
  pr = props_empty();
  pr.present = MQTTCONN_PROP_BIT(MQTTCONN_PROP_PAYLOAD_FORMAT_INDICATOR) |
               MQTTCONN_PROP_BIT(MQTTCONN_PROP_MESSAGE_EXPIRY_INTERVAL) | MQTTCONN_PROP_BIT(MQTTCONN_PROP_TOPIC_ALIAS) |
               MQTTCONN_PROP_BIT(MQTTCONN_PROP_RESPONSE_TOPIC) | MQTTCONN_PROP_BIT(MQTTCONN_PROP_CORRELATION_DATA) |
               MQTTCONN_PROP_BIT(MQTTCONN_PROP_CONTENT_TYPE);
  pr.payload_format_indicator = 1;
  pr.message_expiry_interval = 120;
  pr.topic_alias = 3;
  pr.response_topic = B("replies/1");
  pr.correlation_data = BN("\xde\xad\xbe\xef", 4);
  pr.content_type = B("application/json");
  pr.user_properties = ups_b;
  pr.user_property_count = COUNT(ups_b);
  pk.props = &pr;
  send_c2s(&p, &pk);

  pk = packet_of(MQTTCONN_PACKET_PUBACK);
  pk.packet_id = 1;
  pk.reason_code = 0x10;
  pr = props_empty();
  pr.present = MQTTCONN_PROP_BIT(MQTTCONN_PROP_REASON_STRING);
  pr.reason_string = B("no subscribers");
  pr.user_properties = ups_a;
  pr.user_property_count = COUNT(ups_a);
  pk.props = &pr;
  send_s2c(&p, &pk);

  /* PUBLISH QoS 2 server -> client with several subscription identifiers, then its flow */
  pk = packet_of(MQTTCONN_PACKET_PUBLISH);
  pk.qos = 2;
  pk.topic = B("x/y");
  pk.packet_id = 7;
  pk.payload = BN(binary_payload, sizeof binary_payload);
  pr = props_empty();
  pr.present = MQTTCONN_PROP_BIT(MQTTCONN_PROP_MESSAGE_EXPIRY_INTERVAL) | MQTTCONN_PROP_BIT(MQTTCONN_PROP_TOPIC_ALIAS);
  pr.message_expiry_interval = 5;
  pr.topic_alias = 2;
  pr.subscription_identifiers = sub_ids_pub;
  pr.subscription_identifier_count = COUNT(sub_ids_pub);
  pr.user_properties = ups_a;
  pr.user_property_count = COUNT(ups_a);
  pk.props = &pr;
  send_s2c(&p, &pk);

  pk = packet_of(MQTTCONN_PACKET_PUBREC);
  pk.packet_id = 7;
  pr = props_empty();
  pr.present = MQTTCONN_PROP_BIT(MQTTCONN_PROP_REASON_STRING);
  pr.reason_string = B("got it");
  pr.user_properties = ups_will;
  pr.user_property_count = COUNT(ups_will);
  pk.props = &pr;
  send_c2s(&p, &pk);

  pk = packet_of(MQTTCONN_PACKET_PUBREL);
  pk.packet_id = 7;
  pk.reason_code = 0x92;
  pr = props_empty();
  pr.present = MQTTCONN_PROP_BIT(MQTTCONN_PROP_REASON_STRING);
  pr.reason_string = B("unknown id");
  pk.props = &pr;
  send_s2c(&p, &pk);

  pk = packet_of(MQTTCONN_PACKET_PUBCOMP);
  pk.packet_id = 7;
  pk.reason_code = 0x92;
  pr = props_empty();
  pr.user_properties = ups_b;
  pr.user_property_count = COUNT(ups_b);
  pk.props = &pr;
  send_c2s(&p, &pk);

  /* SUBSCRIBE with every subscription option, SUBACK */
  memset(subs, 0, sizeof subs);
  subs[0].topic_filter = B("a/+");
  subs[0].qos = 0;
  subs[0].no_local = 1;
  subs[1].topic_filter = B("b/#");
  subs[1].qos = 1;
  subs[1].retain_as_published = 1;
  subs[1].retain_handling = 1;
  subs[2].topic_filter = B("$share/group/c");
  subs[2].qos = 2;
  subs[2].retain_handling = 2;
  pk = packet_of(MQTTCONN_PACKET_SUBSCRIBE);
  pk.packet_id = 2;
  pk.subscriptions = subs;
  pk.subscription_count = COUNT(subs);
  pr = props_empty();
  pr.subscription_identifiers = sub_id_subscribe;
  pr.subscription_identifier_count = 1;
  pr.user_properties = ups_a;
  pr.user_property_count = COUNT(ups_a);
  pk.props = &pr;
  send_c2s(&p, &pk);

  pk = packet_of(MQTTCONN_PACKET_SUBACK);
  pk.packet_id = 2;
  pk.reason_codes = BN(suback_codes, sizeof suback_codes);
  pr = props_empty();
  pr.present = MQTTCONN_PROP_BIT(MQTTCONN_PROP_REASON_STRING);
  pr.reason_string = B("granted");
  pr.user_properties = ups_will;
  pr.user_property_count = COUNT(ups_will);
  pk.props = &pr;
  send_s2c(&p, &pk);

  /* UNSUBSCRIBE, UNSUBACK */
  filters[0] = B("a/+");
  filters[1] = B("b/#");
  pk = packet_of(MQTTCONN_PACKET_UNSUBSCRIBE);
  pk.packet_id = 3;
  pk.topic_filters = filters;
  pk.topic_filter_count = COUNT(filters);
  pr = props_empty();
  pr.user_properties = ups_b;
  pr.user_property_count = COUNT(ups_b);
  pk.props = &pr;
  send_c2s(&p, &pk);

  pk = packet_of(MQTTCONN_PACKET_UNSUBACK);
  pk.packet_id = 3;
  pk.reason_codes = BN(unsuback_codes, sizeof unsuback_codes);
  pr = props_empty();
  pr.present = MQTTCONN_PROP_BIT(MQTTCONN_PROP_REASON_STRING);
  pr.reason_string = B("done");
  pk.props = &pr;
  send_s2c(&p, &pk);

  /* PINGREQ, PINGRESP */
  pk = packet_of(MQTTCONN_PACKET_PINGREQ);
  send_c2s(&p, &pk);
  pk = packet_of(MQTTCONN_PACKET_PINGRESP);
  send_s2c(&p, &pk);

  /* re-authentication */
  pk = packet_of(MQTTCONN_PACKET_AUTH);
  pk.reason_code = 0x19;
  pr = props_empty();
  pr.present = MQTTCONN_PROP_BIT(MQTTCONN_PROP_AUTHENTICATION_METHOD) | MQTTCONN_PROP_BIT(MQTTCONN_PROP_AUTHENTICATION_DATA);
  pr.authentication_method = B("SCRAM-SHA-1");
  pr.authentication_data = B("again");
  pk.props = &pr;
  send_c2s(&p, &pk);
  pk.reason_code = 0x00;
  pr.authentication_data = B("fine");
  send_s2c(&p, &pk);

  /* PUBLISH QoS 0 without properties (props NULL) and with an empty payload */
  pk = packet_of(MQTTCONN_PACKET_PUBLISH);
  pk.topic = B("t");
  send_c2s(&p, &pk);

  /* DISCONNECT with the Will, raising the session expiry */
  pk = packet_of(MQTTCONN_PACKET_DISCONNECT);
  pk.reason_code = 0x04;
  pr = props_empty();
  pr.present = MQTTCONN_PROP_BIT(MQTTCONN_PROP_SESSION_EXPIRY_INTERVAL) | MQTTCONN_PROP_BIT(MQTTCONN_PROP_REASON_STRING);
  pr.session_expiry_interval = 60;
  pr.reason_string = B("bye");
  pr.user_properties = ups_will;
  pr.user_property_count = COUNT(ups_will);
  pk.props = &pr;
  send_c2s(&p, &pk);
  check_states(&p, MQTTCONN_STATE_CLOSED, MQTTCONN_STATE_CLOSED);
  CHECK_RC(mqttconn_conn_pingreq(p.client.conn), MQTTCONN_ERR_CLOSED);
  CHECK_EQ(mqttconn_conn_reason_code(p.client.conn), 0);
  {
    mqttconn_error e;
    memset(&e, 0, sizeof e);
    e.struct_size = sizeof e;
    CHECK_RC(mqttconn_conn_error(p.server.conn, &e), MQTTCONN_DONE); /* closed, but no violation */
  }

  close_pair(&p);
  CHECK_EQ(a.live_bytes, 0);
  CHECK_EQ(a.live_blocks, 0);
  CHECK_EQ(a.bad_free, 0);
  CHECK(a.count > 0);
}

/* The server ends a 5.0 connection: DISCONNECT 0x9C with a Server Reference. */
static void server_disconnect_v5(size_t chunk) {
  test_alloc a;
  pair p;
  mqttconn_packet pk;
  mqttconn_properties pr;
  mqttconn_user_property up;
  test_alloc_init(&a, 0);
  if (!open_pair(&p, MQTTCONN_V5, chunk, 0, &a)) return;
  pk = packet_of(MQTTCONN_PACKET_CONNECT);
  pk.protocol_version = MQTTCONN_V5;
  pk.clean_start = 1;
  pk.client_id = B("c2");
  send_c2s(&p, &pk);
  pk = packet_of(MQTTCONN_PACKET_CONNACK);
  send_s2c(&p, &pk);
  pk = packet_of(MQTTCONN_PACKET_DISCONNECT);
  pk.reason_code = 0x9C;
  pr = props_empty();
  pr.present = MQTTCONN_PROP_BIT(MQTTCONN_PROP_SERVER_REFERENCE) | MQTTCONN_PROP_BIT(MQTTCONN_PROP_REASON_STRING);
  pr.server_reference = B("elsewhere:1883");
  pr.reason_string = B("moving");
  up.name = B("why");
  up.value = B("maintenance");
  pr.user_properties = &up;
  pr.user_property_count = 1;
  pk.props = &pr;
  send_s2c(&p, &pk);
  check_states(&p, MQTTCONN_STATE_CLOSED, MQTTCONN_STATE_CLOSED);
  close_pair(&p);
  CHECK_EQ(a.live_bytes, 0);
}

int main(void) {
  static const size_t chunks[] = {(size_t)-1, 1, 5};
  size_t i;
  int configured;
  char ctx[64];
  for (i = 0; i < COUNT(chunks); ++i) {
    for (configured = 0; configured < 2; ++configured) {
      snprintf(ctx, sizeof ctx, "v5 chunk %d config %d", (int)chunks[i], configured);
      t_context = ctx;
      conversation_v5(chunks[i], configured);
    }
    snprintf(ctx, sizeof ctx, "v5 server disconnect chunk %d", (int)chunks[i]);
    t_context = ctx;
    server_disconnect_v5(chunks[i]);
  }
  return t_report("capi conversation v5");
}
