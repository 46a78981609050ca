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
//   - receive() takes at most what it is given, all of it while a packet is incomplete (and
//     input_buffered() counts those bytes), and exactly one packet when it completes one: a second C decoder (same options) decodes the
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
#include <string>
#include <vector>

#include "capi_codec_check.hpp"
#include "capi_event_check.hpp"
#include "capi_output_check.hpp"
#include "capi_packet_builder.hpp"
#include "capi_reply.hpp"
#include "failing_allocator.hpp"
#include "fuzz_support.hpp"
#include "mqttconn.h"

// Build with -DMQTTCONN_FUZZ_TRACE to see each step of a script on stderr (for a crash report).
#ifdef MQTTCONN_FUZZ_TRACE
#define FUZZ_TRACE(...) std::fprintf(stderr, __VA_ARGS__)
#else
#define FUZZ_TRACE(...) ((void)0)
#endif

namespace {

using namespace mqttconn::fuzz;

// --- The driver ---------------------------------------------------------------------------

class capi_driver {
 public:
  static constexpr std::size_t header_size = 10;

  capi_driver(const std::uint8_t* data, std::size_t size) {
    const std::uint8_t f = data[0], m = data[1];
    server_ = f & 1;
    out_ = capi_output_check(server_);
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
      shadow_max_packet_ = has(MQTTCONN_PROP_MAXIMUM_PACKET_SIZE) ? pr.maximum_packet_size : capi_output_check::protocol_max_packet;
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
          out_.peer_limits(shadow_max_packet_, shadow_alias_max_);
        }
        pending_ = true;
        partial_.clear();
      } else {
        FUZZ_CHECK(drc == MQTTCONN_ERR_NEED_MORE, "receive() took bytes its decoder rejects with %d", drc);
        FUZZ_CHECK(used == len, "receive() took %zu of %zu bytes of an incomplete packet", used, len);
      }
      FUZZ_CHECK(mqttconn_conn_input_buffered(conn_) == partial_.size(),
                 "input_buffered() is %zu with %zu bytes of a packet taken", mqttconn_conn_input_buffered(conn_),
                 partial_.size());
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
    } else if (!server_ && st == MQTTCONN_STATE_IDLE) {
      // A client that has not sent its CONNECT takes no byte, not even a partial packet.
      FUZZ_CHECK(rc == MQTTCONN_ERR_PROTOCOL && len != 0, "receive() before CONNECT returned %d", rc);
      FUZZ_CHECK(state() == MQTTCONN_STATE_CLOSED, "a peer violation left the connection open");
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
      FUZZ_CHECK(mqttconn_conn_input_buffered(conn_) == 0, "a closed connection keeps input");
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
      out_.queued(bytes.data(), bytes.size());
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
    mqttconn_packet p;
    const int how = plan_reply(last_, client(), st, v, level_, r, p, reply_props_, reply_codes_);
    if (how >= 0) send_packet(p, how);
  }

  // The facts of the last event that a reply needs (its views die with the next call).
  void remember(const mqttconn_packet& ev) { last_ = last_event_of(ev); }

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
  void codec(std::uint8_t t) { codec_roundtrip(t, script_, builder_, codec_dec_); }

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
    out_.queued(all.data() + from, all.size() - from);
  }

  void check_queue() {
    const std::size_t size = output_size();
    FUZZ_CHECK(size <= max_output_, "%zu bytes queued, max_output is %zu", size, max_output_);
    FUZZ_CHECK(out_.drained() + size == out_.queued_total(),
               "%zu bytes queued in all; the sends and violations account for %zu", out_.drained() + size,
               out_.queued_total());
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

  void consume(std::size_t m) {
    const std::size_t before = output_size();
    const int rc = call([&] { return mqttconn_conn_output_consume(conn_, m); });
    if (dead_) return;
    FUZZ_CHECK(rc == MQTTCONN_OK, "output_consume() returned %d", rc);
    FUZZ_CHECK(output_size() == before - std::min(m, before), "output_consume(%zu) left %zu of %zu bytes", m,
               output_size(), before);
    check_output();
  }

  // The bytes written so far decode into whole packets this role may send at this level.
  void check_output() {
    const int v = version();
    if (dead_) return;
    out_.check(out_dec_, v);
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
      out_.written(o.ptr, m);
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
      out_.written(segs[i].ptr, m);
      total += m;
      want -= m;
    }
    // Sometimes more than queued: output_consume() clamps.
    if (total > 0 || (n & 0x40)) consume(n & 0x40 && total == size ? size + 1000 : total);
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
        FUZZ_CHECK(out_.partial() == 0, "the output ends inside a packet (%zu bytes)", out_.partial());
      }
    }
    mqttconn_conn_free(conn_);
    conn_ = nullptr;
  }


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

  failing_allocator alloc_;  // the connection's, which may refuse
  failing_allocator plain_;  // the decoders', which never does
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

  capi_output_check out_;  // every byte queued, and what the transport took of it
  int shadow_type_ = 0;
  std::uint32_t shadow_max_packet_ = capi_output_check::protocol_max_packet;
  std::uint16_t shadow_alias_max_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < capi_driver::header_size) return 0;
  capi_driver(data, size).run();
  return 0;
}
