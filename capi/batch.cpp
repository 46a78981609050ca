// Batches: many packets per call as flat records (layout in include/mqttconn.h, "Batches").
//
// Built on the public entry points (mqttconn_decode, mqttconn_conn_receive and _next_event,
// mqttconn_encode, mqttconn_conn_send): a batch is their loop plus the record conversion, so it
// keeps their argument checks, error bookkeeping and lifetimes. Writing a record never
// allocates; reading one converts its lists into arrays reused for the whole call, from the
// connection's allocator (capi/handles.hpp) or, for mqttconn_encode_batch(), which has no
// handle, from the global heap as mqttconn_encode() does. The only throw is std::bad_alloc,
// which guarded() turns into NOMEM.
#include <cstring>
#include <memory_resource>
#include <vector>

#include "guard.hpp"
#include "handles.hpp"

using namespace mqttconn::capi;

namespace {

constexpr std::size_t header_size = 16;

// ---- Writing records: counts every byte, stores those that fit --------------------------

struct writer {
  std::uint8_t* out;
  std::size_t cap;
  std::size_t n;  // bytes the records so far need; > cap once one did not fit

  void u8(std::uint8_t v) {
    if (n < cap) out[n] = v;
    ++n;
  }
  void u16(std::uint16_t v) {
    u8(static_cast<std::uint8_t>(v));
    u8(static_cast<std::uint8_t>(v >> 8));
  }
  void u32(std::uint32_t v) {
    u16(static_cast<std::uint16_t>(v));
    u16(static_cast<std::uint16_t>(v >> 16));
  }
  void u32_at(std::size_t at, std::uint32_t v) {
    if (at + 4 > cap) return;
    for (int i = 0; i < 4; ++i) out[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
  }
  void raw(const std::uint8_t* p, std::size_t len) {
    if (n <= cap && len <= cap - n && len != 0) std::memcpy(out + n, p, len);
    n += len;
  }
  void short_bytes(mqttconn_bytes b) {  // property strings: at most 65,535 bytes on the wire
    u16(static_cast<std::uint16_t>(b.len));
    raw(b.ptr, b.len);
  }
};

// How many sections a record of `type` has (the layout's table of lengths).
std::size_t section_count(int type) {
  switch (type) {
    case MQTTCONN_PACKET_CONNECT: return 7;
    case MQTTCONN_PACKET_PUBLISH: return 3;
    case MQTTCONN_PACKET_SUBSCRIBE:
    case MQTTCONN_PACKET_UNSUBSCRIBE:
    case MQTTCONN_PACKET_SUBACK:
    case MQTTCONN_PACKET_UNSUBACK: return 2;
    default: return 1;
  }
}

// Writes a record's sections: the table of lengths first (zeros), each length filled in when
// its section ends.
struct sections {
  writer& w;
  std::size_t table;
  std::size_t i = 0;
  std::size_t start = 0;

