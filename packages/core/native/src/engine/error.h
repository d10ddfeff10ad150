#pragma once
#include <stdexcept>
#include <string>

namespace kiln {

// An error with a stable code (e.g. KILN_PLAN_CHECKSUM) that the addon hands to TypeScript, which
// turns it into the matching typed error class.
class Error : public std::runtime_error {
 public:
  Error(std::string code, const std::string& message) : std::runtime_error(message), code_(std::move(code)) {}
  const std::string& code() const { return code_; }

 private:
  std::string code_;
};

}  // namespace kiln
