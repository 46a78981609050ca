// batch_codec_check: the batch functions without a connection, for fuzz_batch:
// mqttconn_decode_batch() against mqttconn_decode() packet by packet, mqttconn_encode_batch()
// of the records that gives against mqttconn_decode_batch() again, and of edited records against
// a second reader of the layout (batch_records.hpp) and mqttconn_encode(). Invariants (a), (c)
// and the encoding half of (d) at the top of fuzz_batch.cpp.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "batch_records.hpp"
#include "capi_event_check.hpp"
#include "fuzz_support.hpp"
#include "mqttconn.h"

namespace mqttconn::fuzz {

using buffer = std::vector<std::uint8_t>;

inline mqttconn_error error_of(const mqttconn_decoder* d) {
  mqttconn_error e;
  std::memset(&e, 0, sizeof e);
  e.struct_size = sizeof e;
  FUZZ_CHECK(mqttconn_decoder_error(d, &e) == MQTTCONN_OK, "decoder_error() after a failure");
  return e;
}

// One decoded packet: its digest and its wire size.
struct decoded_packet {
  std::string text;
  std::size_t size;
};

// The fuzzer's choices of input pieces and output capacities, front to back (0 once they run
// out: all of the input, room for every record).
class batch_choices {
 public:
  explicit batch_choices(byte_source s) : choices_(s) {}

  std::size_t piece(std::size_t left) {
    const std::uint8_t c = choices_.u8();
    if (c == 0) return left;
    return std::min(left, c & 0x80 ? std::size_t{c & 0x7Fu} + 1 : std::size_t{16} * c);
  }
  // Capacity for the records of `in_len` input bytes: 0 room for all of them.
  std::size_t cap(std::size_t in_len) {
    const std::uint8_t c = choices_.u8();
    if (c == 0) return MQTTCONN_BATCH_RECORD_MAX(in_len);
    return c < 0x80 ? c - 1u : std::size_t{32} * (c - 0x80u);
  }

 private:
  byte_source choices_;
};

class batch_codec_check {
 public:
  batch_codec_check(int level, const buffer& stream, mqttconn_decoder* ref, mqttconn_decoder* dec,
                    batch_choices& choices)
      : level_(level), stream_(stream), ref_(ref), dec_(dec), choices_(choices) {}

  // The records of the stream's packets, and where each starts.
  const buffer& records() const { return records_; }
  const std::vector<std::size_t>& starts() const { return starts_; }

  // --- (a) decode_batch ---------------------------------------------------------------------

  // mqttconn_decode() packet by packet over in[0..len): the packets, and the code it stopped
  // with (OK at the end or before a partial packet) and its error.
  int decode_each(const std::uint8_t* in, std::size_t len, std::vector<decoded_packet>& out, mqttconn_error& err) {
    std::size_t pos = 0;
    while (pos < len) {
      mqttconn_packet p;
      std::memset(&p, 0xA5, sizeof p);
      p.struct_size = sizeof p;
      std::size_t used = 0;
      const int rc = mqttconn_decode(ref_, in + pos, len - pos, level_, &used, &p);
      if (rc == MQTTCONN_ERR_NEED_MORE) return MQTTCONN_OK;
      if (rc != MQTTCONN_OK) {
        FUZZ_CHECK(documented_violation(rc), "mqttconn_decode() returned %d", rc);
        err = error_of(ref_);
        return rc;
      }
      out.push_back({digest(version_of(p), true).of(p), used});
      pos += used;
    }
    return MQTTCONN_OK;
  }

  int version_of(const mqttconn_packet& p) const {
    return p.type == MQTTCONN_PACKET_CONNECT ? p.protocol_version : level_;
  }

  // The records in out[0..written): `count` of them, each read back to the packet `want` has
  // at its index, each at most RECORD_MAX of its packet's size. Appends their bytes to `keep`.
  void check_records(const std::uint8_t* out, std::size_t written, std::size_t count,
                     const std::vector<decoded_packet>& want, std::size_t first, buffer* keep) {
    std::size_t pos = 0;
    for (std::size_t i = 0; i < count; ++i) {
      FUZZ_CHECK(first + i < want.size(), "record %zu of a batch, but only %zu packets", first + i, want.size());
      const std::size_t n = reader_.read(out + pos, written - pos, true);
      FUZZ_CHECK(n != 0, "record %zu is not in the layout: %s", first + i,
                 hex(bytes(out + pos, written - pos), 96).c_str());
      const std::string got = digest(version_of(reader_.packet()), true).of(reader_.packet());
      FUZZ_CHECK(got == want[first + i].text, "record %zu reads back as\n     %s\n     the packet is\n     %s",
                 first + i, got.c_str(), want[first + i].text.c_str());
      FUZZ_CHECK(n <= MQTTCONN_BATCH_RECORD_MAX(want[first + i].size), "a %zu-byte record for a %zu-byte packet", n,
                 want[first + i].size);
      if (keep != nullptr) keep->insert(keep->end(), out + pos, out + pos + n);
      pos += n;
    }
    FUZZ_CHECK(pos == written, "%zu records take %zu bytes; *written is %zu", count, pos, written);
  }

