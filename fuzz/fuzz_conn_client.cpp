// fuzz_conn_client: a client connection driven by a fuzzer-chosen script against a fuzzed
// server byte stream. The script language and every invariant are in conn_driver.hpp.
#include "conn_driver.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < mqttconn::fuzz::conn_driver::header_size) return 0;
  mqttconn::fuzz::conn_driver(mqttconn::role::client, data, size).run();
  return 0;
}
