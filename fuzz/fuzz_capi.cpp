// fuzz_capi: one connection driven through the C API (mqttconn.h) by a fuzzer-chosen script,
// with an allocator that can refuse allocations. Only the C API is used: what the C++ targets
// check of the connection (conn_driver.hpp), this checks of the shims, the conversions, the
// views and the exception firewall.
//
// Input layout:
//   [0] bit 0 role (1 server), 1-2 level of the CONNECT that REPLY sends (0 3.1, 1 3.1.1,
//       else 5.0), 3 reject_disallowed_code_points, 4 check_payload_format, 5-6 allocator mode
//       (0 never fails, 1 refuses the n-th allocation, 2 the n-th and every later one,
//       3 refuses at random: xorshift seeded by [5..6], probability [7] / 256), 7 also call
//       the config setters with values they must refuse
//   [1] bits 0-1 max packet size mode, 2-3 max output mode, 4-5 borrow mode, 6-7 the chunks LOOP
//       feeds (all that is left, 1, 7 or 64 bytes)
//   [2] max packet size value   [3] max output value   [4] borrow value
//   [5..6] n (big-endian) or the seed   [7] probability
//   [8..9] script length, big-endian; then the script; then the peer's byte stream.
// Script operations (first byte % 12, operands follow):
//   0 RECV k       receive() the next k bytes of the stream (0: all that is left)
//   1 LOOP f       the driver loop over the rest of the stream in [1]'s chunks: receive, take
//                  each event; f bit 0 REPLY f >> 2 to each event, bit 1 drain all after each
//   2 TAKE f       next_event(); f % 8 == 1: NULL event, 2: struct_size too small (the event
//                  stays pending)
//   3 SEND t ...   a packet built from the bytes that follow (kind (t & 15) % 15 + 1), sent
//                  with the per-kind function, or with mqttconn_conn_send() when t bit 4, or
//                  (t bit 5, a DISCONNECT) as mqttconn_conn_disconnect(conn, NULL)
//   4 DRAIN n      mqttconn_conn_output(): the transport writes n bytes (0: all; 128 and up:
//                  all but n & 127)
//   5 GATHER m n   mqttconn_conn_output_iov() with m % 5 slots, then n bytes as for DRAIN
//   6 REPLY r      what a program would send next (CONNECT, CONNACK, acks, PINGRESP, ...)
//   7 PEER t ...   a packet built from the bytes that follow (kind t % 15 + 1), encoded at the
//                  connection's level and received whole
//   8 CODEC t ...  a packet built from the bytes that follow (kind (t & 15) % 15 + 1),
//                  mqttconn_encode()d at level (t >> 4 & 7) % 3 + 3 into 0..8 bytes, then (on
//                  BUFFER_TOO_SMALL) into the size it asks for, and mqttconn_decode()d back;
//                  or (t bit 7) a length byte and that many raw script bytes decoded
//   9 MISUSE k     a call with a caller's mistake: NULL pointers, short struct_size, bad types
//   10 QUERY       state, version, reason code, error, last error
//   11 FREE        free the connection now, whatever it holds (the run ends)
// At the end all output is drained and the connection freed.
//
// Invariants (a failure aborts with a message):
//   - every code is in its function's documented set (mqttconn.h); a caller's mistake is
//     ARGUMENT or STRUCT_SIZE and changes nothing (state, output).
//   - NOMEM only from a call during which the allocator refused something, and a refused
//     allocation is always reported as NOMEM by that very call; INTERNAL never. After a fatal
//     code every call on the handle returns it (the output queries report nothing) until free.
//   - no allocation above what the configured limits and the input can need; every free has
//     the size and alignment of its allocation; after the frees nothing is left allocated.
//   - receive() takes at most what it is given, all of it while a packet is incomplete, and
//     exactly one packet when it completes one: a second C decoder (same options) decodes the
//     taken bytes to the packet next_event() then gives, field by field; an event is pending
//     exactly then, and is given once. Its views (strings, arrays, properties) are read byte
//     by byte and its flags and enums are in range; 3.x events have no properties.
//   - after a peer violation (-100..-199) the connection is closed, mqttconn_conn_error() and
//     mqttconn_conn_reason_code() tell that code and its reason code, and every later receive
//     returns the same code. A violation is the second decoder's verdict on the same bytes,
//     or a rule (PROTOCOL, TOPIC_ALIAS) about a packet that decodes.
//   - no event after closed but the one pending when it closed; the state never goes back.
//   - a send that succeeds queues exactly mqttconn_encode() of the packet; output never
//     exceeds max_output; mqttconn_conn_output() is the first run of output_iov(), whose runs
//     add up to output_size(); drained bytes are what was queued and decode (a third decoder)
//     into packets legal for the role and level: Table 2-1 directions, a client's CONNECT first
//     and once, a server's CONNACK once and before anything but AUTH, nothing after a
//     DISCONNECT or a refusing CONNACK; the output ends on a packet boundary.
//   - mqttconn_encode(): BUFFER_TOO_SMALL gives the size that then succeeds; decode(encode(p))
//     has the fields of p.
#include <algorithm>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "mqttconn.h"

// Build with -DMQTTCONN_FUZZ_TRACE to see each step of a script on stderr (for a crash report).
#ifdef MQTTCONN_FUZZ_TRACE
#define FUZZ_TRACE(...) std::fprintf(stderr, __VA_ARGS__)
#else
#define FUZZ_TRACE(...) ((void)0)
#endif

namespace {

using mqttconn::fuzz::byte_source;
using mqttconn::fuzz::fail;

// --- The allocator ------------------------------------------------------------------------

struct counting_allocator {
  int mode = 0;  // 0 never fails, 1 refuses the n-th, 2 the n-th and later, 3 at random
  unsigned long n = 0;
  std::uint32_t rng = 0;
  std::uint8_t probability = 0;
  std::size_t bound = ~std::size_t{0};
  unsigned long count = 0;    // allocations asked for
  unsigned long refused = 0;  // allocations refused
  std::map<void*, std::pair<std::size_t, std::size_t>> live;
  mqttconn_allocator hooks{this, &alloc_hook, &free_hook};

  bool refuse() {
    ++count;
    switch (mode) {
      case 1: return count == n;
      case 2: return count >= n;
      case 3:
        rng ^= rng << 13;
        rng ^= rng >> 17;
        rng ^= rng << 5;
        return (rng & 0xFF) < probability;
      default: return false;
    }
  }

  static void* alloc_hook(std::size_t size, std::size_t align, void* user) {
    auto& a = *static_cast<counting_allocator*>(user);
    FUZZ_CHECK(size <= a.bound, "an allocation of %zu bytes; the limits allow %zu", size, a.bound);
    FUZZ_CHECK(align != 0 && (align & (align - 1)) == 0, "an allocation aligned to %zu", align);
    if (a.refuse()) {
      ++a.refused;
      return nullptr;
    }
    void* p = ::operator new(size == 0 ? 1 : size, std::align_val_t(align));
    a.live.emplace(p, std::make_pair(size, align));
    return p;
  }

  static void free_hook(void* p, std::size_t size, std::size_t align, void* user) {
    auto& a = *static_cast<counting_allocator*>(user);
    if (p == nullptr) return;
    const auto it = a.live.find(p);
    FUZZ_CHECK(it != a.live.end(), "free of a block the allocator did not give");
    FUZZ_CHECK(it->second.first == size && it->second.second == align,
               "free of a %zu-byte block aligned to %zu as %zu bytes aligned to %zu", it->second.first,
               it->second.second, size, align);
    a.live.erase(it);
    ::operator delete(p, std::align_val_t(align));
  }
};

// --- Codes --------------------------------------------------------------------------------

bool peer_band(int rc) { return rc <= -100 && rc >= -199; }
bool fatal(int rc) { return rc <= -900; }

// The reason code that goes with each violation code (mqttconn.h).
bool reason_matches(int rc, int reason) {
  switch (rc) {
    case MQTTCONN_ERR_MALFORMED: return reason == 0x81;
    case MQTTCONN_ERR_PROTOCOL: return reason >= 0x80;
    case MQTTCONN_ERR_UNSUPPORTED_VERSION: return reason == 0x84;
    case MQTTCONN_ERR_PACKET_TOO_LARGE: return reason == 0x95;
    case MQTTCONN_ERR_TOPIC_NAME: return reason == 0x90;
    case MQTTCONN_ERR_TOPIC_FILTER: return reason == 0x8F;
    case MQTTCONN_ERR_TOPIC_ALIAS: return reason == 0x94;
    case MQTTCONN_ERR_PAYLOAD_FORMAT: return reason == 0x99;
    default: return false;
  }
}

bool documented_violation(int rc) { return rc >= MQTTCONN_ERR_PAYLOAD_FORMAT && rc <= MQTTCONN_ERR_MALFORMED; }

// --- Events as text -----------------------------------------------------------------------

// Every field a packet of its type carries, as text: reading it touches every byte of every
// view (ASan checks them), and two packets with the same text are equal. `event`: the packet
// came from the library, so its flags must be 0 or 1 and its enums in range; otherwise it is
// a packet to send, whose flags count as true when nonzero.
class digest {
 public:
  digest(int version, bool event) : version_(version), event_(event) {}

  std::string of(const mqttconn_packet& p) {
    s_.clear();
    num("type", p.type);
    check(p.type >= MQTTCONN_PACKET_CONNECT && p.type <= MQTTCONN_PACKET_AUTH, "type");
    const bool acked_dup = version_ == MQTTCONN_V31;
    switch (p.type) {
      case MQTTCONN_PACKET_CONNECT:
        num("version", p.protocol_version);
        check(p.protocol_version >= 3 && p.protocol_version <= 5, "protocol_version");
        flag("bridge", p.bridge);
        flag("clean_start", p.clean_start);
        num("keep_alive", p.keep_alive);
        str("client_id", p.client_id);
        if (flag("has_will", p.has_will)) {
          num("will_qos", p.will_qos);
          check(p.will_qos <= 2, "will_qos");
          flag("will_retain", p.will_retain);
          str("will_topic", p.will_topic);
          str("will_payload", p.will_payload);
          props(p.will_props, p.protocol_version);
        }
        if (flag("has_username", p.has_username)) str("username", p.username);
        if (flag("has_password", p.has_password)) str("password", p.password);
        return props(p.props, p.protocol_version);
      case MQTTCONN_PACKET_CONNACK:
        flag("session_present", p.session_present);
        num("reason", p.reason_code);
        return props(p.props, version_);
      case MQTTCONN_PACKET_PUBLISH:
        flag("dup", p.dup);
        num("qos", p.qos);
        check(p.qos <= 2, "qos");
        flag("retain", p.retain);
        str("topic", p.topic);
        if (p.qos > 0) num("id", p.packet_id);
        str("payload", p.payload);
        return props(p.props, version_);
      case MQTTCONN_PACKET_PUBREL:
        dup(p.dup, acked_dup);
        [[fallthrough]];
      case MQTTCONN_PACKET_PUBACK:
      case MQTTCONN_PACKET_PUBREC:
      case MQTTCONN_PACKET_PUBCOMP:
        num("id", p.packet_id);
        num("reason", p.reason_code);
        return props(p.props, version_);
      case MQTTCONN_PACKET_SUBSCRIBE:
        dup(p.dup, acked_dup);
        num("id", p.packet_id);
        list(p.subscriptions, p.subscription_count, "subscriptions");
        for (std::size_t i = 0; i < p.subscription_count; ++i) {
          const mqttconn_subscription& x = p.subscriptions[i];
          str("filter", x.topic_filter);
          num("qos", x.qos);
          flag("no_local", x.no_local);
          flag("retain_as_published", x.retain_as_published);
          num("retain_handling", x.retain_handling);
          check(x.qos <= 2 && x.retain_handling <= 2, "subscription options");
        }
        return props(p.props, version_);
      case MQTTCONN_PACKET_UNSUBSCRIBE:
        dup(p.dup, acked_dup);
        num("id", p.packet_id);
        list(p.topic_filters, p.topic_filter_count, "topic_filters");
        for (std::size_t i = 0; i < p.topic_filter_count; ++i) str("filter", p.topic_filters[i]);
        return props(p.props, version_);
      case MQTTCONN_PACKET_SUBACK:
      case MQTTCONN_PACKET_UNSUBACK:
        num("id", p.packet_id);
        if (p.type == MQTTCONN_PACKET_SUBACK || version_ == MQTTCONN_V5) str("codes", p.reason_codes);
        return props(p.props, version_);
      case MQTTCONN_PACKET_DISCONNECT:
      case MQTTCONN_PACKET_AUTH:
        num("reason", p.reason_code);
        return props(p.props, version_);
      default:  // PINGREQ, PINGRESP: a sent one's props are not read
        return props(event_ ? p.props : nullptr, version_);
    }
  }

