/* mqttconn.h: the C API of mqttconn, the only ABI-stable surface.
 *
 * A sans-I/O MQTT connection (MQTT 3.1, 3.1.1 and 5.0): the caller feeds received bytes with
 * mqttconn_conn_receive(), takes packet events with mqttconn_conn_next_event(), sends packets
 * with one function per packet kind (names as in mqtt-connection: mqttconn_conn_publish(), ...)
 * and writes the queued output with mqttconn_conn_output() / mqttconn_conn_output_consume().
 * Nothing here does I/O, keeps global state or calls back, except the optional allocator.
 *
 * Conventions
 * - Return codes: 0 (MQTTCONN_OK) success; MQTTCONN_DONE (1) "nothing more" (no event, no
 *   output), not an error; < 0 always an error, in bands:
 *     -1 .. -99     the caller's mistake; the connection is still usable;
 *     -100 .. -199  the peer broke the protocol: receiving is over, every later receive returns
 *                   the same code, the output may hold the CONNACK or DISCONNECT that says why
 *                   (mqttconn_conn_reason_code()); flush it, then close the transport;
 *     <= -900       fatal (out of memory, internal error): only mqttconn_conn_free() is allowed;
 *                   every other call on that handle returns the same code (the error queries
 *                   still fill their mqttconn_error with it).
 * - Views: mqttconn_bytes and the arrays of an event point into the bytes given to receive or
 *   into the connection. They stay valid until the next call taking a non-const connection
 *   pointer, or free. Inputs (packets to send, their strings and arrays) are borrowed for the
 *   call only, except PUBLISH payloads of at least the borrow threshold (see
 *   mqttconn_config_set_borrow_payloads_from()), which must stay unchanged until written.
 * - Growing structs (mqttconn_packet, mqttconn_properties, mqttconn_error, ...) start with
 *   struct_size: set it to sizeof the struct you compiled with. The library reads and writes
 *   at most struct_size bytes and rejects sizes below the first release's
 *   (MQTTCONN_ERR_STRUCT_SIZE). New members are only ever appended.
 * - Threads: one thread at a time per connection; connections are independent.
 */
#ifndef MQTTCONN_H
#define MQTTCONN_H

#include <stddef.h>
#include <stdint.h>

/* On Windows the library is built with MQTTCONN_BUILDING (exports); programs linking the DLL
 * import, programs linking the static library define MQTTCONN_STATIC. */
#if defined(_WIN32)
#  if defined(MQTTCONN_BUILDING)
#    define MQTTCONN_API __declspec(dllexport)
#  elif defined(MQTTCONN_STATIC)
#    define MQTTCONN_API
#  else
#    define MQTTCONN_API __declspec(dllimport)
#  endif
#elif defined(__GNUC__)
#  define MQTTCONN_API __attribute__((visibility("default")))
#else
#  define MQTTCONN_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Version ------------------------------------------------------------------------- */

#define MQTTCONN_VERSION_MAJOR 0
#define MQTTCONN_VERSION_MINOR 1
#define MQTTCONN_VERSION_PATCH 0
#define MQTTCONN_VERSION_NUM 0x000100 /* 0xMMmmpp */
#define MQTTCONN_VERSION_STRING "0.1.0"

typedef struct mqttconn_version_info {
  size_t struct_size;
  unsigned major, minor, patch;
  unsigned num;       /* 0xMMmmpp */
  const char *string; /* "0.1.0" */
} mqttconn_version_info;

/* The version of the library actually linked. Static; never NULL. */
MQTTCONN_API const mqttconn_version_info *mqttconn_version(void);

/* ---- Codes --------------------------------------------------------------------------- */

