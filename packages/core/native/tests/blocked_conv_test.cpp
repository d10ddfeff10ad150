#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "blocked_check.h"
#include "check.h"
#include "kernels/activation_apply.h"
#include "kernels/blocked_conv.h"
#include "kernels/blocked_pool.h"
#include "kernels/conv2d.h"

using namespace kiln;
using namespace kiln::blocked_check;

namespace {

void testReorder() {
  const int before = kt::failures();
  kt::Random rng(5);
  ThreadPool pool(3);
  for (Isa isa : supportedIsas()) {
    for (int64_t c : {1, 16, 17, 40})
      for (int64_t plane : {1, 15, 16, 63, 65, 130}) {
        const std::vector<float> x = rng.vector(2 * c * plane);
        std::vector<float> b = blockedBuffer(2, c, plane), back(x.size());
        blocked::toBlocked(isa, x.data(), 2, c, plane, b.data(), pool);
        blocked::fromBlocked(isa, b.data(), 2, c, plane, back.data(), pool);
        KT_CHECK(back == x, "reorder round trip c%lld plane %lld (%s)", static_cast<long long>(c), static_cast<long long>(plane), isaName(isa));
        KT_CHECK(guardIntact(b), "toBlocked wrote past the output");
        for (int64_t n = 0; n < 2; ++n)
          for (int64_t ch = c; ch < blocked::blocks(c) * blocked::kBlock; ++ch)
            for (int64_t p = 0; p < plane; ++p)
              KT_CHECK(b[((n * blocked::blocks(c) + ch / 16) * plane + p) * 16 + ch % 16] == 0.f, "padded channel %lld not zero",
                       static_cast<long long>(ch));
        // The layout itself, not only a round trip: pixel p of channel ch at lane ch of pixel p.
        for (int64_t ch = 0; ch < c; ++ch)
          for (int64_t p = 0; p < plane; ++p)
            if (b[((ch / 16) * plane + p) * 16 + ch % 16] != x[ch * plane + p]) {
              KT_CHECK(false, "channel %lld pixel %lld misplaced (%s)", static_cast<long long>(ch), static_cast<long long>(p), isaName(isa));
              ch = c;
              break;
            }
      }
  }
  kt::reportGroup("blocked reorder", before, "NCHW <-> NCHW16c on every ISA: the layout, round trips, padded channels zero");
}

void testPointwise() {
  const int before = kt::failures();
  kt::Random rng(11);
  const Epilogue epilogues[] = {{Activation::None}, {Activation::Clip, 0.f, 6.f}, {Activation::Silu}, {Activation::Relu, 0, 0, true}};
  int runs = 0;
  double worst = 0;
  const int64_t channels[][2] = {{3, 5}, {16, 16}, {24, 144}, {40, 24}, {17, 72}, {96, 33}, {144, 24}, {320, 40}};
  const int64_t planes[] = {1, 7, 49, 150, 13 * 11};
  int i = 0;
  for (const auto& cc : channels)
    for (int64_t plane : planes) {
      ++i;
      ConvGeometry g;
      g.cin = cc[0], g.cout = cc[1];
      const int64_t batch = i % 3 == 0 ? 2 : 1;
      const Epilogue epilogue = epilogues[i % 4];
      const bool withResidual = i % 3 != 1;  // every epilogue with and without one
      const std::vector<float> x = rng.vector(batch * g.cin * plane), weights = rng.vector(g.cout * g.cin),
                               bias = rng.vector(g.cout), residual = rng.vector(batch * g.cout * plane);
      const std::vector<float> expected =
          reference(g, x, batch, plane, 1, weights, bias, epilogue, withResidual ? &residual : nullptr);
      for (Isa isa : supportedIsas()) {
        const blocked::PointwiseBlocked kernel(isa, g.cin, g.cout, weights.data(), bias.data(), epilogue);
        for (int threads : {1, 3}) {
          ThreadPool pool(threads);
          std::vector<float> xb = blockedBuffer(batch, g.cin, plane), rb = blockedBuffer(batch, g.cout, plane),
                             yb = blockedBuffer(batch, g.cout, plane);
          blocked::toBlocked(isa, x.data(), batch, g.cin, plane, xb.data(), pool);
          blocked::toBlocked(isa, residual.data(), batch, g.cout, plane, rb.data(), pool);
          kernel.run(xb.data(), batch, plane, withResidual ? rb.data() : nullptr, yb.data(), pool);
          worst = std::max(worst, compare(expected, yb, batch, g.cout, plane, pool, "blocked pointwise", isa, threads));
          ++runs;
        }
      }
    }
  kt::reportGroup("blocked pointwise", before, kt::format("%d runs over channel pairs, planes, residuals and ISAs, max err %.2g", runs, worst));
}

struct DepthwiseFamily {
  const char* name;
  int64_t k, stride, pt, pl, pb, pr;
};

void testDepthwise() {
  const int before = kt::failures();
  kt::Random rng(23);
  const DepthwiseFamily families[] = {{"3x3 pad 1", 3, 1, 1, 1, 1, 1},       {"3x3 stride 2 pad 1", 3, 2, 1, 1, 1, 1},
                                      {"3x3 stride 2 pads 0,1,1,0", 3, 2, 0, 1, 1, 0}, {"3x3 no pad", 3, 1, 0, 0, 0, 0},
                                      {"5x5 pad 2", 5, 1, 2, 2, 2, 2},       {"5x5 stride 2 pads 1,2,3,0", 5, 2, 1, 2, 3, 0}};
  const Epilogue epilogues[] = {{Activation::None}, {Activation::Clip, 0.f, 6.f}, {Activation::Silu}};
  const int64_t sizes[][2] = {{1, 1}, {7, 7}, {14, 13}, {5, 23}, {28, 28}};
  const int64_t channels[] = {3, 16, 17, 40};
  int runs = 0, i = 0;
  double worst = 0;
  for (const DepthwiseFamily& f : families)
    for (int64_t c : channels)
      for (const auto& size : sizes) {
        ++i;
        int64_t h = size[0], w = size[1];
        if (h + f.pt + f.pb < f.k) h += f.k;
        if (w + f.pl + f.pr < f.k) w += f.k;
        ConvGeometry g;
        g.cin = g.cout = g.groups = c, g.kh = g.kw = f.k, g.strideH = g.strideW = f.stride;
        g.padTop = f.pt, g.padLeft = f.pl, g.padBottom = f.pb, g.padRight = f.pr;
        const int64_t batch = i % 4 == 0 ? 2 : 1;
        const Epilogue epilogue = epilogues[i % 3];
        const std::vector<float> x = rng.vector(batch * c * h * w), weights = rng.vector(c * f.k * f.k), bias = rng.vector(c);
        const std::vector<float> expected = reference(g, x, batch, h, w, weights, bias, epilogue, nullptr);
        const int64_t oh = g.outH(h), ow = g.outW(w);
        for (Isa isa : supportedIsas()) {
          const blocked::DepthwiseBlocked kernel(isa, g, weights.data(), bias.data(), epilogue);
          for (int threads : {1, 3}) {
            ThreadPool pool(threads);
            std::vector<float> xb = blockedBuffer(batch, c, h * w), yb = blockedBuffer(batch, c, oh * ow);
            blocked::toBlocked(isa, x.data(), batch, c, h * w, xb.data(), pool);
            kernel.run(xb.data(), batch, h, w, yb.data(), pool);
            worst = std::max(worst, compare(expected, yb, batch, c, oh * ow, pool, f.name, isa, threads));
            ++runs;
          }
        }
      }
  kt::reportGroup("blocked depthwise", before, kt::format("%zu families x channels x sizes x ISAs x {1, 3} threads = %d runs, max err %.2g",
                                                          std::size(families), runs, worst));
}

struct WindowFamily {
  const char* name;
  int64_t kh, kw, stride, pt, pl, pb, pr, dilation;
};

// A family's geometry for channels cc = {cin, cout}, and an input of about `size` that the padded
// window fits.
struct WindowCase {
  ConvGeometry g;
  int64_t h, w;
};
WindowCase windowCase(const WindowFamily& f, const int64_t (&cc)[2], const int64_t (&size)[2]) {
  WindowCase c{{}, size[0], size[1]};
  if (c.h + f.pt + f.pb < (f.kh - 1) * f.dilation + 1) c.h += f.kh * f.dilation;
  if (c.w + f.pl + f.pr < (f.kw - 1) * f.dilation + 1) c.w += f.kw * f.dilation;
  ConvGeometry& g = c.g;
  g.cin = cc[0], g.cout = cc[1], g.kh = f.kh, g.kw = f.kw, g.strideH = g.strideW = f.stride;
  g.padTop = f.pt, g.padLeft = f.pl, g.padBottom = f.pb, g.padRight = f.pr, g.dilationH = g.dilationW = f.dilation;
  return c;
}

void testDirect() {
  const int before = kt::failures();
  kt::Random rng(31);
  const WindowFamily families[] = {{"3x3 stride 2 pad 1 (MobileNet stem)", 3, 3, 2, 1, 1, 1, 1, 1},
                                   {"6x6 stride 2 pad 2 (YOLOv5 stem)", 6, 6, 2, 2, 2, 2, 2, 1},
                                   {"7x7 stride 2 pad 3 (ResNet stem)", 7, 7, 2, 3, 3, 3, 3, 1},
                                   {"3x3 pad 1", 3, 3, 1, 1, 1, 1, 1, 1},
                                   {"4x3 stride 3 pads 0,2,1,0", 4, 3, 3, 0, 2, 1, 0, 1},
                                   {"3x3 dilation 2 pad 2", 3, 3, 1, 2, 2, 2, 2, 2},
                                   {"1x1 stride 2", 1, 1, 2, 0, 0, 0, 0, 1}};
  const Epilogue epilogues[] = {{Activation::None}, {Activation::Clip, 0.f, 6.f}, {Activation::Silu}};
  const int64_t sizes[][2] = {{1, 1}, {9, 13}, {30, 31}, {5, 40}};
  const int64_t channels[][2] = {{1, 5}, {3, 16}, {3, 32}, {4, 40}};
  int runs = 0, i = 0;
  double worst = 0;
  for (const WindowFamily& f : families)
    for (const auto& cc : channels)
      for (const auto& size : sizes) {
        ++i;
        const auto [g, h, w] = windowCase(f, cc, size);
        const int64_t batch = i % 4 == 0 ? 2 : 1;
        const Epilogue epilogue = epilogues[i % 3];
        const std::vector<float> x = rng.vector(batch * g.cin * h * w), weights = rng.vector(g.cout * g.cin * g.kh * g.kw),
                                 bias = rng.vector(g.cout);
        const std::vector<float> expected = reference(g, x, batch, h, w, weights, bias, epilogue, nullptr);
        const int64_t plane = g.outH(h) * g.outW(w);
        for (Isa isa : supportedIsas()) {
          const blocked::DirectBlocked kernel(isa, g, weights.data(), bias.data(), epilogue);
          for (int threads : {1, 3}) {
            ThreadPool pool(threads);
            std::vector<float> yb = blockedBuffer(batch, g.cout, plane);
            std::vector<float> ws(kernel.workspaceBytes(threads) / sizeof(float));
            kernel.run(x.data(), batch, h, w, yb.data(), ws.data(), pool);
            worst = std::max(worst, compare(expected, yb, batch, g.cout, plane, pool, f.name, isa, threads));
            ++runs;
          }
        }
      }
  kt::reportGroup("blocked direct (NCHW in)", before, kt::format("%zu families x channels x sizes x ISAs x {1, 3} threads = %d runs, max err %.2g",
                                                                 std::size(families), runs, worst));
}

void testWindow() {
  const int before = kt::failures();
  kt::Random rng(37);
  const WindowFamily families[] = {{"3x3 pad 1", 3, 3, 1, 1, 1, 1, 1, 1},
                                   {"3x3 stride 2 pad 1", 3, 3, 2, 1, 1, 1, 1, 1},
                                   {"3x3 stride 2 pads 0,1,1,0", 3, 3, 2, 0, 1, 1, 0, 1},
                                   {"6x6 stride 2 pad 2", 6, 6, 2, 2, 2, 2, 2, 1},
                                   {"5x5 pad 2", 5, 5, 1, 2, 2, 2, 2, 1},
                                   {"4x3 stride 3 pads 0,2,1,0", 4, 3, 3, 0, 2, 1, 0, 1},
                                   {"3x3 dilation 2 pad 2", 3, 3, 1, 2, 2, 2, 2, 2},
                                   {"1x1 stride 2", 1, 1, 2, 0, 0, 0, 0, 1},
                                   {"1x1", 1, 1, 1, 0, 0, 0, 0, 1}};
  const Epilogue epilogues[] = {{Activation::None}, {Activation::Clip, 0.f, 6.f}, {Activation::Silu}, {Activation::Relu, 0, 0, true}};
  const int64_t sizes[][2] = {{1, 1}, {9, 13}, {20, 31}, {5, 40}};
  const int64_t channels[][2] = {{3, 5}, {16, 16}, {17, 40}, {32, 33}, {48, 64}, {20, 70}};
  int runs = 0, i = 0;
  double worst = 0;
  for (const WindowFamily& f : families)
    for (const auto& cc : channels)
      for (const auto& size : sizes) {
        ++i;
        const auto [g, h, w] = windowCase(f, cc, size);
        const int64_t batch = i % 4 == 0 ? 2 : 1, plane = g.outH(h) * g.outW(w);
        const Epilogue epilogue = epilogues[i % 4];
        const bool withResidual = i % 3 == 0;
        const std::vector<float> x = rng.vector(batch * g.cin * h * w), weights = rng.vector(g.cout * g.cin * g.kh * g.kw),
                                 bias = rng.vector(g.cout), residual = rng.vector(batch * g.cout * plane);
        const std::vector<float> expected = reference(g, x, batch, h, w, weights, bias, epilogue, withResidual ? &residual : nullptr);
        // Float sums over cin·kh·kw products: the rounding grows with their square root.
        const double tolerance = 2e-5 * std::max(1.0, std::sqrt(double(g.cin * g.kh * g.kw) / 64));
        for (Isa isa : supportedIsas())
          for (bool wide : {false, true}) {
            if (wide && !blocked::WindowBlocked::hasWideTiles(isa)) continue;
            const blocked::WindowBlocked kernel(isa, g, weights.data(), bias.data(), epilogue, wide);
            for (int threads : {1, 3}) {
              ThreadPool pool(threads);
              worst = std::max(worst, checkBlockedRun(kernel, kernel.workspaceBytes(threads), g, x, batch, h, w,
                                                      withResidual ? &residual : nullptr, expected, pool, f.name, isa,
                                                      threads, tolerance));
              ++runs;
            }
          }
      }
  kt::reportGroup("blocked window", before, kt::format("%zu families x channels x sizes x residuals x ISAs x tile shapes x {1, 3} threads = %d runs, max err %.2g",
                                                       std::size(families), runs, worst));
}

void testWinograd() {
  const int before = kt::failures();
  kt::Random rng(41);
  const int64_t pads[][4] = {{1, 1, 1, 1}, {0, 0, 0, 0}, {0, 1, 1, 0}, {2, 1, 0, 2}};
  const Epilogue epilogues[] = {{Activation::None}, {Activation::Silu}, {Activation::Clip, 0.f, 6.f}, {Activation::Relu, 0, 0, true}};
  const int64_t sizes[][2] = {{1, 1}, {4, 4}, {9, 13}, {21, 30}, {40, 6}};
  const int64_t channels[][2] = {{3, 5}, {16, 16}, {17, 40}, {32, 33}, {64, 48}};
  int runs = 0, i = 0;
  double worst = 0;
  for (const auto& pad : pads)
    for (const auto& cc : channels)
      for (const auto& size : sizes) {
        ++i;
        int64_t h = size[0], w = size[1];
        if (h + pad[0] + pad[2] < 3) h += 3;
        if (w + pad[1] + pad[3] < 3) w += 3;
        ConvGeometry g;
        g.cin = cc[0], g.cout = cc[1], g.kh = g.kw = 3;
        g.padTop = pad[0], g.padLeft = pad[1], g.padBottom = pad[2], g.padRight = pad[3];
        const int64_t batch = i % 4 == 0 ? 2 : 1, plane = g.outH(h) * g.outW(w);
        const Epilogue epilogue = epilogues[i % 4];
        const bool withResidual = i % 3 == 0;
        const std::vector<float> x = rng.vector(batch * g.cin * h * w), weights = rng.vector(g.cout * g.cin * 9),
                                 bias = rng.vector(g.cout), residual = rng.vector(batch * g.cout * plane);
        const std::vector<float> expected = reference(g, x, batch, h, w, weights, bias, epilogue, withResidual ? &residual : nullptr);
        for (Isa isa : supportedIsas()) {
          const blocked::WinogradBlocked kernel(isa, g, weights.data(), bias.data(), epilogue);
          for (int threads : {1, 3}) {
            ThreadPool pool(threads);
            worst = std::max(worst, checkBlockedRun(kernel, kernel.workspaceBytes(batch, h, w, threads), g, x, batch, h, w,
                                                    withResidual ? &residual : nullptr, expected, pool, "blocked winograd",
                                                    isa, threads, 2e-5 * std::sqrt(double(g.cin * 9))));
            ++runs;
          }
        }
      }
  kt::reportGroup("blocked winograd", before, kt::format("4 paddings x channels x sizes x residuals x ISAs x {1, 3} threads = %d runs, max err %.2g",
                                                         runs, worst));
}

void testMaxPool() {
  const int before = kt::failures();
  kt::Random rng(43);
  // kh, kw, sh, sw, pt, pl, dh, dw (the output size: floor, plus one for a ceil_mode-like last window)
  const int64_t windows[][8] = {{5, 5, 1, 1, 2, 2, 1, 1}, {3, 3, 2, 2, 1, 1, 1, 1}, {2, 2, 2, 2, 0, 0, 1, 1},
                                {3, 3, 1, 1, 2, 2, 2, 2}, {1, 3, 1, 2, 0, 1, 1, 1}};
  const int64_t sizes[][2] = {{1, 1}, {7, 9}, {20, 20}, {13, 6}};
  int runs = 0;
  for (const auto& wnd : windows)
    for (const auto& size : sizes)
      for (int64_t c : {5, 16, 40}) {
        const int64_t h = size[0] + wnd[0], w = size[1] + wnd[1];
        blocked::PoolWindow g{wnd[0], wnd[1], wnd[2], wnd[3], wnd[4], wnd[5], wnd[6], wnd[7], 0, 0};
        g.oh = (h + 2 * g.pt - g.dh * (g.kh - 1) - 1) / g.sh + 1 + (runs % 2);
        g.ow = (w + 2 * g.pl - g.dw * (g.kw - 1) - 1) / g.sw + 1;
        const std::vector<float> x = rng.vector(c * h * w);
        std::vector<float> expected(c * g.oh * g.ow, -std::numeric_limits<float>::infinity());
        for (int64_t ch = 0; ch < c; ++ch)
          for (int64_t oy = 0; oy < g.oh; ++oy)
            for (int64_t ox = 0; ox < g.ow; ++ox)
              for (int64_t ky = 0; ky < g.kh; ++ky)
                for (int64_t kx = 0; kx < g.kw; ++kx) {
                  const int64_t iy = oy * g.sh - g.pt + ky * g.dh, ix = ox * g.sw - g.pl + kx * g.dw;
                  float& e = expected[(ch * g.oh + oy) * g.ow + ox];
                  if (iy >= 0 && iy < h && ix >= 0 && ix < w) e = std::max(e, x[(ch * h + iy) * w + ix]);
                }
        for (Isa isa : supportedIsas()) {
          ThreadPool pool(3);
          std::vector<float> xb = blockedBuffer(1, c, h * w), yb = blockedBuffer(1, c, g.oh * g.ow), back(expected.size());
          blocked::toBlocked(isa, x.data(), 1, c, h * w, xb.data(), pool);
          blocked::maxPool(isa, xb.data(), blocked::blocks(c), h, w, g, yb.data(), pool);
          blocked::fromBlocked(isa, yb.data(), 1, c, g.oh * g.ow, back.data(), pool);
          KT_CHECK(back == expected, "blocked max pool %lldx%lld stride %lld on %lldx%lld, %lld channels (%s)", static_cast<long long>(g.kh),
                   static_cast<long long>(g.kw), static_cast<long long>(g.sh), static_cast<long long>(h), static_cast<long long>(w),
                   static_cast<long long>(c), isaName(isa));
          KT_CHECK(guardIntact(yb), "blocked max pool wrote past its output");
          ++runs;
        }
      }
  kt::reportGroup("blocked max pool", before, kt::format("5 windows x sizes x channels x ISAs = %d runs, exact", runs));
}

}  // namespace

void testBlockedConv() {
  testReorder();
  testPointwise();
  testDepthwise();
  testDirect();
  testWindow();
  testWinograd();
  testMaxPool();
}
