#include "engine/plan.h"

#include <cstring>
#include <map>

#include "engine/byte_stream.h"
#include "engine/error.h"

namespace kiln {
namespace {

constexpr char kMagic[4] = {'K', 'I', 'L', 'N'};
constexpr size_t kHeaderBytes = 64;
constexpr size_t kVersionBytes = 24;
constexpr size_t kSectionEntryBytes = 24;
enum SectionId : uint32_t { kGraph = 1, kWeights = 2, kTactics = 3, kUserMetadata = 4 };

uint64_t fnv1a(const uint8_t* data, size_t n) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; ++i) {
    h ^= data[i];
    h *= 1099511628211ull;
  }
  return h;
}

void writeShape(ByteWriter& w, const Shape& s) {
  w.u32(static_cast<uint32_t>(s.size()));
  for (int64_t d : s) w.i64(d);
}

DType readDType(ByteReader& r, const std::string& what) {
  const uint8_t t = r.u8();
  if (t >= kDTypeCount) throw Error("KILN_PLAN_CORRUPT", what + " has an unknown element type");
  return static_cast<DType>(t);
}

Shape readShape(ByteReader& r) {
  Shape s(r.count(8));
  for (auto& d : s) d = r.i64();
  return s;
}

std::vector<uint8_t> encodeGraph(const GraphDesc& g, const std::vector<uint64_t>& weightOffsets) {
  ByteWriter w;
  w.u32(static_cast<uint32_t>(g.inputs.size()));
  for (const InputDesc& in : g.inputs) {
    w.str(in.name);
    w.u8(static_cast<uint8_t>(in.dtype));
    writeShape(w, in.shape);
    writeShape(w, in.minShape);
    writeShape(w, in.optShape);
    writeShape(w, in.maxShape);
  }
  w.u32(static_cast<uint32_t>(g.outputs.size()));
  for (const std::string& o : g.outputs) w.str(o);
  w.u32(static_cast<uint32_t>(g.constants.size()));
  for (size_t i = 0; i < g.constants.size(); ++i) {
    w.str(g.constants[i].name);
    w.u8(static_cast<uint8_t>(g.constants[i].dtype));
    writeShape(w, g.constants[i].shape);
    w.u64(weightOffsets[i]);
  }
  w.u32(static_cast<uint32_t>(g.layers.size()));
  for (const LayerDesc& l : g.layers) {
    w.str(l.name);
    w.str(l.type);
    w.u32(static_cast<uint32_t>(l.inputs.size()));
    for (const auto& s : l.inputs) w.str(s);
    w.u32(static_cast<uint32_t>(l.outputs.size()));
    for (const auto& s : l.outputs) w.str(s);
    for (DType t : l.outputTypes) w.u8(static_cast<uint8_t>(t));
    w.u32(static_cast<uint32_t>(l.attrs.size()));
    for (const auto& [name, value] : l.attrs) {
      w.str(name);
      w.u8(static_cast<uint8_t>(value.kind));
      switch (value.kind) {
        case AttrValue::Kind::Ints:
          w.u32(static_cast<uint32_t>(value.ints.size()));
          for (int64_t v : value.ints) w.i64(v);
          break;
        case AttrValue::Kind::Floats:
          w.u32(static_cast<uint32_t>(value.floats.size()));
          for (float v : value.floats) w.f32(v);
          break;
        case AttrValue::Kind::String:
          w.str(value.str);
          break;
      }
    }
  }
  return std::move(w.bytes());
}