enum {
  MQTTCONN_OK = 0,
  MQTTCONN_DONE = 1,
  /* caller mistakes */
  MQTTCONN_ERR_ARGUMENT = -1,       /* NULL handle or pointer, bad enum value */
  MQTTCONN_ERR_STRUCT_SIZE = -2,    /* struct_size too small */
  MQTTCONN_ERR_WRONG_STATE = -3,    /* not allowed in this state, role or protocol level */
  MQTTCONN_ERR_INVALID_PACKET = -4, /* the packet cannot be encoded legally */
  MQTTCONN_ERR_BUFFER_TOO_SMALL = -5,
  MQTTCONN_ERR_OUTPUT_FULL = -6,    /* the output queue would pass its limit */
  MQTTCONN_ERR_EVENT_PENDING = -7,  /* take the event before receiving more */
  MQTTCONN_ERR_CLOSED = -8,         /* the connection is closed */
  MQTTCONN_ERR_NEED_MORE = -9,      /* mqttconn_decode(): the input ends inside a packet */
  /* the peer broke the protocol (the MQTT 5 reason code is in mqttconn_error.reason_code) */
  MQTTCONN_ERR_MALFORMED = -100,           /* 0x81 */
  MQTTCONN_ERR_PROTOCOL = -101,            /* 0x82 and other codes >= 0x80 */
  MQTTCONN_ERR_UNSUPPORTED_VERSION = -102, /* 0x84 */
  MQTTCONN_ERR_PACKET_TOO_LARGE = -103,    /* 0x95 */
  MQTTCONN_ERR_TOPIC_NAME = -104,          /* 0x90 */
  MQTTCONN_ERR_TOPIC_FILTER = -105,        /* 0x8F */
  MQTTCONN_ERR_TOPIC_ALIAS = -106,         /* 0x94 */
  MQTTCONN_ERR_PAYLOAD_FORMAT = -107,      /* 0x99 */
  /* fatal */
  MQTTCONN_ERR_NOMEM = -900,
  MQTTCONN_ERR_INTERNAL = -901
};

/* A short description of a code ("malformed packet"). Static; never NULL. */
MQTTCONN_API const char *mqttconn_strerror(int rc);
/* Nonzero for codes <= -900. */
MQTTCONN_API int mqttconn_is_fatal(int rc);

/* ---- Basic types --------------------------------------------------------------------- */

typedef struct mqttconn_bytes {
  const uint8_t *ptr;
  size_t len;
} mqttconn_bytes;

/* Allocator hooks, used for every allocation the library makes for a handle: the handle itself
 * and everything it holds (NULL: malloc/free). Each free gets the size and alignment of its
 * alloc. mqttconn_encode() has no handle: it allocates nothing unless a list of the packet has
 * more than 8 entries, and then uses malloc/free. */
typedef struct mqttconn_allocator {
  void *user;
  void *(*alloc)(size_t size, size_t align, void *user); /* NULL on failure */
  void (*free)(void *ptr, size_t size, size_t align, void *user);
} mqttconn_allocator;

enum { MQTTCONN_ROLE_CLIENT = 0, MQTTCONN_ROLE_SERVER = 1 };

enum { MQTTCONN_V31 = 3, MQTTCONN_V311 = 4, MQTTCONN_V5 = 5 };

enum {
  MQTTCONN_PACKET_CONNECT = 1, MQTTCONN_PACKET_CONNACK, MQTTCONN_PACKET_PUBLISH,
  MQTTCONN_PACKET_PUBACK, MQTTCONN_PACKET_PUBREC, MQTTCONN_PACKET_PUBREL, MQTTCONN_PACKET_PUBCOMP,
  MQTTCONN_PACKET_SUBSCRIBE, MQTTCONN_PACKET_SUBACK, MQTTCONN_PACKET_UNSUBSCRIBE,
  MQTTCONN_PACKET_UNSUBACK, MQTTCONN_PACKET_PINGREQ, MQTTCONN_PACKET_PINGRESP,
  MQTTCONN_PACKET_DISCONNECT, MQTTCONN_PACKET_AUTH
};

