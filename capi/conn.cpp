// mqttconn_conn: the C face of mqttconn::connection.
//
// The handle owns, in one block from the caller's allocator: the allocator bridge, the
// connection (whose buffers come from the bridge), the arrays events are converted into and
// the arrays sends are converted from. Every entry point that can throw (anything that may
// allocate) checks its arguments, then runs through guarded() (capi/guard.hpp); the const
// queries call only noexcept functions. A failed call is remembered for
// mqttconn_conn_last_error().
#include <algorithm>

#include "config.hpp"
#include "events.hpp"
#include "sends.hpp"
#include "guard.hpp"
#include "handles.hpp"

using namespace mqttconn;
using namespace mqttconn::capi;

struct mqttconn_conn {
  mqttconn_conn(const mqttconn_allocator* hooks, const connection_options& o)
      : mr(hooks), conn(o, &mr), events(&mr), sends(&mr) {}
  detail::allocator_resource& resource() noexcept { return mr; }

  detail::allocator_resource mr;
  connection conn;
  event_storage events;
  send_storage sends;
  mutable status st;  // const entry points record their argument mistakes too
};

std::pmr::memory_resource& mqttconn::capi::resource_of(mqttconn_conn& c) noexcept { return c.mr; }
status& mqttconn::capi::status_of(mqttconn_conn& c) noexcept { return c.st; }

namespace {

result<void> call(connection& c, const mqttconn::connect& p) { return c.connect(p); }
result<void> call(connection& c, const mqttconn::connack& p) { return c.connack(p); }
result<void> call(connection& c, const mqttconn::publish& p) { return c.publish(p); }
result<void> call(connection& c, const mqttconn::puback& p) { return c.puback(p); }
result<void> call(connection& c, const mqttconn::pubrec& p) { return c.pubrec(p); }
result<void> call(connection& c, const mqttconn::pubrel& p) { return c.pubrel(p); }
result<void> call(connection& c, const mqttconn::pubcomp& p) { return c.pubcomp(p); }
result<void> call(connection& c, const mqttconn::subscribe& p) { return c.subscribe(p); }
result<void> call(connection& c, const mqttconn::suback& p) { return c.suback(p); }
result<void> call(connection& c, const mqttconn::unsubscribe& p) { return c.unsubscribe(p); }
result<void> call(connection& c, const mqttconn::unsuback& p) { return c.unsuback(p); }
result<void> call(connection& c, const mqttconn::pingreq&) { return c.pingreq(); }
result<void> call(connection& c, const mqttconn::pingresp&) { return c.pingresp(); }
result<void> call(connection& c, const mqttconn::disconnect& p) { return c.disconnect(p); }
result<void> call(connection& c, const mqttconn::auth& p) { return c.auth(p); }

// Converts and sends a packet of kind P; `p` has been checked (non-NULL, struct_size).
template <class P>
int send_as(mqttconn_conn& c, const mqttconn_packet& p) {
  mistake m;
  P x;
  if (from_c(p, c.sends, x, m) != MQTTCONN_OK) return c.st.failed(m);
  const result<void> r = call(c.conn, x);
  return r ? MQTTCONN_OK : c.st.failed(r.error());
}

template <class P>
int send(mqttconn_conn* c, const mqttconn_packet* p) {
  if (c == nullptr) return MQTTCONN_ERR_ARGUMENT;
  return guarded(c->st, [&]() -> int {
    mistake m;
    if (check_struct(p, "packet", m) != MQTTCONN_OK) return c->st.failed(m);
    return send_as<P>(*c, *p);
  });
}

// The checks every const query starts with; OK to go on.
int usable(const mqttconn_conn* c) noexcept {
  if (c == nullptr) return MQTTCONN_ERR_ARGUMENT;
  return c->st.fatal;
}

int state_of(connection_state s) noexcept {
  switch (s) {
    case connection_state::idle: return MQTTCONN_STATE_IDLE;
    case connection_state::connecting: return MQTTCONN_STATE_CONNECTING;
    case connection_state::connected: return MQTTCONN_STATE_CONNECTED;
    case connection_state::closed: return MQTTCONN_STATE_CLOSED;
  }
  return MQTTCONN_ERR_INTERNAL;
}

// mqttconn_conn_output_iov() writes the runs as std::span objects into the caller's array and
// turns each into a mqttconn_bytes in place, so any number of runs needs no memory of ours.
static_assert(sizeof(bytes) == sizeof(mqttconn_bytes) && alignof(bytes) <= alignof(mqttconn_bytes));

}  // namespace

