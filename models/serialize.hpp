#pragma once

#include "models/global_model.hpp"
#include "models/isolation_forest.hpp"
#include "models/user_model.hpp"

#include <cstdint>
#include <stdexcept>
#include <vector>

namespace rtad::models {

/// Bytes that are not a checkpoint this version can read.
struct codec_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Current checkpoint format; older ones are refused with a clear error.
inline constexpr std::uint8_t checkpoint_format = 1;

/// (De)serialises whole models: compact, versioned, CRC-32 checked. A
/// restored model equals the saved one and behaves identically from then on.
class model_codec {
public:
  static std::vector<std::uint8_t> save(const user_model& m);
  /// Throws codec_error on corrupt, truncated or foreign bytes.
  static user_model load_user_model(const std::uint8_t* data, std::size_t size);

  static std::vector<std::uint8_t> save(const isolation_forest& f);
  /// A global model with its window of rows; domains are the owner's setting.
  static std::vector<std::uint8_t> save(const global_model& g);
  static global_model load_global_model(const std::uint8_t* data, std::size_t size,
                                        std::vector<std::pair<float, float>> domains);
  static isolation_forest load_forest(const std::uint8_t* data, std::size_t size);
};

/// CRC-32 (IEEE 802.3) of a byte range.
std::uint32_t crc32(const std::uint8_t* data, std::size_t size);

} // namespace rtad::models
