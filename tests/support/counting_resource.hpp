// A memory resource that counts what goes through it.
#pragma once

#include <cstddef>
#include <memory_resource>

namespace mqttconn::test {

class counting_resource : public std::pmr::memory_resource {
 public:
  std::size_t allocations = 0;
  std::size_t bytes_live = 0;
  std::size_t bytes_peak = 0;

 private:
  void* do_allocate(std::size_t n, std::size_t align) override {
    ++allocations;
    bytes_live += n;
    if (bytes_live > bytes_peak) bytes_peak = bytes_live;
    return std::pmr::new_delete_resource()->allocate(n, align);
  }
  void do_deallocate(void* p, std::size_t n, std::size_t align) override {
    bytes_live -= n;
    std::pmr::new_delete_resource()->deallocate(p, n, align);
  }
  bool do_is_equal(const std::pmr::memory_resource& o) const noexcept override { return this == &o; }
};

}  // namespace mqttconn::test