  // The whole stream in one call with room for all: the records every other way must match.
  void decode_whole() {
    whole_rc_ = decode_each(stream_.data(), stream_.size(), whole_, whole_err_);
    buffer out(MQTTCONN_BATCH_RECORD_MAX(stream_.size()));
    std::size_t consumed = 0, written = 0, count = 0;
    const int rc = mqttconn_decode_batch(dec_, stream_.data(), stream_.size(), level_, out.data(), out.size(),
                                         &consumed, &written, &count);
    FUZZ_CHECK(rc == whole_rc_, "decode_batch() over the stream returned %d, decode() %d", rc, whole_rc_);
    FUZZ_CHECK(count == whole_.size(), "decode_batch() gave %zu records for %zu packets", count, whole_.size());
    check_records(out.data(), written, count, whole_, 0, &records_);
    std::size_t sum = 0;
    for (const decoded_packet& d : whole_) sum += d.size;
    FUZZ_CHECK(consumed == sum, "decode_batch() consumed %zu bytes of %zu-byte packets", consumed, sum);
    std::size_t pos = 0;
    for (std::size_t i = 0; i < count; ++i) {
      starts_.push_back(pos);
      pos += reader_.read(records_.data() + pos, records_.size() - pos, true);
      record_ends_.push_back(pos);
    }
    if (rc != MQTTCONN_OK) same_error(whole_err_, error_of(dec_), "the stream");
  }

  std::size_t start_of(std::size_t i) const { return i < starts_.size() ? starts_[i] : records_.size(); }

  static void same_error(const mqttconn_error& want, const mqttconn_error& got, const char* where) {
    FUZZ_CHECK(want.code == got.code && want.reason_code == got.reason_code && want.packet_type == got.packet_type &&
                   want.offset == got.offset,
               "%s: decode_batch() error %d reason 0x%02x type %d offset %llu; decode() %d 0x%02x %d %llu", where,
               got.code, got.reason_code, got.packet_type, static_cast<unsigned long long>(got.offset), want.code,
               want.reason_code, want.packet_type, static_cast<unsigned long long>(want.offset));
  }