 private:
  void check(bool ok, const char* field) const {
    FUZZ_CHECK(ok || !event_, "an event's %s is out of range: %s", field, s_.c_str());
  }
  void num(const char* name, unsigned long v) {
    s_ += name;
    s_ += '=';
    s_ += std::to_string(v);
    s_ += ' ';
  }
  // DUP of PUBREL, SUBSCRIBE and UNSUBSCRIBE: a field at level 3 only, always 0 or 1.
  void dup(std::uint8_t v, bool counts) {
    check(v <= 1, "dup");
    if (counts) flag("dup", v);
  }
  bool flag(const char* name, std::uint8_t v) {
    check(v <= 1, name);
    num(name, v != 0);
    return v != 0;
  }
  void str(const char* name, const mqttconn_bytes& b) {
    FUZZ_CHECK(b.ptr != nullptr || b.len == 0, "%s: a NULL view of %zu bytes", name, b.len);
    s_ += name;
    s_ += '=';
    s_ += mqttconn::fuzz::hex(mqttconn::bytes(b.ptr, b.len), ~std::size_t{0});
    s_ += ' ';
  }
  template <class T>
  void list(const T* p, std::size_t n, const char* name) {
    FUZZ_CHECK(p != nullptr || n == 0, "%s: a NULL array of %zu", name, n);
    num(name, n);
  }
  std::string& props(const mqttconn_properties* pr, int version) {
    if (event_) FUZZ_CHECK(pr != nullptr, "an event without its property block: %s", s_.c_str());
    static const mqttconn_properties none = {sizeof(mqttconn_properties), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                             0, 0, 0, 0, {}, {}, {}, {}, {}, {}, {}, {}, {}, nullptr, 0, nullptr, 0};
    if (pr == nullptr) pr = &none;  // sending: NULL means no properties
    if (event_) FUZZ_CHECK(pr->struct_size == sizeof(mqttconn_properties), "a property block of size %zu", pr->struct_size);
    constexpr std::uint64_t lists =
        MQTTCONN_PROP_BIT(MQTTCONN_PROP_SUBSCRIPTION_IDENTIFIER) | MQTTCONN_PROP_BIT(MQTTCONN_PROP_USER_PROPERTY);
    std::uint64_t present = pr->present & ~lists;
    if (pr->subscription_identifier_count) present |= MQTTCONN_PROP_BIT(MQTTCONN_PROP_SUBSCRIPTION_IDENTIFIER);
    if (pr->user_property_count) present |= MQTTCONN_PROP_BIT(MQTTCONN_PROP_USER_PROPERTY);
    if (event_) {
      FUZZ_CHECK(present == pr->present, "an event's list property bits %llx disagree with its counts",
                 static_cast<unsigned long long>(pr->present));
      FUZZ_CHECK(version == MQTTCONN_V5 || present == 0, "a level-%d event with properties %llx", version,
                 static_cast<unsigned long long>(present));
    }
    s_ += "props{";
    num("present", present);
    const auto has = [&](int id) { return (present & MQTTCONN_PROP_BIT(id)) != 0; };
    if (has(MQTTCONN_PROP_PAYLOAD_FORMAT_INDICATOR)) num("pfi", pr->payload_format_indicator);
    if (has(MQTTCONN_PROP_MESSAGE_EXPIRY_INTERVAL)) num("mei", pr->message_expiry_interval);
    if (has(MQTTCONN_PROP_CONTENT_TYPE)) str("ct", pr->content_type);
    if (has(MQTTCONN_PROP_RESPONSE_TOPIC)) str("rt", pr->response_topic);
    if (has(MQTTCONN_PROP_CORRELATION_DATA)) str("cd", pr->correlation_data);
    list(pr->subscription_identifiers, pr->subscription_identifier_count, "sid");
    for (std::size_t i = 0; i < pr->subscription_identifier_count; ++i) num("sid", pr->subscription_identifiers[i]);
    if (has(MQTTCONN_PROP_SESSION_EXPIRY_INTERVAL)) num("sei", pr->session_expiry_interval);
    if (has(MQTTCONN_PROP_ASSIGNED_CLIENT_IDENTIFIER)) str("aci", pr->assigned_client_identifier);
    if (has(MQTTCONN_PROP_SERVER_KEEP_ALIVE)) num("ska", pr->server_keep_alive);
    if (has(MQTTCONN_PROP_AUTHENTICATION_METHOD)) str("am", pr->authentication_method);
    if (has(MQTTCONN_PROP_AUTHENTICATION_DATA)) str("ad", pr->authentication_data);
    if (has(MQTTCONN_PROP_REQUEST_PROBLEM_INFORMATION)) num("rpi", pr->request_problem_information);
    if (has(MQTTCONN_PROP_WILL_DELAY_INTERVAL)) num("wdi", pr->will_delay_interval);
    if (has(MQTTCONN_PROP_REQUEST_RESPONSE_INFORMATION)) num("rri", pr->request_response_information);
    if (has(MQTTCONN_PROP_RESPONSE_INFORMATION)) str("ri", pr->response_information);
    if (has(MQTTCONN_PROP_SERVER_REFERENCE)) str("sr", pr->server_reference);
    if (has(MQTTCONN_PROP_REASON_STRING)) str("rs", pr->reason_string);
    if (has(MQTTCONN_PROP_RECEIVE_MAXIMUM)) num("rm", pr->receive_maximum);
    if (has(MQTTCONN_PROP_TOPIC_ALIAS_MAXIMUM)) num("tam", pr->topic_alias_maximum);
    if (has(MQTTCONN_PROP_TOPIC_ALIAS)) num("ta", pr->topic_alias);
    if (has(MQTTCONN_PROP_MAXIMUM_QOS)) num("mq", pr->maximum_qos);
    if (has(MQTTCONN_PROP_RETAIN_AVAILABLE)) num("ra", pr->retain_available);
    list(pr->user_properties, pr->user_property_count, "up");
    for (std::size_t i = 0; i < pr->user_property_count; ++i) {
      str("k", pr->user_properties[i].name);
      str("v", pr->user_properties[i].value);
    }
    if (has(MQTTCONN_PROP_MAXIMUM_PACKET_SIZE)) num("mps", pr->maximum_packet_size);
    if (has(MQTTCONN_PROP_WILDCARD_SUBSCRIPTION_AVAILABLE)) num("wsa", pr->wildcard_subscription_available);
    if (has(MQTTCONN_PROP_SUBSCRIPTION_IDENTIFIER_AVAILABLE)) num("sia", pr->subscription_identifier_available);
    if (has(MQTTCONN_PROP_SHARED_SUBSCRIPTION_AVAILABLE)) num("ssa", pr->shared_subscription_available);
    s_ += '}';
    return s_;
  }

  int version_;
  bool event_;
  std::string s_;
};

// --- Packets from fuzzer bytes ------------------------------------------------------------

// Builds mqttconn_packet values from fuzzer bytes. Zero bytes make a plain valid packet; some
// choices leave the legal space (QoS 3, NULL views with a length, properties undefined or at
// 3.x, a short struct_size) and the library must refuse those with the documented code.
// Strings view the fuzzer's input or static tokens; arrays live in the builder, which outlives
// the connection (borrowed payloads must stay unchanged until written).
class c_packet_builder {
 public:
  mqttconn_packet make(int type, int version, byte_source& s) {
    s_ = &s;
    mqttconn_packet p;
    std::memset(&p, 0, sizeof p);
    p.struct_size = sizeof p;
    p.type = type;
    const std::uint8_t f = u8();  // bit 0 raw packet id, 1 props, 2 will, 3 user, 4 password,
                                  // 5 dup, 6 retain, 7 leave the legal space
    const bool wild = f & 0x80;
    p.packet_id = f & 1 ? s.u16() : static_cast<std::uint16_t>(1 + u8());
    p.dup = f & 0x20 ? 1 : 0;
    p.retain = f & 0x40 ? (wild ? 0xFF : 1) : 0;
    p.qos = static_cast<std::uint8_t>(u8() % (wild ? 5 : 3));
    p.reason_code = reason(u8());
    p.session_present = u8() & 1;
    const std::uint8_t v = u8();
    p.protocol_version = static_cast<std::uint8_t>(wild && (v & 0x80) ? v & 7 : version);
    p.clean_start = !(v & 1);
    p.bridge = (v & 2) ? 1 : 0;
    p.keep_alive = static_cast<std::uint16_t>(60 * (v >> 2 & 3));
    p.client_id = str();
    if (f & 4) {
      p.has_will = 1;
      p.will_qos = static_cast<std::uint8_t>(u8() % (wild ? 4 : 3));
      p.will_retain = f & 0x40 ? 1 : 0;
      p.will_topic = str();
      p.will_payload = raw(u8());
      p.will_props = props(wild);
    }
    if (f & 8) p.has_username = 1, p.username = str();
    if (f & 16) p.has_password = 1, p.password = raw(u8());
    p.topic = str();
    p.payload = raw(u8());
    const std::uint8_t n = u8();
    if (type == MQTTCONN_PACKET_SUBSCRIBE) {
      auto& subs = subs_.emplace_back(wild ? n % 12 : 1 + n % 4);
      for (mqttconn_subscription& x : subs) {
        const std::uint8_t o = u8();
        x.topic_filter = str();
        x.qos = static_cast<std::uint8_t>(o & 3);
        if (!wild && x.qos == 3) x.qos = 2;
        x.no_local = o >> 2 & 1;
        x.retain_as_published = o >> 3 & 1;
        x.retain_handling = static_cast<std::uint8_t>(o >> 4 & 3);
        if (!wild && x.retain_handling == 3) x.retain_handling = 0;
      }
      p.subscriptions = subs.data();
      p.subscription_count = subs.size();
      if (wild && (n & 0x80)) p.subscriptions = nullptr;
    }
    if (type == MQTTCONN_PACKET_UNSUBSCRIBE) {
      auto& filters = filters_.emplace_back(wild ? n % 12 : 1 + n % 4);
      for (mqttconn_bytes& x : filters) x = str();
      p.topic_filters = filters.data();
      p.topic_filter_count = filters.size();
      if (wild && (n & 0x80)) p.topic_filters = nullptr;
    }
    if (type == MQTTCONN_PACKET_SUBACK || type == MQTTCONN_PACKET_UNSUBACK) {
      auto& codes = codes_.emplace_back(wild ? n % 12 : 1 + n % 4);
      for (std::uint8_t& c : codes) c = wild ? reason(u8()) : (u8() & 3) % 3;
      p.reason_codes = {codes.data(), codes.size()};
    }
    if (f & 2) p.props = props(wild);
    if (wild && (n & 0x40)) p.topic.ptr = nullptr;  // NULL with a length unless the topic is empty
    return p;
  }