  sections(writer& out, std::size_t n) : w(out), table(out.n) {
    for (std::size_t k = 0; k < n; ++k) w.u32(0);
  }
  void begin() { start = w.n; }
  void end() { w.u32_at(table + 4 * i++, static_cast<std::uint32_t>(w.n - start)); }
  void bytes(mqttconn_bytes b) {
    begin();
    w.raw(b.ptr, b.len);
    end();
  }
};

bool has(const mqttconn_properties& p, int id) { return (p.present & MQTTCONN_PROP_BIT(id)) != 0; }

void put_int(writer& w, const mqttconn_properties& p, int id, std::uint32_t v) {
  if (!has(p, id)) return;
  w.u8(static_cast<std::uint8_t>(id));
  w.u32(v);
}

void put_str(writer& w, const mqttconn_properties& p, int id, mqttconn_bytes v) {
  if (!has(p, id)) return;
  w.u8(static_cast<std::uint8_t>(id));
  w.short_bytes(v);
}

// A property section, by ascending id.
void put_props(sections& sec, const mqttconn_properties* pp) {
  writer& w = sec.w;
  sec.begin();
  if (pp != nullptr) {
    const mqttconn_properties& p = *pp;
    put_int(w, p, MQTTCONN_PROP_PAYLOAD_FORMAT_INDICATOR, p.payload_format_indicator);
    put_int(w, p, MQTTCONN_PROP_MESSAGE_EXPIRY_INTERVAL, p.message_expiry_interval);
    put_str(w, p, MQTTCONN_PROP_CONTENT_TYPE, p.content_type);
    put_str(w, p, MQTTCONN_PROP_RESPONSE_TOPIC, p.response_topic);
    put_str(w, p, MQTTCONN_PROP_CORRELATION_DATA, p.correlation_data);
    for (std::size_t i = 0; i < p.subscription_identifier_count; ++i) {
      w.u8(MQTTCONN_PROP_SUBSCRIPTION_IDENTIFIER);
      w.u32(p.subscription_identifiers[i]);
    }
    put_int(w, p, MQTTCONN_PROP_SESSION_EXPIRY_INTERVAL, p.session_expiry_interval);
    put_str(w, p, MQTTCONN_PROP_ASSIGNED_CLIENT_IDENTIFIER, p.assigned_client_identifier);
    put_int(w, p, MQTTCONN_PROP_SERVER_KEEP_ALIVE, p.server_keep_alive);
    put_str(w, p, MQTTCONN_PROP_AUTHENTICATION_METHOD, p.authentication_method);
    put_str(w, p, MQTTCONN_PROP_AUTHENTICATION_DATA, p.authentication_data);
    put_int(w, p, MQTTCONN_PROP_REQUEST_PROBLEM_INFORMATION, p.request_problem_information);
    put_int(w, p, MQTTCONN_PROP_WILL_DELAY_INTERVAL, p.will_delay_interval);
    put_int(w, p, MQTTCONN_PROP_REQUEST_RESPONSE_INFORMATION, p.request_response_information);
    put_str(w, p, MQTTCONN_PROP_RESPONSE_INFORMATION, p.response_information);
    put_str(w, p, MQTTCONN_PROP_SERVER_REFERENCE, p.server_reference);
    put_str(w, p, MQTTCONN_PROP_REASON_STRING, p.reason_string);
    put_int(w, p, MQTTCONN_PROP_RECEIVE_MAXIMUM, p.receive_maximum);
    put_int(w, p, MQTTCONN_PROP_TOPIC_ALIAS_MAXIMUM, p.topic_alias_maximum);
    put_int(w, p, MQTTCONN_PROP_TOPIC_ALIAS, p.topic_alias);
    put_int(w, p, MQTTCONN_PROP_MAXIMUM_QOS, p.maximum_qos);
    put_int(w, p, MQTTCONN_PROP_RETAIN_AVAILABLE, p.retain_available);
    for (std::size_t i = 0; i < p.user_property_count; ++i) {
      w.u8(MQTTCONN_PROP_USER_PROPERTY);
      w.short_bytes(p.user_properties[i].name);
      w.short_bytes(p.user_properties[i].value);
    }
    put_int(w, p, MQTTCONN_PROP_MAXIMUM_PACKET_SIZE, p.maximum_packet_size);
    put_int(w, p, MQTTCONN_PROP_WILDCARD_SUBSCRIPTION_AVAILABLE, p.wildcard_subscription_available);
    put_int(w, p, MQTTCONN_PROP_SUBSCRIPTION_IDENTIFIER_AVAILABLE, p.subscription_identifier_available);
    put_int(w, p, MQTTCONN_PROP_SHARED_SUBSCRIPTION_AVAILABLE, p.shared_subscription_available);
  }
  sec.end();
}

int bit(std::uint8_t v) { return v != 0 ? 1 : 0; }

// Appends the record of `p` (an event: only the fields of its type are read).
void put_record(writer& w, const mqttconn_packet& p) {
  const std::size_t start = w.n;
  std::uint8_t flags = 0, reason = 0, version = 0, conn = 0;
  std::uint16_t packet_id = 0, keep_alive = 0;
  switch (p.type) {
    case MQTTCONN_PACKET_CONNECT:
      version = p.protocol_version;
      keep_alive = p.keep_alive;
      conn = static_cast<std::uint8_t>(bit(p.has_will) | bit(p.will_retain) << 1 | (p.will_qos & 3) << 2 |
                                       bit(p.has_username) << 4 | bit(p.has_password) << 5 |
                                       bit(p.bridge) << 6 | bit(p.clean_start) << 7);
      break;
    case MQTTCONN_PACKET_CONNACK:
      flags = static_cast<std::uint8_t>(bit(p.session_present) << 4);
      reason = p.reason_code;
      break;
    case MQTTCONN_PACKET_PUBLISH:
      flags = static_cast<std::uint8_t>(bit(p.dup) | bit(p.retain) << 1 | (p.qos & 3) << 2);
      packet_id = p.packet_id;
      break;
    case MQTTCONN_PACKET_PUBACK:
    case MQTTCONN_PACKET_PUBREC:
    case MQTTCONN_PACKET_PUBREL:
    case MQTTCONN_PACKET_PUBCOMP:
      flags = static_cast<std::uint8_t>(bit(p.dup));
      packet_id = p.packet_id;
      reason = p.reason_code;
      break;
    case MQTTCONN_PACKET_SUBSCRIBE:
    case MQTTCONN_PACKET_UNSUBSCRIBE:
      flags = static_cast<std::uint8_t>(bit(p.dup));
      packet_id = p.packet_id;
      break;
    case MQTTCONN_PACKET_SUBACK:
    case MQTTCONN_PACKET_UNSUBACK:
      packet_id = p.packet_id;
      break;
    case MQTTCONN_PACKET_DISCONNECT:
    case MQTTCONN_PACKET_AUTH:
      reason = p.reason_code;
      break;
    default:
      break;
  }
  w.u32(0);  // size, filled in below
  w.u8(static_cast<std::uint8_t>(p.type));
  w.u8(flags);
  w.u16(packet_id);
  w.u8(reason);
  w.u8(version);
  w.u16(keep_alive);
  w.u8(conn);
  w.u8(0);
  w.u16(0);
  sections sec(w, section_count(p.type));
  switch (p.type) {
    case MQTTCONN_PACKET_CONNECT:
      sec.bytes(p.client_id);
      put_props(sec, p.has_will ? p.will_props : nullptr);
      sec.bytes(p.has_will ? p.will_topic : mqttconn_bytes{});
      sec.bytes(p.has_will ? p.will_payload : mqttconn_bytes{});
      sec.bytes(p.has_username ? p.username : mqttconn_bytes{});
      sec.bytes(p.has_password ? p.password : mqttconn_bytes{});
      break;
    case MQTTCONN_PACKET_PUBLISH:
      sec.bytes(p.topic);
      sec.bytes(p.payload);
      break;
    case MQTTCONN_PACKET_SUBSCRIBE:
      sec.begin();
      for (std::size_t i = 0; i < p.subscription_count; ++i) {
        const mqttconn_subscription& s = p.subscriptions[i];
        w.u8(static_cast<std::uint8_t>((s.qos & 3) | bit(s.no_local) << 2 | bit(s.retain_as_published) << 3 |
                                       (s.retain_handling & 3) << 4));
        w.short_bytes(s.topic_filter);
      }
      sec.end();
      break;
    case MQTTCONN_PACKET_UNSUBSCRIBE:
      sec.begin();
      for (std::size_t i = 0; i < p.topic_filter_count; ++i) w.short_bytes(p.topic_filters[i]);
      sec.end();
      break;
    case MQTTCONN_PACKET_SUBACK:
    case MQTTCONN_PACKET_UNSUBACK:
      sec.bytes(p.reason_codes);
      break;
    default:
      break;
  }
  put_props(sec, p.props);
  w.u32_at(start, static_cast<std::uint32_t>(w.n - start));
}

// ---- Reading records ---------------------------------------------------------------------

struct reader {
  const std::uint8_t* p;
  std::size_t len;
  std::size_t pos = 0;
  bool ok = true;

