/* Built from outside the tree against an installed mqttconn (tests/capi/check_install.sh):
 * cc install_prog.c $(pkg-config --cflags --libs mqttconn). A client and a server exchange
 * CONNECT, CONNACK and a PUBLISH; exits 0 when the server saw the PUBLISH. */
#include <stdio.h>
#include <string.h>

#include <mqttconn.h>

static int pass(mqttconn_conn *from, mqttconn_conn *to, mqttconn_packet *ev) {
  mqttconn_bytes out;
  size_t used = 0;
  int rc;
  if (mqttconn_conn_output(from, &out) != MQTTCONN_OK) return -1;
  rc = mqttconn_conn_receive(to, out.ptr, out.len, &used);
  if (rc != MQTTCONN_OK || used != out.len) return -1;
  rc = mqttconn_conn_next_event(to, ev);
  mqttconn_conn_output_consume(from, used);
  return rc;
}

int main(void) {
  mqttconn_config *cfg = NULL;
  mqttconn_conn *client = NULL, *server = NULL;
  mqttconn_packet p, ev;
  int ok = 0;
  memset(&p, 0, sizeof p);
  p.struct_size = sizeof p;
  memset(&ev, 0, sizeof ev);
  ev.struct_size = sizeof ev;
  if (mqttconn_version()->num != MQTTCONN_VERSION_NUM) return 2;
  if (mqttconn_config_new(&cfg, NULL) != MQTTCONN_OK ||
      mqttconn_config_set_role(cfg, MQTTCONN_ROLE_SERVER) != MQTTCONN_OK ||
      mqttconn_conn_new(&server, cfg, NULL) != MQTTCONN_OK || mqttconn_conn_new(&client, NULL, NULL) != MQTTCONN_OK) {
    return 3;
  }
  mqttconn_config_free(cfg);
  p.protocol_version = MQTTCONN_V5;
  p.clean_start = 1;
  p.client_id.ptr = (const uint8_t *)"installed";
  p.client_id.len = 9;
  if (mqttconn_conn_connect(client, &p) == MQTTCONN_OK && pass(client, server, &ev) == MQTTCONN_OK &&
      ev.type == MQTTCONN_PACKET_CONNECT) {
    memset(&p, 0, sizeof p);
    p.struct_size = sizeof p;
    if (mqttconn_conn_connack(server, &p) == MQTTCONN_OK && pass(server, client, &ev) == MQTTCONN_OK) {
      p.topic.ptr = (const uint8_t *)"t";
      p.topic.len = 1;
      p.payload = p.topic;
      ok = mqttconn_conn_publish(client, &p) == MQTTCONN_OK && pass(client, server, &ev) == MQTTCONN_OK &&
           ev.type == MQTTCONN_PACKET_PUBLISH && ev.topic.len == 1;
    }
  }
  printf("mqttconn %s: %s\n", mqttconn_version()->string, ok ? "ok" : "FAILED");
  mqttconn_conn_free(client);
  mqttconn_conn_free(server);
  return ok ? 0 : 1;
}