 private:
  static constexpr const char* tokens[32] = {
      "a", "a/b", "sensors/room1/temp", "", "+", "#", "a/+/c", "a/#", "+/+", "$share/g/a/b", "$share/g/#",
      "$share/g", "$share//a", "$SYS/x", "/", "a//b", "sport/tennis/+", "client-1", "text/plain",
      "\xC3\xA9t\xC3\xA9", "\xEF\xBB\xBF", "\xF0\x9F\x98\x80", "\x01", "\x7F", "\xC2\x80", "\xEF\xBF\xBF",
      "\xED\xA0\x80", "\xC0\xAF", "\xF4\x90\x80\x80", "a+", "#/a", "SCRAM-SHA-1"};
  static constexpr std::uint8_t codes[24] = {0x00, 0x01, 0x02, 0x04, 0x10, 0x11, 0x18, 0x19,
                                             0x80, 0x81, 0x82, 0x83, 0x87, 0x8E, 0x8F, 0x90,
                                             0x91, 0x92, 0x93, 0x94, 0x95, 0x97, 0x99, 0x9E};

  std::uint8_t u8() { return s_->u8(); }
  std::uint8_t reason(std::uint8_t sel) { return sel & 0x80 ? u8() : codes[sel % 24]; }
  mqttconn_bytes raw(std::size_t n) {
    const mqttconn::bytes b = s_->take(n);
    return {b.data(), b.size()};
  }
  mqttconn_bytes str() {
    const std::uint8_t sel = u8();
    if (sel & 0x80) return raw(sel & 0x3F);
    const char* t = tokens[sel % 32];
    return {reinterpret_cast<const std::uint8_t*>(t), std::strlen(t)};
  }
  std::uint32_t num32() {
    static constexpr std::uint32_t u32s[8] = {0, 1, 60, 65535, 65536, 268435455, 268435456, 0xFFFFFFFF};
    const std::uint8_t t = u8();
    return t & 0x80 ? s_->u32() : u32s[t % 8];
  }

  // A property block: up to 7 properties chosen by id (any defined id; with `wild`, undefined
  // ids and out-of-range flag values too), user properties and subscription identifiers.
  const mqttconn_properties* props(bool wild) {
    static constexpr std::uint8_t ids[27] = {0x01, 0x02, 0x03, 0x08, 0x09, 0x0B, 0x11, 0x12, 0x13,
                                             0x15, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x1C, 0x1F, 0x21,
                                             0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2A};
    mqttconn_properties& pr = props_.emplace_back();
    std::memset(&pr, 0, sizeof pr);
    pr.struct_size = sizeof pr;
    const std::uint8_t head = u8();
    for (int i = 0, n = head & 7; i < n; ++i) {
      const std::uint8_t sel = u8();
      const int id = wild && sel >= 0xF0 ? sel & 0x3F : ids[sel % 27];
      if (id < 64) pr.present |= MQTTCONN_PROP_BIT(id);
      const std::uint32_t v32 = num32();
      const auto v16 = static_cast<std::uint16_t>(v32 & 0xFFFF);
      const auto flag = static_cast<std::uint8_t>(wild ? v32 & 0xFF : v32 & 1);
      switch (id) {
        case 0x01: pr.payload_format_indicator = flag; break;
        case 0x02: pr.message_expiry_interval = v32; break;
        case 0x03: pr.content_type = str(); break;
        case 0x08: pr.response_topic = str(); break;
        case 0x09: pr.correlation_data = raw(v32 & 15); break;
        case 0x11: pr.session_expiry_interval = v32; break;
        case 0x12: pr.assigned_client_identifier = str(); break;
        case 0x13: pr.server_keep_alive = v16; break;
        case 0x15: pr.authentication_method = str(); break;
        case 0x16: pr.authentication_data = raw(v32 & 15); break;
        case 0x17: pr.request_problem_information = flag; break;
        case 0x18: pr.will_delay_interval = v32; break;
        case 0x19: pr.request_response_information = flag; break;
        case 0x1A: pr.response_information = str(); break;
        case 0x1C: pr.server_reference = str(); break;
        case 0x1F: pr.reason_string = str(); break;
        case 0x21: pr.receive_maximum = v16; break;
        case 0x22: pr.topic_alias_maximum = v16; break;
        case 0x23: pr.topic_alias = v16; break;
        case 0x24: pr.maximum_qos = static_cast<std::uint8_t>(wild ? v32 & 0xFF : v32 % 3); break;
        case 0x25: pr.retain_available = flag; break;
        case 0x27: pr.maximum_packet_size = v32; break;
        case 0x28: pr.wildcard_subscription_available = flag; break;
        case 0x29: pr.subscription_identifier_available = flag; break;
        case 0x2A: pr.shared_subscription_available = flag; break;
        default: break;
      }
    }
    if (head & 0x08) {
      auto& ups = ups_.emplace_back(1 + (u8() & 3));
      for (mqttconn_user_property& u : ups) u = {str(), str()};
      pr.user_properties = ups.data();
      pr.user_property_count = ups.size();
    }
    if (head & 0x10) {
      auto& ids_ = sub_ids_.emplace_back(1 + (u8() & 1));
      for (std::uint32_t& x : ids_) x = wild ? num32() : 1 + u8();
      pr.subscription_identifiers = ids_.data();
      pr.subscription_identifier_count = ids_.size();
    }
    if (wild && (head & 0x20)) pr.struct_size = sizeof pr - 1;
    if (wild && (head & 0x40)) pr.content_type = {nullptr, 3};
    return &pr;
  }

  byte_source* s_ = nullptr;
  std::deque<mqttconn_properties> props_;
  std::deque<std::vector<mqttconn_user_property>> ups_;
  std::deque<std::vector<std::uint32_t>> sub_ids_;
  std::deque<std::vector<mqttconn_subscription>> subs_;
  std::deque<std::vector<mqttconn_bytes>> filters_;
  std::deque<std::vector<std::uint8_t>> codes_;
};


// --- The driver ---------------------------------------------------------------------------

using send_fn = int (*)(mqttconn_conn*, const mqttconn_packet*);

send_fn send_function(int type) {
  switch (type) {
    case MQTTCONN_PACKET_CONNECT: return mqttconn_conn_connect;
    case MQTTCONN_PACKET_CONNACK: return mqttconn_conn_connack;
    case MQTTCONN_PACKET_PUBLISH: return mqttconn_conn_publish;
    case MQTTCONN_PACKET_PUBACK: return mqttconn_conn_puback;
    case MQTTCONN_PACKET_PUBREC: return mqttconn_conn_pubrec;
    case MQTTCONN_PACKET_PUBREL: return mqttconn_conn_pubrel;
    case MQTTCONN_PACKET_PUBCOMP: return mqttconn_conn_pubcomp;
    case MQTTCONN_PACKET_SUBSCRIBE: return mqttconn_conn_subscribe;
    case MQTTCONN_PACKET_SUBACK: return mqttconn_conn_suback;
    case MQTTCONN_PACKET_UNSUBSCRIBE: return mqttconn_conn_unsubscribe;
    case MQTTCONN_PACKET_UNSUBACK: return mqttconn_conn_unsuback;
    case MQTTCONN_PACKET_PINGREQ: return [](mqttconn_conn* c, const mqttconn_packet*) { return mqttconn_conn_pingreq(c); };
    case MQTTCONN_PACKET_PINGRESP: return [](mqttconn_conn* c, const mqttconn_packet*) { return mqttconn_conn_pingresp(c); };
    case MQTTCONN_PACKET_DISCONNECT: return mqttconn_conn_disconnect;
    default: return mqttconn_conn_auth;
  }
}

mqttconn_packet zeroed(int type) {
  mqttconn_packet p;
  std::memset(&p, 0, sizeof p);
  p.struct_size = sizeof p;
  p.type = type;
  return p;
}

mqttconn_bytes text(const char* s) { return {reinterpret_cast<const std::uint8_t*>(s), std::strlen(s)}; }

class capi_driver {
 public:
  static constexpr std::size_t header_size = 10;

  capi_driver(const std::uint8_t* data, std::size_t size) {
    const std::uint8_t f = data[0], m = data[1];
    server_ = f & 1;
    const int lv = f >> 1 & 3;
    level_ = lv == 0 ? MQTTCONN_V31 : lv == 1 ? MQTTCONN_V311 : MQTTCONN_V5;
    reject_code_points_ = f >> 3 & 1;
    check_payload_format_ = f >> 4 & 1;
    bad_setters_ = f >> 7 & 1;
    max_packet_ = mqttconn::fuzz::size_limit(m & 3, data[2]);
    switch (m >> 2 & 3) {
      case 0: max_output_ = std::size_t{1} << 20; break;
      case 1: max_output_ = data[3]; break;
      case 2: max_output_ = std::size_t{64} * data[3]; break;
      default: max_output_ = std::size_t{4096} * data[3]; break;
    }
    borrow_mode_ = m >> 4 & 3;
    static constexpr std::size_t chunks[4] = {0, 1, 7, 64};
    chunk_ = chunks[m >> 6];
    borrow_ = borrow_mode_ == 3 ? std::size_t{256} * data[4] : data[4];
    alloc_.mode = f >> 5 & 3;
    alloc_.n = static_cast<unsigned long>(data[5]) << 8 | data[6];
    alloc_.rng = static_cast<std::uint32_t>(alloc_.n << 8 | data[7]) | 1;
    alloc_.probability = data[7];
    // What the library may need at once: a packet up to the larger limit (buffered, queued,
    // converted), a copy of everything the input can hand it, and the handles themselves.
    alloc_.bound = plain_.bound =
        4 * (std::max<std::size_t>(max_packet_, max_output_) + size) + (std::size_t{64} << 10);
    const std::size_t script_len = std::min<std::size_t>(std::size_t{data[8]} << 8 | data[9], size - header_size);
    script_ = byte_source(data + header_size, script_len);
    stream_ = data + header_size + script_len;
    stream_len_ = size - header_size - script_len;
  }

