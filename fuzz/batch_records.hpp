// batch_records: a second reader of the batch record layout (include/mqttconn.h, "Batches"),
// written from the header's text and not from capi/batch.cpp, for fuzz_batch. It turns one
// record into an mqttconn_packet (views into the record and into the reader's arrays) or
// calls it bad, by the rules the header gives for records read by the library. In `strict`
// mode it also holds a record to what the library promises about the records it writes:
// properties by ascending id (repeats only for the list properties), the fields its type does
// not list are 0.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "mqttconn.h"

namespace mqttconn::fuzz {

class record_reader {
 public:
  static constexpr std::size_t header_size = 16;

  // Reads the record at the front of in[0..len): its size, or 0 for a bad record. The packet
  // lives until the next read.
  std::size_t read(const std::uint8_t* in, std::size_t len, bool strict) {
    if (len < 4) return 0;
    const std::uint32_t size = u32(in);
    if (size < header_size || size > len) return 0;
    p_ = in;
    end_ = size;
    pos_ = 4;
    ok_ = true;
    return parse(strict) && ok_ && pos_ == end_ ? size : 0;
  }

  const mqttconn_packet& packet() const { return pkt_; }

 private:
  static std::uint32_t u32(const std::uint8_t* p) {
    return static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
           static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
  }
  bool need(std::size_t from, std::size_t to, std::size_t k) {
    if (!ok_ || k > to - from) ok_ = false;
    return ok_;
  }
  // A cursor over [pos, to): each read moves pos.
  std::uint8_t get8(std::size_t& pos, std::size_t to) { return need(pos, to, 1) ? p_[pos++] : 0; }
  std::uint16_t get16(std::size_t& pos, std::size_t to) {
    if (!need(pos, to, 2)) return 0;
    const auto v = static_cast<std::uint16_t>(p_[pos] | p_[pos + 1] << 8);
    pos += 2;
    return v;
  }
  std::uint32_t get32(std::size_t& pos, std::size_t to) {
    if (!need(pos, to, 4)) return 0;
    const std::uint32_t v = u32(p_ + pos);
    pos += 4;
    return v;
  }
  mqttconn_bytes take(std::size_t& pos, std::size_t to, std::size_t k) {
    if (!need(pos, to, k)) return {};
    const mqttconn_bytes b{p_ + pos, k};
    pos += k;
    return b;
  }

