// fuzz_batch: the batch functions of the C API (mqttconn.h, "Batches") against the calls they
// loop over, and their records against a second reader of the layout (batch_records.hpp).
//
// Input layout:
//   [0] bits 0-1 level (0 3.1, 1 3.1.1, else 5.0), 2 role (1 server), 3 reject_disallowed_code_points,
//       4 check_payload_format
//   [1] bits 0-1 max packet size mode   [2] max packet size value
//   [3..4] length of the record edits R, [5..6] length of the choices C, both big-endian;
//   then R, then C, then the stream S.
// C is read front to back (zeros once it runs out) for each call's input piece and output
// capacity: a byte 0 means all that is left, or room for every record; see piece() and cap().
// R: [first record to keep] [number of edits] then per edit u16 offset, u8 operation, u8 value
// (operation % 4: 0 xor the byte, 1 set it, 2 cut the buffer there, 3 insert the value),
// then raw bytes appended to the records.
//
// Invariants (a failure aborts with a message):
//   (a) mqttconn_decode_batch() over S in fuzzer-chosen pieces and capacities gives, per call,
//       exactly the packets mqttconn_decode() gives packet by packet over that piece (digest of
//       each record, read back by the second reader, equal to the decoded packet's), and on a
//       bad packet the same code, reason code, packet type and offset; BATCH_FULL leaves the
//       next packet unconsumed, its record really did not fit, and with no record written
//       *written is a capacity with which the next call succeeds. A packet's record is the
//       same bytes whatever the pieces and capacities, at most MQTTCONN_BATCH_RECORD_MAX of its
//       size, and follows the layout strictly (ascending properties, unlisted fields 0).
//   (b) mqttconn_conn_receive_batch() on a connection gives the events receive() and
//       next_event() give one at a time on a twin (records and, on BATCH_FULL, *last), the same
//       codes, the same sticky error, the same output; a buffer of MQTTCONN_BATCH_RECORD_MAX of
//       the input and partial packet never fills.
//   (c) mqttconn_encode_batch() of the records from (a), in capacities the fuzzer picks, gives
//       bytes whose records are the same records again, up to a 3.x CONNECT with an empty
//       client identifier and Clean Session 0, which decodes but is refused as INVALID_PACKET.
//   (d) the edited records (any bytes) given to mqttconn_encode_batch() and
//       mqttconn_conn_send_batch() never crash; they stop at the first record the second reader
//       calls bad (ARGUMENT) or mqttconn_encode() / mqttconn_conn_send() refuse (that code);
//       what they produce is exactly the encodings of the records before it, and a refused
//       record leaves the connection's output and state as they were (its twin got the same
//       packets through mqttconn_conn_send()).
#include <algorithm>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "batch_codec_check.hpp"
#include "batch_records.hpp"
#include "capi_event_check.hpp"
#include "capi_packet_builder.hpp"
#include "failing_allocator.hpp"
#include "fuzz_support.hpp"
#include "mqttconn.h"

namespace {

using namespace mqttconn::fuzz;
using mqttconn::bytes;

class batch_driver {
 public:
  batch_driver(const std::uint8_t* data, std::size_t size)
      : choices_(byte_source(data + header_size + lengths(data, size).first, lengths(data, size).second)) {
    const std::uint8_t f = data[0];
    const int lv = f & 3;
    level_ = lv == 0 ? MQTTCONN_V31 : lv == 1 ? MQTTCONN_V311 : MQTTCONN_V5;
    server_ = f >> 2 & 1;
    const std::size_t rlen = lengths(data, size).first, clen = lengths(data, size).second;
    edits_ = byte_source(data + header_size, rlen);
    stream_.assign(data + header_size + rlen + clen, data + size);
    FUZZ_CHECK(mqttconn_config_new(&cfg_, nullptr) == MQTTCONN_OK, "config_new");
    mqttconn_config_set_role(cfg_, server_ ? MQTTCONN_ROLE_SERVER : MQTTCONN_ROLE_CLIENT);
    mqttconn_config_set_max_packet_size(cfg_, size_limit(data[1] & 3, data[2]));
    mqttconn_config_set_reject_disallowed_code_points(cfg_, f >> 3 & 1);
    mqttconn_config_set_check_payload_format(cfg_, f >> 4 & 1);
    FUZZ_CHECK(mqttconn_decoder_new(&ref_, cfg_, &alloc_.hooks) == MQTTCONN_OK, "decoder_new");
    FUZZ_CHECK(mqttconn_decoder_new(&dec_, cfg_, &alloc_.hooks) == MQTTCONN_OK, "decoder_new");
  }