  void run() {
    if (setup()) {
      while (!script_.empty() && conn_ != nullptr && !dead_) {
        const std::uint8_t op = script_.u8();
        FUZZ_TRACE("op %d\n", op % 12);
        switch (op % 12) {
          case 0: receive_stream(script_.u8()); break;
          case 1: loop(script_.u8()); break;
          case 2: take(script_.u8()); break;
          case 3: send(script_.u8()); break;
          case 4: drain(script_.u8()); break;
          case 5: gather(script_.u8(), script_.u8()); break;
          case 6: reply(script_.u8()); break;
          case 7: peer(script_.u8()); break;
          case 8: codec(script_.u8()); break;
          case 9: misuse(script_.u8()); break;
          case 10: query(); break;
          default: free_now(); break;
        }
        if (conn_ != nullptr && !dead_) check_queue();
      }
    }
    destroy();
    mqttconn_decoder_free(in_dec_);
    mqttconn_decoder_free(out_dec_);
    mqttconn_decoder_free(codec_dec_);
    FUZZ_CHECK(alloc_.live.empty(), "%zu blocks left allocated after the frees", alloc_.live.size());
    FUZZ_CHECK(plain_.live.empty(), "%zu decoder blocks left allocated after the frees", plain_.live.size());
  }

 private:
  bool client() const { return !server_; }

  // Runs one call on the connection: judges NOMEM against what the allocator did, and a
  // fatal code ends the handle's life (checked, then only free is left).
  template <class F>
  int call(F&& f) {
    const unsigned long before = alloc_.refused;
    const int rc = f();
    const bool refused = alloc_.refused != before;
    FUZZ_TRACE("  -> %d (%s), %zu queued\n", rc, mqttconn_strerror(rc), mqttconn_conn_output_size(conn_));
    FUZZ_CHECK(mqttconn_strerror(rc) != nullptr, "no description for code %d", rc);
    FUZZ_CHECK(rc != MQTTCONN_ERR_INTERNAL, "an internal error");
    FUZZ_CHECK((mqttconn_is_fatal(rc) != 0) == fatal(rc), "mqttconn_is_fatal(%d) is wrong", rc);
    if (rc == MQTTCONN_ERR_NOMEM) {
      FUZZ_CHECK(refused, "out of memory, but the allocator refused nothing");
      check_dead(rc);
      dead_ = true;
    } else {
      FUZZ_CHECK(!refused, "the allocator refused an allocation; the call returned %d", rc);
    }
    return rc;
  }

  bool setup() {
    mqttconn_config* cfg = nullptr;
    const unsigned long before = alloc_.refused;
    int rc = mqttconn_config_new(&cfg, &alloc_.hooks);
    if (rc == MQTTCONN_ERR_NOMEM) {
      FUZZ_CHECK(alloc_.refused != before && cfg == nullptr, "config_new: NOMEM without a refusal, or a handle");
      return false;
    }
    FUZZ_CHECK(rc == MQTTCONN_OK && cfg != nullptr && alloc_.refused == before, "config_new returned %d", rc);
    FUZZ_CHECK(mqttconn_config_set_role(cfg, server_ ? MQTTCONN_ROLE_SERVER : MQTTCONN_ROLE_CLIENT) == MQTTCONN_OK,
               "set_role");
    FUZZ_CHECK(mqttconn_config_set_max_packet_size(cfg, max_packet_) == MQTTCONN_OK, "set_max_packet_size");
    FUZZ_CHECK(mqttconn_config_set_reject_disallowed_code_points(cfg, reject_code_points_) == MQTTCONN_OK, "set");
    FUZZ_CHECK(mqttconn_config_set_check_payload_format(cfg, check_payload_format_ ? 7 : 0) == MQTTCONN_OK, "set");
    FUZZ_CHECK(mqttconn_config_set_max_output(cfg, max_output_) == MQTTCONN_OK, "set_max_output");
    if (borrow_mode_ != 0) {
      FUZZ_CHECK(mqttconn_config_set_borrow_payloads_from(cfg, borrow_) == MQTTCONN_OK, "set_borrow_payloads_from");
    }
    if (bad_setters_) {
      FUZZ_CHECK(mqttconn_config_set_role(cfg, 2) == MQTTCONN_ERR_ARGUMENT, "set_role(2)");
      FUZZ_CHECK(mqttconn_config_set_role(cfg, -1) == MQTTCONN_ERR_ARGUMENT, "set_role(-1)");
      FUZZ_CHECK(mqttconn_config_set_max_packet_size(cfg, 0) == MQTTCONN_ERR_ARGUMENT, "set_max_packet_size(0)");
      FUZZ_CHECK(mqttconn_config_set_role(nullptr, 0) == MQTTCONN_ERR_ARGUMENT, "set_role(NULL)");
      FUZZ_CHECK(mqttconn_config_set_max_output(nullptr, 1) == MQTTCONN_ERR_ARGUMENT, "set_max_output(NULL)");
      FUZZ_CHECK(mqttconn_config_new(nullptr, nullptr) == MQTTCONN_ERR_ARGUMENT, "config_new(NULL)");
      const mqttconn_allocator half{nullptr, alloc_.hooks.alloc, nullptr};
      static int not_a_handle;
      mqttconn_conn* c = reinterpret_cast<mqttconn_conn*>(&not_a_handle);
      FUZZ_CHECK(mqttconn_conn_new(&c, cfg, &half) == MQTTCONN_ERR_ARGUMENT && c == nullptr,
                 "conn_new with an allocator without free");
      FUZZ_CHECK(mqttconn_conn_new(nullptr, cfg, nullptr) == MQTTCONN_ERR_ARGUMENT, "conn_new(NULL)");
    }
    // The decoders never fail: they judge the connection.
    FUZZ_CHECK(mqttconn_decoder_new(&in_dec_, cfg, &plain_.hooks) == MQTTCONN_OK, "decoder_new");
    FUZZ_CHECK(mqttconn_decoder_new(&out_dec_, nullptr, &plain_.hooks) == MQTTCONN_OK, "decoder_new");
    FUZZ_CHECK(mqttconn_decoder_new(&codec_dec_, nullptr, &plain_.hooks) == MQTTCONN_OK, "decoder_new");
    const unsigned long before_conn = alloc_.refused;
    rc = mqttconn_conn_new(&conn_, cfg, &alloc_.hooks);
    mqttconn_config_free(cfg);  // the connection keeps a copy
    if (rc == MQTTCONN_ERR_NOMEM) {
      FUZZ_CHECK(alloc_.refused != before_conn && conn_ == nullptr, "conn_new: NOMEM without a refusal, or a handle");
      return false;
    }
    FUZZ_CHECK(rc == MQTTCONN_OK && conn_ != nullptr && alloc_.refused == before_conn, "conn_new returned %d", rc);
    FUZZ_CHECK(mqttconn_conn_state(conn_) == MQTTCONN_STATE_IDLE, "a new connection is not idle");
    return true;
  }

  // A handle that failed answers every call with its fatal code and shows no output.
  void check_dead(int rc) {
    mqttconn_packet p = zeroed(MQTTCONN_PACKET_PUBLISH);
    p.topic = text("t");
    mqttconn_bytes b{};
    mqttconn_bytes segs[2];
    std::size_t n = 0;
    const std::uint8_t byte = 0xC0;
    mqttconn_error e;
    std::memset(&e, 0, sizeof e);
    e.struct_size = sizeof e;
    FUZZ_CHECK(mqttconn_conn_state(conn_) == rc, "state() of a failed connection");
    FUZZ_CHECK(mqttconn_conn_version(conn_) == rc, "version() of a failed connection");
    FUZZ_CHECK(mqttconn_conn_reason_code(conn_) == rc, "reason_code() of a failed connection");
    FUZZ_CHECK(mqttconn_conn_receive(conn_, &byte, 1, &n) == rc, "receive() on a failed connection");
    FUZZ_CHECK(mqttconn_conn_next_event(conn_, &p) == rc, "next_event() on a failed connection");
    FUZZ_CHECK(mqttconn_conn_publish(conn_, &p) == rc, "publish() on a failed connection");
    FUZZ_CHECK(mqttconn_conn_send(conn_, &p) == rc, "send() on a failed connection");
    FUZZ_CHECK(mqttconn_conn_pingreq(conn_) == rc, "pingreq() on a failed connection");
    FUZZ_CHECK(mqttconn_conn_disconnect(conn_, nullptr) == rc, "disconnect() on a failed connection");
    FUZZ_CHECK(mqttconn_conn_output(conn_, &b) == rc, "output() on a failed connection");
    FUZZ_CHECK(mqttconn_conn_output_iov(conn_, segs, 2, &n) == rc, "output_iov() on a failed connection");
    FUZZ_CHECK(mqttconn_conn_output_consume(conn_, 1) == rc, "output_consume() on a failed connection");
    FUZZ_CHECK(mqttconn_conn_output_size(conn_) == 0, "output_size() of a failed connection");
    FUZZ_CHECK(mqttconn_conn_error(conn_, &e) == rc && e.code == rc, "error() of a failed connection");
    e.code = 0;
    FUZZ_CHECK(mqttconn_conn_last_error(conn_, &e) == rc && e.code == rc, "last_error() of a failed connection");
  }

  int state() { return call([&] { return mqttconn_conn_state(conn_); }); }
  int version() { return call([&] { return mqttconn_conn_version(conn_); }); }
  std::size_t output_size() const { return mqttconn_conn_output_size(conn_); }

  // --- Receiving ----------------------------------------------------------------------------

  void receive_stream(std::size_t k) {
    const std::size_t left = stream_len_ - cursor_;
    std::size_t taken = 0;
    receive(stream_ + cursor_, k == 0 ? left : std::min(k, left), taken);
    cursor_ += taken;
  }

  // Decodes `in` with the second decoder; its text (an event of the connection's level) in
  // `text`, and the limits it sets for this side's output in `peer_limits` (a CONNECT or CONNACK).
  int shadow_decode(const std::vector<std::uint8_t>& in, int v, std::size_t& used, std::string& text) {
    mqttconn_packet p;
    std::memset(&p, 0xA5, sizeof p);
    p.struct_size = sizeof p;
    used = 0;
    const int rc = mqttconn_decode(in_dec_, in.data(), in.size(), v, &used, &p);
    FUZZ_CHECK(rc == MQTTCONN_OK || rc == MQTTCONN_ERR_NEED_MORE || documented_violation(rc),
               "mqttconn_decode() returned %d", rc);
    if (rc == MQTTCONN_OK) {
      FUZZ_CHECK(used <= in.size(), "mqttconn_decode() took %zu of %zu bytes", used, in.size());
      text = digest(p.type == MQTTCONN_PACKET_CONNECT ? p.protocol_version : v, true).of(p);
      shadow_type_ = p.type;
      const mqttconn_properties& pr = *p.props;
      const auto has = [&](int id) { return (pr.present & MQTTCONN_PROP_BIT(id)) != 0; };
      shadow_max_packet_ = has(MQTTCONN_PROP_MAXIMUM_PACKET_SIZE) ? pr.maximum_packet_size : protocol_max_packet;
      shadow_alias_max_ = has(MQTTCONN_PROP_TOPIC_ALIAS_MAXIMUM) ? pr.topic_alias_maximum : 0;
    }
    return rc;
  }