enum {
  MQTTCONN_STATE_IDLE = 0,       /* client: CONNECT not sent; server: CONNECT not received */
  MQTTCONN_STATE_CONNECTING = 1, /* CONNECT sent or received, no CONNACK yet */
  MQTTCONN_STATE_CONNECTED = 2,  /* CONNACK 0x00 went through */
  MQTTCONN_STATE_CLOSED = 3      /* DISCONNECT, a refusing CONNACK, or a violation */
};

/* ---- Properties (MQTT 5.0, Table 2-4) ------------------------------------------------ */

/* Property identifiers; bit (1 << id) of mqttconn_properties.present marks a present one. */
enum {
  MQTTCONN_PROP_PAYLOAD_FORMAT_INDICATOR = 0x01,
  MQTTCONN_PROP_MESSAGE_EXPIRY_INTERVAL = 0x02,
  MQTTCONN_PROP_CONTENT_TYPE = 0x03,
  MQTTCONN_PROP_RESPONSE_TOPIC = 0x08,
  MQTTCONN_PROP_CORRELATION_DATA = 0x09,
  MQTTCONN_PROP_SUBSCRIPTION_IDENTIFIER = 0x0B,
  MQTTCONN_PROP_SESSION_EXPIRY_INTERVAL = 0x11,
  MQTTCONN_PROP_ASSIGNED_CLIENT_IDENTIFIER = 0x12,
  MQTTCONN_PROP_SERVER_KEEP_ALIVE = 0x13,
  MQTTCONN_PROP_AUTHENTICATION_METHOD = 0x15,
  MQTTCONN_PROP_AUTHENTICATION_DATA = 0x16,
  MQTTCONN_PROP_REQUEST_PROBLEM_INFORMATION = 0x17,
  MQTTCONN_PROP_WILL_DELAY_INTERVAL = 0x18,
  MQTTCONN_PROP_REQUEST_RESPONSE_INFORMATION = 0x19,
  MQTTCONN_PROP_RESPONSE_INFORMATION = 0x1A,
  MQTTCONN_PROP_SERVER_REFERENCE = 0x1C,
  MQTTCONN_PROP_REASON_STRING = 0x1F,
  MQTTCONN_PROP_RECEIVE_MAXIMUM = 0x21,
  MQTTCONN_PROP_TOPIC_ALIAS_MAXIMUM = 0x22,
  MQTTCONN_PROP_TOPIC_ALIAS = 0x23,
  MQTTCONN_PROP_MAXIMUM_QOS = 0x24,
  MQTTCONN_PROP_RETAIN_AVAILABLE = 0x25,
  MQTTCONN_PROP_USER_PROPERTY = 0x26,
  MQTTCONN_PROP_MAXIMUM_PACKET_SIZE = 0x27,
  MQTTCONN_PROP_WILDCARD_SUBSCRIPTION_AVAILABLE = 0x28,
  MQTTCONN_PROP_SUBSCRIPTION_IDENTIFIER_AVAILABLE = 0x29,
  MQTTCONN_PROP_SHARED_SUBSCRIPTION_AVAILABLE = 0x2A
};
#define MQTTCONN_PROP_BIT(id) ((uint64_t)1 << (id))

typedef struct mqttconn_user_property {
  mqttconn_bytes name, value;
} mqttconn_user_property;

/* One property block. A value counts only if its bit is set in `present`; the lists are
 * present when their count is nonzero (their bits are then set too). Order of user
 * properties is kept, repeats too. When sending: the counts decide for the lists, a bit for an
 * id MQTT 5.0 does not define is ARGUMENT, and the byte properties whose only legal values are
 * 0 and 1 (payload format indicator, request problem/response information, the four
 * "available" flags) are INVALID_PACKET otherwise. */
typedef struct mqttconn_properties {
  size_t struct_size;
  uint64_t present;
  uint32_t message_expiry_interval, session_expiry_interval, will_delay_interval, maximum_packet_size;
  uint16_t server_keep_alive, receive_maximum, topic_alias_maximum, topic_alias;
  uint8_t payload_format_indicator, request_problem_information, request_response_information,
      maximum_qos, retain_available, wildcard_subscription_available,
      subscription_identifier_available, shared_subscription_available;
  mqttconn_bytes content_type, response_topic, correlation_data, assigned_client_identifier,
      authentication_method, authentication_data, response_information, server_reference,
      reason_string;
  const uint32_t *subscription_identifiers;
  size_t subscription_identifier_count;
  const mqttconn_user_property *user_properties;
  size_t user_property_count;
} mqttconn_properties;