  void decode_in_pieces() {
    std::size_t pos = 0, index = 0, forced = 0;
    bool stalled = false, must_take = false;
    while (pos < stream_.size()) {
      const std::size_t left = stream_.size() - pos;
      const std::size_t len = stalled ? left : choices_.piece(left);
      const std::size_t room = forced != 0 ? forced : choices_.cap(len);
      forced = 0;
      const bool had_to_take = must_take;
      must_take = false;
      std::vector<decoded_packet> want;
      mqttconn_error err{};
      const int want_rc = decode_each(stream_.data() + pos, len, want, err);
      buffer out(room);
      std::size_t consumed = 99, written = 99, count = 99;
      const int rc = mqttconn_decode_batch(dec_, stream_.data() + pos, len, level_, room ? out.data() : nullptr,
                                           room, &consumed, &written, &count);
      FUZZ_CHECK(consumed <= len && count <= want.size(), "decode_batch(): %zu of %zu bytes, %zu of %zu packets",
                 consumed, len, count, want.size());
      std::size_t sum = 0;
      for (std::size_t i = 0; i < count; ++i) sum += want[i].size;
      FUZZ_CHECK(consumed == sum, "decode_batch() consumed %zu bytes for %zu packets of %zu", consumed, count, sum);
      if (rc == MQTTCONN_BATCH_FULL && count == 0) {
        FUZZ_CHECK(written > room && !want.empty(), "BATCH_FULL asks for %zu bytes with %zu", written, room);
        FUZZ_CHECK(index < whole_.size() && written == record_ends_[index] - starts_[index],
                   "BATCH_FULL asks for %zu bytes; the record takes %zu", written,
                   index < whole_.size() ? record_ends_[index] - starts_[index] : 0);
        FUZZ_CHECK(!had_to_take, "BATCH_FULL again with the %zu bytes it asked for", room);
        forced = written;  // the next call, with that much room, must take it
        stalled = must_take = true;
        continue;
      }
      FUZZ_CHECK(written <= room, "decode_batch() wrote %zu bytes into %zu", written, room);
      FUZZ_CHECK(!had_to_take || count != 0 || rc < 0, "no record with the %zu bytes BATCH_FULL asked for", room);
      check_records(out.data(), written, count, want, 0, nullptr);
      FUZZ_CHECK(index + count <= whole_.size() &&
                     std::equal(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(written),
                                records_.begin() + static_cast<std::ptrdiff_t>(start_of(index))),
                 "records %zu..%zu differ from those of the whole stream", index, index + count);
      if (rc == MQTTCONN_BATCH_FULL) {
        FUZZ_CHECK(count < want.size(), "BATCH_FULL with every packet written");
        const std::size_t next = record_ends_[index + count] - starts_[index + count];
        FUZZ_CHECK(written + next > room, "BATCH_FULL, but the next %zu-byte record fits: %zu of %zu used", next,
                   written, room);
      } else if (rc == MQTTCONN_OK) {
        FUZZ_CHECK(want_rc == MQTTCONN_OK && count == want.size(), "decode_batch() OK after %zu of %zu packets (%d)",
                   count, want.size(), want_rc);
      } else {
        FUZZ_CHECK(rc == want_rc && count == want.size(),
                   "decode_batch() returned %d after %zu packets; decode() %d after %zu",
                   rc, count, want_rc, want.size());
        same_error(err, error_of(dec_), "a piece");
        FUZZ_CHECK(rc == whole_rc_ && index + count == whole_.size(), "an error in a piece the whole stream has not");
        same_error(whole_err_, error_of(dec_), "a piece, against the stream");
        return;
      }
      stalled = consumed == 0 && rc == MQTTCONN_OK;
      if (stalled && len == left) return;  // a partial packet at the end
      pos += consumed;
      index += count;
    }
  }

  // --- (c) encode_batch of decoded records -----------------------------------------------

  // Encodes records[0..len) in fuzzer-chosen capacities; the bytes, and the code it ended on.
  int encode_all(const buffer& recs, buffer& wire, std::size_t& read_all) {
    read_all = 0;
    while (read_all < recs.size()) {
      std::size_t room = choices_.cap(recs.size() - read_all);
      buffer out(room);
      std::size_t read = 99, written = 99;
      int rc = mqttconn_encode_batch(recs.data() + read_all, recs.size() - read_all, level_,
                                     room ? out.data() : nullptr, room, &read, &written);
      if (rc == MQTTCONN_ERR_BUFFER_TOO_SMALL) {
        FUZZ_CHECK(read == 0 && written > room, "BUFFER_TOO_SMALL: %zu read, %zu needed of %zu", read, written, room);
        room = written;
        out.assign(room, 0);
        rc = mqttconn_encode_batch(recs.data() + read_all, recs.size() - read_all, level_, out.data(), room, &read,
                                   &written);
        FUZZ_CHECK(rc != MQTTCONN_ERR_BUFFER_TOO_SMALL && read != 0, "the size BUFFER_TOO_SMALL asked for: %d", rc);
      }
      FUZZ_CHECK(rc == MQTTCONN_OK || rc == MQTTCONN_ERR_ARGUMENT || rc == MQTTCONN_ERR_INVALID_PACKET,
                 "encode_batch() returned %d", rc);
      FUZZ_CHECK(read <= recs.size() - read_all && written <= room, "encode_batch(): %zu read, %zu written of %zu",
                 read, written, room);
      wire.insert(wire.end(), out.begin(), out.begin() + static_cast<std::ptrdiff_t>(written));
      read_all += read;
      if (rc != MQTTCONN_OK) return rc;
      FUZZ_CHECK(read != 0, "encode_batch() OK without a record");
    }
    return MQTTCONN_OK;
  }

  // The one packet that decodes but may not be encoded: a 3.x CONNECT with an empty client
  // identifier and Clean Session 0. Its sender breaks [MQTT-3.1.3-7 v3.1.1]; the receiver must
  // read it to answer CONNACK 0x02 [MQTT-3.1.3-8 v3.1.1].
  static bool sender_may_not_send(const mqttconn_packet& p) {
    return p.type == MQTTCONN_PACKET_CONNECT && p.protocol_version != MQTTCONN_V5 && p.client_id.len == 0 &&
           !p.clean_start;
  }