  ~batch_driver() {
    mqttconn_decoder_free(ref_);
    mqttconn_decoder_free(dec_);
    mqttconn_conn_free(conn_);
    mqttconn_conn_free(twin_);
    mqttconn_config_free(cfg_);
    FUZZ_CHECK(alloc_.live.empty(), "%zu blocks left allocated after the frees", alloc_.live.size());
  }

  static constexpr std::size_t header_size = 7;

  // The lengths of the record edits and of the choices, clamped to the input.
  static std::pair<std::size_t, std::size_t> lengths(const std::uint8_t* data, std::size_t size) {
    const std::size_t rlen = std::min<std::size_t>(std::size_t{data[3]} << 8 | data[4], size - header_size);
    const std::size_t clen = std::min<std::size_t>(std::size_t{data[5]} << 8 | data[6], size - header_size - rlen);
    return {rlen, clen};
  }

  void run() {
    batch_codec_check codec(level_, stream_, ref_, dec_, choices_);
    codec.decode_whole();
    codec.decode_in_pieces();
    codec.encode_records();
    const buffer edited = edit(codec.records(), codec.starts());
    codec.encode_edited(edited);
    connect();
    misuse();
    send_edited(edited);
    receive_in_pieces();
    send_edited(edited);
  }

 private:
  // --- (d) edited records -------------------------------------------------------------------

  buffer edit(const buffer& recs, const std::vector<std::size_t>& starts) {
    const std::size_t first = std::min<std::size_t>(edits_.u8(), starts.size());
    buffer b(recs.begin() + static_cast<std::ptrdiff_t>(first < starts.size() ? starts[first] : recs.size()),
             recs.end());
    for (int i = 0, n = edits_.u8() % 8; i < n && !b.empty(); ++i) {
      const std::size_t at = edits_.u16() % b.size();
      const std::uint8_t op = edits_.u8(), v = edits_.u8();
      switch (op % 4) {
        case 0: b[at] ^= v; break;
        case 1: b[at] = v; break;
        case 2: b.resize(at); break;
        default: b.insert(b.begin() + static_cast<std::ptrdiff_t>(at), v); break;
      }
    }
    const bytes tail = edits_.rest();
    b.insert(b.end(), tail.begin(), tail.end());
    return b;
  }

  // --- (b) and (d) on a connection and its twin ---------------------------------------------

  // All the output queued, over as many runs as it takes.
  static buffer output_of(const mqttconn_conn* c) {
    std::vector<mqttconn_bytes> segs(mqttconn_conn_output_size(c) + 1);
    std::size_t n = 0;
    buffer b;
    if (mqttconn_conn_output_iov(c, segs.data(), segs.size(), &n) != MQTTCONN_OK) return b;
    for (std::size_t i = 0; i < n; ++i) b.insert(b.end(), segs[i].ptr, segs[i].ptr + segs[i].len);
    return b;
  }

  void same_connections(const char* when) {
    const int s = mqttconn_conn_state(conn_), t = mqttconn_conn_state(twin_);
    FUZZ_CHECK(s == t, "%s: state %d, the twin's %d", when, s, t);
    FUZZ_CHECK(mqttconn_conn_version(conn_) == mqttconn_conn_version(twin_), "%s: versions differ", when);
    FUZZ_CHECK(mqttconn_conn_reason_code(conn_) == mqttconn_conn_reason_code(twin_), "%s: reason codes differ", when);
    FUZZ_CHECK(mqttconn_conn_output_size(conn_) == mqttconn_conn_output_size(twin_) &&
                   output_of(conn_) == output_of(twin_),
               "%s: the output differs from the twin's", when);
  }

  void connect() {
    FUZZ_CHECK(mqttconn_conn_new(&conn_, cfg_, &alloc_.hooks) == MQTTCONN_OK, "conn_new");
    FUZZ_CHECK(mqttconn_conn_new(&twin_, cfg_, &alloc_.hooks) == MQTTCONN_OK, "conn_new");
  }