/* ---- Packets ------------------------------------------------------------------------- */

typedef struct mqttconn_subscription {
  mqttconn_bytes topic_filter;
  uint8_t qos;                 /* maximum QoS 0..2 */
  uint8_t no_local;            /* 5.0 */
  uint8_t retain_as_published; /* 5.0 */
  uint8_t retain_handling;     /* 5.0: 0, 1, 2 */
} mqttconn_subscription;

/* Any packet: `type` says which fields count.
 *   CONNECT      protocol_version, bridge, clean_start, keep_alive, client_id, has_will and
 *                will_*, has_username/username, has_password/password, props
 *   CONNACK      session_present, reason_code (3.x: the return code), props
 *   PUBLISH      dup, qos, retain, topic, packet_id (QoS > 0), payload, props
 *   PUBACK, PUBREC, PUBREL, PUBCOMP   packet_id, reason_code, props (dup: level-3 PUBREL)
 *   SUBSCRIBE    packet_id, subscriptions[subscription_count], props (dup: level 3)
 *   SUBACK       packet_id, reason_codes, props
 *   UNSUBSCRIBE  packet_id, topic_filters[topic_filter_count], props (dup: level 3)
 *   UNSUBACK     packet_id, reason_codes (5.0), props
 *   DISCONNECT, AUTH   reason_code, props
 * props and will_props may be NULL when sending (no properties); in events they always point
 * to a block owned by the connection (or decoder). An event writes `type`, props, will_props and
 * the fields its type lists above; the other fields keep whatever they held. Sending reads only
 * the fields of the kind sent: flags are true when nonzero; qos, will_qos, a subscription's qos
 * and retain_handling above 2, and protocol_version other than 3, 4 or 5 are ARGUMENT. */
typedef struct mqttconn_packet {
  size_t struct_size;
  int type; /* MQTTCONN_PACKET_* */
  uint16_t packet_id;
  uint8_t dup, qos, retain;
  uint8_t reason_code;
  uint8_t session_present;
  uint8_t protocol_version; /* CONNECT: 3, 4 or 5 */
  uint8_t bridge;
  uint8_t clean_start;
  uint16_t keep_alive;
  mqttconn_bytes client_id;
  uint8_t has_username, has_password, has_will, will_qos, will_retain;
  mqttconn_bytes username, password, will_topic, will_payload;
  const mqttconn_properties *will_props;
  mqttconn_bytes topic, payload;
  const mqttconn_subscription *subscriptions;
  size_t subscription_count;
  const mqttconn_bytes *topic_filters;
  size_t topic_filter_count;
  mqttconn_bytes reason_codes;
  const mqttconn_properties *props;
} mqttconn_packet;

/* ---- Errors -------------------------------------------------------------------------- */

typedef struct mqttconn_error {
  size_t struct_size;
  int code;              /* MQTTCONN_ERR_* */
  uint8_t reason_code;   /* the MQTT 5 reason code to send */
  uint8_t packet_type;   /* MQTTCONN_PACKET_*, 0 if unknown */
  uint64_t offset;       /* byte offset of the fault in the received stream */
  const char *field;     /* "topic name": static */
  const char *what;      /* "contains a wildcard [MQTT-3.3.2-2]": static */
} mqttconn_error;

/* ---- Configuration ------------------------------------------------------------------- */

typedef struct mqttconn_config mqttconn_config; /* opaque */