  int receive(const std::uint8_t* in, std::size_t len, std::size_t& taken) {
    taken = 0;
    const int st = state();
    if (dead_) return st;
    const int v = version();
    mqttconn_error failure;
    std::memset(&failure, 0, sizeof failure);
    failure.struct_size = sizeof failure;
    const bool had_failure = mqttconn_conn_error(conn_, &failure) == MQTTCONN_OK;
    const std::size_t out_before = output_size();
    std::size_t used = 0;
    const int rc = call([&] { return mqttconn_conn_receive(conn_, in, len, &used); });
    if (dead_) return rc;
    const bool was_closed = st == MQTTCONN_STATE_CLOSED;
    if (rc == MQTTCONN_OK) {
      FUZZ_CHECK(!was_closed, "receive() took %zu bytes on a closed connection", used);
      FUZZ_CHECK(!pending_, "receive() took %zu bytes while an event was pending", used);
      FUZZ_CHECK(used <= len, "receive() says it took %zu of %zu bytes", used, len);
      FUZZ_CHECK(output_size() == out_before, "a receive() that succeeded queued output");
      partial_.insert(partial_.end(), in, in + used);
      std::size_t dused = 0;
      std::string text;
      const int after = version();
      const int drc = shadow_decode(partial_, v, dused, text);
      if (drc == MQTTCONN_OK) {
        FUZZ_CHECK(dused == partial_.size(), "receive() took %zu bytes past the end of its packet",
                   partial_.size() - dused);
        // The event is read at the level the packet set (a server's CONNECT).
        expected_event_ = text;
        expected_version_ = after;
        // The peer's CONNECT (to a server) or CONNACK (to a client) limits what this side may
        // send from here on: Maximum Packet Size, Topic Alias Maximum (0 when absent).
        if (shadow_type_ == (server_ ? MQTTCONN_PACKET_CONNECT : MQTTCONN_PACKET_CONNACK) &&
            st == (server_ ? MQTTCONN_STATE_IDLE : MQTTCONN_STATE_CONNECTING)) {
          limits_from_ = expected_.size();
          peer_max_packet_ = shadow_max_packet_;
          peer_alias_max_ = shadow_alias_max_;
        }
        pending_ = true;
        partial_.clear();
      } else {
        FUZZ_CHECK(drc == MQTTCONN_ERR_NEED_MORE, "receive() took bytes its decoder rejects with %d", drc);
        FUZZ_CHECK(used == len, "receive() took %zu of %zu bytes of an incomplete packet", used, len);
      }
      taken = used;
      return rc;
    }
    FUZZ_CHECK(used == 0, "a failed receive() says it took %zu bytes", used);
    FUZZ_CHECK(rc == MQTTCONN_ERR_EVENT_PENDING || rc == MQTTCONN_ERR_CLOSED || peer_band(rc),
               "receive() returned %d", rc);
    if (violation_ != 0) {
      FUZZ_CHECK(rc == violation_, "after the violation %d, receive() returned %d", violation_, rc);
    } else if (was_closed) {
      FUZZ_CHECK(had_failure ? rc == failure.code : rc == MQTTCONN_ERR_CLOSED,
                 "receive() on a closed connection returned %d", rc);
    } else if (pending_) {
      FUZZ_CHECK(rc == MQTTCONN_ERR_EVENT_PENDING, "receive() with an event pending returned %d", rc);
    } else {
      FUZZ_CHECK(documented_violation(rc), "receive() failed with %d", rc);
      std::vector<std::uint8_t> all = partial_;
      all.insert(all.end(), in, in + len);
      std::size_t dused = 0;
      std::string text;
      const int drc = shadow_decode(all, v, dused, text);
      if (drc == MQTTCONN_OK) {
        FUZZ_CHECK(rc == MQTTCONN_ERR_PROTOCOL || rc == MQTTCONN_ERR_TOPIC_ALIAS,
                   "a packet that decodes was refused with %d", rc);
      } else {
        FUZZ_CHECK(drc == rc, "receive() returned %d where its decoder says %d", rc, drc);
      }
      partial_.clear();
      FUZZ_CHECK(state() == MQTTCONN_STATE_CLOSED, "a peer violation left the connection open");
      mqttconn_error e;
      std::memset(&e, 0, sizeof e);
      e.struct_size = sizeof e;
      FUZZ_CHECK(mqttconn_conn_error(conn_, &e) == MQTTCONN_OK && e.code == rc,
                 "error() is not the violation receive() returned");
      FUZZ_CHECK(reason_matches(rc, e.reason_code), "violation %d with reason code 0x%02x", rc, e.reason_code);
      FUZZ_CHECK(mqttconn_conn_reason_code(conn_) == e.reason_code, "reason_code() is not the error's");
      FUZZ_CHECK(e.field != nullptr && e.what != nullptr && e.packet_type <= 15, "an error without its strings");
      // What the connection queued to tell the peer is output like any other.
      if (output_size() > out_before) absorb_generated(out_before);
    }
    if (peer_band(rc)) violation_ = rc;
    FUZZ_CHECK(output_size() == out_before || peer_band(rc), "a refused receive() queued output");
    return rc;
  }

  void take(std::uint8_t f) {
    mqttconn_packet ev;
    std::memset(&ev, 0xA5, sizeof ev);
    ev.struct_size = sizeof ev;
    if (f % 8 == 1 || f % 8 == 2) {
      if (f % 8 == 2) ev.struct_size = sizeof ev - 1;
      const int rc = call([&] { return mqttconn_conn_next_event(conn_, f % 8 == 1 ? nullptr : &ev); });
      FUZZ_CHECK(dead_ || rc == (f % 8 == 1 ? MQTTCONN_ERR_ARGUMENT : MQTTCONN_ERR_STRUCT_SIZE),
                 "next_event() with a bad event returned %d", rc);
      return;
    }
    const int rc = call([&] { return mqttconn_conn_next_event(conn_, &ev); });
    if (dead_) return;
    FUZZ_CHECK(rc == MQTTCONN_OK || rc == MQTTCONN_DONE, "next_event() returned %d", rc);
    if (rc == MQTTCONN_DONE) {
      FUZZ_CHECK(!pending_, "next_event() has none; the decoder completed a packet");
      return;
    }
    FUZZ_CHECK(pending_, "an event, but no packet was completed (after close?)");
    const std::string got = digest(expected_version_, true).of(ev);
    FUZZ_CHECK(got == expected_event_, "the event is\n     %s\n     its bytes decode to\n     %s", got.c_str(),
               expected_event_.c_str());
    pending_ = false;
    remember(ev);
  }

  void loop(std::uint8_t f) {
    while (!dead_ && conn_ != nullptr) {
      std::size_t taken = 0;
      const std::size_t left = stream_len_ - cursor_;
      const int rc = receive(stream_ + cursor_, chunk_ == 0 ? left : std::min(chunk_, left), taken);
      cursor_ += taken;
      if (rc != MQTTCONN_OK || dead_) break;
      const bool had_event = pending_;
      while (pending_ && !dead_) {
        take(0);
        if (f & 1 && !dead_) reply(static_cast<std::uint8_t>(f >> 2));
      }
      if (f & 2 && !dead_) drain(0);
      if (cursor_ == stream_len_ || (taken == 0 && !had_event)) break;
    }
  }

  // --- Sending ------------------------------------------------------------------------------

  // SEND: a packet built from script bytes; t bit 4 through mqttconn_conn_send(), t bit 5 a
  // DISCONNECT with a NULL packet.
  void send(std::uint8_t t) {
    const int type = (t & 15) % 15 + 1;
    const int st = state();
    if (dead_) return;
    const int v = st == MQTTCONN_STATE_IDLE && client() ? level_ : version();
    const mqttconn_packet p = builder_.make(type, v, script_);
    send_packet(p, type == MQTTCONN_PACKET_DISCONNECT && (t & 0x20) ? 2 : (t >> 4) & 1);
  }

  // how: 0 the per-kind function, 1 mqttconn_conn_send(), 2 mqttconn_conn_disconnect(NULL).
  int send_packet(const mqttconn_packet& p, int how) {
    const int st_before = state();
    const std::size_t out_before = output_size();
    const int rc = call([&] {
      switch (how) {
        case 1: return mqttconn_conn_send(conn_, &p);
        case 2: return mqttconn_conn_disconnect(conn_, nullptr);
        default: return send_function(p.type)(conn_, &p);
      }
    });
    if (dead_) return rc;
    FUZZ_CHECK(rc == MQTTCONN_OK || rc == MQTTCONN_ERR_ARGUMENT || rc == MQTTCONN_ERR_STRUCT_SIZE ||
                   rc == MQTTCONN_ERR_WRONG_STATE || rc == MQTTCONN_ERR_INVALID_PACKET ||
                   rc == MQTTCONN_ERR_OUTPUT_FULL || rc == MQTTCONN_ERR_CLOSED,
               "sending a packet of type %d returned %d", p.type, rc);
    const mqttconn_packet plain = zeroed(MQTTCONN_PACKET_DISCONNECT);
    const mqttconn_packet& sent = how == 2 ? plain : p;
    if (rc == MQTTCONN_OK) {
      const int v = p.type == MQTTCONN_PACKET_CONNECT ? p.protocol_version : version();
      const std::vector<std::uint8_t> bytes = encode_or_die(sent, v);
      FUZZ_CHECK(output_size() == out_before + bytes.size(), "a %zu-byte packet of type %d queued %zu bytes",
                 bytes.size(), p.type, output_size() - out_before);
      expected_.insert(expected_.end(), bytes.begin(), bytes.end());
      return rc;
    }
    FUZZ_CHECK(output_size() == out_before, "a send refused with %d queued output", rc);
    FUZZ_CHECK(state() == st_before, "a send refused with %d changed the state", rc);
    if (rc == MQTTCONN_ERR_OUTPUT_FULL) {
      std::size_t need = 0;
      const int v = p.type == MQTTCONN_PACKET_CONNECT ? p.protocol_version : version();
      if (mqttconn_encode(&sent, v, nullptr, 0, &need) == MQTTCONN_ERR_BUFFER_TOO_SMALL) {
        FUZZ_CHECK(out_before + need > max_output_, "OUTPUT_FULL for %zu bytes on %zu queued, limit %zu", need,
                   out_before, max_output_);
      }
    }
    return rc;
  }