  // Caller mistakes: ARGUMENT or STRUCT_SIZE, the counts zeroed, the connection unchanged.
  void misuse() {
    const std::uint8_t byte = 0xC0;
    std::uint8_t out[4];
    std::size_t a = 7, b = 7, c = 7;
    mqttconn_packet last = zeroed(0);
    const auto zeroed_counts = [&] { return a == 0 && b == 0 && c == 0; };
    constexpr int arg = MQTTCONN_ERR_ARGUMENT;
    FUZZ_CHECK(mqttconn_decode_batch(nullptr, &byte, 1, level_, out, 4, &a, &b, &c) == arg, "decode_batch(NULL)");
    FUZZ_CHECK(mqttconn_decode_batch(dec_, &byte, 1, level_, out, 4, nullptr, &b, &c) == arg, "no consumed");
    FUZZ_CHECK(mqttconn_decode_batch(dec_, &byte, 1, level_, out, 4, &a, nullptr, &c) == arg, "no written");
    FUZZ_CHECK(mqttconn_decode_batch(dec_, &byte, 1, level_, out, 4, &a, &b, nullptr) == arg, "no count");
    FUZZ_CHECK(mqttconn_decode_batch(dec_, nullptr, 1, level_, out, 4, &a, &b, &c) == arg && zeroed_counts(),
               "decode_batch() of NULL input");
    a = b = c = 7;
    FUZZ_CHECK(mqttconn_decode_batch(dec_, &byte, 1, level_, nullptr, 4, &a, &b, &c) == arg && zeroed_counts(),
               "decode_batch() into NULL");
    FUZZ_CHECK(mqttconn_conn_receive_batch(nullptr, &byte, 1, out, 4, &a, &b, &c, &last) == arg, "receive_batch(NULL)");
    FUZZ_CHECK(mqttconn_conn_receive_batch(conn_, &byte, 1, out, 4, nullptr, &b, &c, &last) == arg, "no consumed");
    FUZZ_CHECK(mqttconn_conn_receive_batch(conn_, &byte, 1, out, 4, &a, nullptr, &c, &last) == arg, "no written");
    FUZZ_CHECK(mqttconn_conn_receive_batch(conn_, &byte, 1, out, 4, &a, &b, nullptr, &last) == arg, "no count");
    a = b = c = 7;
    FUZZ_CHECK(mqttconn_conn_receive_batch(conn_, nullptr, 1, out, 4, &a, &b, &c, &last) == arg && zeroed_counts(),
               "receive_batch() of NULL input");
    FUZZ_CHECK(mqttconn_conn_receive_batch(conn_, &byte, 1, nullptr, 4, &a, &b, &c, &last) == arg,
               "receive_batch() into NULL");
    FUZZ_CHECK(mqttconn_conn_receive_batch(conn_, &byte, 1, out, 4, &a, &b, &c, nullptr) == arg, "no last");
    last.struct_size = sizeof last - 1;
    FUZZ_CHECK(mqttconn_conn_receive_batch(conn_, &byte, 1, out, 4, &a, &b, &c, &last) == MQTTCONN_ERR_STRUCT_SIZE &&
                   a == 0,
               "receive_batch() with a short last");
    FUZZ_CHECK(mqttconn_encode_batch(&byte, 1, level_, out, 4, nullptr, &b) == arg, "encode_batch() without read");
    FUZZ_CHECK(mqttconn_encode_batch(&byte, 1, level_, out, 4, &a, nullptr) == arg, "encode_batch() without written");
    a = b = 7;
    FUZZ_CHECK(mqttconn_encode_batch(nullptr, 1, level_, out, 4, &a, &b) == arg && a == 0 && b == 0,
               "encode_batch() of NULL");
    FUZZ_CHECK(mqttconn_encode_batch(&byte, 1, level_, nullptr, 4, &a, &b) == arg, "encode_batch() into NULL");
    FUZZ_CHECK(mqttconn_encode_batch(nullptr, 0, level_, nullptr, 0, &a, &b) == MQTTCONN_OK && a == 0 && b == 0,
               "encode_batch() of nothing");
    FUZZ_CHECK(mqttconn_conn_send_batch(nullptr, &byte, 1, &a) == arg, "send_batch(NULL)");
    FUZZ_CHECK(mqttconn_conn_send_batch(conn_, &byte, 1, nullptr) == arg, "send_batch() without read");
    a = 7;
    FUZZ_CHECK(mqttconn_conn_send_batch(conn_, nullptr, 1, &a) == arg && a == 0, "send_batch() of NULL");
    FUZZ_CHECK(mqttconn_conn_send_batch(conn_, nullptr, 0, &a) == MQTTCONN_OK && a == 0, "send_batch() of nothing");
    same_connections("after refused batch calls");
  }