/* Defaults: client, protocol maximum packet size, no extra UTF-8 checks, 64 MiB output limit,
 * payloads of 16 KiB and more borrowed. Setters return OK, or ARGUMENT for a NULL config, a
 * role other than MQTTCONN_ROLE_*, or a maximum packet size of 0 (sizes above the protocol's
 * 268,435,460 mean the protocol's). A config is copied by mqttconn_conn_new() and
 * mqttconn_decoder_new() (which use its decode options); free it when convenient. */
MQTTCONN_API int mqttconn_config_new(mqttconn_config **out, const mqttconn_allocator *alloc);
MQTTCONN_API void mqttconn_config_free(mqttconn_config *cfg); /* NULL is a no-op */
MQTTCONN_API int mqttconn_config_set_role(mqttconn_config *cfg, int role);
MQTTCONN_API int mqttconn_config_set_max_packet_size(mqttconn_config *cfg, uint32_t bytes);
MQTTCONN_API int mqttconn_config_set_reject_disallowed_code_points(mqttconn_config *cfg, int on);
MQTTCONN_API int mqttconn_config_set_check_payload_format(mqttconn_config *cfg, int on);
MQTTCONN_API int mqttconn_config_set_max_output(mqttconn_config *cfg, size_t bytes);
MQTTCONN_API int mqttconn_config_set_borrow_payloads_from(mqttconn_config *cfg, size_t bytes);

/* ---- Connection ---------------------------------------------------------------------- */

typedef struct mqttconn_conn mqttconn_conn; /* opaque */

/* Creates a connection; cfg NULL means defaults; alloc NULL means malloc/free (the
 * allocator is copied and used for every allocation of this connection). */
MQTTCONN_API int mqttconn_conn_new(mqttconn_conn **out, const mqttconn_config *cfg,
                                   const mqttconn_allocator *alloc);
MQTTCONN_API void mqttconn_conn_free(mqttconn_conn *conn); /* NULL is a no-op */

/* Takes bytes from `in` up to and including at most one whole packet; *consumed says how
 * many. A whole packet becomes the pending event. Codes: OK, ARGUMENT, EVENT_PENDING, CLOSED,
 * the peer-violation band, fatal. The bytes of a packet that arrived whole are viewed, not
 * copied: keep them unchanged until the event is taken. */
MQTTCONN_API int mqttconn_conn_receive(mqttconn_conn *conn, const uint8_t *in, size_t len,
                                       size_t *consumed);
/* Bytes of a packet not yet whole that mqttconn_conn_receive() keeps, waiting for the rest: 0
 * between packets, once closed, and for NULL or a failed connection. Nonzero when the
 * transport's stream ends: the peer stopped inside a packet. */
MQTTCONN_API size_t mqttconn_conn_input_buffered(const mqttconn_conn *conn);
/* Fills *ev with the pending event (ev->struct_size set by the caller): OK, or DONE when
 * there is none (ARGUMENT, STRUCT_SIZE: the event stays pending). The views in *ev live until
 * the next non-const call on conn. */
MQTTCONN_API int mqttconn_conn_next_event(mqttconn_conn *conn, mqttconn_packet *ev);

/* Sending: one function per packet kind (p->type is ignored and may be 0). On error the
 * connection and its output are as before. Codes: OK, ARGUMENT, STRUCT_SIZE, WRONG_STATE,
 * INVALID_PACKET, OUTPUT_FULL, CLOSED, fatal. */