GraphDesc decodeGraph(const uint8_t* data, size_t size, const uint8_t* weights, size_t weightBytes) {
  ByteReader r(data, size, "graph");
  GraphDesc g;
  g.inputs.resize(r.count(4));
  for (InputDesc& in : g.inputs) {
    in.name = r.str();
    in.dtype = readDType(r, "input '" + in.name + "'");
    in.shape = readShape(r);
    in.minShape = readShape(r);
    in.optShape = readShape(r);
    in.maxShape = readShape(r);
  }
  g.outputs.resize(r.count(4));
  for (auto& o : g.outputs) o = r.str();
  g.constants.resize(r.count(16));
  for (ConstantDesc& c : g.constants) {
    c.name = r.str();
    c.dtype = readDType(r, "constant '" + c.name + "'");
    c.shape = readShape(r);
    const uint64_t offset = r.u64();
    uint64_t count = 1;
    for (int64_t d : c.shape) {
      if (d < 0 || d > (int64_t{1} << 40)) throw Error("KILN_PLAN_CORRUPT", "constant '" + c.name + "' has an impossible shape");
      count *= static_cast<uint64_t>(d);
      if (count > weightBytes) throw Error("KILN_PLAN_CORRUPT", "constant '" + c.name + "' is larger than the plan's weights");
    }
    const uint64_t bytes = count * dtypeSize(c.dtype);
    if (offset > weightBytes || bytes > weightBytes - offset)
      throw Error("KILN_PLAN_CORRUPT", "constant '" + c.name + "' lies outside the plan's weights section");
    c.bytes = std::make_shared<std::vector<uint8_t>>(weights + offset, weights + offset + bytes);
  }
  g.layers.resize(r.count(16));
  for (LayerDesc& l : g.layers) {
    l.name = r.str();
    l.type = r.str();
    l.inputs.resize(r.count(4));
    for (auto& s : l.inputs) s = r.str();
    l.outputs.resize(r.count(4));
    for (auto& s : l.outputs) s = r.str();
    l.outputTypes.resize(l.outputs.size());
    for (auto& t : l.outputTypes) t = readDType(r, "layer '" + l.name + "'");
    const uint32_t attrs = r.count(5);
    for (uint32_t a = 0; a < attrs; ++a) {
      const std::string name = r.str();
      AttrValue value;
      const uint8_t kind = r.u8();
      if (kind > 2) throw Error("KILN_PLAN_CORRUPT", "layer '" + l.name + "' has an attribute of unknown kind");
      value.kind = static_cast<AttrValue::Kind>(kind);
      if (value.kind == AttrValue::Kind::Ints) {
        value.ints.resize(r.count(8));
        for (auto& v : value.ints) v = r.i64();
      } else if (value.kind == AttrValue::Kind::Floats) {
        value.floats.resize(r.count(4));
        for (auto& v : value.floats) v = r.f32();
      } else {
        value.str = r.str();
      }
      l.attrs[name] = std::move(value);
    }
  }
  return g;
}

}  // namespace

std::vector<uint8_t> serializePlan(const Engine& engine, const std::string& kilnVersion) {
  const GraphDesc& g = engine.graph();
  ByteWriter weights;
  std::vector<uint64_t> offsets;
  for (const ConstantDesc& c : g.constants) {
    weights.alignTo(64);
    offsets.push_back(weights.size());
    weights.raw(c.bytes->data(), c.bytes->size());
  }
  ByteWriter tactics;
  const auto t = engine.tactics();
  tactics.u32(static_cast<uint32_t>(t.size()));
  for (int v : t) tactics.u32(static_cast<uint32_t>(v));

  std::vector<std::pair<uint32_t, std::vector<uint8_t>>> sections;
  sections.emplace_back(kGraph, encodeGraph(g, offsets));
  sections.emplace_back(kWeights, std::move(weights.bytes()));
  sections.emplace_back(kTactics, std::move(tactics.bytes()));
  sections.emplace_back(kUserMetadata, std::vector<uint8_t>(engine.userMetadata().begin(), engine.userMetadata().end()));

  ByteWriter out;
  out.raw(kMagic, 4);
  out.u32(kPlanFormatVersion);
  out.u32(kHeaderBytes);
  out.u32(static_cast<uint32_t>(engine.isa()));
  out.u32(static_cast<uint32_t>(engine.threads()));
  out.u32(static_cast<uint32_t>(sections.size()));
  out.u64(0);  // file size, patched below
  out.u64(0);  // checksum, patched below
  char version[kVersionBytes] = {};
  std::strncpy(version, kilnVersion.c_str(), kVersionBytes - 1);
  out.raw(version, kVersionBytes);

  uint64_t offset = kHeaderBytes + sections.size() * kSectionEntryBytes;
  std::vector<uint64_t> sectionOffsets;
  for (const auto& [id, bytes] : sections) {
    offset = (offset + 63) / 64 * 64;
    sectionOffsets.push_back(offset);
    out.u32(id);
    out.u32(0);
    out.u64(offset);
    out.u64(bytes.size());
    offset += bytes.size();
  }
  for (size_t i = 0; i < sections.size(); ++i) {
    out.alignTo(64);
    out.raw(sections[i].second.data(), sections[i].second.size());
  }
  auto& bytes = out.bytes();
  const uint64_t size = bytes.size();
  std::memcpy(bytes.data() + 24, &size, 8);
  const uint64_t checksum = fnv1a(bytes.data() + kHeaderBytes, bytes.size() - kHeaderBytes);
  std::memcpy(bytes.data() + 32, &checksum, 8);
  return std::move(bytes);
}

