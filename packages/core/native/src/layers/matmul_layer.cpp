#include <algorithm>
#include <cstring>

#include "engine/broadcast.h"
#include "engine/layer.h"
#include "kernels/dense.h"
#include "layers/parallel.h"

namespace kiln {
namespace {

// Y = alpha · op(A) · op(B) + beta · C over float32, with NumPy matmul semantics: 1-D operands are
// promoted (and the added axis dropped again), leading axes broadcast as batches. op() transposes
// the last two axes when trans_a / trans_b is set; C (Gemm's bias) broadcasts to the output.
// A fully connected layer (B a constant matrix, C none or a constant row added as it is, alpha 1,
// A not transposed) runs on the packed SGEMM kernels (DenseKernel); anything else as an i-k-j loop
// that the compiler vectorizes along blocks of the output row (i-j-k dot products in fixed partial
// sums when B is transposed).
class MatMulLayer final : public Layer {
 public:
  MatMulLayer(const LayerDesc& desc, const LayerBuildContext& ctx) : Layer(desc) {
    Attrs attrs(desc);
    transA_ = attrs.getInt("trans_a", 0) != 0;
    transB_ = attrs.getInt("trans_b", 0) != 0;
    alpha_ = attrs.getFloat("alpha", 1.f);
    beta_ = attrs.getFloat("beta", 1.f);
    const ConstantDesc* b = ctx.constantInputs.size() > 1 ? ctx.constantInputs[1] : nullptr;
    const ConstantDesc* c = ctx.constantInputs.size() > 2 ? ctx.constantInputs[2] : nullptr;
    if (!b || b->shape.size() != 2 || transA_ || alpha_ != 1.f) return;
    const int64_t n = transB_ ? b->shape[0] : b->shape[1], k = transB_ ? b->shape[1] : b->shape[0];
    const bool row = c && beta_ == 1.f && elementCount(c->shape) == n && (c->shape.size() == 1 || (c->shape.size() == 2 && c->shape[0] == 1));
    if (desc.inputs.size() > 2 && !row) return;
    const auto* w = reinterpret_cast<const float*>(b->bytes->data());
    std::vector<float> weights(w, w + n * k);  // [n, k]
    if (!transB_)
      for (int64_t i = 0; i < n; ++i)
        for (int64_t kk = 0; kk < k; ++kk) weights[i * k + kk] = w[kk * n + i];
    dense_ = std::make_unique<DenseKernel>(ctx.isa, n, k, weights.data(), row ? reinterpret_cast<const float*>(c->bytes->data()) : nullptr);
  }

  size_t workspaceBytes(const std::vector<Shape>&, int threads) const override {
    return dense_ ? dense_->workspaceBytes(threads) : 0;
  }

  struct Dims {
    Shape a, b, batch, out;  // a, b: promoted to rank >= 2
    int64_t m, n, k;
  };

  Dims dims(const std::vector<Shape>& in) const {
    Dims d;
    d.a = in[0];
    d.b = in[1];
    if (d.a.empty() || d.b.empty()) shapeError("MatMul operands must have at least one axis");
    if (d.a.size() == 1) d.a.insert(d.a.begin(), 1);
    if (d.b.size() == 1) d.b.push_back(1);
    const size_t ra = d.a.size(), rb = d.b.size();
    d.m = transA_ ? d.a[ra - 1] : d.a[ra - 2];
    d.k = transA_ ? d.a[ra - 2] : d.a[ra - 1];
    const int64_t kb = transB_ ? d.b[rb - 1] : d.b[rb - 2];
    d.n = transB_ ? d.b[rb - 2] : d.b[rb - 1];
    if (kb != d.k) shapeError("inner dimensions differ: " + shapeToString(in[0]) + " x " + shapeToString(in[1]));
    if (!broadcastShapes(Shape(d.a.begin(), d.a.end() - 2), Shape(d.b.begin(), d.b.end() - 2), &d.batch))
      shapeError("batch dimensions do not broadcast: " + shapeToString(in[0]) + " x " + shapeToString(in[1]));
    d.out = d.batch;
    if (in[0].size() > 1) d.out.push_back(d.m);
    if (in[1].size() > 1) d.out.push_back(d.n);
    return d;
  }

  std::vector<Shape> inferShapes(const std::vector<Shape>& in) const override {
    if (in.size() != 2 && in.size() != 3) shapeError("expects 2 or 3 inputs");
    const Dims d = dims(in);
    if (in.size() == 3) {
      Shape mn{d.m, d.n}, out;
      if (!broadcastShapes(in[2], mn, &out) || out != mn) shapeError("C " + shapeToString(in[2]) + " does not broadcast to [M, N]");
    }
    return {d.out};
  }