MQTTCONN_API int mqttconn_conn_connect(mqttconn_conn *conn, const mqttconn_packet *p);
MQTTCONN_API int mqttconn_conn_connack(mqttconn_conn *conn, const mqttconn_packet *p);
MQTTCONN_API int mqttconn_conn_publish(mqttconn_conn *conn, const mqttconn_packet *p);
MQTTCONN_API int mqttconn_conn_puback(mqttconn_conn *conn, const mqttconn_packet *p);
MQTTCONN_API int mqttconn_conn_pubrec(mqttconn_conn *conn, const mqttconn_packet *p);
MQTTCONN_API int mqttconn_conn_pubrel(mqttconn_conn *conn, const mqttconn_packet *p);
MQTTCONN_API int mqttconn_conn_pubcomp(mqttconn_conn *conn, const mqttconn_packet *p);
MQTTCONN_API int mqttconn_conn_subscribe(mqttconn_conn *conn, const mqttconn_packet *p);
MQTTCONN_API int mqttconn_conn_suback(mqttconn_conn *conn, const mqttconn_packet *p);
MQTTCONN_API int mqttconn_conn_unsubscribe(mqttconn_conn *conn, const mqttconn_packet *p);
MQTTCONN_API int mqttconn_conn_unsuback(mqttconn_conn *conn, const mqttconn_packet *p);
MQTTCONN_API int mqttconn_conn_pingreq(mqttconn_conn *conn);
MQTTCONN_API int mqttconn_conn_pingresp(mqttconn_conn *conn);
MQTTCONN_API int mqttconn_conn_disconnect(mqttconn_conn *conn, const mqttconn_packet *p); /* p may be NULL */
MQTTCONN_API int mqttconn_conn_auth(mqttconn_conn *conn, const mqttconn_packet *p);
/* Any kind, by p->type. */
MQTTCONN_API int mqttconn_conn_send(mqttconn_conn *conn, const mqttconn_packet *p);

/* The first contiguous run of queued output: OK (out->len > 0) or DONE (nothing queued). */
MQTTCONN_API int mqttconn_conn_output(const mqttconn_conn *conn, mqttconn_bytes *out);
/* Up to max runs of queued output for writev(); *count says how many were filled. */
MQTTCONN_API int mqttconn_conn_output_iov(const mqttconn_conn *conn, mqttconn_bytes *segs,
                                          size_t max, size_t *count);
/* The transport took n bytes (clamped to what is queued). */
MQTTCONN_API int mqttconn_conn_output_consume(mqttconn_conn *conn, size_t n);
/* Bytes queued; 0 for NULL or a failed connection. */
MQTTCONN_API size_t mqttconn_conn_output_size(const mqttconn_conn *conn);

/* These three return ARGUMENT for NULL and the fatal code for a failed connection. */
MQTTCONN_API int mqttconn_conn_state(const mqttconn_conn *conn);       /* MQTTCONN_STATE_*, or ARGUMENT */
MQTTCONN_API int mqttconn_conn_version(const mqttconn_conn *conn);     /* 3, 4, 5 */
/* The reason code of the violation or failure that closed the connection, 0 if none. */
MQTTCONN_API int mqttconn_conn_reason_code(const mqttconn_conn *conn);
/* The error that closed the connection (OK), or DONE if none. */
MQTTCONN_API int mqttconn_conn_error(const mqttconn_conn *conn, mqttconn_error *err);
/* The error of the last failed call on conn, whatever its band (OK), or DONE if none. */
MQTTCONN_API int mqttconn_conn_last_error(const mqttconn_conn *conn, mqttconn_error *err);

/* ---- Codec without a connection ------------------------------------------------------- */

typedef struct mqttconn_decoder mqttconn_decoder; /* opaque: reusable storage for events */

MQTTCONN_API int mqttconn_decoder_new(mqttconn_decoder **out, const mqttconn_config *cfg,
                                      const mqttconn_allocator *alloc);
MQTTCONN_API void mqttconn_decoder_free(mqttconn_decoder *dec); /* NULL is a no-op */
/* Decodes the packet at the front of `in` at level `version` (a CONNECT at its own level):
 * OK with *consumed and *out filled (views into `in` and into dec, valid until the next call
 * on dec), NEED_MORE, or the peer-violation band (mqttconn_decoder_error() tells more). *out
 * is written only on OK. */
MQTTCONN_API int mqttconn_decode(mqttconn_decoder *dec, const uint8_t *in, size_t len, int version,
                                 size_t *consumed, mqttconn_packet *out);
MQTTCONN_API int mqttconn_decoder_error(const mqttconn_decoder *dec, mqttconn_error *err);

