#pragma once
#include <cstddef>
#include <vector>

#include "engine/engine.h"
#include "engine/shape.h"

namespace kiln {

// A tensor stored inside another one: `parent`'s storage at `byteOffset`, or parent -1 when it
// has storage of its own.
struct TensorView {
  int parent = -1;
  size_t byteOffset = 0;
};

// Decides, for the current shapes, which tensors can live inside others so that layers that only
// move data need not copy it: a Reshape's output is its input; with nothing outside the axis
// (batch 1 on a channel axis), a Concat's inputs are written straight into their slices of its
// output and a Split's outputs are slices of its input. Only tensors computed by layers qualify
// (never graph inputs, constants, or graph outputs inside something else), and a tensor gets at
// most one home.
std::vector<TensorView> planTensorViews(const Engine& engine, const std::vector<Shape>& shapes);

// The tensor whose storage `t` ends up in, and the byte offset inside it.
inline TensorView resolveView(const std::vector<TensorView>& views, int t) {
  TensorView out{t, 0};
  while (views[out.parent].parent >= 0) {
    out.byteOffset += views[out.parent].byteOffset;
    out.parent = views[out.parent].parent;
  }
  return out;
}

}  // namespace kiln
