#pragma once
#include <string>
#include <vector>

#include "engine/dtype.h"
#include "engine/graph.h"
#include "engine/shape.h"
#include "runtime/cpu_features.h"

namespace kiln {

// What a layer's tactic timings depend on, as one string (a timing cache's key): the ISA and thread
// count, the layer type and attributes, and every input's element type and shape (weights
// included). Two layers with equal keys — in one model or in two — run the same kernels on the
// same amount of data. The layer's name is not part of it.
std::string timingKey(const LayerDesc& desc, const std::vector<DType>& inputTypes,
                      const std::vector<Shape>& inputShapes, Isa isa, int threads);

}  // namespace kiln
