// decode-session: the codec demo. Reads MQTT byte streams written as commented hex (see
// examples/data), decodes each incrementally in small chunks as a network would deliver it,
// prints every packet, re-encodes it and checks the bytes are the ones that arrived.
//
//   decode-session [--level 3|4|5] [--chunk N] FILE.hex...
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "mqttconn/codec.hpp"
#include "packet_printer.hpp"

namespace {

using namespace mqttconn;

bool read_hex(const char* path, std::vector<std::uint8_t>& out) {
  std::ifstream f(path);
  if (!f) return false;
  std::string line;
  int hi = -1;
  while (std::getline(f, line)) {
    for (char c : line.substr(0, line.find('#'))) {
      if (!std::isxdigit(static_cast<unsigned char>(c))) continue;
      const int d = std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : std::tolower(c) - 'a' + 10;
      if (hi < 0) {
        hi = d;
      } else {
        out.push_back(static_cast<std::uint8_t>(hi << 4 | d));
        hi = -1;
      }
    }
  }
  return hi < 0;
}

// Decodes one stream; returns false on a decode error or a re-encoding mismatch.
bool run(const char* path, protocol_version level, std::size_t chunk) {
  std::vector<std::uint8_t> wire;
  if (!read_hex(path, wire)) {
    std::fprintf(stderr, "%s: cannot read hex\n", path);
    return false;
  }
  std::printf("== %s (%zu bytes, fed in %zu-byte chunks)\n", path, wire.size(), chunk);
  stream_decoder dec(level);
  packet p;
  std::vector<std::uint8_t> again;
  std::size_t count = 0, identical = 0;
  std::uint64_t packet_start = 0;
  for (std::size_t pos = 0; pos < wire.size(); pos += chunk) {
    bytes in(wire.data() + pos, std::min(chunk, wire.size() - pos));
    for (;;) {
      const result<void> r = dec.next(in, p);
      if (!r) {
        if (r.error().code == errc::need_more) break;
        std::printf("   error: %s\n", r.error().message().c_str());
        return false;
      }
      if (const auto* c = std::get_if<connect>(&p)) dec.set_version(c->version);
      const std::uint64_t size = dec.offset() - packet_start;  // the decoder took exactly this packet
      again.clear();
      const result<std::size_t> n = encode(p, dec.version(), again);
      const bool same = n && again.size() == size &&
                        std::memcmp(again.data(), wire.data() + packet_start, size) == 0;
      identical += same;
      std::printf("%3zu %s\n    %zu bytes, re-encoded %s\n", ++count, demo::describe(p).c_str(),
                  static_cast<std::size_t>(size), same ? "byte for byte" : "DIFFERENTLY");
      packet_start += size;
    }
  }
  std::printf("   %zu packets, %zu re-encoded identically\n", count, identical);
  return identical == count && packet_start == wire.size();
}

}  // namespace

int main(int argc, char** argv) {
  protocol_version level = protocol_version::v5;
  std::size_t chunk = 7;  // small on purpose: packets straddle chunk borders
  bool ok = true;
  int files = 0;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--level") == 0 && i + 1 < argc) {
      level = static_cast<protocol_version>(std::atoi(argv[++i]));
    } else if (std::strcmp(argv[i], "--chunk") == 0 && i + 1 < argc) {
      chunk = static_cast<std::size_t>(std::max(1, std::atoi(argv[++i])));
    } else {
      ok = run(argv[i], level, chunk) && ok;
      ++files;
    }
  }
  if (files == 0) {
    std::fprintf(stderr, "usage: %s [--level 3|4|5] [--chunk N] FILE.hex...\n", argv[0]);
    return 2;
  }
  return ok ? 0 : 1;
}