  // A client that sent no CONNECT yet sends one, so that it may receive.
  void client_connect() {
    if (server_ || mqttconn_conn_state(conn_) != MQTTCONN_STATE_IDLE) return;
    mqttconn_packet p = zeroed(MQTTCONN_PACKET_CONNECT);
    p.protocol_version = static_cast<std::uint8_t>(level_);
    p.client_id = text("fuzz");
    p.clean_start = 1;
    FUZZ_CHECK(mqttconn_conn_connect(conn_, &p) == mqttconn_conn_connect(twin_, &p), "CONNECT on the twins");
  }

  // A server that received a CONNECT accepts it, so that it may receive more.
  void server_accept() {
    if (!server_ || mqttconn_conn_state(conn_) != MQTTCONN_STATE_CONNECTING) return;
    const mqttconn_packet p = zeroed(MQTTCONN_PACKET_CONNACK);
    FUZZ_CHECK(mqttconn_conn_connack(conn_, &p) == mqttconn_conn_connack(twin_, &p), "CONNACK on the twins");
  }

  // send_batch() on the connection, mqttconn_conn_send() record by record on the twin.
  void send_edited(const buffer& recs) {
    const buffer before = output_of(conn_);
    std::size_t read = 99;
    const int rc = mqttconn_conn_send_batch(conn_, recs.data(), recs.size(), &read);
    std::size_t sent = 0, pos = 0;
    int trc = MQTTCONN_OK;
    buffer want = before;
    while (pos < recs.size()) {
      const std::size_t n = reader_.read(recs.data() + pos, recs.size() - pos, false);
      if (n == 0) {
        trc = MQTTCONN_ERR_ARGUMENT;
        break;
      }
      const mqttconn_packet& p = reader_.packet();
      const int v = p.type == MQTTCONN_PACKET_CONNECT ? p.protocol_version : mqttconn_conn_version(twin_);
      trc = mqttconn_conn_send(twin_, &p);
      if (trc != MQTTCONN_OK) break;
      std::size_t need = 0;
      FUZZ_CHECK(mqttconn_encode(&p, v, nullptr, 0, &need) == MQTTCONN_ERR_BUFFER_TOO_SMALL, "a sent packet encodes");
      const std::size_t at = want.size();
      want.resize(at + need);
      FUZZ_CHECK(mqttconn_encode(&p, v, want.data() + at, need, &need) == MQTTCONN_OK, "a sent packet encodes");
      pos += n;
      ++sent;
    }
    FUZZ_CHECK(rc == trc, "send_batch() returned %d; the sends %d (record %zu)", rc, trc, sent);
    FUZZ_CHECK(read == pos, "send_batch() read %zu bytes of records; the sends took %zu", read, pos);
    const buffer after = output_of(conn_);
    FUZZ_CHECK(after == want, "send_batch() left the output %s\n     the records sent encode to %s",
               hex(bytes(after), 96).c_str(), hex(bytes(want), 96).c_str());
    same_connections("after send_batch()");
    client_connect();
  }

