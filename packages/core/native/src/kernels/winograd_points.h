#pragma once
// The Winograd F(4x4, 3x3) transforms along one axis (Lavin & Gray, points 0, ±1, ±2, ∞), for any
// vector type with +, - and float * vector: the NCHW transforms (one tile per lane) and the blocked
// ones (one channel per lane) both use them. Internal linkage: each ISA's file gets its own copy.
namespace kiln::winograd {
namespace {

// out = B^T in.
template <typename V>
inline void inputPoints(const V* in, V* out) {
  const V d42 = in[4] - in[2], d31 = in[3] - in[1];
  out[0] = 4.f * in[0] - 5.f * in[2] + in[4];
  out[1] = (in[3] + in[4]) - 4.f * (in[1] + in[2]);
  out[2] = (in[4] - in[3]) + 4.f * (in[1] - in[2]);
  out[3] = d42 + 2.f * d31;
  out[4] = d42 - 2.f * d31;
  out[5] = 4.f * in[1] - 5.f * in[3] + in[5];
}

// out = A^T in.
template <typename V>
inline void outputPoints(const V* in, V* out) {
  const V s12 = in[1] + in[2], d12 = in[1] - in[2], s34 = in[3] + in[4], d34 = in[3] - in[4];
  out[0] = in[0] + s12 + s34;
  out[1] = d12 + 2.f * d34;
  out[2] = s12 + 4.f * s34;
  out[3] = d12 + 8.f * d34 + in[5];
}

}  // namespace
}  // namespace kiln::winograd