  std::vector<std::uint8_t> encode_or_die(const mqttconn_packet& p, int v) {
    std::size_t need = 0;
    int rc = mqttconn_encode(&p, v, nullptr, 0, &need);
    FUZZ_CHECK(rc == MQTTCONN_ERR_BUFFER_TOO_SMALL && need >= 2,
               "a packet of type %d was sent, but mqttconn_encode() returns %d (%zu bytes)", p.type, rc, need);
    std::vector<std::uint8_t> out(need);
    std::size_t written = 0;
    rc = mqttconn_encode(&p, v, out.data(), out.size(), &written);
    FUZZ_CHECK(rc == MQTTCONN_OK && written == need, "mqttconn_encode() into the %zu bytes it asked for: %d, %zu",
               need, rc, written);
    return out;
  }

  // REPLY: what a program would send next, from the facts of the last event.
  void reply(std::uint8_t r) {
    const int st = state();
    if (dead_) return;
    const int v = st == MQTTCONN_STATE_IDLE && client() ? level_ : version();
    mqttconn_properties& pr = reply_props_;
    std::memset(&pr, 0, sizeof pr);
    pr.struct_size = sizeof pr;
    mqttconn_packet p = zeroed(0);
    if (v == MQTTCONN_V5) p.props = &pr;
    const auto ack = [&](int type) {
      p.type = type;
      p.packet_id = last_.id;
      return send_packet(p, r >> 7);
    };
    const auto with_method = [&] {
      pr.present |= MQTTCONN_PROP_BIT(MQTTCONN_PROP_AUTHENTICATION_METHOD);
      pr.authentication_method = {reinterpret_cast<const std::uint8_t*>(last_.method.data()), last_.method.size()};
    };
    if (client()) {
      if (st == MQTTCONN_STATE_IDLE) {
        p.type = MQTTCONN_PACKET_CONNECT;
        p.protocol_version = static_cast<std::uint8_t>(level_);
        p.client_id = (r & 2) && level_ != MQTTCONN_V31 ? text("") : text("fuzz");
        p.clean_start = !(r & 8) || p.client_id.len == 0;
        p.keep_alive = 60;
        const auto set = [&](int id) { pr.present |= MQTTCONN_PROP_BIT(id); };
        if (r & 1) set(MQTTCONN_PROP_AUTHENTICATION_METHOD), pr.authentication_method = text("SCRAM-SHA-1");
        if (r & 4) set(MQTTCONN_PROP_REQUEST_PROBLEM_INFORMATION), pr.request_problem_information = 0;
        if (r & 16) set(MQTTCONN_PROP_REQUEST_RESPONSE_INFORMATION), pr.request_response_information = 1;
        if (r & 32) set(MQTTCONN_PROP_TOPIC_ALIAS_MAXIMUM), pr.topic_alias_maximum = 10;
        if (r & 64) set(MQTTCONN_PROP_MAXIMUM_PACKET_SIZE), pr.maximum_packet_size = 128;
        send_packet(p, 0);
        return;
      }
      switch (last_.type) {
        case MQTTCONN_PACKET_PUBLISH:
          if (last_.qos == 1) ack(MQTTCONN_PACKET_PUBACK);
          if (last_.qos == 2) ack(MQTTCONN_PACKET_PUBREC);
          if (last_.qos != 0) return;
          break;
        case MQTTCONN_PACKET_PUBREC: ack(MQTTCONN_PACKET_PUBREL); return;
        case MQTTCONN_PACKET_PUBREL: ack(MQTTCONN_PACKET_PUBCOMP); return;
        case MQTTCONN_PACKET_AUTH:
          p.type = MQTTCONN_PACKET_AUTH;
          p.reason_code = 0x18;
          with_method();
          send_packet(p, 0);
          return;
        default: break;
      }
      p.type = MQTTCONN_PACKET_PINGREQ;
      send_packet(p, r & 1);
      return;
    }
    switch (last_.type) {
      case MQTTCONN_PACKET_CONNECT:
      case MQTTCONN_PACKET_AUTH:
        if (last_.has_method && (r & 1) && st == MQTTCONN_STATE_CONNECTING) {
          p.type = MQTTCONN_PACKET_AUTH;
          p.reason_code = 0x18;
          with_method();
        } else if (st == MQTTCONN_STATE_CONNECTED) {
          p.type = MQTTCONN_PACKET_AUTH;
          with_method();
        } else {
          p.type = MQTTCONN_PACKET_CONNACK;
          p.reason_code = r & 4 ? (v == MQTTCONN_V5 ? 0x87 : 5) : 0;
          const auto set = [&](int id) { pr.present |= MQTTCONN_PROP_BIT(id); };
          if (last_.empty_client_id) {
            set(MQTTCONN_PROP_ASSIGNED_CLIENT_IDENTIFIER);
            pr.assigned_client_identifier = text("assigned-1");
          }
          if (last_.has_method) with_method();
          if (r & 8) set(MQTTCONN_PROP_MAXIMUM_QOS), pr.maximum_qos = r & 16 ? 1 : 0;
          if (r & 32) set(MQTTCONN_PROP_RETAIN_AVAILABLE), pr.retain_available = 0;
          if (r & 64) set(MQTTCONN_PROP_TOPIC_ALIAS_MAXIMUM), pr.topic_alias_maximum = 3;
        }
        send_packet(p, 0);
        return;
      case MQTTCONN_PACKET_PUBLISH:
        if (last_.qos == 1) ack(MQTTCONN_PACKET_PUBACK);
        if (last_.qos == 2) ack(MQTTCONN_PACKET_PUBREC);
        if (last_.qos != 0) return;
        break;
      case MQTTCONN_PACKET_PUBREC: ack(MQTTCONN_PACKET_PUBREL); return;
      case MQTTCONN_PACKET_PUBREL: ack(MQTTCONN_PACKET_PUBCOMP); return;
      case MQTTCONN_PACKET_SUBSCRIBE:
      case MQTTCONN_PACKET_UNSUBSCRIBE: {
        reply_codes_.assign(last_.count, static_cast<std::uint8_t>(last_.type == MQTTCONN_PACKET_SUBSCRIBE ? r & 1 : 0));
        p.reason_codes = {reply_codes_.data(), reply_codes_.size()};
        ack(last_.type + 1);
        return;
      }
      case MQTTCONN_PACKET_PINGREQ:
        p.type = MQTTCONN_PACKET_PINGRESP;
        send_packet(p, r & 1);
        return;
      default: break;
    }
    if (r & 0x40) {
      p.type = MQTTCONN_PACKET_DISCONNECT;
      send_packet(p, r & 0x80 ? 2 : 0);
    }
  }

  // The facts of the last event that a reply needs (its views die with the next call).
  void remember(const mqttconn_packet& ev) {
    last_ = {};
    last_.type = ev.type;
    if (ev.type >= MQTTCONN_PACKET_PUBLISH && ev.type <= MQTTCONN_PACKET_UNSUBACK) last_.id = ev.packet_id;
    if (ev.type == MQTTCONN_PACKET_PUBLISH) last_.qos = ev.qos;
    if (ev.type == MQTTCONN_PACKET_SUBSCRIBE) last_.count = ev.subscription_count;
    if (ev.type == MQTTCONN_PACKET_UNSUBSCRIBE) last_.count = ev.topic_filter_count;
    if (ev.type == MQTTCONN_PACKET_CONNECT) last_.empty_client_id = ev.client_id.len == 0;
    if (ev.type == MQTTCONN_PACKET_CONNECT || ev.type == MQTTCONN_PACKET_AUTH) {
      const mqttconn_properties& pr = *ev.props;
      if (pr.present & MQTTCONN_PROP_BIT(MQTTCONN_PROP_AUTHENTICATION_METHOD)) {
        last_.has_method = true;
        last_.method.assign(reinterpret_cast<const char*>(pr.authentication_method.ptr), pr.authentication_method.len);
      }
    }
  }

  // PEER: a packet built from script bytes, encoded at the connection's level and received
  // whole (structure-aware receiving). A packet the encoder refuses is not sent; bytes
  // receive() does not take are dropped.
  void peer(std::uint8_t t) {
    const int type = t % 15 + 1;
    const int st = state();
    if (dead_) return;
    const int cv = version();
    const int v = st == MQTTCONN_STATE_IDLE && server_ ? level_ : cv;
    const mqttconn_packet p = builder_.make(type, v, script_);
    const int ev = type == MQTTCONN_PACKET_CONNECT ? p.protocol_version : cv;
    std::size_t need = 0;
    if (mqttconn_encode(&p, ev, nullptr, 0, &need) != MQTTCONN_ERR_BUFFER_TOO_SMALL) return;
    std::vector<std::uint8_t>& buf = peer_bytes_.emplace_back(need);
    FUZZ_CHECK(mqttconn_encode(&p, ev, buf.data(), buf.size(), &need) == MQTTCONN_OK, "encode");
    std::size_t taken = 0;
    receive(buf.data(), buf.size(), taken);
  }

  // CODEC: mqttconn_encode() and mqttconn_decode() without a connection.
  void codec(std::uint8_t t) {
    const int v = (t >> 4 & 7) % 3 + 3;
    mqttconn_packet out;
    std::memset(&out, 0xA5, sizeof out);
    out.struct_size = sizeof out;
    std::size_t used = 0;
    if (t & 0x80) {  // raw bytes
      const mqttconn::bytes in = script_.take(script_.u8());
      const int rc = mqttconn_decode(codec_dec_, in.data(), in.size(), v, &used, &out);
      FUZZ_CHECK(rc == MQTTCONN_OK || rc == MQTTCONN_ERR_NEED_MORE || documented_violation(rc),
                 "mqttconn_decode() returned %d", rc);
      if (rc == MQTTCONN_OK) {
        FUZZ_CHECK(used >= 2 && used <= in.size(), "mqttconn_decode() took %zu of %zu bytes", used, in.size());
        (void)digest(out.type == MQTTCONN_PACKET_CONNECT ? out.protocol_version : v, true).of(out);
      } else {
        FUZZ_CHECK(used == 0, "a failed mqttconn_decode() says it took %zu bytes", used);
        mqttconn_error e;
        std::memset(&e, 0, sizeof e);
        e.struct_size = sizeof e;
        FUZZ_CHECK(mqttconn_decoder_error(codec_dec_, &e) == MQTTCONN_OK && e.code == rc,
                   "decoder_error() is not the code decode() returned");
        if (rc != MQTTCONN_ERR_NEED_MORE) {
          FUZZ_CHECK(reason_matches(rc, e.reason_code), "decode: %d with reason 0x%02x", rc, e.reason_code);
        }
      }
      return;
    }
    const int type = (t & 15) % 15 + 1;
    const mqttconn_packet p = builder_.make(type, v, script_);
    const int pv = type == MQTTCONN_PACKET_CONNECT ? p.protocol_version : v;
    std::uint8_t small[8];
    const std::size_t cap = script_.u8() % 9;
    std::size_t written = 0;
    int rc = mqttconn_encode(&p, pv, cap ? small : nullptr, cap, &written);
    FUZZ_CHECK(rc == MQTTCONN_OK || rc == MQTTCONN_ERR_BUFFER_TOO_SMALL || rc == MQTTCONN_ERR_INVALID_PACKET ||
                   rc == MQTTCONN_ERR_ARGUMENT || rc == MQTTCONN_ERR_STRUCT_SIZE,
               "mqttconn_encode() returned %d", rc);
    std::vector<std::uint8_t> buf(small, small + (rc == MQTTCONN_OK ? written : 0));
    if (rc == MQTTCONN_ERR_BUFFER_TOO_SMALL) {
      FUZZ_CHECK(written > cap, "BUFFER_TOO_SMALL for %zu bytes with room for %zu", written, cap);
      buf.resize(written);
      rc = mqttconn_encode(&p, pv, buf.data(), buf.size(), &written);
      FUZZ_CHECK(rc == MQTTCONN_OK && written == buf.size(), "encoding into the size it asked for: %d", rc);
    } else if (rc != MQTTCONN_OK) {
      return;
    }
    rc = mqttconn_decode(codec_dec_, buf.data(), buf.size(), v, &used, &out);
    FUZZ_CHECK(rc == MQTTCONN_OK && used == buf.size(), "an encoded %s does not decode: %d (%zu of %zu bytes)",
               digest(pv, false).of(p).c_str(), rc, used, buf.size());
    const std::string want = digest(pv, false).of(p);
    const std::string got = digest(pv, true).of(out);
    FUZZ_CHECK(got == want, "encoded and decoded at level %d,\n     %s\n     came back as\n     %s", pv, want.c_str(),
               got.c_str());
  }

