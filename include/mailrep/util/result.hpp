#pragma once
/// \file Result<T>: a value or an Error. Errors are values; no exceptions cross module boundaries.
#include <string>
#include <utility>

#include <tl/expected.hpp>

namespace mailrep {

enum class ErrorCode {
  invalid_input,  ///< user input that cannot be understood (bad domain, bad address)
  parse,          ///< a file or record that does not parse
  io,             ///< a file or socket that failed
  dns,            ///< a lookup that did not give a fact
  limit,          ///< a cap was hit (size, count, time)
  unsupported,
  internal,
};

/// A typed error with an already-sanitised, human-readable message.
struct Error {
  ErrorCode code = ErrorCode::internal;
  std::string message;
};

template <class T>
using Result = tl::expected<T, Error>;

[[nodiscard]] inline tl::unexpected<Error> fail(ErrorCode code, std::string message) {
  return tl::unexpected<Error>(Error{code, std::move(message)});
}

}  // namespace mailrep