  void receive_in_pieces() {
    std::size_t pos = 0, partial = 0;  // partial: bytes of a packet the twin holds incomplete
    while (pos < stream_.size()) {
      const std::size_t len = choices_.piece(stream_.size() - pos);
      const std::uint8_t* in = stream_.data() + pos;
      // The twin: receive() and next_event() one at a time over the same piece.
      std::vector<std::string> events;
      const std::size_t partial_before = partial;
      std::size_t tpos = 0;
      int trc = MQTTCONN_OK;
      for (;;) {
        mqttconn_packet ev;
        std::memset(&ev, 0xA5, sizeof ev);
        ev.struct_size = sizeof ev;
        const int erc = mqttconn_conn_next_event(twin_, &ev);
        if (erc == MQTTCONN_OK) {
          events.push_back(digest(mqttconn_conn_version(twin_), true).of(ev));
          partial = 0;
          continue;
        }
        FUZZ_CHECK(erc == MQTTCONN_DONE, "next_event() returned %d", erc);
        if (tpos == len) break;
        std::size_t used = 0;
        trc = mqttconn_conn_receive(twin_, in + tpos, len - tpos, &used);
        tpos += used;
        partial += used;
        if (trc != MQTTCONN_OK) break;
      }
      // The connection: receive_batch() until the piece is taken, each BATCH_FULL's event kept.
      std::vector<std::string> got;
      std::size_t cpos = 0;
      int rc = MQTTCONN_OK;
      for (;;) {
        // What this call may need at most: its input, and the partial packet on the first.
        const std::size_t bound = MQTTCONN_BATCH_RECORD_MAX(len - cpos + (cpos == 0 ? partial_before : 0));
        const std::size_t room = choices_.cap(len - cpos);
        buffer out(room);
        mqttconn_packet last;
        std::memset(&last, 0xA5, sizeof last);
        last.struct_size = sizeof last;
        std::size_t consumed = 99, written = 99, count = 99;
        rc = mqttconn_conn_receive_batch(conn_, in + cpos, len - cpos, room ? out.data() : nullptr, room, &consumed,
                                         &written, &count, &last);
        FUZZ_CHECK(consumed <= len - cpos && written <= room, "receive_batch(): %zu of %zu bytes, %zu of %zu written",
                   consumed, len - cpos, written, room);
        std::size_t at = 0;
        const int v = mqttconn_conn_version(conn_);
        for (std::size_t i = 0; i < count; ++i) {
          const std::size_t n = reader_.read(out.data() + at, written - at, true);
          FUZZ_CHECK(n != 0, "receive_batch() record %zu is not in the layout", i);
          got.push_back(digest(reader_.packet().type == MQTTCONN_PACKET_CONNECT ? reader_.packet().protocol_version : v,
                               true).of(reader_.packet()));
          at += n;
        }
        FUZZ_CHECK(at == written, "receive_batch(): %zu records in %zu of %zu bytes", count, at, written);
        cpos += consumed;
        if (rc != MQTTCONN_BATCH_FULL) break;
        FUZZ_CHECK(room < bound, "BATCH_FULL with %zu bytes; %zu never fill", room, bound);
        got.push_back(digest(mqttconn_conn_version(conn_), true).of(last));
      }
      FUZZ_CHECK(rc == trc, "receive_batch() returned %d; receive() %d", rc, trc);
      FUZZ_CHECK(cpos == tpos, "receive_batch() took %zu bytes; receive() %zu", cpos, tpos);
      FUZZ_CHECK(got.size() == events.size(), "receive_batch() gave %zu events; the twin %zu", got.size(),
                 events.size());
      for (std::size_t i = 0; i < got.size(); ++i) {
        FUZZ_CHECK(got[i] == events[i], "event %zu:\n     %s\n     the twin's:\n     %s", i, got[i].c_str(),
                   events[i].c_str());
      }
      same_connections("after receive_batch()");
      if (rc != MQTTCONN_OK) {
        // Sticky: both say it again.
        std::size_t c = 0, w = 0, n = 0, used = 0;
        mqttconn_packet last;
        std::memset(&last, 0, sizeof last);
        last.struct_size = sizeof last;
        const std::uint8_t byte = 0xC0;
        const int again = mqttconn_conn_receive_batch(conn_, &byte, 1, nullptr, 0, &c, &w, &n, &last);
        FUZZ_CHECK(again == mqttconn_conn_receive(twin_, &byte, 1, &used) && (peer_band(rc) ? again == rc : true),
                   "after %d, receive_batch() returned %d", rc, again);
        return;
      }
      pos += len;
      server_accept();
      client_connect();
    }
  }

  int level_ = MQTTCONN_V5;
  bool server_ = false;
  byte_source edits_;
  buffer stream_;
  batch_choices choices_;
  failing_allocator alloc_;
  mqttconn_config* cfg_ = nullptr;
  mqttconn_decoder* ref_ = nullptr;  // mqttconn_decode(), the reference
  mqttconn_decoder* dec_ = nullptr;  // mqttconn_decode_batch()
  mqttconn_conn* conn_ = nullptr;    // the batch calls
  mqttconn_conn* twin_ = nullptr;    // the same, one call at a time
  record_reader reader_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < batch_driver::header_size) return 0;
  batch_driver(data, size).run();
  return 0;
}