PlanHeader readPlanHeader(const uint8_t* data, size_t size) {
  if (size < 4 || std::memcmp(data, kMagic, 4) != 0)
    throw Error("KILN_PLAN_MAGIC", "not a Kiln engine: the file does not start with 'KILN'");
  ByteReader r(data, size, "header");
  r.bytes(4);
  PlanHeader h;
  h.formatVersion = r.u32();
  if (h.formatVersion > kPlanFormatVersion)
    throw Error("KILN_PLAN_VERSION", "the engine has plan format " + std::to_string(h.formatVersion) +
                                         "; this Kiln reads up to " + std::to_string(kPlanFormatVersion) + ": rebuild it or upgrade Kiln");
  if (h.formatVersion < kPlanFormatVersion)
    throw Error("KILN_PLAN_VERSION", "the engine has plan format " + std::to_string(h.formatVersion) +
                                         ", written by an older Kiln; this one reads format " + std::to_string(kPlanFormatVersion) + ": rebuild it");
  const uint32_t headerBytes = r.u32();
  const uint32_t isa = r.u32();
  h.threads = static_cast<int>(r.u32());
  r.u32();
  const uint64_t fileSize = r.u64();
  const uint64_t checksum = r.u64();
  const uint8_t* version = r.bytes(kVersionBytes);
  h.kilnVersion.assign(reinterpret_cast<const char*>(version), strnlen(reinterpret_cast<const char*>(version), kVersionBytes));
  if (headerBytes != kHeaderBytes) throw Error("KILN_PLAN_CORRUPT", "the engine's header has an unexpected size");
  if (fileSize != size)
    throw Error("KILN_PLAN_TRUNCATED", "the engine is " + std::to_string(size) + " bytes but its header says " +
                                           std::to_string(fileSize) + ": it is truncated or has trailing bytes");
  if (fnv1a(data + kHeaderBytes, size - kHeaderBytes) != checksum)
    throw Error("KILN_PLAN_CHECKSUM", "the engine's checksum does not match: the file is corrupt");
  if (isa > static_cast<uint32_t>(Isa::Avx512)) throw Error("KILN_PLAN_CORRUPT", "the engine names an unknown ISA");
  h.isa = static_cast<Isa>(isa);
  return h;
}

LoadedPlan readPlan(const uint8_t* data, size_t size) {
  LoadedPlan plan;
  plan.header = readPlanHeader(data, size);
  ByteReader table(data + kHeaderBytes, size - kHeaderBytes, "section table");
  const uint32_t count = static_cast<uint32_t>(data[20]) | (static_cast<uint32_t>(data[21]) << 8) |
                         (static_cast<uint32_t>(data[22]) << 16) | (static_cast<uint32_t>(data[23]) << 24);
  std::map<uint32_t, std::pair<const uint8_t*, size_t>> sections;
  for (uint32_t i = 0; i < count; ++i) {
    const uint32_t id = table.u32();
    table.u32();
    const uint64_t offset = table.u64(), bytes = table.u64();
    if (offset > size || bytes > size - offset) throw Error("KILN_PLAN_CORRUPT", "a section of the engine lies outside the file");
    sections[id] = {data + offset, bytes};
  }
  for (uint32_t id : {kGraph, kWeights, kTactics, kUserMetadata})
    if (!sections.count(id)) throw Error("KILN_PLAN_CORRUPT", "the engine lacks section " + std::to_string(id));
  const auto [weights, weightBytes] = sections[kWeights];
  plan.graph = decodeGraph(sections[kGraph].first, sections[kGraph].second, weights, weightBytes);
  ByteReader tactics(sections[kTactics].first, sections[kTactics].second, "tactics");
  plan.tactics.resize(tactics.count(4));
  for (int& t : plan.tactics) t = static_cast<int>(tactics.u32());
  plan.userMetadata.assign(reinterpret_cast<const char*>(sections[kUserMetadata].first), sections[kUserMetadata].second);
  return plan;
}

}  // namespace kiln