  void run(const LayerRun& r) const override {
    const std::vector<Shape> in = {*r.inputShapes[0], *r.inputShapes[1]};
    const Dims d = dims(in);
    if (dense_) {
      dense_->run(r.in(0), elementCount(in[0]) / d.k, r.out(0), r.workspace, *r.pool);
      return;
    }
    const float* a = r.in(0);
    const float* b = r.in(1);
    float* y = r.out(0);
    const int64_t m = d.m, n = d.n, k = d.k;
    const int64_t batches = elementCount(d.batch);
    const Shape batchA(d.a.begin(), d.a.end() - 2), batchB(d.b.begin(), d.b.end() - 2);
    const auto sa = broadcastStrides(batchA, d.batch), sb = broadcastStrides(batchB, d.batch);
    const std::vector<int64_t> cStrides = r.inputs.size() == 3 ? broadcastStrides(*r.inputShapes[2], {m, n}) : std::vector<int64_t>{};
    const float* c = r.inputs.size() == 3 ? r.in(2) : nullptr;
    // Work units: a block of up to kRows output rows by kColumns columns, so that B is read once per
    // block of rows (a batch-8 fully connected layer reads its weights once, not eight times) and a
    // single row (batch 1) still spreads over the pool.
    const int64_t blocks = (n + kColumns - 1) / kColumns, rowBlocks = (m + kRows - 1) / kRows;
    const int64_t grain = std::max<int64_t>(1, 8192 / std::max<int64_t>(1, std::min(n, kColumns) * k * std::min(m, kRows)));
    parallelRange(*r.pool, batches * rowBlocks * blocks, grain, [&](int64_t begin, int64_t end) {
      for (int64_t unit = begin; unit < end; ++unit) {
        const int64_t j0 = unit % blocks * kColumns, j1 = std::min(n, j0 + kColumns);
        const int64_t i0 = unit / blocks % rowBlocks * kRows, i1 = std::min(m, i0 + kRows), bi = unit / (blocks * rowBlocks);
        int64_t rem = bi, offA = 0, offB = 0;
        for (int64_t dim = static_cast<int64_t>(d.batch.size()) - 1; dim >= 0; --dim) {
          const int64_t idx = rem % d.batch[dim];
          rem /= d.batch[dim];
          offA += idx * sa[dim];
          offB += idx * sb[dim];
        }
        const float* pa = a + offA * m * k;
        const float* pb = b + offB * k * n;
        float* py = y + bi * m * n;
        computeRows(pa, pb, py, i0, i1, m, n, k, j0, j1);
        for (int64_t i = i0; i < i1; ++i)
          for (int64_t j = j0; j < j1; ++j) {
            float v = alpha_ * py[i * n + j];
            if (c) v += beta_ * c[i * cStrides[0] + j * cStrides[1]];
            py[i * n + j] = v;
          }
      }
    });
  }

 private:
  static constexpr int64_t kColumns = 256, kRows = 8;
  static constexpr int kLanes = 16;

  // Σ x[kk]·y[kk] over kk < k, in kLanes partial sums (a fixed order the compiler can vectorize).
  static float dot(const float* x, const float* y, int64_t k) {
    float lanes[kLanes] = {};
    int64_t kk = 0;
    for (; kk + kLanes <= k; kk += kLanes)
      for (int l = 0; l < kLanes; ++l) lanes[l] += x[kk + l] * y[kk + l];
    float acc = 0.f;
    for (; kk < k; ++kk) acc += x[kk] * y[kk];
    for (int l = 0; l < kLanes; ++l) acc += lanes[l];
    return acc;
  }

  // Rows [i0, i1) and columns [j0, j1) of op(A) · op(B) into y (row-major, n columns).
  void computeRows(const float* a, const float* b, float* y, int64_t i0, int64_t i1, int64_t m, int64_t n, int64_t k,
                   int64_t j0, int64_t j1) const {
    auto aAt = [&](int64_t i, int64_t kk) { return transA_ ? a[kk * m + i] : a[i * k + kk]; };
    if (transB_) {
      for (int64_t j = j0; j < j1; ++j) {
        const float* bj = b + j * k;
        for (int64_t i = i0; i < i1; ++i) {
          if (!transA_) {
            y[i * n + j] = dot(a + i * k, bj, k);
          } else {
            float acc = 0.f;
            for (int64_t kk = 0; kk < k; ++kk) acc += aAt(i, kk) * bj[kk];
            y[i * n + j] = acc;
          }
        }
      }
      return;
    }
    for (int64_t i = i0; i < i1; ++i) std::fill(y + i * n + j0, y + i * n + j1, 0.f);
    for (int64_t kk = 0; kk < k; ++kk) {
      const float* bk = b + kk * n;
      for (int64_t i = i0; i < i1; ++i) {
        const float av = aAt(i, kk);
        float* yi = y + i * n;
        for (int64_t j = j0; j < j1; ++j) yi[j] += av * bk[j];
      }
    }
  }

  bool transA_, transB_;
  float alpha_, beta_;
  std::unique_ptr<DenseKernel> dense_;
};

KILN_REGISTER_LAYER("MatMul", [](const LayerDesc& desc, const LayerBuildContext& ctx) {
  Layer::requireTypes(desc, ctx, {DType::Float32});
  return std::unique_ptr<Layer>(new MatMulLayer(desc, ctx));
});

}  // namespace
}  // namespace kiln