  static int sections_of(int type) {
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

  // The property section [from, to) into `pr`, its lists into `ups` and `ids`.
  bool props(std::size_t from, std::size_t to, mqttconn_properties& pr, std::vector<mqttconn_user_property>& ups,
             std::vector<std::uint32_t>& ids, bool strict) {
    std::memset(&pr, 0, sizeof pr);
    pr.struct_size = sizeof pr;
    ups.clear();
    ids.clear();
    std::size_t pos = from;
    int last = 0;
    while (ok_ && pos < to) {
      const int id = get8(pos, to);
      const bool list = id == MQTTCONN_PROP_USER_PROPERTY || id == MQTTCONN_PROP_SUBSCRIPTION_IDENTIFIER;
      if (strict && (id < last || (id == last && !list))) return false;  // ascending, repeats for lists only
      last = id;
      std::uint32_t v = 0;
      mqttconn_bytes b{};
      switch (id) {
        // one-byte integers
        case 0x01: case 0x17: case 0x19: case 0x24: case 0x25: case 0x28: case 0x29: case 0x2A:
          v = get32(pos, to);
          if (v > 0xFF) return false;
          break;
        // two-byte integers
        case 0x13: case 0x21: case 0x22: case 0x23:
          v = get32(pos, to);
          if (v > 0xFFFF) return false;
          break;
        // four-byte and variable byte integers
        case 0x02: case 0x0B: case 0x11: case 0x18: case 0x27: v = get32(pos, to); break;
        // strings and binary data
        case 0x03: case 0x08: case 0x09: case 0x12: case 0x15: case 0x16: case 0x1A: case 0x1C: case 0x1F:
          b = take(pos, to, get16(pos, to));
          break;
        case 0x26: {
          const mqttconn_bytes name = take(pos, to, get16(pos, to));
          ups.push_back({name, take(pos, to, get16(pos, to))});
          break;
        }
        default: return false;  // no property MQTT 5.0 defines
      }
      pr.present |= MQTTCONN_PROP_BIT(id);
      switch (id) {
        case 0x01: pr.payload_format_indicator = static_cast<std::uint8_t>(v); break;
        case 0x02: pr.message_expiry_interval = v; break;
        case 0x03: pr.content_type = b; break;
        case 0x08: pr.response_topic = b; break;
        case 0x09: pr.correlation_data = b; break;
        case 0x0B: ids.push_back(v); break;
        case 0x11: pr.session_expiry_interval = v; break;
        case 0x12: pr.assigned_client_identifier = b; break;
        case 0x13: pr.server_keep_alive = static_cast<std::uint16_t>(v); break;
        case 0x15: pr.authentication_method = b; break;
        case 0x16: pr.authentication_data = b; break;
        case 0x17: pr.request_problem_information = static_cast<std::uint8_t>(v); break;
        case 0x18: pr.will_delay_interval = v; break;
        case 0x19: pr.request_response_information = static_cast<std::uint8_t>(v); break;
        case 0x1A: pr.response_information = b; break;
        case 0x1C: pr.server_reference = b; break;
        case 0x1F: pr.reason_string = b; break;
        case 0x21: pr.receive_maximum = static_cast<std::uint16_t>(v); break;
        case 0x22: pr.topic_alias_maximum = static_cast<std::uint16_t>(v); break;
        case 0x23: pr.topic_alias = static_cast<std::uint16_t>(v); break;
        case 0x24: pr.maximum_qos = static_cast<std::uint8_t>(v); break;
        case 0x25: pr.retain_available = static_cast<std::uint8_t>(v); break;
        case 0x27: pr.maximum_packet_size = v; break;
        case 0x28: pr.wildcard_subscription_available = static_cast<std::uint8_t>(v); break;
        case 0x29: pr.subscription_identifier_available = static_cast<std::uint8_t>(v); break;
        case 0x2A: pr.shared_subscription_available = static_cast<std::uint8_t>(v); break;
        default: break;
      }
    }
    pr.user_properties = ups.data();
    pr.user_property_count = ups.size();
    pr.subscription_identifiers = ids.data();
    pr.subscription_identifier_count = ids.size();
    return ok_;
  }

  bool parse(bool strict) {
    mqttconn_packet& p = pkt_;
    std::memset(&p, 0, sizeof p);
    p.struct_size = sizeof p;
    p.props = &props_;
    p.will_props = &will_props_;
    std::memset(&will_props_, 0, sizeof will_props_);
    will_props_.struct_size = sizeof will_props_;
    std::size_t& pos = pos_;
    p.type = get8(pos, end_);
    const std::uint8_t flags = get8(pos, end_);
    p.packet_id = get16(pos, end_);
    p.reason_code = get8(pos, end_);
    p.protocol_version = get8(pos, end_);
    p.keep_alive = get16(pos, end_);
    const std::uint8_t conn = get8(pos, end_);
    if (get8(pos, end_) != 0 || get16(pos, end_) != 0 || (flags & 0xE0) != 0) return false;
    if (p.type < MQTTCONN_PACKET_CONNECT || p.type > MQTTCONN_PACKET_AUTH) return false;
    p.dup = flags & 1;
    p.retain = flags >> 1 & 1;
    p.qos = flags >> 2 & 3;
    p.session_present = flags >> 4 & 1;
    p.has_will = conn & 1;
    p.will_retain = conn >> 1 & 1;
    p.will_qos = conn >> 2 & 3;
    p.has_username = conn >> 4 & 1;
    p.has_password = conn >> 5 & 1;
    p.bridge = conn >> 6 & 1;
    p.clean_start = conn >> 7 & 1;
    if (strict && !strict_header(p.type, flags, conn)) return false;

    const int n = sections_of(p.type);
    std::uint32_t len[7] = {};
    for (int i = 0; i < n; ++i) len[i] = get32(pos, end_);
    if (!ok_) return false;
    int next = 0;
    // The next section: [from, to) of the record.
    const auto section = [&](std::size_t& from, std::size_t& to) {
      from = pos;
      take(pos, end_, len[next++]);
      to = pos;
      return ok_;
    };
    std::size_t from = 0, to = 0;
    switch (p.type) {
      case MQTTCONN_PACKET_CONNECT: {
        mqttconn_bytes* fields[6] = {&p.client_id, nullptr, &p.will_topic, &p.will_payload, &p.username, &p.password};
        for (mqttconn_bytes* f : fields) {
          if (!section(from, to)) return false;
          if (f != nullptr) {
            *f = {p_ + from, to - from};
          } else if (!props(from, to, will_props_, will_ups_, will_ids_, strict)) {
            return false;
          }
        }
        break;
      }
      case MQTTCONN_PACKET_PUBLISH:
        if (!section(from, to)) return false;
        p.topic = {p_ + from, to - from};
        if (!section(from, to)) return false;
        p.payload = {p_ + from, to - from};
        break;
      case MQTTCONN_PACKET_SUBSCRIBE: {
        if (!section(from, to)) return false;
        subs_.clear();
        std::size_t at = from;
        while (ok_ && at < to) {
          const std::uint8_t o = get8(at, to);
          if ((o & 0xC0) != 0) return false;
          const mqttconn_bytes f = take(at, to, get16(at, to));
          subs_.push_back({f, static_cast<std::uint8_t>(o & 3), static_cast<std::uint8_t>(o >> 2 & 1),
                           static_cast<std::uint8_t>(o >> 3 & 1), static_cast<std::uint8_t>(o >> 4 & 3)});
        }
        p.subscriptions = subs_.data();
        p.subscription_count = subs_.size();
        break;
      }
      case MQTTCONN_PACKET_UNSUBSCRIBE: {
        if (!section(from, to)) return false;
        filters_.clear();
        std::size_t at = from;
        while (ok_ && at < to) filters_.push_back(take(at, to, get16(at, to)));
        p.topic_filters = filters_.data();
        p.topic_filter_count = filters_.size();
        break;
      }
      case MQTTCONN_PACKET_SUBACK:
      case MQTTCONN_PACKET_UNSUBACK:
        if (!section(from, to)) return false;
        p.reason_codes = {p_ + from, to - from};
        break;
      default: break;
    }
    if (!ok_ || !section(from, to)) return false;
    return props(from, to, props_, ups_, ids_, strict);
  }

  // What the library writes: only the fields of the type, the others 0.
  bool strict_header(int type, std::uint8_t flags, std::uint8_t conn) const {
    const mqttconn_packet& p = pkt_;
    std::uint8_t flag_bits = 0;
    bool id = false, reason = false;
    switch (type) {
      case MQTTCONN_PACKET_CONNACK: flag_bits = 0x10, reason = true; break;
      case MQTTCONN_PACKET_PUBLISH: flag_bits = 0x0F, id = true; break;
      case MQTTCONN_PACKET_PUBACK: case MQTTCONN_PACKET_PUBREC: case MQTTCONN_PACKET_PUBREL:
      case MQTTCONN_PACKET_PUBCOMP: flag_bits = 0x01, id = reason = true; break;
      case MQTTCONN_PACKET_SUBSCRIBE: case MQTTCONN_PACKET_UNSUBSCRIBE: flag_bits = 0x01, id = true; break;
      case MQTTCONN_PACKET_SUBACK: case MQTTCONN_PACKET_UNSUBACK: id = true; break;
      case MQTTCONN_PACKET_DISCONNECT: case MQTTCONN_PACKET_AUTH: reason = true; break;
      default: break;
    }
    if ((flags & ~flag_bits) != 0 || (!id && p.packet_id != 0) || (!reason && p.reason_code != 0)) return false;
    if (type == MQTTCONN_PACKET_PUBLISH && p.qos == 3) return false;
    if (type == MQTTCONN_PACKET_PUBLISH && p.qos == 0 && p.packet_id != 0) return false;
    if (type != MQTTCONN_PACKET_CONNECT) return p.protocol_version == 0 && p.keep_alive == 0 && conn == 0;
    const bool will_fields_zero = (conn & 1) || (conn & 0x0E) == 0;  // no will: no will QoS, retain
    return p.protocol_version >= 3 && p.protocol_version <= 5 && (conn >> 2 & 3) != 3 && will_fields_zero;
  }

  const std::uint8_t* p_ = nullptr;
  std::size_t end_ = 0, pos_ = 0;
  bool ok_ = true;
  mqttconn_packet pkt_{};
  mqttconn_properties props_{}, will_props_{};
  std::vector<mqttconn_user_property> ups_, will_ups_;
  std::vector<std::uint32_t> ids_, will_ids_;
  std::vector<mqttconn_subscription> subs_;
  std::vector<mqttconn_bytes> filters_;
};

}  // namespace mqttconn::fuzz