/* Encodes p (kind p->type) at level `version` (a CONNECT at its own level) into out[0..cap):
 * OK with *written, BUFFER_TOO_SMALL with *written set to the size needed, or INVALID_PACKET
 * (nothing written); ARGUMENT and STRUCT_SIZE as for sends; NOMEM only for lists of more than
 * 8 entries (see mqttconn_allocator). */
MQTTCONN_API int mqttconn_encode(const mqttconn_packet *p, int version, uint8_t *out, size_t cap,
                                 size_t *written);

/* ---- Batches: many packets per call, as flat records ------------------------------------
 *
 * For bindings whose per-call cost dwarfs the codec's (ctypes, FFIs): one call decodes or
 * receives many packets and writes each as a self-contained record into the caller's buffer,
 * or reads records and encodes or sends the packets they describe. Records are plain bytes, so
 * they carry no views and live as long as the caller keeps its buffer.
 *
 * Record layout, version MQTTCONN_BATCH_LAYOUT (all integers little-endian, no padding, no
 * alignment):
 *   offset 0   u32  size         bytes of the whole record, this header included
 *          4   u8   type         MQTTCONN_PACKET_*
 *          5   u8   flags        bit 0 dup, bit 1 retain, bits 2-3 qos, bit 4 session present
 *          6   u16  packet_id
 *          8   u8   reason_code  CONNACK (3.x: return code), acks, DISCONNECT, AUTH
 *          9   u8   version      CONNECT: protocol level 3, 4 or 5; else 0
 *         10   u16  keep_alive   CONNECT; else 0
 *         12   u8   connect      CONNECT: bit 0 has will, bit 1 will retain, bits 2-3 will qos,
 *                                bit 4 has username, bit 5 has password, bit 6 bridge,
 *                                bit 7 clean start; else 0
 *         13   u8   reserved     0
 *         14   u16  reserved     0
 *         16   u32  length of each section of the type, in the order below (n entries)
 *   16 + 4 n        the sections' bytes, one after the other, in this order per type:
 *     CONNECT      (n = 7) client id, will properties, will topic, will payload, username,
 *                  password, properties
 *     PUBLISH      (n = 3) topic, payload, properties
 *     SUBSCRIBE    (n = 2) subscriptions, properties
 *     SUBACK, UNSUBACK   (n = 2) reason codes (one byte each), properties
 *     UNSUBSCRIBE  (n = 2) topic filters, properties
 *     every other  (n = 1) properties
 *   (all lengths come first so that a binding reads a record's fixed part in one go)
 *   subscriptions: entries of u8 options (bits 0-1 qos, bit 2 no local, bit 3 retain as
 *                  published, bits 4-5 retain handling), u16 length, topic filter bytes;
 *   topic filters: entries of u16 length, filter bytes;
 *   properties:    entries of u8 property id, then a u32 value for the integer properties
 *                  (byte, two-byte, four-byte and variable byte integer alike), a u16 length
 *                  and bytes for strings and binary data, or two of those (name, value) for a
 *                  user property. Records written by the library list the properties by
 *                  ascending id, repeated ones (user properties, subscription identifiers) in
 *                  their order; records read by it may list them in any order.
 * The records the library writes for packets of n bytes on the wire in all take at most
 * MQTTCONN_BATCH_RECORD_MAX(n) bytes (records read are not bounded so).
 * Reading a record, the library takes the fields its type lists (as the sends and
 * mqttconn_encode() do for mqttconn_packet) and rejects, with MQTTCONN_ERR_ARGUMENT, a record
 * whose size or sections overrun it or its buffer, a type that is no packet type, an unknown
 * property id, a value too large for its property's width, or a reserved byte or unknown bit
 * that is not 0.
 */
#define MQTTCONN_BATCH_LAYOUT 1
#define MQTTCONN_BATCH_RECORD_MAX(n) ((size_t)(n) * 10u + 64u)

/* The record layout version this library reads and writes (MQTTCONN_BATCH_LAYOUT when built).
 * A binding loading the library at run time checks it before relying on the layout. */
