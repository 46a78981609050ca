// -F: each sequence as mosquitto_sub(1) describes it under OUTPUT FORMAT.
#include "format.hpp"

#include <string>

namespace client {
namespace {

void put(std::FILE* out, std::string_view s) { std::fwrite(s.data(), 1, s.size(), out); }

template <class T>
void put_number(std::FILE* out, const std::optional<T>& v) {
  if (v) put(out, std::to_string(+*v));
}

void put_hex(std::FILE* out, mqttconn::binary b, bool upper) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  for (std::uint8_t c : b) std::fputc(digits[c >> 4], out), std::fputc(digits[c & 15], out);
}

}  // namespace

void print_formatted(std::string_view f, const mqttconn::publish& m, std::FILE* out) {
  for (std::size_t i = 0; i < f.size(); ++i) {
    const char c = f[i];
    if ((c != '%' && c != '\\') || i + 1 == f.size()) {
      std::fputc(c, out);
      continue;
    }
    const char k = f[++i];
    if (c == '\\') {
      switch (k) {
        case '\\': std::fputc('\\', out); break;
        case '0': std::fputc('\0', out); break;
        case 'a': std::fputc('\a', out); break;
        case 'e': std::fputc('\033', out); break;
        case 'n': std::fputc('\n', out); break;
        case 'r': std::fputc('\r', out); break;
        case 't': std::fputc('\t', out); break;
        case 'v': std::fputc('\v', out); break;
        default: std::fputc('\\', out), std::fputc(k, out); break;
      }
      continue;
    }
    const mqttconn::properties& p = m.props;
    switch (k) {
      case '%': std::fputc('%', out); break;
      case 't': put(out, m.topic); break;
      case 'p': put(out, m.payload.as_string()); break;
      case 'x': put_hex(out, m.payload, false); break;
      case 'X': put_hex(out, m.payload, true); break;
      case 'l': put(out, std::to_string(m.payload.size())); break;
      case 'm': put(out, std::to_string(m.packet_id)); break;
      case 'q': put(out, std::to_string(static_cast<int>(m.qos))); break;
      case 'r': put(out, m.retain ? "1" : "0"); break;
      case 'A': put_number(out, p.topic_alias()); break;
      case 'C': put(out, p.content_type().value_or("")); break;
      case 'D': if (auto d = p.correlation_data()) put(out, d->as_string()); break;
      case 'E': put_number(out, p.message_expiry_interval()); break;
      case 'F': if (auto v = p.payload_format_indicator()) put(out, *v ? "1" : "0"); break;
      case 'R': put(out, p.response_topic().value_or("")); break;
      case 'S': {
        bool first = true;
        for (std::uint32_t id : p.subscription_identifiers()) {
          if (!first) std::fputc(',', out);
          put(out, std::to_string(id)), first = false;
        }
        break;
      }
      case 'P': {
        bool first = true;
        for (const mqttconn::user_property& u : p.user_properties()) {
          if (!first) std::fputc(' ', out);
          put(out, u.name), std::fputc(':', out), put(out, u.value), first = false;
        }
        break;
      }
      default: std::fputc('%', out), std::fputc(k, out); break;
    }
  }
}

}  // namespace client