  // --- Caller mistakes and queries ----------------------------------------------------------

  void misuse(std::uint8_t k) {
    const int st = state();
    if (dead_) return;
    const std::size_t out_before = output_size();
    std::size_t n = 7;
    const std::uint8_t byte = 0;
    mqttconn_bytes segs[2];
    mqttconn_packet p = zeroed(MQTTCONN_PACKET_PUBLISH);
    p.topic = text("a");
    mqttconn_error e;
    std::memset(&e, 0, sizeof e);
    int want = MQTTCONN_ERR_ARGUMENT, rc = 0;
    switch (k % 10) {
      case 0: rc = call([&] { return mqttconn_conn_receive(conn_, nullptr, 5, &n); }); break;
      case 1: rc = call([&] { return mqttconn_conn_receive(conn_, &byte, 1, nullptr); }); break;
      case 2: {
        // Every kind that takes a packet (DISCONNECT allows NULL; PINGREQ, PINGRESP take none).
        int type = k % 15 + 1;
        if (type == MQTTCONN_PACKET_DISCONNECT || type == MQTTCONN_PACKET_PINGREQ || type == MQTTCONN_PACKET_PINGRESP) {
          type = MQTTCONN_PACKET_PUBLISH;
        }
        rc = call([&] { return send_function(type)(conn_, nullptr); });
        break;
      }
      case 3:
        p.struct_size = sizeof p - 1 - (k >> 4);
        want = MQTTCONN_ERR_STRUCT_SIZE;
        rc = call([&] { return k & 0x10 ? mqttconn_conn_send(conn_, &p) : mqttconn_conn_publish(conn_, &p); });
        break;
      case 4:
        p.type = k & 0x10 ? 0 : k & 0x20 ? 16 : -1;
        rc = call([&] { return mqttconn_conn_send(conn_, &p); });
        break;
      case 5: rc = call([&] { return mqttconn_conn_output(conn_, nullptr); }); break;
      case 6:
        rc = call([&] { return k & 0x10 ? mqttconn_conn_output_iov(conn_, nullptr, 2, &n)
                                         : mqttconn_conn_output_iov(conn_, segs, 2, nullptr); });
        break;
      case 7:
        want = k & 0x10 ? MQTTCONN_ERR_ARGUMENT : MQTTCONN_ERR_STRUCT_SIZE;
        rc = call([&] { return k & 0x20 ? mqttconn_conn_last_error(conn_, k & 0x10 ? nullptr : &e)
                                         : mqttconn_conn_error(conn_, k & 0x10 ? nullptr : &e); });
        break;
      case 8:
        // No handle: every call is ARGUMENT, and nothing crashes.
        FUZZ_CHECK(mqttconn_conn_receive(nullptr, &byte, 1, &n) == want, "receive(NULL)");
        FUZZ_CHECK(mqttconn_conn_next_event(nullptr, &p) == want, "next_event(NULL)");
        FUZZ_CHECK(send_function(k % 15 + 1)(nullptr, &p) == want, "send(NULL)");
        FUZZ_CHECK(mqttconn_conn_send(nullptr, &p) == want, "mqttconn_conn_send(NULL)");
        FUZZ_CHECK(mqttconn_conn_output(nullptr, segs) == want, "output(NULL)");
        FUZZ_CHECK(mqttconn_conn_output_iov(nullptr, segs, 2, &n) == want, "output_iov(NULL)");
        FUZZ_CHECK(mqttconn_conn_output_consume(nullptr, 1) == want, "output_consume(NULL)");
        FUZZ_CHECK(mqttconn_conn_output_size(nullptr) == 0, "output_size(NULL)");
        FUZZ_CHECK(mqttconn_conn_state(nullptr) == want && mqttconn_conn_version(nullptr) == want &&
                       mqttconn_conn_reason_code(nullptr) == want,
                   "queries on NULL");
        FUZZ_CHECK(mqttconn_conn_error(nullptr, &e) == want && mqttconn_conn_last_error(nullptr, &e) == want,
                   "errors of NULL");
        FUZZ_CHECK(mqttconn_decode(nullptr, &byte, 1, 5, &n, &p) == want, "decode(NULL)");
        mqttconn_conn_free(nullptr);
        mqttconn_decoder_free(nullptr);
        mqttconn_config_free(nullptr);
        return;
      default:
        FUZZ_CHECK(mqttconn_decode(codec_dec_, &byte, 1, k >> 4, &n, &p) == want || (k >> 4 >= 3 && k >> 4 <= 5),
                   "decode at level %d", k >> 4);
        FUZZ_CHECK(mqttconn_encode(&p, 5, nullptr, 4, &n) == want, "encode into NULL");
        FUZZ_CHECK(mqttconn_encode(&p, 5, nullptr, 0, nullptr) == want, "encode without written");
        FUZZ_CHECK(mqttconn_encode(&p, 6, nullptr, 0, &n) == want, "encode at level 6");
        FUZZ_CHECK(mqttconn_encode(nullptr, 5, nullptr, 0, &n) == want, "encode(NULL)");
        return;
    }
    if (dead_) return;
    FUZZ_CHECK(rc == want, "misuse %d returned %d, not %d", k % 10, rc, want);
    FUZZ_CHECK(output_size() == out_before && state() == st, "a refused call changed the connection");
    if (k % 10 <= 4) {
      mqttconn_error last;
      std::memset(&last, 0, sizeof last);
      last.struct_size = sizeof last;
      FUZZ_CHECK(mqttconn_conn_last_error(conn_, &last) == MQTTCONN_OK && last.code == want,
                 "last_error() does not tell the refused call's %d", want);
    }
  }

  void query() {
    const int st = state();
    if (dead_) return;
    FUZZ_CHECK(st >= MQTTCONN_STATE_IDLE && st <= MQTTCONN_STATE_CLOSED, "state() is %d", st);
    const int v = version();
    FUZZ_CHECK(v >= 3 && v <= 5, "version() is %d", v);
    mqttconn_error e;
    std::memset(&e, 0, sizeof e);
    e.struct_size = sizeof e;
    const int rc = mqttconn_conn_error(conn_, &e);
    const int reason = mqttconn_conn_reason_code(conn_);
    if (rc == MQTTCONN_OK) {
      FUZZ_CHECK(st == MQTTCONN_STATE_CLOSED, "an error() on an open connection");
      FUZZ_CHECK(documented_violation(e.code) && reason_matches(e.code, e.reason_code) && reason == e.reason_code,
                 "error() is code %d, reason 0x%02x; reason_code() is 0x%02x", e.code, e.reason_code, reason);
      FUZZ_CHECK(violation_ == 0 || violation_ == e.code, "error() is %d, receive() said %d", e.code, violation_);
    } else {
      FUZZ_CHECK(rc == MQTTCONN_DONE && violation_ == 0 && reason == 0, "error() returned %d", rc);
    }
    std::memset(&e, 0, sizeof e);
    e.struct_size = sizeof e;
    const int lrc = mqttconn_conn_last_error(conn_, &e);
    FUZZ_CHECK(lrc == MQTTCONN_DONE || (lrc == MQTTCONN_OK && e.code < 0 && e.field && e.what),
               "last_error() returned %d with code %d", lrc, e.code);
  }

  // --- Output -------------------------------------------------------------------------------

  // Bytes the connection queued on its own (a CONNACK or DISCONNECT after a violation): the
  // tail of the queue past `from` bytes.
  void absorb_generated(std::size_t from) {
    std::vector<mqttconn_bytes> segs(output_size() + 1);
    std::size_t n = 0;
    const int rc = call([&] { return mqttconn_conn_output_iov(conn_, segs.data(), segs.size(), &n); });
    FUZZ_CHECK(rc == MQTTCONN_OK && n < segs.size(), "output_iov() returned %d with %zu runs", rc, n);
    std::vector<std::uint8_t> all;
    for (std::size_t i = 0; i < n; ++i) all.insert(all.end(), segs[i].ptr, segs[i].ptr + segs[i].len);
    FUZZ_CHECK(all.size() == output_size(), "the runs hold %zu bytes, output_size() is %zu", all.size(), output_size());
    expected_.insert(expected_.end(), all.begin() + static_cast<std::ptrdiff_t>(from), all.end());
  }

  void check_queue() {
    const std::size_t size = output_size();
    FUZZ_CHECK(size <= max_output_, "%zu bytes queued, max_output is %zu", size, max_output_);
    FUZZ_CHECK(drained_ + size == expected_.size(), "%zu bytes queued in all; the sends and violations account for %zu",
               drained_ + size, expected_.size());
    mqttconn_bytes first{};
    const int rc = call([&] { return mqttconn_conn_output(conn_, &first); });
    if (dead_) return;
    FUZZ_CHECK(rc == (size ? MQTTCONN_OK : MQTTCONN_DONE) && (first.len != 0) == (size != 0),
               "output() returned %d (%zu bytes) with %zu queued", rc, first.len, size);
    mqttconn_bytes segs[8];
    std::size_t n = 0;
    const int irc = call([&] { return mqttconn_conn_output_iov(conn_, segs, 8, &n); });
    FUZZ_CHECK(irc == (size ? MQTTCONN_OK : MQTTCONN_DONE) && n <= 8, "output_iov() returned %d, %zu runs", irc, n);
    std::size_t sum = 0;
    for (std::size_t i = 0; i < n; ++i) {
      FUZZ_CHECK(segs[i].len != 0 && segs[i].ptr != nullptr, "output run %zu is empty", i);
      sum += segs[i].len;
    }
    FUZZ_CHECK(n == 8 || sum == size, "the runs hold %zu bytes, output_size() is %zu", sum, size);
    FUZZ_CHECK(n == 0 || (segs[0].ptr == first.ptr && segs[0].len == first.len), "output() is not the first run");
    const int st = state();
    FUZZ_CHECK(st >= state_seen_, "the state went back from %d to %d", state_seen_, st);
    state_seen_ = st;
    if (violation_ != 0) FUZZ_CHECK(st == MQTTCONN_STATE_CLOSED, "open after a violation");
  }