MQTTCONN_API int mqttconn_batch_layout(void);

/* Decodes packets from the front of `in` at level `version` (a CONNECT at its own level, as
 * mqttconn_decode()) and writes one record each into out[0..cap), while they fit. Stops at the
 * end of the input or of the last whole packet: a packet cut short at the end is left
 * unconsumed (no error: give it again with more bytes). *consumed, *written and *count (all
 * required) say how many input bytes, record bytes and records were produced. Codes:
 *   OK      every whole packet of `in` was decoded;
 *   MQTTCONN_BATCH_FULL (2)  the next packet's record did not fit: that packet is left
 *           unconsumed; when no record fit at all, *written is the size the first one needs;
 *   the peer-violation band: the packet at *consumed is bad (mqttconn_decoder_error() tells
 *           more; its offset counts from that packet's first byte); the records before it are
 *           valid;
 *   ARGUMENT, fatal. */
enum { MQTTCONN_BATCH_FULL = 2 };
MQTTCONN_API int mqttconn_decode_batch(mqttconn_decoder *dec, const uint8_t *in, size_t len, int version,
                                       uint8_t *out, size_t cap, size_t *consumed, size_t *written,
                                       size_t *count);

/* The connection's mqttconn_conn_receive() and mqttconn_conn_next_event() in a loop: takes the
 * pending event first, if any, then receives all of `in` (a packet cut short at the end is kept
 * by the connection, as receive does) and writes each event as a record into out[0..cap).
 * *consumed, *written, *count as for mqttconn_decode_batch(). Codes:
 *   OK      all of `in` was consumed and every event written;
 *   MQTTCONN_BATCH_FULL  an event's record did not fit: the event is in *last (struct_size set
 *           by the caller; views valid until the next non-const call on conn), counted neither
 *           in *count nor *written; take it, then call again with the rest of `in`. A buffer
 *           of MQTTCONN_BATCH_RECORD_MAX(len + bytes of a packet left partial by the previous
 *           receive) never fills;
 *   the codes of mqttconn_conn_receive(): on a peer violation the records before it are valid,
 *           and the output may hold the CONNACK or DISCONNECT that says why. */
MQTTCONN_API int mqttconn_conn_receive_batch(mqttconn_conn *conn, const uint8_t *in, size_t len,
                                             uint8_t *out, size_t cap, size_t *consumed,
                                             size_t *written, size_t *count, mqttconn_packet *last);

/* Encodes the records of in[0..len) at level `version` (a CONNECT at its own level) into
 * out[0..cap), one packet after the other, while they fit. *read (record bytes) and *written
 * (packet bytes) say how far it got; both required. Codes: OK (all records, or as many as fit:
 * *read < len then), BUFFER_TOO_SMALL if not even the first fits (*written: the size it needs),
 * ARGUMENT for a bad record (the ones before it are encoded), INVALID_PACKET, and NOMEM (the
 * arrays a record's lists are converted into come from the global heap). Records are read for
 * the call only. */
MQTTCONN_API int mqttconn_encode_batch(const uint8_t *in, size_t len, int version, uint8_t *out, size_t cap,
                                       size_t *read, size_t *written);

/* Sends the packets of the records in in[0..len) on conn, in order, as mqttconn_conn_send()
 * would (records are borrowed as the packets of sends are: payloads of at least the borrow
 * threshold must stay unchanged until written). Stops at the first failure; *read (required)
 * is the record bytes of the packets sent. Codes: those of mqttconn_conn_send(), and ARGUMENT
 * for a bad record (field "record" in mqttconn_conn_last_error()). The arrays a record's lists
 * are converted into come from the connection's allocator; NOMEM is fatal, as everywhere. */
MQTTCONN_API int mqttconn_conn_send_batch(mqttconn_conn *conn, const uint8_t *in, size_t len, size_t *read);

/* ---- End of batches ------------------------------------------------------------------ */

#ifdef __cplusplus
}
#endif

#endif /* MQTTCONN_H */