  bool need(std::size_t k) {
    if (!ok || k > len - pos) ok = false;
    return ok;
  }
  std::uint8_t u8() { return need(1) ? p[pos++] : 0; }
  std::uint16_t u16() {
    if (!need(2)) return 0;
    const std::uint16_t v = static_cast<std::uint16_t>(p[pos] | p[pos + 1] << 8);
    pos += 2;
    return v;
  }
  std::uint32_t u32() {
    if (!need(4)) return 0;
    const std::uint32_t v = static_cast<std::uint32_t>(p[pos]) | static_cast<std::uint32_t>(p[pos + 1]) << 8 |
                            static_cast<std::uint32_t>(p[pos + 2]) << 16 | static_cast<std::uint32_t>(p[pos + 3]) << 24;
    pos += 4;
    return v;
  }
  mqttconn_bytes take(std::size_t k) {
    if (!need(k)) return {};
    const mqttconn_bytes b{p + pos, k};
    pos += k;
    return b;
  }
  mqttconn_bytes short_bytes() { return take(u16()); }
  reader sub(mqttconn_bytes b) const { return reader{b.ptr, b.len}; }
};

// The arrays of one record's lists, reused from record to record within a call.
struct lists {
  explicit lists(std::pmr::memory_resource& mr)
      : ups(&mr), will_ups(&mr), sub_ids(&mr), will_sub_ids(&mr), subs(&mr), filters(&mr) {}
  std::pmr::vector<mqttconn_user_property> ups, will_ups;
  std::pmr::vector<std::uint32_t> sub_ids, will_sub_ids;
  std::pmr::vector<mqttconn_subscription> subs;
  std::pmr::vector<mqttconn_bytes> filters;
};

// One record as a packet to send or encode; views into the record and into `l`.
struct parsed {
  mqttconn_packet pkt;
  mqttconn_properties props, will_props;
};

// A two-byte or one-byte property's value: a value that does not fit makes the record bad.
std::uint16_t u16_of(reader& r) {
  const std::uint32_t v = r.u32();
  if (v > 0xFFFF) r.ok = false;
  return static_cast<std::uint16_t>(v);
}
std::uint8_t u8_of(reader& r) {
  const std::uint32_t v = r.u32();
  if (v > 0xFF) r.ok = false;
  return static_cast<std::uint8_t>(v);
}

bool get_props(reader r, mqttconn_properties& p, std::pmr::vector<mqttconn_user_property>& ups,
               std::pmr::vector<std::uint32_t>& sub_ids) {
  std::memset(&p, 0, sizeof p);
  p.struct_size = sizeof p;
  ups.clear();
  sub_ids.clear();
  while (r.ok && r.pos < r.len) {
    const int id = r.u8();
    switch (id) {
      case MQTTCONN_PROP_PAYLOAD_FORMAT_INDICATOR: p.payload_format_indicator = u8_of(r); break;
      case MQTTCONN_PROP_MESSAGE_EXPIRY_INTERVAL: p.message_expiry_interval = r.u32(); break;
      case MQTTCONN_PROP_CONTENT_TYPE: p.content_type = r.short_bytes(); break;
      case MQTTCONN_PROP_RESPONSE_TOPIC: p.response_topic = r.short_bytes(); break;
      case MQTTCONN_PROP_CORRELATION_DATA: p.correlation_data = r.short_bytes(); break;
      case MQTTCONN_PROP_SUBSCRIPTION_IDENTIFIER: sub_ids.push_back(r.u32()); break;
      case MQTTCONN_PROP_SESSION_EXPIRY_INTERVAL: p.session_expiry_interval = r.u32(); break;
      case MQTTCONN_PROP_ASSIGNED_CLIENT_IDENTIFIER: p.assigned_client_identifier = r.short_bytes(); break;
      case MQTTCONN_PROP_SERVER_KEEP_ALIVE: p.server_keep_alive = u16_of(r); break;
      case MQTTCONN_PROP_AUTHENTICATION_METHOD: p.authentication_method = r.short_bytes(); break;
      case MQTTCONN_PROP_AUTHENTICATION_DATA: p.authentication_data = r.short_bytes(); break;
      case MQTTCONN_PROP_REQUEST_PROBLEM_INFORMATION: p.request_problem_information = u8_of(r); break;
      case MQTTCONN_PROP_WILL_DELAY_INTERVAL: p.will_delay_interval = r.u32(); break;
      case MQTTCONN_PROP_REQUEST_RESPONSE_INFORMATION: p.request_response_information = u8_of(r); break;
      case MQTTCONN_PROP_RESPONSE_INFORMATION: p.response_information = r.short_bytes(); break;
      case MQTTCONN_PROP_SERVER_REFERENCE: p.server_reference = r.short_bytes(); break;
      case MQTTCONN_PROP_REASON_STRING: p.reason_string = r.short_bytes(); break;
      case MQTTCONN_PROP_RECEIVE_MAXIMUM: p.receive_maximum = u16_of(r); break;
      case MQTTCONN_PROP_TOPIC_ALIAS_MAXIMUM: p.topic_alias_maximum = u16_of(r); break;
      case MQTTCONN_PROP_TOPIC_ALIAS: p.topic_alias = u16_of(r); break;
      case MQTTCONN_PROP_MAXIMUM_QOS: p.maximum_qos = u8_of(r); break;
      case MQTTCONN_PROP_RETAIN_AVAILABLE: p.retain_available = u8_of(r); break;
      case MQTTCONN_PROP_USER_PROPERTY: {
        const mqttconn_bytes name = r.short_bytes();
        ups.push_back({name, r.short_bytes()});
        break;
      }
      case MQTTCONN_PROP_MAXIMUM_PACKET_SIZE: p.maximum_packet_size = r.u32(); break;
      case MQTTCONN_PROP_WILDCARD_SUBSCRIPTION_AVAILABLE: p.wildcard_subscription_available = u8_of(r); break;
      case MQTTCONN_PROP_SUBSCRIPTION_IDENTIFIER_AVAILABLE: p.subscription_identifier_available = u8_of(r); break;
      case MQTTCONN_PROP_SHARED_SUBSCRIPTION_AVAILABLE: p.shared_subscription_available = u8_of(r); break;
      default: return false;
    }
    p.present |= MQTTCONN_PROP_BIT(id);
  }
  p.user_properties = ups.data();
  p.user_property_count = ups.size();
  p.subscription_identifiers = sub_ids.data();
  p.subscription_identifier_count = sub_ids.size();
  if (sub_ids.empty()) p.present &= ~MQTTCONN_PROP_BIT(MQTTCONN_PROP_SUBSCRIPTION_IDENTIFIER);
  if (ups.empty()) p.present &= ~MQTTCONN_PROP_BIT(MQTTCONN_PROP_USER_PROPERTY);
  return r.ok;
}

// Reads the record at the front of r into `out`; false for a bad record. `size` is set to the
// record's size (when it could be read).
bool get_record(reader& whole, parsed& out, lists& l) {
  const std::size_t start = whole.pos;
  const std::uint32_t size = whole.u32();
  if (!whole.ok || size < header_size || size - 4 > whole.len - whole.pos) return false;
  reader r{whole.p + start, size, 4};
  whole.pos = start + size;

  mqttconn_packet& p = out.pkt;
  std::memset(&p, 0, sizeof p);
  p.struct_size = sizeof p;
  p.type = r.u8();
  const std::uint8_t flags = r.u8();
  p.packet_id = r.u16();
  p.reason_code = r.u8();
  p.protocol_version = r.u8();
  p.keep_alive = r.u16();
  const std::uint8_t conn = r.u8();
  if (r.u8() != 0 || r.u16() != 0 || (flags & 0xE0) != 0) return false;
  if (p.type < MQTTCONN_PACKET_CONNECT || p.type > MQTTCONN_PACKET_AUTH) return false;
  p.dup = flags & 1;
  p.retain = (flags >> 1) & 1;
  p.qos = (flags >> 2) & 3;
  p.session_present = (flags >> 4) & 1;
  p.has_will = conn & 1;
  p.will_retain = (conn >> 1) & 1;
  p.will_qos = (conn >> 2) & 3;
  p.has_username = (conn >> 4) & 1;
  p.has_password = (conn >> 5) & 1;
  p.bridge = (conn >> 6) & 1;
  p.clean_start = (conn >> 7) & 1;
  p.props = &out.props;
  p.will_props = &out.will_props;
  std::memset(&out.will_props, 0, sizeof out.will_props);
  out.will_props.struct_size = sizeof out.will_props;

  // The table of section lengths, then the sections in order.
  std::uint32_t lens[7] = {};
  const std::size_t n = section_count(p.type);
  for (std::size_t i = 0; i < n; ++i) lens[i] = r.u32();
  std::size_t next = 0;
  const auto section = [&]() { return r.take(lens[next++]); };
  switch (p.type) {
    case MQTTCONN_PACKET_CONNECT:
      p.client_id = section();
      if (!get_props(r.sub(section()), out.will_props, l.will_ups, l.will_sub_ids)) return false;
      p.will_topic = section();
      p.will_payload = section();
      p.username = section();
      p.password = section();
      break;
    case MQTTCONN_PACKET_PUBLISH:
      p.topic = section();
      p.payload = section();
      break;
    case MQTTCONN_PACKET_SUBSCRIBE: {
      reader s = r.sub(section());
      l.subs.clear();
      while (s.ok && s.pos < s.len) {
        const std::uint8_t o = s.u8();
        if ((o & 0xC0) != 0) return false;
        const mqttconn_bytes f = s.short_bytes();
        l.subs.push_back({f, static_cast<std::uint8_t>(o & 3), static_cast<std::uint8_t>((o >> 2) & 1),
                          static_cast<std::uint8_t>((o >> 3) & 1), static_cast<std::uint8_t>((o >> 4) & 3)});
      }
      if (!s.ok) return false;
      p.subscriptions = l.subs.data();
      p.subscription_count = l.subs.size();
      break;
    }
    case MQTTCONN_PACKET_UNSUBSCRIBE: {
      reader s = r.sub(section());
      l.filters.clear();
      while (s.ok && s.pos < s.len) l.filters.push_back(s.short_bytes());
      if (!s.ok) return false;
      p.topic_filters = l.filters.data();
      p.topic_filter_count = l.filters.size();
      break;
    }
    case MQTTCONN_PACKET_SUBACK:
    case MQTTCONN_PACKET_UNSUBACK:
      p.reason_codes = section();
      break;
    default:
      break;
  }
  if (!get_props(r.sub(section()), out.props, l.ups, l.sub_ids)) return false;
  return r.ok && r.pos == r.len;
}

}  // namespace

extern "C" {

MQTTCONN_API int mqttconn_batch_layout(void) { return MQTTCONN_BATCH_LAYOUT; }

MQTTCONN_API int mqttconn_decode_batch(mqttconn_decoder* dec, const uint8_t* in, size_t len, int version,
                                       uint8_t* out, size_t cap, size_t* consumed, size_t* written,
                                       size_t* count) {
  return guarded([&]() -> int {
    if (dec == nullptr || consumed == nullptr || written == nullptr || count == nullptr) return MQTTCONN_ERR_ARGUMENT;
    *consumed = *written = *count = 0;
    if ((in == nullptr && len != 0) || (out == nullptr && cap != 0)) return MQTTCONN_ERR_ARGUMENT;
    mqttconn_packet p;
    std::memset(&p, 0, sizeof p);
    p.struct_size = sizeof p;
    writer w{out, cap, 0};
    while (*consumed < len) {
      size_t used = 0;
      const int rc = mqttconn_decode(dec, in + *consumed, len - *consumed, version, &used, &p);
      if (rc == MQTTCONN_ERR_NEED_MORE) break;
      if (rc != MQTTCONN_OK) return rc;
      const std::size_t before = w.n;
      put_record(w, p);
      if (w.n > cap) {
        *written = *count == 0 ? w.n : before;
        return MQTTCONN_BATCH_FULL;
      }
      *consumed += used;
      *written = w.n;
      ++*count;
    }
    return MQTTCONN_OK;
  });
}

MQTTCONN_API int mqttconn_conn_receive_batch(mqttconn_conn* conn, const uint8_t* in, size_t len, uint8_t* out,
                                             size_t cap, size_t* consumed, size_t* written, size_t* count,
                                             mqttconn_packet* last) {
  return guarded([&]() -> int {
    if (conn == nullptr || consumed == nullptr || written == nullptr || count == nullptr) return MQTTCONN_ERR_ARGUMENT;
    *consumed = *written = *count = 0;
    if ((in == nullptr && len != 0) || (out == nullptr && cap != 0) || last == nullptr) return MQTTCONN_ERR_ARGUMENT;
    if (last->struct_size < sizeof(mqttconn_packet)) return MQTTCONN_ERR_STRUCT_SIZE;
    writer w{out, cap, 0};
    for (;;) {
      const int ev = mqttconn_conn_next_event(conn, last);
      if (ev == MQTTCONN_OK) {
        put_record(w, *last);
        if (w.n > cap) return MQTTCONN_BATCH_FULL;  // *written still counts the records before
        *written = w.n;
        ++*count;
        continue;
      }
      if (ev != MQTTCONN_DONE) return ev;
      if (*consumed == len) return MQTTCONN_OK;
      size_t used = 0;
      const int rc = mqttconn_conn_receive(conn, in + *consumed, len - *consumed, &used);
      *consumed += used;
      if (rc != MQTTCONN_OK) return rc;
    }
  });
}

MQTTCONN_API int mqttconn_encode_batch(const uint8_t* in, size_t len, int version, uint8_t* out, size_t cap,
                                       size_t* read, size_t* written) {
  return guarded([&]() -> int {
    if (read == nullptr || written == nullptr) return MQTTCONN_ERR_ARGUMENT;
    *read = *written = 0;
    if ((in == nullptr && len != 0) || (out == nullptr && cap != 0)) return MQTTCONN_ERR_ARGUMENT;
    reader r{in, len};
    lists l(*std::pmr::new_delete_resource());
    parsed x;
    while (r.pos < len) {
      if (!get_record(r, x, l)) return MQTTCONN_ERR_ARGUMENT;
      size_t n = 0;
      const int rc = mqttconn_encode(&x.pkt, version, out + *written, cap - *written, &n);
      if (rc == MQTTCONN_ERR_BUFFER_TOO_SMALL && *read != 0) return MQTTCONN_OK;
      if (rc == MQTTCONN_ERR_BUFFER_TOO_SMALL) *written = n;
      if (rc != MQTTCONN_OK) return rc;
      *written += n;
      *read = r.pos;
    }
    return MQTTCONN_OK;
  });
}

MQTTCONN_API int mqttconn_conn_send_batch(mqttconn_conn* conn, const uint8_t* in, size_t len, size_t* read) {
  if (conn == nullptr) return MQTTCONN_ERR_ARGUMENT;
  status& st = status_of(*conn);
  return guarded(st, [&]() -> int {
    if (read == nullptr) return st.failed(MQTTCONN_ERR_ARGUMENT, "read", "is NULL");
    *read = 0;
    if (in == nullptr && len != 0) return st.failed(MQTTCONN_ERR_ARGUMENT, "in", "is NULL with a nonzero len");
    reader r{in, len};
    lists l(resource_of(*conn));
    parsed x;
    while (r.pos < len) {
      if (!get_record(r, x, l)) return st.failed(MQTTCONN_ERR_ARGUMENT, "record", "is not a valid batch record");
      const int rc = mqttconn_conn_send(conn, &x.pkt);
      if (rc != MQTTCONN_OK) return rc;
      *read = r.pos;
    }
    return MQTTCONN_OK;
  });
}

}  // extern "C"
