#pragma once
#include <string>

#include "engine/shape.h"
#include "kernels/blocked_conv.h"

namespace kiln {

// Why x is not an image of `channels` channels as a blocked layer reads it, NCHW ([N, C, H, W]) or
// channel-blocked ([N, ceil(C / 16), H, W, 16]); empty when it is.
inline std::string blockedInputMismatch(const Shape& x, int64_t channels, bool nchw) {
  const bool ok = nchw ? x.size() == 4 && x[1] == channels
                       : x.size() == 5 && x[4] == blocked::kBlock && x[1] == blocked::blocks(channels);
  if (ok) return {};
  return std::string("expects ") + (nchw ? "an NCHW" : "a blocked") + " input of " + std::to_string(channels) +
         " channels, got " + shapeToString(x);
}

}  // namespace kiln