  // Encodes the records up to the first that may not be sent (all of them if none does), which
  // must be refused as INVALID_PACKET, and decodes the bytes back to the same records.
  void encode_records() {
    std::size_t n = 0;  // records that may be sent
    while (n < whole_.size()) {
      reader_.read(records_.data() + start_of(n), records_.size() - start_of(n), true);
      if (sender_may_not_send(reader_.packet())) break;
      ++n;
    }
    buffer wire;
    std::size_t read = 0;
    const int rc = encode_all(records_, wire, read);
    if (n == whole_.size()) {
      FUZZ_CHECK(rc == MQTTCONN_OK && read == records_.size(), "decoded records do not encode: %d at %zu", rc, read);
    } else {
      FUZZ_CHECK(rc == MQTTCONN_ERR_INVALID_PACKET && read == start_of(n),
                 "a CONNECT that may not be sent (record %zu at %zu): %d at %zu", n, start_of(n), rc, read);
    }
    buffer again(read + 64);
    std::size_t consumed = 0, written = 0, count = 0;
    const int drc = mqttconn_decode_batch(dec_, wire.data(), wire.size(), level_, again.data(), again.size(),
                                          &consumed, &written, &count);
    FUZZ_CHECK(drc == MQTTCONN_OK && consumed == wire.size() && count == n,
               "the encoded records decode with %d: %zu of %zu bytes, %zu of %zu packets", drc, consumed, wire.size(),
               count, n);
    FUZZ_CHECK(written == read && std::equal(records_.begin(), records_.begin() + static_cast<std::ptrdiff_t>(read),
                                             again.begin()),
               "records -> packets -> records changed them");
  }

  // --- (d) edited records -------------------------------------------------------------------

  // The second reader's view of the edited records: the encoding of each good one (at the
  // level `v` or a CONNECT's own) up to the first it calls bad or mqttconn_encode() refuses.
  struct expectation {
    std::vector<std::size_t> ends;  // record ends
    std::vector<buffer> wire;       // their encodings
    int stop = MQTTCONN_OK;         // why the records stop before the end
  };
  expectation expect(const buffer& recs, int v) {
    expectation e;
    std::size_t pos = 0;
    while (pos < recs.size()) {
      const std::size_t n = reader_.read(recs.data() + pos, recs.size() - pos, false);
      if (n == 0) {
        e.stop = MQTTCONN_ERR_ARGUMENT;
        return e;
      }
      const mqttconn_packet& p = reader_.packet();
      std::size_t need = 0;
      const int pv = p.type == MQTTCONN_PACKET_CONNECT ? p.protocol_version : v;
      int rc = mqttconn_encode(&p, pv, nullptr, 0, &need);
      buffer w(rc == MQTTCONN_ERR_BUFFER_TOO_SMALL ? need : 0);
      if (rc == MQTTCONN_ERR_BUFFER_TOO_SMALL) rc = mqttconn_encode(&p, pv, w.data(), w.size(), &need);
      if (rc != MQTTCONN_OK) {
        e.stop = rc;
        return e;
      }
      pos += n;
      e.ends.push_back(pos);
      e.wire.push_back(std::move(w));
    }
    return e;
  }

  void encode_edited(const buffer& recs) {
    const expectation e = expect(recs, level_);
    buffer wire;
    std::size_t read = 0;
    const int rc = encode_all(recs, wire, read);
    FUZZ_CHECK(rc == e.stop, "encode_batch() of edited records returned %d; the records say %d", rc, e.stop);
    FUZZ_CHECK(read == (e.ends.empty() ? 0 : e.ends.back()), "encode_batch() read %zu bytes of records", read);
    buffer want;
    for (const buffer& w : e.wire) want.insert(want.end(), w.begin(), w.end());
    FUZZ_CHECK(wire == want, "encode_batch() wrote %s\n     the records encode to %s", hex(bytes(wire), 96).c_str(),
               hex(bytes(want), 96).c_str());
  }

 private:
  int level_;
  const buffer& stream_;
  mqttconn_decoder* ref_;  // mqttconn_decode(), the reference
  mqttconn_decoder* dec_;  // mqttconn_decode_batch()
  batch_choices& choices_;
  record_reader reader_;

  std::vector<decoded_packet> whole_;  // the stream's packets
  int whole_rc_ = MQTTCONN_OK;
  mqttconn_error whole_err_{};
  buffer records_;                   // their records
  std::vector<std::size_t> starts_;  // where each record starts in records_
  std::vector<std::size_t> record_ends_;
};

}  // namespace mqttconn::fuzz