  // The transport took `m` bytes at `ptr`: they are what was queued, and they decode.
  void written(const std::uint8_t* ptr, std::size_t m) {
    FUZZ_CHECK(drained_ + m <= expected_.size() && std::memcmp(ptr, expected_.data() + drained_, m) == 0,
               "output bytes %zu..%zu are not what was queued: %s", drained_, drained_ + m,
               mqttconn::fuzz::hex(mqttconn::bytes(ptr, m), 64).c_str());
    drained_ += m;
    out_buf_.insert(out_buf_.end(), ptr, ptr + m);
  }

  void consume(std::size_t m) {
    const std::size_t before = output_size();
    const int rc = call([&] { return mqttconn_conn_output_consume(conn_, m); });
    if (dead_) return;
    FUZZ_CHECK(rc == MQTTCONN_OK, "output_consume() returned %d", rc);
    FUZZ_CHECK(output_size() == before - std::min(m, before), "output_consume(%zu) left %zu of %zu bytes", m,
               output_size(), before);
    check_output();
  }

  static std::size_t wanted(std::uint8_t n, std::size_t size) {
    return n == 0 ? size : n < 0x80 ? std::min<std::size_t>(n, size) : size - std::min<std::size_t>(n & 0x7F, size);
  }

  // DRAIN, the flat form: output() and output_consume() until n bytes are written.
  void drain(std::uint8_t n) {
    std::size_t want = wanted(n, output_size());
    while (want > 0 && !dead_) {
      mqttconn_bytes o{};
      const int rc = call([&] { return mqttconn_conn_output(conn_, &o); });
      if (dead_) return;
      FUZZ_CHECK(rc == MQTTCONN_OK && o.len > 0, "output() returned %d with %zu bytes queued", rc, output_size());
      const std::size_t m = std::min(want, o.len);
      written(o.ptr, m);
      consume(m);
      want -= m;
    }
  }

  // GATHER, the writev() form: output_iov() with `slots` runs, n bytes written from them.
  void gather(std::uint8_t slots, std::uint8_t n) {
    mqttconn_bytes segs[4];
    const std::size_t max = slots % 5;
    std::size_t count = 99;
    const std::size_t size = output_size();
    const int rc = call([&] { return mqttconn_conn_output_iov(conn_, max ? segs : nullptr, max, &count); });
    if (dead_) return;
    FUZZ_CHECK(count <= max && (rc == MQTTCONN_OK) == (count > 0) && (rc == MQTTCONN_OK || rc == MQTTCONN_DONE),
               "output_iov(%zu) returned %d with %zu runs", max, rc, count);
    FUZZ_CHECK((count > 0) == (size > 0 && max > 0), "output_iov(%zu): %zu runs for %zu bytes", max, count, size);
    std::size_t want = wanted(n, size), total = 0;
    for (std::size_t i = 0; i < count && want > 0; ++i) {
      const std::size_t m = std::min(want, segs[i].len);
      written(segs[i].ptr, m);
      total += m;
      want -= m;
    }
    // Sometimes more than queued: output_consume() clamps.
    if (total > 0 || (n & 0x40)) consume(n & 0x40 && total == size ? size + 1000 : total);
  }

  // The bytes written so far decode into whole packets this role may send at this level.
  void check_output() {
    std::size_t pos = 0;
    const int v = version();
    if (dead_) return;
    while (pos < out_buf_.size()) {
      mqttconn_packet p;
      std::memset(&p, 0xA5, sizeof p);
      p.struct_size = sizeof p;
      std::size_t used = 0;
      const int rc = mqttconn_decode(out_dec_, out_buf_.data() + pos, out_buf_.size() - pos, v, &used, &p);
      if (rc == MQTTCONN_ERR_NEED_MORE) break;
      FUZZ_CHECK(rc == MQTTCONN_OK, "the %s's output does not decode: %d at %s", client() ? "client" : "server", rc,
                 mqttconn::fuzz::hex(mqttconn::bytes(out_buf_.data() + pos, out_buf_.size() - pos), 64).c_str());
      (void)digest(p.type == MQTTCONN_PACKET_CONNECT ? p.protocol_version : v, true).of(p);
      check_sent(p, v, drained_ - out_buf_.size() + pos, used);
      pos += used;
    }
    out_buf_.erase(out_buf_.begin(), out_buf_.begin() + static_cast<std::ptrdiff_t>(pos));
  }

  // Table 2-1 directions, and the order of a session.
  void check_sent(const mqttconn_packet& p, int v, std::size_t start, std::size_t size) {
    const int t = p.type;
    const char* who = client() ? "client" : "server";
    FUZZ_CHECK(!ended_, "the %s sent a packet of type %d after its DISCONNECT or refusing CONNACK", who, t);
    const bool allowed = client() ? t != MQTTCONN_PACKET_CONNACK && t != MQTTCONN_PACKET_SUBACK &&
                                        t != MQTTCONN_PACKET_UNSUBACK && t != MQTTCONN_PACKET_PINGRESP
                                  : t != MQTTCONN_PACKET_CONNECT && t != MQTTCONN_PACKET_SUBSCRIBE &&
                                        t != MQTTCONN_PACKET_UNSUBSCRIBE && t != MQTTCONN_PACKET_PINGREQ &&
                                        (t != MQTTCONN_PACKET_DISCONNECT || v == MQTTCONN_V5);
    FUZZ_CHECK(allowed, "the %s sent a packet of type %d at level %d (Table 2-1)", who, t, v);
    FUZZ_CHECK(t != MQTTCONN_PACKET_AUTH || v == MQTTCONN_V5, "AUTH at level %d", v);
    if (client()) {
      FUZZ_CHECK((sent_ == 0) == (t == MQTTCONN_PACKET_CONNECT), "the client sent type %d as packet %zu", t, sent_);
    } else {
      FUZZ_CHECK(t == MQTTCONN_PACKET_AUTH || (t == MQTTCONN_PACKET_CONNACK ? !connack_sent_ : connack_ok_),
                 "the server sent type %d %s", t, connack_sent_ ? "after a refusing or second CONNACK" : "before its CONNACK");
      if (t == MQTTCONN_PACKET_CONNACK) {
        connack_sent_ = true;
        connack_ok_ = p.reason_code == 0;
        ended_ = !connack_ok_;
      }
    }
    if (t == MQTTCONN_PACKET_DISCONNECT) ended_ = true;
    ++sent_;
    const bool limited = start >= limits_from_;
    FUZZ_CHECK(size <= (limited ? peer_max_packet_ : protocol_max_packet),
               "the %s sent a %zu-byte packet of type %d; the peer's Maximum Packet Size is %u", who, size, t,
               peer_max_packet_);
    if (t == MQTTCONN_PACKET_PUBLISH && (p.props->present & MQTTCONN_PROP_BIT(MQTTCONN_PROP_TOPIC_ALIAS))) {
      FUZZ_CHECK(p.props->topic_alias <= (limited ? peer_alias_max_ : 0),
                 "the %s sent Topic Alias %u; the peer's maximum is %u", who, p.props->topic_alias,
                 limited ? peer_alias_max_ : 0);
    }
  }

  // --- Lifetime -----------------------------------------------------------------------------

  // FREE: with events pending, output queued, a packet half received: nothing may leak.
  void free_now() {
    mqttconn_conn_free(conn_);
    conn_ = nullptr;
  }

  // Drain what is left and free the connection; the output must end on a packet boundary.
  void destroy() {
    if (conn_ == nullptr) return;
    if (!dead_) {
      drain(0);
      if (!dead_) {
        FUZZ_CHECK(output_size() == 0, "%zu bytes left after draining all", output_size());
        FUZZ_CHECK(out_buf_.empty(), "the output ends inside a packet (%zu bytes)", out_buf_.size());
      }
    }
    mqttconn_conn_free(conn_);
    conn_ = nullptr;
  }

  struct last_event {
    int type = 0;
    std::uint16_t id = 0;
    std::uint8_t qos = 0;
    std::size_t count = 0;
    bool empty_client_id = false;
    bool has_method = false;
    std::string method;
  };

  bool server_ = false;
  int level_ = MQTTCONN_V5;
  int reject_code_points_ = 0, check_payload_format_ = 0, bad_setters_ = 0;
  std::uint32_t max_packet_ = 0;
  std::size_t max_output_ = 0;
  int borrow_mode_ = 0;
  std::size_t borrow_ = 0;
  std::size_t chunk_ = 0;  // LOOP's receive() size, 0 for all that is left
  byte_source script_;
  const std::uint8_t* stream_ = nullptr;
  std::size_t stream_len_ = 0;
  std::size_t cursor_ = 0;

  // The builder and the PEER bytes outlive the connection: borrowed payloads and event views
  // point into them.
  c_packet_builder builder_;
  std::deque<std::vector<std::uint8_t>> peer_bytes_;
  mqttconn_properties reply_props_{};
  std::vector<std::uint8_t> reply_codes_;

  counting_allocator alloc_;  // the connection's, which may refuse
  counting_allocator plain_;  // the decoders', which never does
  mqttconn_decoder* in_dec_ = nullptr;     // decodes what receive() takes
  mqttconn_decoder* out_dec_ = nullptr;    // decodes what the transport writes
  mqttconn_decoder* codec_dec_ = nullptr;  // CODEC
  mqttconn_conn* conn_ = nullptr;
  bool dead_ = false;  // a fatal code came back: only free is left

  std::vector<std::uint8_t> partial_;  // bytes taken since the last packet boundary
  bool pending_ = false;
  std::string expected_event_;
  int expected_version_ = MQTTCONN_V5;
  int violation_ = 0;
  int state_seen_ = MQTTCONN_STATE_IDLE;
  last_event last_;

  std::vector<std::uint8_t> expected_;  // every byte queued, in order
  std::size_t drained_ = 0;             // how many of them the transport took
  std::vector<std::uint8_t> out_buf_;   // taken bytes not yet decoded (a partial packet)
  std::size_t sent_ = 0;
  bool connack_sent_ = false, connack_ok_ = false, ended_ = false;
  static constexpr std::uint32_t protocol_max_packet = 268435460;  // 1 + 4 + 268,435,455
  std::size_t limits_from_ = ~std::size_t{0};  // output offset from which the peer's limits hold
  std::uint32_t peer_max_packet_ = protocol_max_packet;
  std::uint16_t peer_alias_max_ = 0;
  int shadow_type_ = 0;
  std::uint32_t shadow_max_packet_ = protocol_max_packet;
  std::uint16_t shadow_alias_max_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < capi_driver::header_size) return 0;
  capi_driver(data, size).run();
  return 0;
}