extern "C" {

MQTTCONN_API int mqttconn_conn_new(mqttconn_conn** out, const mqttconn_config* cfg, const mqttconn_allocator* alloc) {
  if (out == nullptr) return MQTTCONN_ERR_ARGUMENT;
  *out = nullptr;
  if (!detail::valid_allocator(alloc)) return MQTTCONN_ERR_ARGUMENT;
  return guarded([&]() -> int {
    *out = detail::new_handle<mqttconn_conn>(alloc, options_of(cfg));
    return MQTTCONN_OK;
  });
}

MQTTCONN_API void mqttconn_conn_free(mqttconn_conn* conn) { detail::delete_handle(conn); }

MQTTCONN_API int mqttconn_conn_receive(mqttconn_conn* conn, const uint8_t* in, size_t len, size_t* consumed) {
  if (conn == nullptr) return MQTTCONN_ERR_ARGUMENT;
  return guarded(conn->st, [&]() -> int {
    if (consumed == nullptr) return conn->st.failed(MQTTCONN_ERR_ARGUMENT, "consumed", "is NULL");
    *consumed = 0;
    if (in == nullptr && len != 0) return conn->st.failed(MQTTCONN_ERR_ARGUMENT, "in", "is NULL with a nonzero length");
    const result<std::size_t> r = conn->conn.receive(bytes(in, len));
    if (!r) return conn->st.failed(r.error());
    *consumed = *r;
    return MQTTCONN_OK;
  });
}

MQTTCONN_API int mqttconn_conn_next_event(mqttconn_conn* conn, mqttconn_packet* ev) {
  if (conn == nullptr) return MQTTCONN_ERR_ARGUMENT;
  return guarded(conn->st, [&]() -> int {
    mistake m;
    if (check_struct(ev, "event", m) != MQTTCONN_OK) return conn->st.failed(m);
    const packet* p = conn->conn.next_event();
    if (p == nullptr) return MQTTCONN_DONE;
    to_c(*p, conn->events, *ev);
    return MQTTCONN_OK;
  });
}

MQTTCONN_API int mqttconn_conn_connect(mqttconn_conn* c, const mqttconn_packet* p) { return send<connect>(c, p); }
MQTTCONN_API int mqttconn_conn_connack(mqttconn_conn* c, const mqttconn_packet* p) { return send<connack>(c, p); }
MQTTCONN_API int mqttconn_conn_publish(mqttconn_conn* c, const mqttconn_packet* p) { return send<publish>(c, p); }
MQTTCONN_API int mqttconn_conn_puback(mqttconn_conn* c, const mqttconn_packet* p) { return send<puback>(c, p); }
MQTTCONN_API int mqttconn_conn_pubrec(mqttconn_conn* c, const mqttconn_packet* p) { return send<pubrec>(c, p); }
MQTTCONN_API int mqttconn_conn_pubrel(mqttconn_conn* c, const mqttconn_packet* p) { return send<pubrel>(c, p); }
MQTTCONN_API int mqttconn_conn_pubcomp(mqttconn_conn* c, const mqttconn_packet* p) { return send<pubcomp>(c, p); }
MQTTCONN_API int mqttconn_conn_subscribe(mqttconn_conn* c, const mqttconn_packet* p) { return send<subscribe>(c, p); }
MQTTCONN_API int mqttconn_conn_suback(mqttconn_conn* c, const mqttconn_packet* p) { return send<suback>(c, p); }
MQTTCONN_API int mqttconn_conn_unsubscribe(mqttconn_conn* c, const mqttconn_packet* p) { return send<unsubscribe>(c, p); }
MQTTCONN_API int mqttconn_conn_unsuback(mqttconn_conn* c, const mqttconn_packet* p) { return send<unsuback>(c, p); }
MQTTCONN_API int mqttconn_conn_auth(mqttconn_conn* c, const mqttconn_packet* p) { return send<auth>(c, p); }

MQTTCONN_API int mqttconn_conn_pingreq(mqttconn_conn* c) {
  if (c == nullptr) return MQTTCONN_ERR_ARGUMENT;
  return guarded(c->st, [&]() -> int {
    const result<void> r = c->conn.pingreq();
    return r ? MQTTCONN_OK : c->st.failed(r.error());
  });
}

MQTTCONN_API int mqttconn_conn_pingresp(mqttconn_conn* c) {
  if (c == nullptr) return MQTTCONN_ERR_ARGUMENT;
  return guarded(c->st, [&]() -> int {
    const result<void> r = c->conn.pingresp();
    return r ? MQTTCONN_OK : c->st.failed(r.error());
  });
}

MQTTCONN_API int mqttconn_conn_disconnect(mqttconn_conn* c, const mqttconn_packet* p) {
  if (c == nullptr) return MQTTCONN_ERR_ARGUMENT;
  if (p != nullptr) return send<disconnect>(c, p);
  return guarded(c->st, [&]() -> int {
    const result<void> r = c->conn.disconnect();
    return r ? MQTTCONN_OK : c->st.failed(r.error());
  });
}

MQTTCONN_API int mqttconn_conn_send(mqttconn_conn* c, const mqttconn_packet* p) {
  if (c == nullptr) return MQTTCONN_ERR_ARGUMENT;
  return guarded(c->st, [&]() -> int {
    mistake m;
    if (check_struct(p, "packet", m) != MQTTCONN_OK) return c->st.failed(m);
    switch (p->type) {
      case MQTTCONN_PACKET_CONNECT: return send_as<connect>(*c, *p);
      case MQTTCONN_PACKET_CONNACK: return send_as<connack>(*c, *p);
      case MQTTCONN_PACKET_PUBLISH: return send_as<publish>(*c, *p);
      case MQTTCONN_PACKET_PUBACK: return send_as<puback>(*c, *p);
      case MQTTCONN_PACKET_PUBREC: return send_as<pubrec>(*c, *p);
      case MQTTCONN_PACKET_PUBREL: return send_as<pubrel>(*c, *p);
      case MQTTCONN_PACKET_PUBCOMP: return send_as<pubcomp>(*c, *p);
      case MQTTCONN_PACKET_SUBSCRIBE: return send_as<subscribe>(*c, *p);
      case MQTTCONN_PACKET_SUBACK: return send_as<suback>(*c, *p);
      case MQTTCONN_PACKET_UNSUBSCRIBE: return send_as<unsubscribe>(*c, *p);
      case MQTTCONN_PACKET_UNSUBACK: return send_as<unsuback>(*c, *p);
      case MQTTCONN_PACKET_PINGREQ: return send_as<pingreq>(*c, *p);
      case MQTTCONN_PACKET_PINGRESP: return send_as<pingresp>(*c, *p);
      case MQTTCONN_PACKET_DISCONNECT: return send_as<disconnect>(*c, *p);
      case MQTTCONN_PACKET_AUTH: return send_as<auth>(*c, *p);
      default: return c->st.failed(MQTTCONN_ERR_ARGUMENT, "type", "is not a packet type (MQTTCONN_PACKET_*)");
    }
  });
}

MQTTCONN_API int mqttconn_conn_output(const mqttconn_conn* c, mqttconn_bytes* out) {
  if (const int rc = usable(c); rc != MQTTCONN_OK) return rc;
  if (out == nullptr) return c->st.failed(MQTTCONN_ERR_ARGUMENT, "out", "is NULL");
  const bytes b = c->conn.output();
  *out = {b.data(), b.size()};
  return b.empty() ? MQTTCONN_DONE : MQTTCONN_OK;
}

MQTTCONN_API int mqttconn_conn_output_iov(const mqttconn_conn* c, mqttconn_bytes* segs, size_t max, size_t* count) {
  if (const int rc = usable(c); rc != MQTTCONN_OK) return rc;
  if (count == nullptr) return c->st.failed(MQTTCONN_ERR_ARGUMENT, "count", "is NULL");
  *count = 0;
  if (segs == nullptr && max != 0) return c->st.failed(MQTTCONN_ERR_ARGUMENT, "segs", "is NULL with a nonzero max");
  if (max == 0) return MQTTCONN_DONE;  // no room to fill (and segs may be NULL: no array to begin)
  bytes* runs = ::new (static_cast<void*>(segs)) bytes[max];  // ends the mqttconn_bytes there ...
  const std::size_t n = c->conn.output_segments(std::span<bytes>(runs, max));
  for (std::size_t i = 0; i < max; ++i) {  // ... and brings them back, filled
    const bytes b = i < n ? runs[i] : bytes();
    ::new (static_cast<void*>(segs + i)) mqttconn_bytes{b.data(), b.size()};
  }
  *count = n;
  return n != 0 ? MQTTCONN_OK : MQTTCONN_DONE;
}

MQTTCONN_API int mqttconn_conn_output_consume(mqttconn_conn* c, size_t n) {
  if (c == nullptr) return MQTTCONN_ERR_ARGUMENT;
  return guarded(c->st, [&]() -> int {
    c->conn.consume_output(std::min(n, c->conn.output_size()));
    return MQTTCONN_OK;
  });
}

MQTTCONN_API size_t mqttconn_conn_input_buffered(const mqttconn_conn* c) {
  return usable(c) == MQTTCONN_OK ? c->conn.input_buffered() : 0;
}

MQTTCONN_API size_t mqttconn_conn_output_size(const mqttconn_conn* c) {
  return usable(c) == MQTTCONN_OK ? c->conn.output_size() : 0;
}

MQTTCONN_API int mqttconn_conn_state(const mqttconn_conn* c) {
  if (const int rc = usable(c); rc != MQTTCONN_OK) return rc;
  return state_of(c->conn.state());
}

MQTTCONN_API int mqttconn_conn_version(const mqttconn_conn* c) {
  if (const int rc = usable(c); rc != MQTTCONN_OK) return rc;
  return static_cast<int>(c->conn.version());
}

MQTTCONN_API int mqttconn_conn_reason_code(const mqttconn_conn* c) {
  if (const int rc = usable(c); rc != MQTTCONN_OK) return rc;
  return c->conn.failure() ? c->conn.failure()->reason_code : 0;
}

MQTTCONN_API int mqttconn_conn_error(const mqttconn_conn* c, mqttconn_error* err) {
  if (c == nullptr) return MQTTCONN_ERR_ARGUMENT;
  if (c->st.fatal != 0) {
    (void)fill_error(err, c->st.fatal, c->st.last);
    return c->st.fatal;
  }
  mistake m;
  if (check_struct(err, "err", m) != MQTTCONN_OK) return c->st.failed(m);
  const std::optional<error>& f = c->conn.failure();
  if (!f) return MQTTCONN_DONE;
  return fill_error(err, code_of(f->code), *f);
}

MQTTCONN_API int mqttconn_conn_last_error(const mqttconn_conn* c, mqttconn_error* err) {
  if (c == nullptr) return MQTTCONN_ERR_ARGUMENT;
  if (c->st.fatal != 0) {
    (void)fill_error(err, c->st.fatal, c->st.last);
    return c->st.fatal;
  }
  mistake m;
  if (check_struct(err, "err", m) != MQTTCONN_OK) return c->st.failed(m);
  if (c->st.last_code == 0) return MQTTCONN_DONE;
  return fill_error(err, c->st.last_code, c->st.last);
}

}  // extern "C"
