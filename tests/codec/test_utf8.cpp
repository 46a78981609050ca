// UTF-8 Encoded String checks [MQTT-1.5.4-1] [MQTT-1.5.4-2] [V5-U02].
#include <algorithm>

#include "codec_helpers.hpp"

using namespace mqttconn;

TEST_SUITE("codec utf8") {

TEST_CASE("well-formed UTF-8 of every sequence length is accepted") {
  CHECK(check_utf8("") == 0);
  CHECK(check_utf8("plain ascii text that is longer than eight bytes") == 0);
  CHECK(check_utf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF") == 0);
  CHECK(check_utf8("\xEF\xBB\xBF") == 0);  // U+FEFF passes [MQTT-1.5.4-3]
}

TEST_CASE("ill-formed UTF-8 is rejected [MQTT-1.5.4-1]") {
  for (const char* bad : {"\x80", "\xC0\xAF", "\xC1\xBF", "\xE0\x80\xAF", "\xF0\x80\x80\xAF",
                          "\xED\xA0\x80", "\xED\xBF\xBF", "\xF4\x90\x80\x80", "\xF5\x80\x80\x80",
                          "\xFF", "\xC3", "\xE2\x82", "abcdefgh\xC3", "\xE2\x28\xA1"}) {
    CAPTURE(bad);
    CHECK(check_utf8(bad) == 0x81);
  }
}

TEST_CASE("U+0000 is rejected wherever it is [MQTT-1.5.4-2]") {
  using namespace std::string_view_literals;
  CHECK(check_utf8("\0"sv) == 0x81);
  CHECK(check_utf8("abcdefghijk\0lmnop"sv) == 0x81);
}

TEST_CASE("disallowed code points pass by default and fail on request [V5-U02]") {
  for (const char* s : {"\x01", "tab\there", "\x7F", "\xC2\x80", "\xC2\x9F", "\xEF\xBF\xBF",
                        "\xEF\xB7\x90", "\xF0\x9F\xBF\xBE", "12345678\x1F"}) {
    CAPTURE(s);
    CHECK(check_utf8(s) == 0);
    CHECK(check_utf8(s, true) == 0x81);
  }
  CHECK(check_utf8("\xC2\xA0 fine", true) == 0);
}

TEST_CASE("topic names and filters are checked like the codec checks them") {
  CHECK(check_topic_name("a/b") == 0);
  CHECK(check_topic_name("a/+") == 0x90);
  CHECK(check_topic_name("#") == 0x90);
  CHECK(check_topic_name("") == 0x90);
  CHECK(check_topic_filter("a/+/c") == 0);
  CHECK(check_topic_filter("a/#") == 0);
  CHECK(check_topic_filter("a/b#") == 0x8F);
  CHECK(check_topic_filter("a/#/c") == 0x8F);
  CHECK(check_topic_filter("a+/b") == 0x8F);
  CHECK(check_topic_filter("$share/g/a/+") == 0);
  CHECK(check_topic_filter("$share//a") == 0x8F);
  CHECK(check_topic_filter("$share/g+/a") == 0x8F);
  CHECK(check_topic_filter("$share/g") == 0x8F);
}


// The decoder and encoder check strings with an inlined ASCII fast path (16-, 8- and 4-byte
// words with an overlapping tail) before the full validator. Every length and position is
// tried here so that no word boundary lets a bad byte through.
TEST_CASE("the fast path agrees with a byte by byte model at every length and position [MQTT-1.5.4-1] [MQTT-3.3.2-2]") {
  using namespace mqttconn::test;
  struct probe {
    std::uint8_t byte;
    std::uint8_t topic_rc;  // verdict for a Topic Name holding this byte
    std::uint8_t text_rc;   // verdict for any other UTF-8 string
  };
  const probe probes[] = {{0x00, 0x81, 0x81}, {0x80, 0x81, 0x81}, {0xC3, 0x81, 0x81},
                          {0xFF, 0x81, 0x81}, {'+', 0x90, 0}, {'#', 0x90, 0},
                          {0x7F, 0, 0}, {0x01, 0, 0}, {'*', 0, 0}, {'*' | 0x08, 0, 0}};
  for (std::size_t n = 1; n <= 70; ++n) {
    for (std::size_t at = 0; at < n; ++at) {
      for (const probe& pr : probes) {
        std::vector<std::uint8_t> s(n, 'a');
        s[at] = pr.byte;
        CAPTURE(n);
        CAPTURE(at);
        CAPTURE(int(pr.byte));
        // PUBLISH at level 4: topic = s.
        // Sized once and filled in place: growing it by push_back and insert trips GCC 12's
        // -Wstringop-overflow false positive (a memmove into the reallocated block).
        std::vector<std::uint8_t> wire(4 + n);
        wire[0] = 0x30;                               // PUBLISH, QoS 0
        wire[1] = static_cast<std::uint8_t>(2 + n);   // remaining length
        wire[2] = 0;                                  // topic length, high byte
        wire[3] = static_cast<std::uint8_t>(n);       // topic length, low byte
        std::copy(s.begin(), s.end(), wire.begin() + 4);
        const result<packet> d = decode_one(wire, protocol_version::v3_1_1);
        CHECK(d.has_value() == (pr.topic_rc == 0));
        if (!d) CHECK(d.error().reason_code == pr.topic_rc);
        // The same string as a client identifier goes through the plain string path.
        connect c;
        c.version = protocol_version::v3_1_1;
        c.client_id = std::string_view(reinterpret_cast<const char*>(s.data()), n);
        std::vector<std::uint8_t> out;
        const result<std::size_t> e = encode(c, protocol_version::v3_1_1, out);
        CHECK(e.has_value() == (pr.text_rc == 0));
        // And the encoder's topic check.
        publish p;
        p.topic = c.client_id;
        CHECK(encoded_size(p, protocol_version::v3_1_1).has_value() == (pr.topic_rc == 0));
      }
    }
  }
}

}  // TEST_SUITE
